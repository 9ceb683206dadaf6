"""Hints to SQLite's planner that keep the results as they are.

SQLite's planner has no statistics of how rows are spread across areas or dates; where it
picks an index that makes it sort a whole country, a column can be hidden from its index
choice with the no-op unary ``+``, so it walks another index in the order asked for.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

__all__ = ["unindexed"]


class _Unindexed(FunctionElement[Any]):
    """A column the planner may not reach through an index: SQLite's no-op unary ``+``, which
    keeps its value and type; other databases get the column as it is."""

    inherit_cache = True
    name = "unindexed"

    def __init__(self, column: Any) -> None:
        super().__init__(column)
        self.type = column.type  # the column's own type, so dates bind as dates


@compiles(_Unindexed)
def _unindexed_default(element: _Unindexed, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(next(iter(element.clauses)), **kw)


@compiles(_Unindexed, "sqlite")
def _unindexed_sqlite(element: _Unindexed, compiler: SQLCompiler, **kw: Any) -> str:
    return f"+{compiler.process(next(iter(element.clauses)), **kw)}"


def unindexed(column: Any) -> Any:
    """``column``, hidden from SQLite's index choice."""
    return _Unindexed(column)
