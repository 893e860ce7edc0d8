"""Days off (issue 13): `[[schedule.days_off]]` ranges and the public holidays of
`schedule.holidays` are local dates with no work windows, so no prompts, while sitting is still
recorded. The engine's work hours, `simulate`, the coach's status and its tray all agree; bad
codes and bad dates are one-line errors with their line."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from cli_helpers import isolate, run_cli
from config_helpers import ALL_WEEK_HOURS
from test_coach_service import RecordingNotifier, ScriptedPresence, VirtualClock, typing_until

from glutecoach import days_off
from glutecoach.cli.coach_cmd import _describe
from glutecoach.coach.service import Coach
from glutecoach.coach.tray_bridge import tray_state
from glutecoach.config import Hours, parse_config
from glutecoach.days_off import DaysOff, public_holidays
from glutecoach.errors import InputError
from glutecoach.store import Store
from glutecoach.store.writer import StoreWriter
from glutecoach.tray.menu import status_line
from glutecoach.workhours import WorkHours

BERLIN = ZoneInfo("Europe/Berlin")
EPIPHANY = date(2026, 1, 6)  # a public holiday in Bavaria (DE-BY), not in Berlin (DE-BE)
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    isolate(monkeypatch, tmp_path)
    monkeypatch.setenv("GLUTECOACH_HOME", str(tmp_path / "home"))
    yield


def config_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def trace_file(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "trace.csv"
    path.write_text("at,until,event\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def simulate_json(capsys: pytest.CaptureFixture[str], trace: Path, cfg: Path) -> dict[str, Any]:
    r = run_cli(capsys, "simulate", trace, "--config", cfg, "--json")
    assert r.code == 0, r.err
    return r.json()


def days_of(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {d["date"]: d for d in doc["days"]}


def prompt_dates(doc: dict[str, Any]) -> list[str]:
    return sorted({p["at"][:10] for p in doc["prompts"]})


# --- where days off come from ----------------------------------------------------------------


def test_epiphany_is_a_holiday_in_bavaria_and_not_in_berlin() -> None:
    assert public_holidays("DE-BY", [2026])[EPIPHANY] == "Epiphany"
    assert EPIPHANY not in public_holidays("DE-BE", [2026])
    # The country alone: only the holidays of every state (New Year, not Epiphany).
    national = public_holidays("DE", [2026])
    assert date(2026, 1, 1) in national and EPIPHANY not in national
    # Case does not matter, as in ISO codes written by hand.
    assert public_holidays("de-by", [2026])[EPIPHANY] == "Epiphany"


def test_a_range_runs_across_the_new_year_and_keeps_its_note() -> None:
    cfg = parse_config("""
[schedule]
[[schedule.days_off]]
first = 2026-12-24
last = 2027-01-01
note = "winter holiday"
[[schedule.days_off]]
first = 2027-02-03
""")
    off = DaysOff.of(cfg.schedule)
    assert off.why(date(2026, 12, 23)) is None
    assert all(off.why(date(2026, 12, d)) == "winter holiday" for d in range(24, 32))
    assert off.why(date(2027, 1, 1)) == "winter holiday"
    assert off.why(date(2027, 1, 2)) is None
    assert off.why(date(2027, 2, 3)) == ""  # a day off without a note
    year = [date(2026, 1, 1) + timedelta(days=n) for n in range(365)]
    assert [d for d in year if off.is_day_off(d)] == [date(2026, 12, d) for d in range(24, 32)]


def test_the_users_note_wins_over_the_holiday_name() -> None:
    cfg = parse_config("""
