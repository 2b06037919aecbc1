"""Point reads by a unique column with the SQL compiled once per process.

Building a query's SQL is most of the ORM's cost for a one-row read: ``Model.objects.get(pk=x)``
rebuilds the query, its joins and its select list on every call, for the same SQL each time.
On the hot read paths (the bearer user of every request, a track's detail) :class:`CompiledGet`
compiles the queryset once per database alias and then only executes it. Everything else is
the ORM's own: the parameter is prepared by the field, the row goes through the compiler's
converters, the instances are made by ``Model.from_db`` and ``select_related`` rows by Django's
``RelatedPopulator``. The query goes through Django's cursor, so it is counted, logged and
wrapped like any other (``django_assert_num_queries`` sees it).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connections, router
from django.db.models import QuerySet
from django.db.models.query import get_related_populators


class CompiledGet:
    """``build().get(<field>=value)`` for a unique ``field``, with the SQL compiled once.

    ``build`` returns the queryset to read through (``select_related``, ``defer``, ``only``
    allowed); it is called once per database alias, to compile (and for a ``None`` value, which
    is no parameter but ``IS NULL``). Prefetches, annotations and
    extra selects are refused when compiling: they are not a single row's read.
    """

    def __init__(self, build: Callable[[], QuerySet], *, field: str = "pk"):
        self._build = build
        self._field = field
        self._compiled: dict[str, tuple] = {}
        self._lock = threading.Lock()
        self._model = None

    def __call__(self, value: Any):
        if value is None:  # "IS NULL", no parameter: the ORM's own path
            return self._build().get(**{self._field: None})
        if self._model is None:
            self._model = self._build().model
        alias = router.db_for_read(self._model)
        entry = self._compiled.get(alias)
        if entry is None:
            with self._lock:
                entry = self._compiled.get(alias) or self._compile(alias, value)
                self._compiled[alias] = entry
        sql, field, converters, compiler, make = entry
        connection = connections[alias]
        with connection.cursor() as cursor:
            cursor.execute(sql, [field.get_db_prep_value(value, connection, prepared=False)])
            row = cursor.fetchone()
        if row is None:
            raise self._model.DoesNotExist(
                f"{self._model._meta.object_name} matching query does not exist."
            )
        if converters:
            row = next(iter(compiler.apply_converters([row], converters)))
        return make(row)

    def _compile(self, alias: str, value: Any) -> tuple:
        """The SQL holds the lookup as its one parameter, so the first value compiles it."""
        queryset = self._build().using(alias)
        model = queryset.model
        field = model._meta.pk if self._field == "pk" else model._meta.get_field(self._field)
        if not (field.primary_key or field.unique):
            raise ValueError(f"CompiledGet reads by a unique column; {field} is not unique")
        if queryset._prefetch_related_lookups or queryset.query.annotations:
            raise ValueError("CompiledGet reads one row: no prefetch or annotation")
        if queryset.query.extra_select or queryset._known_related_objects:
            raise ValueError("CompiledGet reads one row: no extra select")
        compiler = queryset.filter(**{field.name: value}).query.get_compiler(alias)
        sql, params = compiler.as_sql()
        if len(params) != 1:
            raise ValueError("CompiledGet expects the lookup to be the query's only parameter")
        select, klass_info = compiler.select, compiler.klass_info
        converters = compiler.get_converters([column for column, _, _ in select])
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        attnames = [column.target.attname for column, _, _ in select[start:end]]
        populators = get_related_populators(klass_info, select, alias)
        model_class = klass_info["model"]

        def make(row):
            instance = model_class.from_db(alias, attnames, row[start:end])
            for populator in populators:
                populator.populate(row, instance)
            return instance

        return sql, field, converters, compiler, make
