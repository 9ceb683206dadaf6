"""Alembic environment: runs migrations on the engine handed over in ``config.attributes``."""

from __future__ import annotations

from alembic import context

from ipec.auth import models as auth_models  # noqa: F401  (registers the tables)
from ipec.db.base import Base
from ipec.monitoring import models  # noqa: F401  (registers the tables on Base.metadata)

engine = context.config.attributes["engine"]
with engine.begin() as connection:
    if connection.dialect.name == "sqlite":
        # The sqlite3 module opens a transaction only before DML, so DDL ran in autocommit
        # and a failed migration left its first steps behind; all of it is one transaction.
        driver = connection.connection.driver_connection
        if driver is not None and not driver.in_transaction:
            driver.execute("BEGIN")
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    context.run_migrations()
