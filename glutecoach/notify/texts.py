"""The words of a break prompt: what to do now, and one short line of why it matters.

The why-lines are our own summary of ../shared/reference/glutes.md. They stay on the safe side of
the evidence: weak glutes are "linked to" trouble, never said to cause it, and nothing here promises
to treat or prevent anything: the coach is a habit, not a treatment.
"""

from __future__ import annotations

from glutecoach.notify.base import FEEDBACK_ANSWERS, PROMPT_ANSWERS, PromptMessage

# Button labels, in the user's words.
ANSWER_LABELS: dict[str, str] = {"done": "Done", "snooze": "Snooze", "skip": "Skip",
                                 "easy": "Easy", "right": "Just right", "hard": "Hard"}

WHY_LINES: tuple[str, ...] = (
    "Your glutes are among the biggest muscles you have, and long sitting gives them almost "
    "nothing to do.",
    "Glutes left idle for hours tend to get weaker and slower to switch on; standing up and "
    "walking put them back to work.",
    "Weak glutes have been linked to aches and overuse in the muscles and joints that pick up "
    "their load.",
    "Your glutes keep the pelvis level with every step and stair; a few minutes on your feet "
    "keeps them in practice.",
    "For people who sit at work, frequent short breaks from the chair are the first habit the "
    "care advice names.",
)

DEFAULT_PLAN = "stand up and move for a couple of minutes"


def format_minutes(minutes: float) -> str:
    """45 -> "45 min", 95 -> "1 h 35 min": hours read faster than "95 min" in a small bubble."""
    total = max(0, round(minutes))
    hours, rest = divmod(total, 60)
    if hours == 0:
        return f"{rest} min"
    return f"{hours} h" if rest == 0 else f"{hours} h {rest:02d} min"


def why_line(seed: int) -> str:
    """One why-line chosen by seed (e.g. the prompt's number): the same prompt reads the same."""
    return WHY_LINES[seed % len(WHY_LINES)]


def prompt_message(
    sitting_minutes: float, plan: str | None, snoozes_left: int, seed: int = 0
) -> PromptMessage:
    """The prompt shown when a stretch of sitting reaches its limit."""
    title = f"Time for a glute break: {format_minutes(sitting_minutes)} sitting"
    plan_text = (plan or "").strip().rstrip(".") or DEFAULT_PLAN
    lines = [f"Break: {plan_text}.", why_line(seed)]
    answers = (PROMPT_ANSWERS if snoozes_left > 0
               else tuple(a for a in PROMPT_ANSWERS if a != "snooze"))
    if snoozes_left <= 0:
        lines.append("No snoozes left for this stretch.")
    return PromptMessage(title=title, body="\n".join(lines), answers=answers)


def feedback_message(plan: str | None) -> PromptMessage:
    """After a break done: how did it feel? (moves the level of the muscles it worked)."""
    what = f" ({plan.strip().rstrip('.')})" if plan else ""
    return PromptMessage(title="Well done. How did that feel?",
                         body=f"Your break{what}. Easy makes the next ones harder, hard makes "
                              "them gentler.",
                         answers=FEEDBACK_ANSWERS)


def answer_hint(answers: tuple[str, ...]) -> str:
    """For notifiers without buttons: how to answer from elsewhere."""
    commands = ", ".join(f"`glutecoach {'feedback ' if a in FEEDBACK_ANSWERS else ''}{a}`"
                         for a in answers)
    return f"Answer from the tray or with {commands}."
