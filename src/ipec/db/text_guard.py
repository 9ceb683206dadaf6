"""No NUL character in any stored text, on either database.

PostgreSQL refuses a NUL (``\\x00``) in text with a driver error; SQLite stores it, and the
record then reads back differently in exports and on other tools. Every ORM write is checked
before it is flushed (one rule for the API, the pages, the command line and imports), and
refused with a :class:`~ipec.errors.DataError` naming the table and column.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, event, inspect
from sqlalchemy.orm import Session, UOWTransaction

from ipec.errors import DataError

__all__ = ["refuse_nul_characters"]


def refuse_nul_characters(session: Session, _flush: UOWTransaction, _instances: Any) -> None:
    """``before_flush``: refuse any new or changed text value holding a NUL character."""
    for instance in (*session.new, *session.dirty):
        mapper = inspect(instance).mapper
        for column in mapper.columns:
            if not isinstance(column.type, String):
                continue
            key = mapper.get_property_by_column(column).key
            value = instance.__dict__.get(key)
            if isinstance(value, str) and "\x00" in value:
                raise DataError(
                    f"{mapper.local_table.name}: the text holds a NUL character",
                    column=column.name,
                    hint="remove control characters from the text",
                )


event.listen(Session, "before_flush", refuse_nul_characters)
