"""Storage: SQLAlchemy tables, Alembic migrations and the event store."""

from elab.store.db import default_url, open_engine
from elab.store.repository import EventStore

__all__ = ["EventStore", "default_url", "open_engine"]