[schedule]
holidays = "DE-BY"
[[schedule.days_off]]
first = 2026-01-05
last = 2026-01-09
note = "skiing"
""")
    off = DaysOff.of(cfg.schedule)
    assert off.why(EPIPHANY) == "skiing"
    assert off.why(date(2026, 1, 1)) == "New Year's Day"


# --- work windows: the one implementation every part uses ------------------------------------


def test_a_day_off_has_no_work_windows_and_the_next_window_is_after_it() -> None:
    cfg = parse_config('[schedule]\ntimezone = "Europe/Berlin"\nholidays = "DE-BY"\n')
    hours = WorkHours.of(cfg.schedule, BERLIN)
    assert hours.windows_of(EPIPHANY) == ()
    assert hours.day_off(EPIPHANY) == "Epiphany"
    assert hours.day_off(date(2026, 1, 7)) is None
    at_ten = datetime(2026, 1, 6, 9, 0, tzinfo=UTC)  # 10:00 in Berlin
    assert not hours.is_open(at_ten)
    assert hours.next_open(at_ten) == datetime(2026, 1, 7, 8, 0, tzinfo=UTC)
    # Without the holidays, the same Tuesday is a working day.
    plain = WorkHours.of(parse_config('[schedule]\ntimezone = "Europe/Berlin"\n').schedule, BERLIN)
    assert plain.is_open(at_ten) and plain.day_off(EPIPHANY) is None


def test_the_first_window_after_a_long_vacation_is_still_found() -> None:
    """Days off do not use up next_open's look-ahead (eight days): after three weeks away the
    next prompt time is still known."""
    cfg = parse_config("""
[schedule]
timezone = "Europe/Berlin"
[[schedule.days_off]]
first = 2026-07-01
last = 2026-07-24
""")
    hours = WorkHours.of(cfg.schedule, BERLIN)
    assert hours.next_open(datetime(2026, 7, 1, 6, 0, tzinfo=UTC)) == \
        datetime(2026, 7, 27, 7, 0, tzinfo=UTC)  # Monday 09:00 in Berlin (summer time)


def test_a_day_off_is_a_local_date_in_the_configured_zone() -> None:
    """Auckland is UTC+13 in January: the local day off 2026-01-06 runs from 2026-01-05 11:00 UTC
    to 2026-01-06 11:00 UTC, and a window round the clock closes and opens exactly there."""
    zone = ZoneInfo("Pacific/Auckland")
    cfg = parse_config(f'[schedule]\ntimezone = "Pacific/Auckland"\n{ALL_WEEK_HOURS}\n'
                       "[[schedule.days_off]]\nfirst = 2026-01-06\n")
    hours = WorkHours.of(cfg.schedule, zone)
    start = datetime(2026, 1, 5, 11, 0, tzinfo=UTC)
    end = datetime(2026, 1, 6, 11, 0, tzinfo=UTC)
    assert hours.is_open(start - timedelta(seconds=1))
    assert not hours.is_open(start) and not hours.is_open(end - timedelta(seconds=1))
    assert hours.is_open(end)
    assert hours.next_open(start) == end


def test_a_day_off_on_the_day_clocks_change_is_that_whole_local_day() -> None:
    """2026-03-29 has 23 hours in Berlin: the day off is those 23 hours, no more, no less."""
    cfg = parse_config(f'[schedule]\ntimezone = "Europe/Berlin"\n{ALL_WEEK_HOURS}\n'
                       "[[schedule.days_off]]\nfirst = 2026-03-29\n")
    hours = WorkHours.of(cfg.schedule, BERLIN)
    start = datetime(2026, 3, 28, 23, 0, tzinfo=UTC)  # local midnight, still winter time
    end = datetime(2026, 3, 29, 22, 0, tzinfo=UTC)  # the next local midnight, summer time
    assert hours.is_open(start - timedelta(seconds=1)) and not hours.is_open(start)
    assert hours.next_open(start) == end
    assert (end - start) == timedelta(hours=23)


def test_a_workhours_without_days_off_is_as_before() -> None:
    hours = WorkHours(Hours(mon=["09:00-17:00"]), BERLIN)
    assert hours.day_off(date(2026, 11, 23)) is None
    assert len(hours.windows_of(date(2026, 11, 23))) == 1


# --- simulate: a trace across a holiday --------------------------------------------------------


def test_a_trace_across_a_holiday_has_no_prompts_that_day_but_counts_its_sitting(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    rows = [f"2026-01-0{d}T09:00,2026-01-0{d}T11:00,active" for d in (5, 6, 7)]
    trace = trace_file(tmp_path, rows)
    bavaria = simulate_json(capsys, trace, config_file(tmp_path, """
        [schedule]
        timezone = "Europe/Berlin"
        holidays = "DE-BY"
        """))
    assert prompt_dates(bavaria) == ["2026-01-05", "2026-01-07"]
    day = days_of(bavaria)["2026-01-06"]
    assert day["prompts"] == 0 and day["sitting_minutes"] == 120
    assert day["longest_sitting_minutes"] == 120
    assert bavaria["days_off"] == [{"date": "2026-01-06", "note": "Epiphany"}]
    # The DAY objects keep exactly the keys of spec/cli.md.
    assert "day_off" not in day

    berlin = simulate_json(capsys, trace, config_file(tmp_path, """
        [schedule]
        timezone = "Europe/Berlin"
        holidays = "DE-BE"
        """))
    assert prompt_dates(berlin) == ["2026-01-05", "2026-01-06", "2026-01-07"]
    assert berlin["days_off"] == []


def test_a_vacation_range_through_simulate(capsys: pytest.CaptureFixture[str],
                                           tmp_path: Path) -> None:
    rows = [f"2026-11-{d}T09:00,2026-11-{d}T10:00,active" for d in (23, 24, 25, 26, 27)]
    cfg = config_file(tmp_path, """
        [schedule]
        timezone = "Europe/Berlin"
        [[schedule.days_off]]
        first = 2026-11-24
        last = 2026-11-26
        note = "vacation"
        """)
    doc = simulate_json(capsys, trace_file(tmp_path, rows), cfg)
    assert prompt_dates(doc) == ["2026-11-23", "2026-11-27"]
    assert [d["sitting_minutes"] for d in doc["days"]] == [60] * 5
    assert [d["date"] for d in doc["days_off"]] == ["2026-11-24", "2026-11-25", "2026-11-26"]

    table = run_cli(capsys, "simulate", trace_file(tmp_path, rows), "--config", cfg)
    assert table.code == 0, table.err
    assert "Tue 2026-11-24*" in table.out and "Mon 2026-11-23*" not in table.out
    assert "Day off" in table.out and "vacation" in table.out


def test_a_holiday_in_another_time_zone_follows_the_local_date(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """The same UTC instants, read in Auckland: 2026-01-05 20:00 UTC is already the 6th there."""
    rows = ["2026-01-05T20:00:00+00:00,2026-01-05T22:00:00+00:00,active",
            "2026-01-06T20:00:00+00:00,2026-01-06T22:00:00+00:00,active"]
    doc = simulate_json(capsys, trace_file(tmp_path, rows), config_file(tmp_path, f"""
