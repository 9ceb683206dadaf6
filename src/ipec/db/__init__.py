"""The database: engine factory, declarative base and migrations.

Rule: nothing connects at import time; engines are made by :func:`make_engine`.
"""

from ipec.db.base import Base
from ipec.db.engine import make_engine
from ipec.db.migrate import require_current, upgrade

__all__ = ["Base", "make_engine", "require_current", "upgrade"]
