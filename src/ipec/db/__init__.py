"""The database: engine factory, declarative base and migrations.

Rule: nothing connects at import time; engines are made by :func:`make_engine`.
"""

from ipec.db.base import Base
from ipec.db.engine import make_engine
from ipec.db.migrate import require_current, upgrade
from ipec.db.text_guard import refuse_nul_characters

# ``refuse_nul_characters`` is registered on every Session when ipec.db is imported.

__all__ = ["Base", "make_engine", "refuse_nul_characters", "require_current", "upgrade"]
