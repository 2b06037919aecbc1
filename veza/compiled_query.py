"""List reads (rows of columns, a page at a time, and their count) with the SQL compiled once.

Building a list's SQL costs more than running it: for a page of 20 tracks with their owner and
profile, compiling the query takes longer than PostgreSQL takes to answer it, and making 60
model instances from the rows costs as much again. The same few list shapes (an ordering, a
filter or two) are asked for over and over, so :class:`CompiledLists` compiles each shape once
per process and then only executes it:

- the rows are ``values_list``-style tuples of the columns the caller names (joins such as
  ``owner__username`` or ``owner__profile__display_name`` included), for the *unsliced* ordered
  query, with ``LIMIT %s OFFSET %s`` appended so every page reuses one SQL text (valid on
  PostgreSQL and SQLite);
- the count is Django's own ``COUNT(*)`` for the queryset: the first ``count()`` of a shape
  runs ``QuerySet.count()`` and keeps the SQL it executed (seen through
  ``connection.execute_wrapper``), the next ones execute that SQL directly.

What is kept is SQL text and the caller's own filter values, never rows: every call reads the
database, so writes are always visible. Everything else is the ORM's: the compiler's converters
make the values the same Python objects on every backend (on SQLite UUIDs, datetimes and JSON
come back as text), and the statements go through Django's cursor, so they are counted, logged
and wrapped like any other (``django_assert_num_queries`` sees them).

:class:`RowsQuery` is what a caller hands to a paginator: it has ``count()``, ``__len__``,
slicing and ``ordered``, which is all Django's ``Paginator`` (and so DRF's
``PageNumberPagination``) needs. ``veza.api.pagination`` first asks it to ``prefetch`` the
requested page: the page and the list's total then come in one statement (``COUNT(*) OVER
()``), one round trip instead of two.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.models import Count, QuerySet, Window

#: Appended to the unsliced query: the page's bounds are parameters, not part of the SQL.
_PAGE_SQL = " LIMIT %s OFFSET %s"

#: The extra column of a page read with its total: ``COUNT(*) OVER ()``, computed over every
#: row the filters keep before LIMIT applies (what the separate ``COUNT(*)`` would answer).
_TOTAL = "veza_compiled_total"


class _CompiledList:
    """One list shape on one database alias: its rows SQL and, once counted, its count SQL."""

    __slots__ = (
        "alias",
        "compiler",
        "converters",
        "count_params",
        "count_sql",
        "counted",
        "empty",
        "make_row",
        "params",
        "queryset",
        "sql",
    )

    def __init__(self, queryset: QuerySet, fields: Sequence[str], alias: str, make_row):
        if not queryset.ordered:
            raise ValueError("CompiledLists pages through an ordered queryset: add order_by()")
        query = queryset.query
        if query.is_sliced or query.select_for_update or query.combinator:
            raise ValueError("CompiledLists compiles a plain filtered, ordered query")
        if queryset._prefetch_related_lookups:
            raise ValueError("CompiledLists reads rows of columns: no prefetch")
        self.alias = alias
        self.make_row = make_row
        self.queryset = queryset  # the first count runs it (a query, no rows)
        self.count_sql = self.count_params = None
        rows = queryset.values_list(*fields)
        compiler = rows.query.get_compiler(alias)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:  # a filter that can match nothing (``pk__in=[]``)
            self.empty = True
            self.sql = self.params = self.compiler = self.converters = None
            return
        self.empty = False
        if compiler.col_count != len(fields):
            raise ValueError("CompiledLists selects exactly the named columns")
        self.sql = sql + _PAGE_SQL
        self.params = tuple(params)
        self.compiler = compiler
        self.converters = compiler.get_converters([column for column, _, _ in compiler.select])
        self.counted = None
        aggregated = any(a.contains_aggregate for a in query.annotations.values())
        if not (query.distinct or query.group_by or aggregated):
            # The same page with its total in one statement (a round trip less per page).
            counted = queryset.annotate(**{_TOTAL: Window(Count("*"))}).values_list(*fields, _TOTAL)
            counted_compiler = counted.query.get_compiler(alias)
            counted_sql, counted_params = counted_compiler.as_sql()
            converters = counted_compiler.get_converters(
                [column for column, _, _ in counted_compiler.select]
            )
            self.counted = (
                counted_sql + _PAGE_SQL,
                tuple(counted_params),
                counted_compiler,
                converters,
            )

    def rows(self, limit: int, offset: int) -> list:
        if self.empty or limit <= 0:
            return []
        with connections[self.alias].cursor() as cursor:
            cursor.execute(self.sql, (*self.params, limit, offset))
            rows = cursor.fetchall()
        if self.converters:
            rows = self.compiler.apply_converters(rows, self.converters)
        make_row = self.make_row
        return [make_row(row) for row in rows]

    def rows_and_total(self, limit: int, offset: int) -> tuple[list, int | None]:
        """A page and, in the same statement, how many rows the list holds (``None`` when the
        page is empty, or the shape cannot say it that way: then :meth:`count` tells)."""
        if self.empty:
            return [], 0
        if self.counted is None or limit <= 0:
            return self.rows(limit, offset), None
        sql, params, compiler, converters = self.counted
        with connections[self.alias].cursor() as cursor:
            cursor.execute(sql, (*params, limit, offset))
            rows = cursor.fetchall()
        if not rows:
            return [], None
        if converters:
            rows = list(compiler.apply_converters(rows, converters))
        make_row = self.make_row
        return [make_row(row[:-1]) for row in rows], rows[0][-1]

    def count(self) -> int:
        if self.empty:
            return 0
        if self.count_sql is not None:
            with connections[self.alias].cursor() as cursor:
                cursor.execute(self.count_sql, self.count_params)
                return cursor.fetchone()[0]
        return self._count_and_keep_sql()

    def _count_and_keep_sql(self) -> int:
        """The first count runs Django's own and keeps the one statement it executed."""
        executed = []

        def capture(execute, sql, params, many, context):
            executed.append((sql, params))
            return execute(sql, params, many, context)

        queryset = self.queryset
        with connections[self.alias].execute_wrapper(capture):
            count = queryset.using(self.alias).count()
        if len(executed) == 1:  # else (none: an empty result; more: unusual) the ORM counts
            sql, params = executed[0]
            self.count_params = tuple(params or ())
            self.count_sql = sql  # set last: a reader that sees it sees its parameters
        return count


