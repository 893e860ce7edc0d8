"""Days off: the local dates with no work windows.

Two sources: the `[[schedule.days_off]]` ranges (a vacation, a sick day) and, with
`[schedule] holidays = "DE-BY"`, the public holidays of that country and subdivision from the
maintained `holidays` package. A day off is a local date in the schedule's zone, like the windows.

The `holidays` package is imported only when `schedule.holidays` is set, and not by the
coach's own process (`glutecoach.coach`, which `glutecoach run` execs): loading it pulls in every
country's module (some 300), about 10 MB that Python does not give back. That process asks a
short-lived child process instead (`in_child()`), once per code and year; every other command,
and `run`'s in-process fallback where exec fails, imports it in-process. A child that fails
(killed, a broken interpreter) is not taken as "no holidays" for good: the lookup is tried again
an hour later.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from glutecoach.config import DayOff, Schedule

log = logging.getLogger("glutecoach.days_off")

_SHOWN_SUBDIVISIONS = 8  # how many of a country's subdivisions an error lists

# code -> year -> {date: holiday name}, and code -> its problem ("" when the code is fine):
# shared by every DaysOff of the process, so a reloaded config costs no second lookup.
_holidays: dict[str, dict[int, dict[date, str]]] = {}
_problems: dict[str, str] = {}
_use_child = False
# code -> when (time.monotonic) its last child lookup failed; not tried again for RETRY_SECONDS.
_failed: dict[str, float] = {}
RETRY_SECONDS = 3600.0


class HolidaysUnavailable(Exception):
    """The lookup failed this time (its child process did); it is tried again later."""


def in_child() -> None:
    """Look holidays up in a child process from now on (the coach calls this at its start)."""
    global _use_child
    _use_child = True


def public_holidays(code: str, years: Iterable[int]) -> dict[date, str]:
    """The public holidays of `code` ("DE", "DE-BY") in `years`: date -> name. ValueError, in our
    words, when the code is not one the holidays package knows; HolidaysUnavailable when the
    lookup failed this time."""
    years = sorted(set(years))
    known = _holidays.setdefault(code, {})
    missing = [y for y in years if y not in known]
    if missing:
        _fetch(code, missing)
    problem = _problems.get(code)
    if problem:
        raise ValueError(problem)
    return {d: name for y in years for d, name in known.get(y, {}).items()}


def holidays_problem(code: str) -> str | None:
    """Why `code` is not a holidays code (for the config's validator), or None when it is one."""
    if code not in _problems:
        year = date.today().year
        try:
            # The years the coach will ask for first: one lookup serves both.
            _fetch(code, [y for y in (year, year + 1) if y not in _holidays.get(code, {})])
        except HolidaysUnavailable:
            return None  # cannot tell now, and not the user's mistake
    return _problems.get(code) or None


def _fetch(code: str, years: list[int]) -> None:
    if _use_child:
        failed = _failed.get(code)
        if failed is not None and time.monotonic() - failed < RETRY_SECONDS:
            raise HolidaysUnavailable("the last lookup failed less than an hour ago")
        answer = _ask_child(code, years)
        if answer is None:
            _failed[code] = time.monotonic()
            raise HolidaysUnavailable("the lookup failed; tried again in an hour")
        _failed.pop(code, None)
    else:
        answer = lookup(code, years)
    _problems[code] = str(answer.get("problem", ""))
    by_year = _holidays.setdefault(code, {})
    for y in years:
        by_year.setdefault(y, {})
    for day, name in answer.get("holidays", {}).items():
        d = date.fromisoformat(day)
        by_year.setdefault(d.year, {})[d] = name


def lookup(code: str, years: Sequence[int]) -> dict[str, object]:
    """{"problem": why the code is wrong} or {"holidays": {"YYYY-MM-DD": name}}: what the child
    process prints, and what this process computes when it may import the package."""
    try:
        import holidays
    except ImportError:
        return {"problem": "needs the holidays package, which is not installed "
                           "(pip install holidays)"}
    country, dash, sub = code.partition("-")
    if dash and not sub:
        return {"problem": f'"{code}" has no subdivision after the "-" (write "{country}" or '
                           f'a code like "{country}-BY")'}
    supported: dict[str, list[str]] = holidays.list_supported_countries()
    found = next((c for c in supported if c.lower() == country.lower()), None)
    if found is None or not country:
        return {"problem": f'"{code}" is not a country code the holidays package knows (like '
                           '"DE" or "DE-BY")'}
    subdivisions = supported[found]
    subdiv: str | None = None
    if sub:
        aliases = _aliases(holidays, found)
        subdiv = next((s for s in [*subdivisions, *aliases] if s.lower() == sub.lower()), None)
        if subdiv is None:
            if not subdivisions:
                return {"problem": f'"{code}": the holidays package knows no subdivisions of '
                                   f'{found}; write "{found}"'}
            shown = ", ".join(f'"{found}-{s}"' for s in subdivisions[:_SHOWN_SUBDIVISIONS])
            more = ", ..." if len(subdivisions) > _SHOWN_SUBDIVISIONS else ""
            return {"problem": f'"{code}": {found} has no subdivision "{sub}" in the holidays '
                               f"package (it has {shown}{more})"}
    out: dict[str, str] = {}
    for year in years:
        try:
            days = holidays.country_holidays(found, subdiv=subdiv, years=year)
        except (NotImplementedError, ValueError, OverflowError) as exc:
            # A year the package cannot compute (far past or future): no holidays that year.
            log.debug("no public holidays of %s in %d: %s", code, year, exc)
            continue
        out.update({d.isoformat(): name for d, name in sorted(days.items())})
    return {"holidays": out}


def _aliases(holidays: object, country: str) -> list[str]:
    cls = getattr(holidays, country, None)
    return list(getattr(cls, "subdivisions_aliases", {}) or {})


def _ask_child(code: str, years: list[int]) -> dict[str, object] | None:
    """`lookup` in a child process of the same interpreter and the same glutecoach; None when
    the child gave no answer."""
    import subprocess
    root = str(Path(__file__).resolve().parent.parent)
    script = (f"import sys; sys.path.insert(0, {root!r}); "
              "from glutecoach.days_off import child_main; child_main()")
    try:
        done = subprocess.run(
            # -P: nothing from the current folder; -OO: the child needs no docstrings either.
            [sys.executable, "-P", "-OO", "-c", script, code, *map(str, years)],
            capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL, check=False)
        answer = json.loads(done.stdout)
        if not isinstance(answer, dict):
            raise ValueError(f"not an answer: {done.stdout[:80]!r}")
        return answer
    except (OSError, ValueError, subprocess.SubprocessError) as exc:  # ValueError: bad JSON
        # No holidays for now rather than a coach that cannot start; the log says why.
        log.warning("cannot look up the public holidays of %s: %s", code, exc)
        return None


def child_main() -> None:
    """The child's side: `CODE YEAR...` on the command line, one JSON answer on stdout."""
    code, *years = sys.argv[1:]
    print(json.dumps(lookup(code, [int(y) for y in years]), ensure_ascii=False))


class DaysOff:
    """The days off of a schedule: `why(day)` is None on a working day, else the note of its range
    or the holiday's name ("" for a range without a note). Cached per year: `is_day_off` is a set
    lookup after the first question about a year."""

    def __init__(self, ranges: Sequence[DayOff] = (), holidays: str | None = None) -> None:
        self.ranges = tuple(ranges)
        self.holidays = holidays
        self._years: dict[int, dict[date, str]] = {}

    @classmethod
    def of(cls, schedule: Schedule) -> DaysOff:
        return cls(schedule.days_off, schedule.holidays)

    def __bool__(self) -> bool:
        """Whether there can be any day off at all (else callers skip the lookup)."""
        return bool(self.ranges or self.holidays)

    def why(self, day: date) -> str | None:
        return self._year(day.year).get(day)

    def is_day_off(self, day: date) -> bool:
        return day in self._year(day.year)

    def _year(self, year: int) -> dict[date, str]:
        days = self._years.get(year)
        if days is None:
            days, complete = self._build(year)
            if complete:  # a failed holiday lookup is not kept: it is tried again later
                self._years[year] = days
        return days

    def _build(self, year: int) -> tuple[dict[date, str], bool]:
        days: dict[date, str] = {}
        complete = True
        if self.holidays:
            # The next year too when there is one: the coach asks at most once a year.
            years = [year, year + 1] if year < date.max.year else [year]
            try:
                days.update((d, n) for d, n in public_holidays(self.holidays, years).items()
                            if d.year == year)
            except ValueError as exc:  # validated with the config; a changed package, say
                log.warning("no public holidays: schedule.holidays: %s", exc)
            except HolidaysUnavailable:
                complete = False
        first, last = date(year, 1, 1), date(year, 12, 31)
        for r in self.ranges:  # the user's own ranges win: their note is what they wrote
            d, end = max(r.first, first), min(r.end, last)
            while d <= end:
                days[d] = r.note
                if d == date.max:
                    break
                d += timedelta(days=1)
        return days, complete


def day_off_text(why: str | None) -> str:
    """"Day off" or "Day off: Epiphany", for status lines (why: from DaysOff.why, not None)."""
    return f"Day off: {why}" if why else "Day off"