[schedule]
timezone = "Pacific/Auckland"
{ALL_WEEK_HOURS}
[[schedule.days_off]]
first = 2026-01-06
"""))
    assert prompt_dates(doc) == ["2026-01-07"]
    assert days_of(doc)["2026-01-06"]["sitting_minutes"] == 120


# --- bad codes and bad dates: one line, with the line number -----------------------------------


@pytest.mark.parametrize(("toml", "expected"), [
    ('holidays = "XX"', 'cfg.toml:3: schedule.holidays: "XX" is not a country code the holidays '
                        'package knows (like "DE" or "DE-BY")'),
    ('holidays = "DE-XX"', 'cfg.toml:3: schedule.holidays: "DE-XX": DE has no subdivision "XX" '
                           'in the holidays package (it has "DE-BB", "DE-BE", "DE-BW", "DE-BY", '),
    ('holidays = "DE-"', 'cfg.toml:3: schedule.holidays: "DE-" has no subdivision after the "-"'),
    ("holidays = 49", 'cfg.toml:3: schedule.holidays: expected a text in quotes, e.g. "DE-BY"; '
                      "not 49"),
    ('[[schedule.days_off]]\nfirst = "2026-12-24"',
     'cfg.toml:4: schedule.days_off.first: must be a TOML date like 2026-12-24 (no quotes), '
     'not "2026-12-24"'),
    ("[[schedule.days_off]]\nfirst = 2026-12-24T09:00:00",
     "cfg.toml:4: schedule.days_off.first: must be a TOML date like 2026-12-24 (no quotes), "
     "not 2026-12-24T09:00:00"),
    ('[[schedule.days_off]]\nnote = "flu"',
     "cfg.toml:3: schedule.days_off.first: is missing: expected a TOML date like 2026-12-24 "
     "(no quotes)"),
    ("[[schedule.days_off]]\nfirst = 2026-12-24\n\n[[schedule.days_off]]\nfirst = 2027-01-05\n"
     "note = 'x'\nlast = 2027-01-02",
     "cfg.toml:9: schedule.days_off.last: must be on or after first (2027-01-05), not 2027-01-02"),
    ("[[schedule.days_off]]\nfirst = 2026-12-24\nlast = 5",
     "cfg.toml:5: schedule.days_off.last: must be a TOML date like 2027-01-01 (no quotes), not 5"),
    ("[[schedule.days_off]]\nfirst = 2026-12-24\nntoe = 'x'",
     'cfg.toml:5: unknown key schedule.days_off.ntoe; did you mean "note"?'),
    ('days_off = "2026-12-24"',
     'cfg.toml:3: schedule.days_off: expected a list of tables: a line "[[schedule.days_off]]" '
     'before the keys of each; not "2026-12-24"'),
])
def test_bad_days_off_and_holidays_are_one_line_with_their_line(toml: str, expected: str) -> None:
    text = f"# my config\n[schedule]\n{toml}\n"
    with pytest.raises(InputError) as info:
        parse_config(text, "cfg.toml")
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(expected), message


def test_config_check_names_a_bad_holidays_code(capsys: pytest.CaptureFixture[str],
                                                tmp_path: Path) -> None:
    cfg = config_file(tmp_path, '[schedule]\nholidays = "Bavaria"\n')
    r = run_cli(capsys, "config", "check", cfg)
    assert r.code == 2
    assert r.err.strip() == (f'glutecoach: error: {cfg}:2: schedule.holidays: "Bavaria" is not a '
                             'country code the holidays package knows (like "DE" or "DE-BY")')


# --- the coach: no prompts on a day off, and its status and tray say so ------------------------


@pytest.fixture
def holiday_coach(tmp_path: Path) -> Iterator[tuple[Coach, VirtualClock, ScriptedPresence,
                                                    RecordingNotifier, Store]]:
    text = '[schedule]\ntimezone = "Europe/Berlin"\nholidays = "DE-BY"\n' \
           '[desktop]\nnotifier = "terminal"\n'
    nine = datetime(2026, 1, 6, 8, 0, tzinfo=UTC)  # Epiphany, 09:00 in Berlin
    clock = VirtualClock(nine)
    presence = ScriptedPresence(clock, nine)
    notifier = RecordingNotifier()
    store = Store.open(tmp_path / "coach-home")
    coach = Coach(config=parse_config(text), config_path=None,
                  writer=StoreWriter(store, "Europe/Berlin"), presence=presence,
                  notifier=notifier, clock=clock)  # type: ignore[arg-type]
    yield coach, clock, presence, notifier, store
    store.close()


def test_the_coach_shows_no_prompt_on_a_holiday_and_says_day_off(holiday_coach) -> None:
    coach, clock, presence, notifier, store = holiday_coach
    start = clock.t
    typing_until(coach, clock, presence, start + timedelta(minutes=95))
    assert notifier.shown == []
    st = coach.status_json()
    assert st["state"] == "outside-hours" and st["day_off"] == "Epiphany"
    assert st["sitting_seconds"] == 95 * 60  # sitting is still counted
    assert _describe(st).splitlines() == [
        "Day off: Epiphany (no prompts today); sitting for 1 h 35 min.",
        "Next break prompt at tomorrow, Wed 7 Jan 09:00."]
    tray = tray_state(coach)
    assert tray.day_off == "Epiphany"
    assert status_line(tray, clock.t) == "Day off: Epiphany"
    # ...and recorded: the stretch is in the database.
    coach.shutdown()
    history = store.load(since=start - timedelta(hours=1), until=clock.t + timedelta(hours=1))
    assert [(s.start, s.end) for s in history.stretches] == [(start, clock.t)]
    # The next morning is a working day: prompts again, and the tray no longer says day off.
    clock.t = datetime(2026, 1, 7, 8, 0, tzinfo=UTC)
    presence.last_input = clock.t
    typing_until(coach, clock, presence, clock.t + timedelta(minutes=31))
    assert len(notifier.shown) == 1
    assert coach.status_json()["day_off"] is None
    assert status_line(tray_state(coach), clock.t).startswith("Sitting")


def test_a_working_day_outside_hours_still_says_outside_work_hours(holiday_coach) -> None:
    coach, clock, presence, _notifier, _store = holiday_coach
    clock.t = datetime(2026, 1, 7, 18, 0, tzinfo=UTC)  # 19:00 on a working Wednesday
    presence.last_input = clock.t
    typing_until(coach, clock, presence, clock.t + timedelta(minutes=5))
    st = coach.status_json()
    assert st["state"] == "outside-hours" and st["day_off"] is None
    assert _describe(st).splitlines()[0] == "Outside work hours; sitting for 5 min."
    assert status_line(tray_state(coach), clock.t) == "Outside work hours"


# --- the coach's memory: holidays come from a child process ------------------------------------


def test_the_coach_looks_holidays_up_in_a_child_and_never_imports_the_package() -> None:
    script = textwrap.dedent("""
        import json, sys
        from datetime import date
        from glutecoach import days_off
        days_off.in_child()
        from glutecoach.config import parse_config
        from glutecoach.workhours import WorkHours
        cfg = parse_config('[schedule]\\ntimezone = "Europe/Berlin"\\nholidays = "DE-BY"\\n')
        hours = WorkHours.of(cfg.schedule, cfg.schedule.zone())
        try:
            parse_config('[schedule]\\nholidays = "DE-XX"\\n', "c.toml")
            bad = None
        except Exception as exc:
            bad = str(exc)
        print(json.dumps({"why": hours.day_off(date(2026, 1, 6)), "bad": bad,
                          "imported": "holidays" in sys.modules}))
        """)
    done = subprocess.run([sys.executable, "-OO", "-c", script], capture_output=True, text=True,
                          cwd=REPO, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["why"] == "Epiphany"
    assert answer["imported"] is False
    assert answer["bad"].startswith('c.toml:2: schedule.holidays: "DE-XX": DE has no subdivision')


def test_a_failed_child_means_no_holidays_for_now_and_a_later_retry(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """A child that gives no answer is not taken as "no holidays" for good: the same DaysOff
    finds them once a lookup works again, and not before the retry time (no child per poll)."""
    monkeypatch.setattr(days_off, "_use_child", True)
    monkeypatch.setattr(days_off, "_holidays", {})
    monkeypatch.setattr(days_off, "_problems", {})
    monkeypatch.setattr(days_off, "_failed", {})
    python = sys.executable
    monkeypatch.setattr(sys, "executable", "/nonexistent/python")
    off = DaysOff(holidays="DE-BY")
    assert off.why(EPIPHANY) is None  # no holidays for now ...
    assert "cannot look up the public holidays of DE-BY" in caplog.text
    assert days_off.holidays_problem("DE-BY") is None  # ... and the code is not called wrong
    with pytest.raises(days_off.HolidaysUnavailable):
        public_holidays("DE-BY", [2026])
    monkeypatch.setattr(sys, "executable", python)
    assert off.why(EPIPHANY) is None  # within the retry time: no new child
    monkeypatch.setattr(days_off, "RETRY_SECONDS", 0.0)
    assert off.why(EPIPHANY) == "Epiphany"  # tried again, and kept


def test_the_tray_says_day_off_only_outside_hours() -> None:
    from glutecoach.tray.menu import TrayState

    base = TrayState(state="outside-hours", sitting_minutes=5, sit_limit_minutes=30,
                     next_prompt_at=None, prompt_waiting=False, snooze_offered=False,
                     paused_until=None)
    assert status_line(base) == "Outside work hours"
    assert status_line(TrayState(**{**base.__dict__, "day_off": ""})) == "Day off"
    assert status_line(TrayState(**{**base.__dict__, "day_off": "vacation"})) == \
        "Day off: vacation"
    paused = TrayState(**{**base.__dict__, "state": "paused", "day_off": "vacation"})
    assert status_line(paused) == "Paused"  # a pause says so, whatever the day
