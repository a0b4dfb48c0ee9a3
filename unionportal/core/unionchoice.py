"""Union dropdowns that stay one screen whatever the size of the user's scope.

A form's union field accepts any union of the user's scope (its queryset, checked by id in one
indexed query), but a city federation's scope may hold 100,000 unions: listing them all made
a page of several megabytes and seconds of rendering. `limit_union_choices()` makes the field
list at most SHOWN unions, level by level from the top of the scope (so all of them in a scope
that small), in tree order, plus the union already chosen, so a form sent back with an error,
or a record whose union lies deeper, keeps its value.

Any other union of the scope is found by name: a dropdown that lists SHOWN unions gets a
search box (static/js/unionsearch.js) that asks `/desk/unions/` (selectors.union_search, the
same scope: the roles and the subtree the form's queryset was made of) and offers what it finds.
"""

from collections.abc import Iterable
from urllib.parse import urlencode

from django import forms
from django.db.models import Case, Value, When
from django.urls import reverse
from django.utils.translation import gettext as _

SHOWN = 300  # unions a dropdown lists at most


class _ShownUnions(forms.models.ModelChoiceIterator):
    def __iter__(self):
        field = self.field
        if field.empty_label is not None:
            yield ("", field.empty_label)
        for union in _shown(field.queryset, field.kept_pk):
            yield self.choice(union)

    def __len__(self):
        return len(_shown(self.field.queryset, self.field.kept_pk)) + (self.field.empty_label is not None)

    def __bool__(self):
        return self.field.empty_label is not None or self.queryset.exists()


def _shown(queryset, kept_pk) -> list:
    """The listed unions of `queryset` (the scope), in one query, in tree order: the SHOWN
    nearest the top (every union of a scope that small), and the kept one."""
    first = Value(1)
    if kept_pk not in (None, "") and str(kept_pk).isdigit():
        first = Case(When(pk=kept_pk, then=Value(0)), default=Value(1))  # never cut off by the cap
    rows = list(queryset.order_by(first, "depth", "path")[:SHOWN])
    return sorted(rows, key=lambda union: union.path)


def limit_union_choices(form: forms.BaseForm, name: str = "union", *, roles: Iterable[str] | None, within=None) -> None:
    """Make the form's union field list only the top of its scope and the chosen union, and find
    the others by name (see the module); call it once the field's queryset is the user's scope
    for `roles` (any role when None), below union `within` when the queryset is."""
    field = form.fields[name]
    value = form[name].value()
    field.kept_pk = getattr(value, "pk", value)
    field.iterator = _ShownUnions
    field.widget.choices = field.choices  # the widget was given the full iterator when the queryset was set
    query = {"roles": ",".join(roles)} if roles is not None else {}
    if within is not None:
        query["within"] = within.pk
    field.widget.attrs.update(
        {
            "data-union-search": reverse("core:union_search") + (f"?{urlencode(query)}" if query else ""),
            "data-union-search-from": str(SHOWN),  # the box shows once the dropdown is full
            "data-union-search-label": _("Find a union by name"),
            "data-union-search-none": _("No union of yours has this name."),
        }
    )
