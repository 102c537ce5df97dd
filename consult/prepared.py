"""`PreparedQuery`: a SELECT compiled once, run on SQLite's own cursor on the respondent path.

Under load SQLAlchemy spent several times more CPU on each execution of the respondent pages'
few small SELECTs (cache key, parameter and result handling) than SQLite spent answering them
(py-spy, docs/performance.md). On SQLite this runs the compiled SQL directly and converts
parameters and columns with the types' own processors, prepared once; on other databases it is
an ordinary ``Connection.execute``.

Only public SQLAlchemy API is used: the statement is compiled with the *named* parameter style
(sqlite3 takes a dict, so no positional order is needed), ``compiled.params`` gives the values
fixed in the statement (``LIMIT 1``, literals) and the bind and result processors come from the
types. What this cannot run faithfully is refused when the query is built (`UnsupportedQuery`):
anything but a SELECT, IN-lists with expanding parameters and other parameters rendered at
execution time, parameters whose value comes from a callable.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Dialect, Select
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.sql import visitors
from sqlalchemy.sql.elements import BindParameter

# Only the SQL text is taken from this dialect; processors come from the connection's own.
_NAMED = SQLiteDialect_pysqlite(paramstyle="named")
# A type's bind or result processor (None when values pass through as they are).
Processor = Any


class UnsupportedQuery(TypeError):
    """A statement `PreparedQuery` would not run the way SQLAlchemy does (a programming error,
    raised when the module that builds the query is imported)."""


def _refusal(statement: Any) -> str | None:
    if not isinstance(statement, Select):
        return f"only a SELECT can be prepared, not {type(statement).__name__}"
    for element in visitors.iterate(statement):
        if not isinstance(element, BindParameter):
            continue
        # Anonymous parameters (literal values) have generated keys like "%(1403 id)s".
        name = "a literal value" if element.key.startswith("%(") else repr(element.key)
        if element.expanding or element.literal_execute:
            return f"parameter {name} is rendered at execution time (an IN-list or literal)"
        if element.callable is not None:
            return f"parameter {name} takes its value from a callable"
    return None


class PreparedQuery:
    """A SELECT compiled once per process; rows come back as tuples."""

    def __init__(self, statement: Select[Any]) -> None:
        refusal = _refusal(statement)
        if refusal is not None:
            raise UnsupportedQuery(f"PreparedQuery cannot run this statement: {refusal}")
        self.statement = statement
        compiled = statement.compile(dialect=_NAMED)
        self._sql = compiled.string
        self._fixed: dict[str, Any] = dict(compiled.params)
        self._types = {name: compiled.binds[name].type for name in self._fixed}
        self._processors: tuple[dict[str, Processor], list[Processor]] | None = None

    def _prepared(self, dialect: Dialect) -> tuple[dict[str, Processor], list[Processor]]:
        if self._processors is None:
            params = {
                name: kind.dialect_impl(dialect).bind_processor(dialect)
                for name, kind in self._types.items()
            }
            columns = [
                column.type.dialect_impl(dialect).result_processor(dialect, None)
                for column in self.statement.selected_columns
            ]
            self._processors = (params, columns)
        return self._processors

    def rows(self, connection: Connection, **values: Any) -> list[tuple[Any, ...]]:
        if connection.dialect.name != "sqlite":
            return [tuple(row) for row in connection.execute(self.statement, values)]
        params, columns = self._prepared(connection.dialect)
        bound = {}
        for name, process in params.items():
            value = values.get(name, self._fixed[name])
            bound[name] = process(value) if process else value
        cursor = connection.connection.dbapi_connection.execute(self._sql, bound)  # type: ignore[union-attr]
        return [
            tuple(
                process(value) if process else value
                for process, value in zip(columns, row, strict=True)
            )
            for row in cursor.fetchall()
        ]

    def first(self, connection: Connection, **values: Any) -> tuple[Any, ...] | None:
        rows = self.rows(connection, **values)
        return rows[0] if rows else None
