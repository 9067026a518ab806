from rest_framework.pagination import PageNumberPagination as DRFPageNumberPagination
from rest_framework.utils.urls import remove_query_param, replace_query_param


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
