"""``ipec duplicates``: children that may be registered twice, for a person to review."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from ipec.cli.db import DEFAULT_URL
from ipec.db import make_engine

__all__ = ["duplicates_command"]


def duplicates_command(
    user: Annotated[str, typer.Option("--user", help="Whose areas to search (scope, audit).")],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="The CSV of candidate pairs to write.")
    ] = Path("duplicates.csv"),
    threshold: Annotated[
        float, typer.Option("--threshold", help="The score from which a pair is listed.")
    ] = 10.0,
    url: Annotated[
        str, typer.Option("--url", envvar="IPEC_DATABASE_URL", help="Database URL.")
    ] = DEFAULT_URL,
) -> None:
    """List children of the user's areas that may be registered twice, with a score and the
    fields that agree (probabilistic record linkage; see docs/forms.md)."""
    from ipec.forms.people import principal_named
    from ipec.monitoring.duplicates import find_in_scope
    from ipec.monitoring.models import Child

    engine = make_engine(url, write_transactions=True)
    try:
        with Session(engine) as session, session.begin():
            principal = principal_named(session, user)
            found = find_in_scope(session, principal, threshold=threshold)
            ids = {c.first for c in found} | {c.second for c in found}
            children = {child.id: child for child in session.query(Child).filter(Child.id.in_(ids))}
            with output.open("w", encoding="utf-8", newline="") as out:
                writer = csv.writer(out)
                writer.writerow(
                    [
                        "score",
                        "first",
                        "first_name",
                        "first_birth_date",
                        "second",
                        "second_name",
                        "second_birth_date",
                        "agreeing",
                    ]
                )
                for pair in found:
                    one, two = children[pair.first], children[pair.second]
                    writer.writerow(
                        [
                            pair.score,
                            one.pseudonym,
                            one.name,
                            one.birth_date,
                            two.pseudonym,
                            two.name,
                            two.birth_date,
                            " ".join(pair.agreeing),
                        ]
                    )
    finally:
        engine.dispose()
    typer.echo(f"wrote {output}: {len(found)} pairs to review")
