"""Commands that run or talk to the coach: run, stop, status, done/snooze/skip, pause/resume,
break-now, reload."""

from __future__ import annotations

from typing import Any

import click

from glutecoach.cli.context import App, location_options, pass_app
from glutecoach.cli.output import emit_json
from glutecoach.errors import GlutecoachError


def _send(app: App, request: dict[str, Any]) -> dict[str, Any]:
    from glutecoach.control import send

    reply = send(app.home, request)
    if not reply.get("ok"):
        raise GlutecoachError(str(reply.get("error", "the coach refused")))
    if reply.get("warning"):  # done, but with a catch (e.g. the history cannot be saved now)
        click.echo(f"glutecoach: warning: {reply['warning']}", err=True)
    return reply


@click.command(help="Start the coach in the foreground: a tray icon where the desktop has a "
                    "tray, else headless. Stop it with `glutecoach stop` or Ctrl+C. Only one "
                    "coach runs per home.")
@click.option("--headless", is_flag=True, help="No tray icon, even where one could be shown.")
@location_options
@pass_app
def run(app: App, headless: bool) -> None:
    config, path = app.loaded  # a broken config is refused here, before anything starts
    # No config file yet: the coach watches where the default one goes, and applies it once saved.
    watch = None
    if path is None:
        from glutecoach.config import resolve_config_path

        watch = resolve_config_path(app.config_option)[0]
    if app.own_process:
        from glutecoach.coach.launch import can_exec, exec_coach

        if can_exec():
            from glutecoach.library import user_exercises_dir

            exec_coach(app.home, path, headless=headless, verbose=app.verbose,
                       exercises_dir=user_exercises_dir(path), watch=watch)
    from glutecoach.coach.runner import run_coach

    run_coach(config, path, app.home, headless=headless, verbose=app.verbose, config_file=watch)


@click.command(help="Ask the running coach to quit cleanly.")
@location_options
@pass_app
def stop(app: App) -> None:
    _send(app, {"cmd": "stop"})
    click.echo("The coach is stopping.")


@click.command(help="Ask the running coach to read its config file again (it also does so by "
                    "itself within 2 s of each save). A config with errors is refused and the "
                    "old one stays in force.")
@location_options
@pass_app
def reload(app: App) -> None:
    reply = _send(app, {"cmd": "reload"})
    click.echo("Config reloaded.")
    if reply.get("restart"):
        click.echo(f"These apply at the coach's next start: {', '.join(reply['restart'])}.")


