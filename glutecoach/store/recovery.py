"""What a coach that was killed (SIGKILL, a power cut) leaves behind, tidied at the next start.

Each record is written in its own short transaction, so a kill loses at most the action in
flight and SQLite's journal keeps the file whole. What stays behind:
- the open stretch: its end is the last input written before the kill (the writer keeps it up to
  date at every poll), which is where it really ended as far as anyone knows: left as it is;
- a prompt still pending: the spec reports a prompt pending when tracking ends as `pending`, out
  of compliance, and a kill ends tracking: left as it is (nobody knows if the user answered);
- an open break: it would stay open for ever and count for nothing, so it is closed where it was
  last known to go on, the moment it became a break (a lower bound on its length).
"""

from __future__ import annotations

from sqlmodel import select

from glutecoach.store.database import Store
from glutecoach.store.tables import BreakRow


def close_breaks_left_open(store: Store) -> int:
    """Close the coach's breaks left open by a kill; how many there were. Only for the coach
    holding the instance lock: nothing else may be writing them."""
    with store.writing() as s:
        left = list(s.exec(select(BreakRow).where(
            BreakRow.end_utc.is_(None), BreakRow.source == "coach")))  # type: ignore[union-attr]
        for b in left:
            b.end_utc = b.became_utc
            s.add(b)
        s.commit()
    return len(left)


def check_whole(store: Store) -> None:
    """Refuse a damaged file before the coach writes into it for hours, with one line and the
    way out instead of a failed write at every poll. The check itself is Store.check_whole, the
    one that every writer runs (Store.writing)."""
    store.check_whole()
