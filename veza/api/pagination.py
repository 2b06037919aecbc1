"""Pagination shapes of the contract: ``{count, next, previous, results}`` or cursor feeds."""

from rest_framework import pagination

from veza.compiled_query import RowsQuery


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def paginate_queryset(self, queryset, request, view=None):
        """DRF's pagination; a compiled list (``RowsQuery``) first reads the asked page with
        its total in one statement, so counting and slicing it cost no further query."""
        if isinstance(queryset, RowsQuery):
            size = self.get_page_size(request)
            number = request.query_params.get(self.page_query_param) or "1"
            if size and number.isdigit() and int(number) >= 1:
                queryset.prefetch(offset=(int(number) - 1) * size, limit=size)
        return super().paginate_queryset(queryset, request, view)


class CursorPagination(pagination.CursorPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = "-created_at"


def paginated_response(*, view, request, queryset, serializer_class, context=None):
    """Paginate ``queryset`` with the view's paginator and serialize the page."""
    paginator = view.pagination_class()
    page = paginator.paginate_queryset(queryset, request, view=view)
    data = serializer_class(page, many=True, context=context or {}).data
    return paginator.get_paginated_response(data)
