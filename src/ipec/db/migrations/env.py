"""Alembic environment: runs migrations on the engine handed over in ``config.attributes``."""

from __future__ import annotations

from alembic import context

from ipec.auth import models as auth_models  # noqa: F401  (registers the tables)
from ipec.db.base import Base
from ipec.monitoring import models  # noqa: F401  (registers the tables on Base.metadata)

engine = context.config.attributes["engine"]
with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    context.run_migrations()
