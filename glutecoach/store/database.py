"""Opening the database safely, and reading and writing history records.

SQLite in WAL mode with a busy timeout, so the CLI reads while the coach writes. A file that is
not a GluteCoach database, is damaged, or was made by a newer version is never touched: the user
gets one line saying what to do.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sqlite3
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Engine as SqlEngine
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlmodel import Session, SQLModel, create_engine, or_, select

from glutecoach.errors import GlutecoachError
from glutecoach.history import History
from glutecoach.paths import ensure_home
from glutecoach.store.migrations import CURRENT_VERSION, STEPS
from glutecoach.store.rows import Reader
from glutecoach.store.tables import BreakRow, ExerciseLogRow, PromptRow, StretchRow

log = logging.getLogger(__name__)

DB_NAME = "glutecoach.db"
BUSY_TIMEOUT_MS = 10_000
_TABLES = {"stretches", "breaks", "prompts", "exercise_log"}


def done_items(prompt: PromptRow) -> list[tuple[str, float | None]]:
    """(exercise, seconds) to log for a prompt that ended done: every item of its plan, else its
    one exercise (prompts shown before plans were recorded, or without a plan)."""
    if prompt.plan_json:
        try:
            items = json.loads(prompt.plan_json)["items"]
            return [(str(i["exercise"]), float(i["seconds"])) for i in items]
        except (ValueError, KeyError, TypeError):
            pass  # a plan we cannot read must not lose the record that the break was done
    return [(prompt.exercise, None)] if prompt.exercise else []


def _naive_utc(t: datetime) -> datetime:
    return t.astimezone(UTC).replace(tzinfo=None)


class Store:
    def __init__(self, path: Path, *, write: bool = True,
                 busy_timeout_ms: int = BUSY_TIMEOUT_MS,
                 on_problem: Callable[[str], None] | None = None) -> None:
        """on_problem: hears of each damaged row that reading leaves out or reads in part, once
        (the command line prints it as a warning; by default it is logged)."""
        self.path = path
        self.busy_timeout_ms = busy_timeout_ms
        self.on_problem = on_problem or log.warning
        self._told: set[str] = set()
        self._scanned = False  # every row's times checked once (rows.Reader.scan_garbage)
        self._whole = False  # PRAGMA quick_check passed: writing may begin
        if not path.exists() and not os.access(path.parent, os.W_OK):
            raise GlutecoachError(f"{path}: cannot create the history database "
                                  f"({path.parent} is not writable for you)")
        if write and path.exists() and not os.access(path, os.W_OK):
            raise GlutecoachError(f"{path}: the history database is read-only for you; the coach "
                                  "needs to write to it (check its owner and permissions)")
        self.engine = _connect(path, busy_timeout_ms)
        self._prepare()

    @classmethod
    def open(cls, home: Path, *, write: bool = True,
             on_problem: Callable[[str], None] | None = None) -> Store:
        """The database under `home`; `write=False` for commands that only read history."""
        return cls(ensure_home(home) / DB_NAME, write=write, on_problem=on_problem)

    def close(self) -> None:
        self.engine.dispose()

    # --- schema -------------------------------------------------------------------------------

    def _prepare(self) -> None:
        new = not self.path.exists() or self.path.stat().st_size == 0
        try:
            with self.engine.connect() as conn:
                version = conn.execute(text("PRAGMA user_version")).scalar_one()
                tables = {r[0] for r in conn.execute(
                    text("SELECT name FROM sqlite_master WHERE type='table'"))}
        except OperationalError as exc:
            raise GlutecoachError(f"{self.path}: cannot open the history database "
                                  f"({exc.orig})") from None
        except DatabaseError as exc:
            raise self.damaged(exc) from None
        if version == 0 and not tables:
            # One explicit transaction (pysqlite opens none for DDL): a kill half-way leaves an
            # empty file to start again from, never tables without a schema version.
            with self.engine.connect() as conn:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
                SQLModel.metadata.create_all(conn)
                conn.exec_driver_sql(f"PRAGMA user_version = {CURRENT_VERSION}")
                conn.commit()
        elif version == 0 or not tables >= _TABLES:
            raise GlutecoachError(
                f"{self.path}: this file is not a GluteCoach history database; it was left "
                "untouched (use another --home, or move the file away)")
        elif version > CURRENT_VERSION:
            raise GlutecoachError(
                f"{self.path}: made by a newer GluteCoach (schema {version}, this one knows "
                f"{CURRENT_VERSION}); upgrade GluteCoach. The file was left untouched")
        elif version < CURRENT_VERSION:
            self._migrate(version)
        if os.access(self.path.parent, os.W_OK) and self._journal_mode() != "wal":
            # WAL lets the CLI read while the coach writes (persistent in the file). Switching
            # rewrites the file's header: a write like any other, so only into a whole file.
            self.check_whole()
            with self.engine.connect() as conn:
                conn.execute(text("PRAGMA journal_mode = WAL"))
        if new:
            _private(self.path)

    def _journal_mode(self) -> str:
        try:
            with self.engine.connect() as conn:
                return str(conn.execute(text("PRAGMA journal_mode")).scalar_one()).lower()
        except DatabaseError as exc:
            raise self.damaged(exc) from None

    def _migrate(self, version: int) -> None:
        """Upgrade from `version`: refused before anything is written (the backup included) when
        the tables disagree with the stamp; otherwise all steps in one transaction after a copy."""
        self._check_stamp(version)
        self.check_whole()
        backup = _free_name(self.path.with_name(f"{self.path.name}.schema{version}.bak"))
        with self.engine.connect() as conn:  # a consistent copy, WAL included
            raw = conn.connection.dbapi_connection
            assert isinstance(raw, sqlite3.Connection)
            with sqlite3.connect(backup) as dst:
                raw.backup(dst)
        _private(backup)
        start = version
        try:
            with self.engine.connect() as conn:
                conn.exec_driver_sql("BEGIN IMMEDIATE")  # DDL too: a failed step undoes all
                while version < CURRENT_VERSION:
                    for statement in STEPS[version]:
                        conn.execute(text(statement))
                    version += 1
                    conn.exec_driver_sql(f"PRAGMA user_version = {version}")
                conn.commit()
        except DatabaseError as exc:  # OperationalError too: rolled back, the file as it was
            backup.unlink(missing_ok=True)  # so the copy of it is not needed
            raise GlutecoachError(
                f"{self.path}: upgrading the history database from schema {start} failed "
                f"({exc.orig}); it was left as it was") from None

    def _check_stamp(self, version: int) -> None:
        """The steps after `version` must find nothing of theirs in the file. If they do, its
        stamp (PRAGMA user_version) is wrong, e.g. an old stamp written over a current file:
        running the steps again would fail half-way ("duplicate column name"). Refused rather
        than repaired: only the user knows where the file came from."""
        with self.engine.connect() as conn:
            columns = {t: {r[1] for r in conn.exec_driver_sql(f"PRAGMA table_info({t})")}
                       for t in _tables(conn)}
        # For each step still to run: which of the things it makes are there already.
        found = {v: [(e, _present(e, columns)) for e in _effects(v)]
                 for v in range(version, CURRENT_VERSION)}
        there = [f"{t}.{c}" if c else f"table {t}" for v in found for (t, c), yes in found[v]
                 if yes]
        if not there:
            return
        done = [v for v in found if all(yes for _, yes in found[v])]
        if done == list(range(version, version + len(done))) and len(there) == sum(
                len(found[v]) for v in done):
            # Whole steps, in order: the tables are those of a later version.
            actual = version + len(done)
            raise GlutecoachError(
                f"{self.path}: its version stamp says schema {version}, but its tables are "
                f"those of schema {actual} (it has {', '.join(there)}); it was left untouched. "
                f"If it is your GluteCoach history, correct the stamp with `sqlite3 {self.path} "
                f"'PRAGMA user_version = {actual}'` and start again")
        raise GlutecoachError(
            f"{self.path}: its version stamp says schema {version}, but its tables match no "
            f"schema version (it has {', '.join(there)} of later schemas, but not all they "
            f"add); it was left untouched. Keep a copy, then try `sqlite3 {self.path} .recover > "
            "recovered.sql`, or move it away to start a new history")

    def schema_version(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(text("PRAGMA user_version")).scalar_one())

    def check_whole(self) -> None:
        """Refuse a damaged file before anything writes into it: `PRAGMA quick_check`
        (milliseconds for a year of history) finds a bad page that opening the file and reading
        a range of it do not. Once per Store: the one check every writer shares."""
        if self._whole:
            return
        with self.reading() as s:
            problems = [row[0] for row in s.connection().exec_driver_sql("PRAGMA quick_check")]
        if problems != ["ok"]:
            first = " ".join(str(problems[0]).split())  # it may span lines
            raise self.damaged(Exception(f"quick_check: {first}"))
        self._whole = True

    def damaged(self, exc: Exception) -> GlutecoachError:
        reason = str(getattr(exc, "orig", exc))
        return GlutecoachError(
            f"{self.path}: the history database cannot be read ({reason}); it was left "
            f"untouched. Keep a copy, then try `sqlite3 {self.path} .recover > recovered.sql`, "
            "or move it away to start a new history")

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    # --- history ------------------------------------------------------------------------------

    def has_history_between(self, start: datetime, end: datetime) -> bool:
        """Does any recorded stretch, break or prompt touch [start, end]?"""
        a, b = _naive_utc(start), _naive_utc(end)
        with self.reading() as s:
            for table in (StretchRow, BreakRow):
                row = s.exec(select(table.id).where(
                    table.start_utc <= b,
                    or_(table.end_utc.is_(None), table.end_utc >= a),  # type: ignore[union-attr]
                ).limit(1)).first()
                if row is not None:
                    return True
            row = s.exec(select(PromptRow.id).where(
                PromptRow.shown_utc >= a, PromptRow.shown_utc <= b).limit(1)).first()
            return row is not None

    def record(self, history: History, zone: str, source: str,
               plans: Mapping[int, str] | None = None) -> None:
        """Write a whole history (e.g. a simulation) in one transaction. plans: the plan JSON
        shown with each prompt, by prompt number (see StoreWriter.apply)."""
        with self.writing() as s:
            s.add_all(StretchRow(start_utc=_naive_utc(x.start),
                                 end_utc=_naive_utc(x.end) if x.end else None,
                                 tz=zone, source=source) for x in history.stretches)
            s.add_all(BreakRow(start_utc=_naive_utc(b.start), became_utc=_naive_utc(b.became),
                               end_utc=_naive_utc(b.end) if b.end else None, kind=b.kind,
                               reason=b.reason, tz=zone, source=source) for b in history.breaks)
            for p in history.prompts:
                row = PromptRow(shown_utc=_naive_utc(p.at), due_utc=_naive_utc(p.due),
                                outcome=p.outcome, auto=p.auto,
                                answered_utc=_naive_utc(p.answered_at) if p.answered_at else None,
                                snoozes=p.snoozes, exercise=p.exercise, tz=zone, source=source,
                                plan_json=(plans or {}).get(p.number), deferred=p.deferred)
                s.add(row)
                items = done_items(row) if p.outcome == "done" else []
                if items:
                    s.flush()
                for exercise, seconds in items:
                    s.add(ExerciseLogRow(prompt_id=row.id, at_utc=row.answered_utc or row.shown_utc,
                                         exercise=exercise, seconds=seconds, tz=zone))
            s.commit()

    def load(self, since: datetime | None = None, until: datetime | None = None) -> History:
        """Stretches, breaks and prompts touching [since, until), oldest first. A damaged row
        is left out (or read without its damaged plan) and named through `on_problem`."""
        with self.reading() as s:
            reader = Reader(s.connection(), self.problem)
            if not self._scanned:
                for table, required, optional in _TIMES:
                    reader.scan_garbage(table, required, optional)
                self._scanned = True
            return reader.load(since, until)

    def problem(self, table: str, row_id: int, what: str) -> None:
        """Say once that a row of `table` is damaged, and what was done about it."""
        message = f"{self.path}: {table} row {row_id}: {what}"
        if message not in self._told:
            self._told.add(message)
            self.on_problem(message)

    # --- sessions that turn SQLite errors into one-line messages -------------------------------

    def reading(self) -> _Guarded:
        return _Guarded(self, write=False)

    def writing(self) -> _Guarded:
        """A session to write in, once the file proved whole (check_whole): the coach, simulate
        --record, feedback and recovery all write through here."""
        self.check_whole()
        return _Guarded(self, write=True)


class _Guarded:
    def __init__(self, store: Store, write: bool) -> None:
        self.store, self.write = store, write

    def __enter__(self) -> Session:
        self.session = self.store.session()
        return self.session

    def __exit__(self, kind: Any, exc: Any, tb: Any) -> None:
        self.session.close()
        if isinstance(exc, OperationalError):
            reason = str(exc.orig)
            if "locked" in reason or "busy" in reason:
                raise GlutecoachError(f"{self.store.path}: the database stayed locked for "
                                      f"{self.store.busy_timeout_ms / 1000:g} s; try again") \
                    from None
            what = "write to" if self.write else "read"
            raise GlutecoachError(f"{self.store.path}: cannot {what} the database ({reason})") \
                from None
        if isinstance(exc, DatabaseError):
            raise self.store.damaged(exc) from None


def _connect(path: Path, busy_timeout_ms: int) -> SqlEngine:
    if path.exists() and not os.access(path, os.R_OK):
        raise GlutecoachError(f"{path}: no permission to read the history database")
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": busy_timeout_ms / 1000})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        cur = dbapi_conn.cursor()
        try:
            cur.execute(f"PRAGMA busy_timeout = {busy_timeout_ms}")
            cur.execute("PRAGMA foreign_keys = ON")
            # NORMAL sync is safe with WAL. WAL itself is switched on by Store._prepare only
            # after the file proved to be ours: the switch rewrites the file's header.
            cur.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.DatabaseError:
            pass  # a damaged file: the first real query reports it
        finally:
            cur.close()

    return engine


# The instants of each table: (table, columns never NULL, columns that may be NULL).
_TIMES = [("stretches", ("start_utc",), ("end_utc",)),
          ("breaks", ("start_utc", "became_utc"), ("end_utc",)),
          ("prompts", ("shown_utc", "due_utc"), ("answered_utc",))]


def _effects(version: int) -> list[tuple[str, str | None]]:
    """What the step from `version` makes: (table, column) it adds, or (table, None) it creates."""
    out: list[tuple[str, str | None]] = []
    for statement in STEPS[version]:
        if m := re.match(r"\s*ALTER\s+TABLE\s+(\w+)\s+ADD\s+(?:COLUMN\s+)?(\w+)", statement,
                         re.IGNORECASE):
            out.append((m.group(1), m.group(2)))
        elif m := re.match(r"\s*CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)", statement,
                           re.IGNORECASE):
            out.append((m.group(1), None))
    return out


def _present(effect: tuple[str, str | None], columns: dict[str, set[str]]) -> bool:
    table, column = effect
    return table in columns and (column is None or column in columns[table])


def _tables(conn: Any) -> list[str]:
    return [r[0] for r in conn.exec_driver_sql(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]


def _free_name(path: Path) -> Path:
    """`path`, or path.2, path.3 ... if taken: a backup never overwrites an earlier one."""
    candidate, n = path, 1
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.name}.{n}")
    return candidate


def _private(path: Path) -> None:
    if os.name != "posix":
        return
    for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if p.exists():
            p.chmod(0o600)

