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
- a page can come with the list's total in the same statement (``COUNT(*) OVER ()``, what
  Django's ``COUNT(*)`` answers); a count on its own (an empty page) is the ORM's ``count()``.

What is kept is SQL text, its parameters and the converters (a few KiB per shape, never the
query, never rows): every call reads the database, so writes are always visible. Everything
else is the ORM's: the compiler's converters make the values the same Python objects on every
backend (on SQLite UUIDs, datetimes and JSON come back as text), and the statements go through
Django's cursor, so they are counted, logged and wrapped like any other
(``django_assert_num_queries`` sees them).

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


def _converted(rows: list, converters: list, alias: str) -> list:
    """``SQLCompiler.apply_converters`` without keeping the compiler (and its query) alive."""
    if not converters:
        return rows
    connection = connections[alias]
    converted = []
    for row in rows:
        row = list(row)
        for pos, (functions, expression) in converters:
            value = row[pos]
            for function in functions:
                value = function(value, expression, connection)
            row[pos] = value
        converted.append(row)
    return converted


def _statement(queryset: QuerySet, alias: str, columns: int) -> tuple[str, tuple, list]:
    """The queryset's SQL, its parameters and its converters (``[(position, (functions,
    expression))]``): all a compiled shape keeps, a few KiB, never the query itself."""
    compiler = queryset.query.get_compiler(alias)
    sql, params = compiler.as_sql()
    if compiler.col_count != columns:
        raise ValueError("CompiledLists selects exactly the named columns")
    converters = compiler.get_converters([column for column, _, _ in compiler.select])
    return sql + _PAGE_SQL, tuple(params), list(converters.items())


class _CompiledList:
    """One list shape on one database alias: the SQL of a page, and of a page with the list's
    total, with their parameters and converters. ``build`` stays for a count on its own (an
    empty page, a shape without a total column): the ORM's ``count()``, rare enough."""

    __slots__ = ("alias", "build", "converters", "counted", "empty", "make_row", "params", "sql")

    def __init__(self, build, queryset: QuerySet, fields: Sequence[str], alias: str, make_row):
        if not queryset.ordered:
            raise ValueError("CompiledLists pages through an ordered queryset: add order_by()")
        query = queryset.query
        if query.is_sliced or query.select_for_update or query.combinator:
            raise ValueError("CompiledLists compiles a plain filtered, ordered query")
        if queryset._prefetch_related_lookups:
            raise ValueError("CompiledLists reads rows of columns: no prefetch")
        self.alias = alias
        self.build = build
        self.make_row = make_row
        self.counted = None
        rows = queryset.values_list(*fields)
        try:
            self.sql, self.params, self.converters = _statement(rows, alias, len(fields))
        except EmptyResultSet:  # a filter that can match nothing (``pk__in=[]``)
            self.empty = True
            self.sql = self.params = self.converters = None
            return
        self.empty = False
        aggregated = any(a.contains_aggregate for a in query.annotations.values())
        if not (query.distinct or query.group_by or aggregated):
            # The same page with its total in one statement (a round trip less per page).
            counted = queryset.annotate(**{_TOTAL: Window(Count("*"))})
            self.counted = _statement(counted.values_list(*fields, _TOTAL), alias, len(fields) + 1)

    def rows(self, limit: int, offset: int) -> list:
        if self.empty or limit <= 0:
            return []
        with connections[self.alias].cursor() as cursor:
            cursor.execute(self.sql, (*self.params, limit, offset))
            rows = cursor.fetchall()
        make_row = self.make_row
        return [make_row(row) for row in _converted(rows, self.converters, self.alias)]

    def rows_and_total(self, limit: int, offset: int) -> tuple[list, int | None]:
        """A page and, in the same statement, how many rows the list holds (``None`` when the
        page is empty, or the shape cannot say it that way: then :meth:`count` tells)."""
        if self.empty:
            return [], 0
        if self.counted is None or limit <= 0:
            return self.rows(limit, offset), None
        sql, params, converters = self.counted
        with connections[self.alias].cursor() as cursor:
            cursor.execute(sql, (*params, limit, offset))
            rows = cursor.fetchall()
        if not rows:
            return [], None
        rows = _converted(rows, converters, self.alias)
        make_row = self.make_row
        return [make_row(row[:-1]) for row in rows], rows[0][-1]

    def count(self) -> int:
        if self.empty:
            return 0
        return self.build().using(self.alias).count()


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


class RowsSource:
    """A compiled list that DRF's *cursor* pagination may still order and filter.

    ``CursorPagination`` orders the queryset it is given, filters it past the cursor's position
    (``created_at__lt=...``) and slices one page. A source does the same without compiling:
    ``order_by()`` and ``filter()`` return a new source whose key says what was added, and
    slicing compiles that shape once (:class:`CompiledLists`) and runs it. The first page of a
    feed (no cursor: most calls) is one compiled shape; each later cursor position is another
    (the position is a parameter the SQL keeps), kept in the same bounded LRU.
    """

    ordered = True

    def __init__(self, lists: CompiledLists, key: tuple, build: Callable[[], QuerySet]):
        self._lists, self._key, self._build = lists, key, build

    def order_by(self, *fields: str) -> RowsSource:
        build = self._build
        return RowsSource(
            self._lists, (*self._key, ("order_by", fields)), lambda: build().order_by(*fields)
        )

    def filter(self, **conditions) -> RowsSource:
        build = self._build
        shape = ("filter", tuple(sorted(conditions.items())))
        return RowsSource(self._lists, (*self._key, shape), lambda: build().filter(**conditions))

    def __getitem__(self, index):
        return self._lists.rows(self._key, self._build)[index]


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
            entry = _CompiledList(build, queryset, self.fields, alias, self.make_row)
            with self._lock:
                self._entries[entry_key] = entry
                self._entries.move_to_end(entry_key)
                while len(self._entries) > self.maxsize:
                    self._entries.popitem(last=False)
        return RowsQuery(entry)

    def source(self, key: Hashable, build: Callable[[], QuerySet]) -> RowsSource:
        """``build()``'s rows for a cursor paginator (:class:`RowsSource`): it adds the
        ordering and the position to ``key`` and the queryset, nothing runs until sliced."""
        return RowsSource(self, (key,), build)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