@click.command(help="What the running coach sees now: state (active, paused, outside-hours, "
                    "away), how long you have sat, when the next prompt comes, any prompt "
                    "waiting for an answer.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@location_options
@pass_app
def status(app: App, as_json: bool) -> None:
    st = _send(app, {"cmd": "status"})["status"]
    if as_json:
        emit_json({k: st.get(k) for k in ("state", "sitting_seconds", "next_prompt_at",
                                          "pending_prompt", "paused_until", "meeting",
                                          "day_off", "heads_up_for")})
        return
    click.echo(_describe(st))


def _describe(st: dict[str, Any]) -> str:
    from glutecoach.durations import sitting_text

    sat = sitting_text(st["sitting_seconds"])
    lines = {
        "active": f"Sitting for {sat}.",
        "paused": f"Paused until {_when(st['paused_until'], st)}; sitting for {sat}."
        if st["paused_until"] else f"Paused; sitting for {sat}.",
        "outside-hours": _off_line(st, sat),
        "in-meeting": _meeting_line(st, sat),
        "away": "Away (on a break).",
    }
    out = [lines.get(st["state"], st["state"])]
    if st["pending_prompt"]:
        p = st["pending_prompt"]
        plan = f": {p['plan']}" if p.get("plan") else ""
        answers = p.get("answers") or ["done", "snooze", "skip"]
        # After max_snoozes in a row a snooze counts as skip: say so rather than offer it.
        spent = (f" No snooze left ({p.get('snoozes', 0)} in a row)."
                 if "snooze" not in answers else "")
        out.append(f"A break prompt is waiting since {_when(p['at'], st)}{plan}.{spent} "
                   f"Answer: glutecoach {' | '.join(answers)}")
    elif st.get("heads_up_for"):
        out.append(f"Next break prompt at {_when(st['heads_up_for'], st)} (heads-up shown). "
                   "Put it off: glutecoach postpone")
    elif st["next_prompt_at"]:
        out.append(f"Next break prompt at {_when(st['next_prompt_at'], st)}.")
    return "\n".join(out)


def _off_line(st: dict[str, Any], sat: str) -> str:
    if st.get("day_off") is None:
        return f"Outside work hours; sitting for {sat}."
    from glutecoach.days_off import day_off_text

    return f"{day_off_text(st['day_off'])} (no prompts today); sitting for {sat}."


def _meeting_line(st: dict[str, Any], sat: str) -> str:
    meeting = st.get("meeting") or {}
    detail = f": {meeting['detail']}" if meeting.get("detail") else ""
    return (f"In a meeting ({meeting.get('signal', '?')}{detail}); prompts wait until it ends. "
            f"Sitting for {sat}.")


def _when(iso: str, st: dict[str, Any]) -> str:
    """A moment from the coach, with its day unless it is today (by the coach's clock)."""
    from datetime import datetime

    from glutecoach.durations import when_text

    moment = datetime.fromisoformat(iso)
    now = datetime.fromisoformat(st["now"]) if st.get("now") else datetime.now(moment.tzinfo)
    return when_text(moment, now)


def _next_prompt(st: dict[str, Any]) -> str:
    return f"Next prompt at {_when(st['next_prompt_at'], st)}." if st.get("next_prompt_at") \
        else ""


def _answer_text(word: str, reply: dict[str, Any]) -> str:
    """What the answer did, as recorded: "Snoozed." only when it was a snooze."""
    st = reply.get("status") or {}
    outcome = reply.get("outcome")
    if outcome == "done":
        return "Well done: break recorded."
    if outcome == "snoozed":
        nxt = st.get("next_prompt_at")
        return f"Snoozed: next prompt at {_when(nxt, st)}." if nxt else "Snoozed."
    if word == "snooze" and outcome == "skipped":
        return " ".join(filter(None, [
            f"No snooze left ({reply.get('snoozes', 0)} in a row): recorded as skipped.",
            _next_prompt(st)]))
    return " ".join(filter(None, ["Skipped.", _next_prompt(st)]))


def _answer(name: str, word: str, help_text: str) -> click.Command:
    @click.command(name=name, help=help_text)
    @location_options
    @pass_app
    def command(app: App) -> None:
        reply = _send(app, {"cmd": "answer", "answer": word})
        click.echo(_answer_text(word, reply))

    return command


done = _answer("done", "done", "Answer the waiting prompt: you took the break.")
snooze = _answer("snooze", "snooze",
                 "Answer the waiting prompt: ask again later (snooze_minutes). After "
                 "max_snoozes in a row, snooze counts as skip. Refused in strict mode.")
skip = _answer("skip", "skip", "Answer the waiting prompt: not this time. Refused in strict "
                               "mode ([desktop] strict).")


@click.command(help="Put the coming break off by snooze_minutes, as the heads-up's Postpone "
                    "button does: it counts as a snooze of that break (history shows it as a "
                    "prompt snoozed at once; max_snoozes applies). Refused when no break is "
                    "coming now (away, paused, in a meeting, outside work hours), when it is "
                    "further off than one snooze, when a prompt is already waiting (answer "
                    "it), when no snooze is left, and in strict mode.")
@location_options
@pass_app
def postpone(app: App) -> None:
    st = _send(app, {"cmd": "postpone"}).get("status") or {}
    nxt = st.get("next_prompt_at")
    click.echo(f"Postponed: next prompt at {_when(nxt, st)}." if nxt else "Postponed.")


@click.command(help="Silence prompts for a while (sitting is still counted). DURATION: 30m, "
                    "2h, 1h30m or until-tomorrow; default 1h.")
@click.argument("duration", required=False, default="1h")
@location_options
@pass_app
def pause(app: App, duration: str) -> None:
    from datetime import UTC, datetime

    from glutecoach.durations import pause_until

    pause_until(duration, datetime.now(UTC), app.zone)  # a bad duration is exit 2, here
    st = _send(app, {"cmd": "pause", "duration": duration})["status"]
    until = st.get("paused_until")
    click.echo(f"Prompts paused until {_when(until, st)}." if until else "Prompts paused.")


@click.command(help="End a pause: prompts come again.")
@location_options
@pass_app
def resume(app: App) -> None:
    reply = _send(app, {"cmd": "resume"})
    if not reply.get("was_paused", True):
        click.echo("Nothing was paused.")
        return
    st = reply.get("status") or {}
    nxt = f" Next break prompt at {_when(st['next_prompt_at'], st)}." \
        if st.get("next_prompt_at") else ""
    click.echo(f"Prompts resumed.{nxt}")


@click.command(name="break-now", help="Show a break prompt now, whatever the time.")
@location_options
@pass_app
def break_now(app: App) -> None:
    from glutecoach.durations import sitting_text

    st = _send(app, {"cmd": "break-now"}).get("status") or {}
    seconds = st.get("sitting_seconds", 0)
    # The same words as the bubble: no "0 min" when the stretch has only just begun.
    click.echo(f"Break prompt shown (sitting for {sitting_text(seconds)})." if seconds >= 60
               else "Break prompt shown.")


COMMANDS = [run, stop, reload, status, done, snooze, skip, postpone, pause, resume,
            break_now]
