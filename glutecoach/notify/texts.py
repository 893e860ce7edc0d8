"""The words of a break prompt: what to do now, and one short line of why it matters.

The why-lines are our own summary of ../shared/reference/glutes.md. They stay on the safe side of
the evidence: weak glutes are "linked to" trouble, never said to cause it, and nothing here promises
to treat or prevent anything: the coach is a habit, not a treatment.
"""

from __future__ import annotations

from glutecoach.durations import break_in_text, sitting_text
from glutecoach.notify.base import FEEDBACK_ANSWERS, PROMPT_ANSWERS, HeadsUpMessage, PromptMessage

# Button labels, in the user's words.
ANSWER_LABELS: dict[str, str] = {"done": "Done", "snooze": "Snooze", "skip": "Skip",
                                 "easy": "Easy", "right": "Just right", "hard": "Hard"}
# The label of a bubble's default action (a click on its body), which only closes the bubble:
# by the kind of notification, so that nobody takes it for an answer.
DEFAULT_ACTION_LABELS: dict[str, str] = {"prompt": "Close (answer later)",
                                         "question": "Close (rate later)", "info": "Close"}

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


def why_line(seed: int) -> str:
    """One why-line chosen by seed (e.g. the prompt's number): the same prompt reads the same."""
    return WHY_LINES[seed % len(WHY_LINES)]


def prompt_message(
    sitting_seconds: float, plan: str | None, snoozes_left: int, seed: int = 0,
    snoozes: int | None = None, strict: bool = False,
) -> PromptMessage:
    """The prompt shown when a stretch of sitting reaches its limit (or `break-now`). In
    strict mode (issue 14) its only button is Done: no Snooze, no Skip."""
    title = "Time for a glute break"
    if sitting_seconds >= 60:  # "0 min sitting" says nothing; `break-now` can come that early
        title += f": {sitting_text(sitting_seconds)} sitting"
    plan_text = (plan or "").strip().rstrip(".") or DEFAULT_PLAN
    lines = [f"Break: {plan_text}.", why_line(seed)]
    answers = (PROMPT_ANSWERS if snoozes_left > 0
               else tuple(a for a in PROMPT_ANSWERS if a != "snooze"))
    if strict:
        return PromptMessage(title=title, body="\n".join([*lines, "Strict mode: take the break."]),
                             answers=("done",))
    if snoozes_left <= 0:
        # The words `status` and `snooze` use; the count starts again after a skip or a break.
        lines.append(f"No snooze left ({snoozes} in a row)." if snoozes else "No snooze left.")
    return PromptMessage(title=title, body="\n".join(lines), answers=answers)


def heads_up_message(seconds_left: float, snooze_minutes: float, snoozes_left: int,
                     strict: bool = False) -> HeadsUpMessage:
    """The quiet notice `heads_up_seconds` before a prompt (issue 14). Postpone is a snooze of
    the coming prompt: offered only while one is left, never in strict mode."""
    postpone = f"Postpone {_minutes_text(snooze_minutes)}"
    buttons: tuple[tuple[str, str], ...] = (("break-now", "Break now"),)
    if strict:
        body = "Strict mode: the break comes on time."
    elif snoozes_left <= 0:
        body = "No snooze left: the break comes on time."
    else:
        body = (f"{postpone} counts as a snooze ({snoozes_left} left); Break now starts it "
                "at once.")
        buttons = (("postpone", postpone), *buttons)
    return HeadsUpMessage(title=f"Break in {break_in_text(seconds_left)}: finish your sentence",
                          body=body, buttons=buttons)


def _minutes_text(minutes: float) -> str:
    """snooze_minutes as the button says it: "5 min", "1.5 min", "30 s" for the tests' tiny
    values."""
    if minutes >= 1:
        return f"{minutes:g} min"
    return f"{max(1, round(minutes * 60))} s"


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


_FELT = {"easy": "easy", "right": "just right", "hard": "hard"}


def feedback_result_message(rating: str, levels: dict[str, tuple[int, int]]) -> tuple[str, str]:
    """What a rating from the tray, a bubble or the break window changed, in a notification:
    the title says it was taken, the body which levels moved (muscle -> (before, after))."""
    title = f"Noted: the last break felt {_FELT.get(rating, rating)}"
    moved = [f"gluteus {m} level {a} → {b}" for m, (a, b) in levels.items() if a != b]
    kept = [f"gluteus {m} stays at level {b}" for m, (a, b) in levels.items() if a == b]
    if moved:
        lead = {"easy": "Your next breaks get harder", "hard": "Your next breaks get gentler"}
        body = f"{lead.get(rating, 'Your levels')}: {', '.join(moved)}."
    else:
        body = ("Your levels stay as they are" + (f": {', '.join(kept)}" if kept else "") + ".")
    return title, body


def feedback_refused_message(why: str) -> tuple[str, str]:
    """A rating that could not be taken, said where it was given (no terminal to read a log)."""
    why = why.strip().rstrip(".")
    return "Rating not recorded", f"{why[:1].upper()}{why[1:]}."


def config_refused_message(error: str) -> tuple[str, str]:
    """A saved config the running coach refused (its first problem, naming file, line and key);
    sent once until a save applies again, so an editor's many saves are not many bubbles."""
    return ("GluteCoach did not apply your config",
            f"{error.strip()}. Fix it and save again; `glutecoach config check` lists every "
            "problem.")


def config_restart_message(keys: list[str]) -> tuple[str, str]:
    """Saved settings the running coach cannot change while it runs (it opened its desktop
    parts with them): they wait for its next start."""
    return ("Some settings apply at the next start",
            f"{', '.join(keys)}: the coach uses these from its next start (glutecoach stop, "
            "then start it again). Everything else is in force now.")
