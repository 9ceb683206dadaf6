"""Rewrite the baseline migration (``0001_baseline.py``) from the models, before the first
release only.

Run: python tools/regenerate_baseline.py

Until ipec is released nothing outside the project runs a revision, so a change of the models
goes into the baseline instead of a new revision: this renders Alembic's operations for the
whole schema (as ``alembic revision --autogenerate`` would against an empty database) into
the baseline, keeping its docstring. ``tests/db/test_migrate.py`` checks that an upgrade from
empty gives exactly the models. After the first release, write new revisions instead.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from alembic.autogenerate import produce_migrations, render_python_code
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from ipec.auth import models as _auth_models  # noqa: F401  (registers the tables)
from ipec.db.base import Base
from ipec.monitoring import models as _monitoring_models  # noqa: F401

BASELINE = Path(__file__).parents[1] / "src/ipec/db/migrations/versions/0001_baseline.py"


def _body(code: str) -> str:
    return "\n".join(line for line in code.strip("\n").splitlines() if "# ###" not in line)


def main() -> None:
    with create_engine("sqlite://").connect() as connection:
        context = MigrationContext.configure(connection, opts={"target_metadata": Base.metadata})
        script = produce_migrations(context, Base.metadata)
    up = render_python_code(script.upgrade_ops, render_as_batch=False)
    down = render_python_code(script.downgrade_ops, render_as_batch=False)
    text = BASELINE.read_text(encoding="utf-8")
    head = text[: text.index("def upgrade() -> None:")]
    BASELINE.write_text(
        f"{head}def upgrade() -> None:\n{_body(up)}\n\n\ndef downgrade() -> None:\n{_body(down)}\n",
        encoding="utf-8",
    )
    subprocess.run([sys.executable, "-m", "ruff", "format", str(BASELINE)], check=True)
    print(f"rewrote {BASELINE}")


if __name__ == "__main__":
    main()
