"""`glutecoach off add | list | remove`: days off as [[schedule.days_off]] entries of the user's
file, the rest of which stays as it was."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from cli_helpers import example_config_in_force, isolate, run_cli

from glutecoach.config import DayOff, parse_config

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def cfg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    return example_config_in_force(monkeypatch, tmp_path)


def days_off(path: Path) -> list[DayOff]:
    return parse_config(path.read_text()).schedule.days_off


def test_add_list_remove_round_trip(capsys, cfg: Path) -> None:
    before = cfg.read_bytes()
    r = run_cli(capsys, "off", "add", "2026-12-24..2027-01-01", "--note", "winter holiday")
    assert (r.code, r.out) == (0, "Day off added: 2026-12-24..2027-01-01 (9 days, winter "
                                  "holiday)\n")
    r = run_cli(capsys, "off", "add", "2026-11-02")
    assert r.out == "Day off added: 2026-11-02 (1 day)\n"
    assert days_off(cfg) == [DayOff(first=date(2026, 11, 2)),  # in date order
                             DayOff(first=date(2026, 12, 24), last=date(2027, 1, 1),
                                    note="winter holiday")]
    # Into the template's `days_off = []`, one entry a line.
    assert '\ndays_off = [\n    {first = 2026-11-02},\n    {first = 2026-12-24, ' \
           'last = 2027-01-01, note = "winter holiday"},\n]\n' in cfg.read_text()
    listed = run_cli(capsys, "off", "list", "--json").json()
    assert [(d["index"], d["first"], d["last"], d["days"], d["note"])
            for d in listed["days_off"]] == [
        (1, "2026-11-02", "2026-11-02", 1, ""),
        (2, "2026-12-24", "2027-01-01", 9, "winter holiday")]
    text = run_cli(capsys, "off", "list").out
    assert f"Days off (in {cfg}):\n" in text
    assert "   2  2026-12-24..2027-01-01  9 days    winter holiday" in text
    r = run_cli(capsys, "off", "remove", "2026-12-24..2027-01-01")
    assert r.out == "Day off removed: 2026-12-24..2027-01-01 (9 days, winter holiday)\n"
    r = run_cli(capsys, "off", "remove", "1")
    assert r.out == "Day off removed: 2026-11-02 (1 day)\n"
    assert cfg.read_bytes() == before  # every byte back


def test_comments_among_the_days_off_stay(capsys, cfg: Path) -> None:
    """Days off written as [[schedule.days_off]] tables stay tables, comments and all."""
    text = cfg.read_text().replace("\ndays_off = []\n", "\n").replace(
        "\n[desktop]\n", "\n# my vacation, agreed with the team\n[[schedule.days_off]]\n"
        "first = 2027-07-01  # a Thursday\nlast = 2027-07-14\n\n[desktop]\n")
    cfg.write_text(text)
    run_cli(capsys, "off", "add", "2027-08-02")
    assert "# my vacation, agreed with the team\n[[schedule.days_off]]\nfirst = 2027-07-01  " \
           "# a Thursday\nlast = 2027-07-14\n\n[[schedule.days_off]]\nfirst = 2027-08-02\n" \
           in cfg.read_text()
    run_cli(capsys, "off", "remove", "2")
    assert cfg.read_text() == text


def test_today_and_tomorrow_are_in_the_config_time_zone(capsys, cfg: Path) -> None:
    assert run_cli(capsys, "config", "set", "schedule.timezone", "UTC").code == 0
    today = datetime.now(UTC).date()
    run_cli(capsys, "off", "add", "today", "--note", "sick")
    run_cli(capsys, "off", "add", "tomorrow..tomorrow")
    if datetime.now(UTC).date() != today:
        pytest.skip("midnight passed during the test")
    assert [(d.first, d.end, d.note) for d in days_off(cfg)] == [
        (today, today, "sick"), (today + timedelta(days=1), today + timedelta(days=1), "")]
    past = run_cli(capsys, "off", "add", "2020-01-01")
    assert past.code == 0
    assert "2020-01-01              1 day  (past)" in run_cli(capsys, "off", "list").out


@pytest.mark.parametrize(("words", "message"), [
    (["add", "xmas"], '"xmas" is not a date or a range like 2026-12-24..2027-01-01 (also today, '
                      "tomorrow)"),
    (["add", "2027-02-30"], '"2027-02-30": 2027-02-30 is not a date that exists'),
    (["add", "2027-03-05..2027-03-01"], '"2027-03-05..2027-03-01" ends before it starts (write '
                                        "2027-03-01..2027-03-05)"),
    (["add", "2027-03-01..2027-03-05..2027-03-07"], "is not a date or a range"),
    (["remove", "1"], "has no days off to remove"),
])
def test_bad_input_is_one_line_and_exit_2(capsys, cfg: Path, words: list[str],
                                          message: str) -> None:
    before = cfg.read_bytes()
    r = run_cli(capsys, "off", *words)
    assert r.code == 2 and len(r.err.splitlines()) == 1 and message in r.err
    assert cfg.read_bytes() == before


def test_remove_says_which_entry_holds_a_day(capsys, cfg: Path) -> None:
    run_cli(capsys, "off", "add", "2026-12-24..2027-01-01")
    before = cfg.read_bytes()
    r = run_cli(capsys, "off", "remove", "2026-12-25")
    assert (r.code, r.err) == (2, "glutecoach: error: 2026-12-25 is part of day off 1 "
                                  "(2026-12-24..2027-01-01); remove that with: glutecoach off "
                                  "remove 1\n")
    r = run_cli(capsys, "off", "remove", "3")
    assert r.err == "glutecoach: error: there is no day off number 3: `glutecoach off list` " \
                    "shows 1 to 1\n"
    r = run_cli(capsys, "off", "remove", "2027-05-01")
    assert r.code == 2 and "no day off 2027-05-01 in" in r.err
    assert cfg.read_bytes() == before


def test_the_same_range_twice_is_added_once(capsys, cfg: Path) -> None:
    run_cli(capsys, "off", "add", "2027-05-01")
    r = run_cli(capsys, "off", "add", "2027-05-01..2027-05-01")
    assert r.out == f"2027-05-01 is a day off already; {cfg} is as it was.\n"
    assert len(days_off(cfg)) == 1


def test_list_with_no_days_off_says_how_to_add_one(capsys, cfg: Path) -> None:
    r = run_cli(capsys, "off", "list")
    assert r.code == 0 and "No days off in" in r.out and "glutecoach off add" in r.out


def test_list_shows_the_next_public_holidays(capsys, cfg: Path) -> None:
    pytest.importorskip("holidays")
    run_cli(capsys, "config", "set", "schedule.holidays", "DE-BY")
    r = run_cli(capsys, "off", "list")
    assert r.code == 0
    assert "Public holidays (DE-BY), the next " in r.out
    assert "Christmas Day" in r.out  # within a year of any day
    listed = run_cli(capsys, "off", "list", "--json").json()
    assert listed["holidays"] == "DE-BY"
    assert all(date.fromisoformat(h["date"]) >= date.today() - timedelta(days=1)
               for h in listed["next_holidays"])


def test_off_add_creates_a_missing_config(capsys, monkeypatch, tmp_path: Path) -> None:
    isolate(monkeypatch, tmp_path)
    path = tmp_path / "xdg-config" / "glutecoach" / "config.toml"
    r = run_cli(capsys, "off", "add", "2027-01-04")
    assert r.code == 0 and days_off(path) == [DayOff(first=date(2027, 1, 4))]
    assert path.stat().st_mode & 0o777 == 0o600


def test_off_is_listed_in_the_main_help(capsys) -> None:
    assert re.search(r"^\s+off\s+Days off", run_cli(capsys, "--help").out, re.MULTILINE)
    r = run_cli(capsys, "off", "--help")
    assert r.code == 0 and 'glutecoach off add 2026-12-24..2027-01-01 --note "winter holiday"' \
        in r.out
