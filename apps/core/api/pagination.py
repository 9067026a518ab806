from functools import cache

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, inline_serializer
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination as DRFPageNumberPagination
from rest_framework.utils.urls import remove_query_param, replace_query_param

PAGE_PARAMETERS = [
    OpenApiParameter("page", OpenApiTypes.INT, description="1-based page number"),
    OpenApiParameter("page_size", OpenApiTypes.INT, description="rows per page, at most 100 (default 20)"),
]


class PageNumberPagination(DRFPageNumberPagination):
    """`?page=N&page_size=N` (at most 100), answering `{count, next, previous, results}`."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    @staticmethod
    def page_body(request, count: int, page: int, page_size: int, results: list) -> dict:
        """The same envelope for a list that was paged elsewhere (a search that counts and slices itself)."""
        url = request.build_absolute_uri()
        has_next = page * page_size < count
        previous = None
        if page > 1:
            previous = remove_query_param(url, "page") if page == 2 else replace_query_param(url, "page", page - 1)
        return {
            "count": count,
            "next": replace_query_param(url, "page", page + 1) if has_next else None,
            "previous": previous,
            "results": results,
        }


@cache
def paginated(serializer_class: type[serializers.Serializer], *, counts: tuple[str, ...] = ()):
    """The OpenAPI description of one page of `serializer_class` rows (views that page by hand are not list views
    to drf-spectacular, so it would describe a bare array): `responses=paginated(BookingSerializer)`. `counts` names
    extra whole-number fields of the envelope (an inbox's `unread_count`)."""
    name = serializer_class.__name__.removesuffix("Serializer")
    page = inline_serializer(
        name=f"Paginated{name}List",
        fields={
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": serializer_class(many=True),
            **{field: serializers.IntegerField() for field in counts},
        },
    )
    page.is_page_of_rows = True  # the schema names the operation `..._list`, as for a list view
    return page
