"""Alembic environment: runs migrations on the engine handed over in ``config.attributes``."""

from __future__ import annotations

from alembic import context

from ipec.auth import models as auth_models  # noqa: F401  (registers the tables)
from ipec.db.base import Base
from ipec.errors import DataError
from ipec.monitoring import models  # noqa: F401  (registers the tables on Base.metadata)

engine = context.config.attributes["engine"]
with engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    driver = connection.connection.driver_connection
    if sqlite:
        # SQLite alters a table by rebuilding it (batch mode): with foreign keys on, dropping
        # the old table fails while other rows refer to it. SQLite's own procedure: keys off
        # (only outside a transaction), one transaction, every key checked before the commit.
        driver.execute("PRAGMA foreign_keys=OFF")
    try:
        with connection.begin():
            if sqlite and not driver.in_transaction:
                # The sqlite3 module opens a transaction only before DML, so DDL would run in
                # autocommit and a failed migration leave its first steps behind.
                driver.execute("BEGIN")
            context.configure(
                connection=connection,
                target_metadata=Base.metadata,
                render_as_batch=sqlite,
            )
            context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                if broken:
                    raise DataError(
                        f"the migration would leave {len(broken)} rows referring to rows that "
                        f"do not exist (first: {tuple(broken[0])})"
                    )
    finally:
        if sqlite:
            driver.execute("PRAGMA foreign_keys=ON")
