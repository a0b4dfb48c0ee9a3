import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Activity


class ActivityFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    kind = django_filters.ChoiceFilter(choices=Activity.Kind.choices, label=_("Kind"))
    status = django_filters.ChoiceFilter(choices=Activity.Status.choices, label=_("Status"))

    class Meta:
        model = Activity
        fields = ["q", "kind", "status"]

    def search(self, queryset, name, value):
        value = value.strip()[:50]
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(place__icontains=value) | Q(union__name__icontains=value))
