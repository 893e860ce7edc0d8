"""The history database: SQLModel tables over one SQLite file under the home."""

from glutecoach.store.database import DB_NAME, Store

__all__ = ["DB_NAME", "Store"]
