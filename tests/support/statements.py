"""The SQL statements a request runs, seen on the engine (statement counts, plans, which tables were read)."""
from __future__ import annotations

import contextlib

from sqlalchemy import event


class Statement(str):
    """An executed SQL statement (the text) with its parameters."""

    parameters: object = None


@contextlib.contextmanager
def counting(engine):
    """Collects, while open, every statement ``engine`` executes."""
    statements: list[Statement] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        executed = Statement(statement)
        executed.parameters = parameters
        statements.append(executed)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)