class RowsQuery:
    """A list shape ready to run: what a paginator needs, nothing evaluated until asked.

    ``count()`` runs the count (once per object), ``[start:stop]`` one page's rows; an
    unbounded slice or an index is refused (a list read is always a bounded page).
    """

    ordered = True  # Paginator's warning about unordered lists: the shape has an order_by()

    def __init__(self, compiled: _CompiledList):
        self._compiled = compiled
        self._count = None
        self._page = None  # (offset, limit, rows) read ahead by prefetch()

    def prefetch(self, *, offset: int, limit: int) -> None:
        """Read the page ``[offset:offset + limit]`` now, with the list's total in the same
        statement: the paginator's ``count()`` and its slice of that page then cost nothing
        more (an empty page leaves the count to its own query)."""
        if offset < 0 or limit <= 0:
            return
        rows, total = self._compiled.rows_and_total(limit, offset)
        self._page = (offset, limit, rows)
        if total is not None:
            self._count = total

    def count(self) -> int:
        if self._count is None:
            self._count = self._compiled.count()
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice) or index.step not in (None, 1):
            raise TypeError("RowsQuery reads a page: slice it with [start:stop]")
        start = index.start or 0
        if index.stop is None or start < 0 or index.stop < 0:
            raise ValueError("RowsQuery reads a bounded page: [start:stop], both >= 0")
        if self._page is not None:
            offset, limit, rows = self._page
            if start == offset and index.stop - start <= limit:
                return rows[: index.stop - start]
        return self._compiled.rows(index.stop - start, start)


class CompiledLists:
    """Compiled list shapes of one model, by the caller's key, in a bounded per-process LRU.

    ``CompiledLists(Track, fields=(...), make_row=Row._make)`` then ``.rows(key, build)``
    returns a :class:`RowsQuery`. ``key`` must describe everything that changes the SQL or its
    parameters (the ordering, every filter value): ``build()`` is only called when the key is
    not compiled yet on the model's read database, so two different queries must never share
    a key. The parameters are kept with the SQL, so a query whose parameters change by
    themselves (a ``timezone.now()`` compared with an expiry) must not be compiled: it would
    keep the time of its first call.

    ``build`` returns the ordered, filtered queryset of ``model``; ``fields`` are the
    ``values_list`` columns; ``make_row`` turns a converted row (a sequence in ``fields``
    order) into what the caller renders (a ``namedtuple``'s ``_make``; by default ``tuple``).

    At most ``maxsize`` shapes are kept; the least recently used is dropped first, so filter
    values that vary (an owner id) cost a compile on a miss but never unbounded memory.
    Thread-safe: the cache is only touched under a lock; a miss compiles outside it (two
    threads may both compile one key: the same SQL, one is kept).
    """

    def __init__(
        self,
        model,
        *,
        fields: Sequence[str],
        make_row: Callable[[Sequence[Any]], Any] = tuple,
        maxsize: int = 256,
    ):
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self.model = model
        self.fields = tuple(fields)
        self.make_row = make_row
        self.maxsize = maxsize
        self._entries: OrderedDict[tuple, _CompiledList] = OrderedDict()
        self._lock = threading.Lock()

    def rows(self, key: Hashable, build: Callable[[], QuerySet]) -> RowsQuery:
        alias = router.db_for_read(self.model)
        entry_key = (alias, key)
        with self._lock:
            entry = self._entries.get(entry_key)
            if entry is not None:
                self._entries.move_to_end(entry_key)
        if entry is None:
            queryset = build()
            if queryset.model is not self.model:
                raise ValueError(f"{self!r} lists {self.model.__name__} rows")
            entry = _CompiledList(queryset, self.fields, alias, self.make_row)
            with self._lock:
                self._entries[entry_key] = entry
                self._entries.move_to_end(entry_key)
                while len(self._entries) > self.maxsize:
                    self._entries.popitem(last=False)
        return RowsQuery(entry)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
