from django.core.paginator import InvalidPage
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination

from stations.selectors import CappedPaginator


class Pagination(PageNumberPagination):
    """Pages of 20 (page_size up to 100); a bad page number is a 400, not a 404."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    django_paginator_class = CappedPaginator

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw in (None, ""):
            return self.page_size
        if not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise exceptions.ValidationError(
                {"page_size": [_("A whole number from 1 to {n}.").format(n=self.max_page_size)]}
            )
        return int(raw)

    def paginate_queryset(self, queryset, request, view=None):
        raw = request.query_params.get(self.page_query_param, "1")
        if not raw.isdigit() or int(raw) < 1:
            raise exceptions.ValidationError({"page": [_("A whole number from 1.")]})
        try:
            return super().paginate_queryset(queryset, request, view)
        except exceptions.NotFound:
            raise exceptions.ValidationError({"page": [_("No such page.")]}) from None
        except InvalidPage:
            raise exceptions.ValidationError({"page": [_("No such page.")]}) from None
