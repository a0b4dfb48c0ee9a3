"""The chair's audit trail: who changed what, across every model with simple_history.

One model at a time (its history table), scoped to the unions where the reader is chair, filtered
by union, user and date; each change compared with the record's previous version, personal fields
masked. A page costs a count, the rows and the previous versions: three queries.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _
from simple_history.models import registered_models

from unionportal.core.scoping import ScopedQuerySet, union_scope

# Fields that reach a person, in any model: shown as changed, never with their values.
PERSONAL_FIELDS = frozenset(
    {
        "phone",
        "email",
        "contact",
        "contact_name",
        "contact_phone",
        "address",
        "id_number_masked",
        "id_number_encrypted",
        "id_number_hash",
        "birth_date",
        "signature",
    }
)
# Models whose rows are people: the record is named by its number, and only these fields show values.
PERSONAL_MODELS = frozenset(
    {"welfare.hardshipfile", "welfare.visit", "welfare.assistance", "members.member", "studios.member"}
)
OPEN_FIELDS = frozenset({"union", "status", "stage", "category", "kind", "role", "filed_on", "review_due", "closed_on"})
MASK = "***"


def audited_models() -> dict[str, type]:
    """label_lower → model, for every model with history that has an owning union."""
    out = {}
    for model in registered_models.values():
        if model._meta.label_lower == "core.union" or isinstance(model._default_manager.all(), ScopedQuerySet):
            out[model._meta.label_lower] = model
    return dict(sorted(out.items(), key=lambda kv: str(kv[1]._meta.verbose_name)))


def _scope_q(model, scope) -> Q:
    label = model._meta.label_lower
    if label == "core.union":
        return Q(id__in=scope.values("pk"))
    if label == "members.transfer":
        return Q(from_union__in=scope.values("pk")) | Q(to_union__in=scope.values("pk"))
    return Q(**{f"{model._default_manager.all().scope_field}__in": scope.values("pk")})


def _union_q(model, union) -> Q:
    label = model._meta.label_lower
    if label == "core.union":
        return Q(path__startswith=union.path)
    if label == "members.transfer":
        return Q(from_union__path__startswith=union.path) | Q(to_union__path__startswith=union.path)
    return Q(**{f"{model._default_manager.all().scope_field}__path__startswith": union.path})


def audit_changes(*, user, model, union=None, by_user=None, since: dt.date | None = None, until: dt.date | None = None):
    """The history rows of `model` the chair may audit, newest first (a queryset)."""
    history = model.history.model
    rows = history.objects.filter(_scope_q(model, union_scope(user, ["chair"])))
    if union is not None:
        rows = rows.filter(_union_q(model, union))
    if by_user is not None:
        rows = rows.filter(history_user=by_user)
    if since:
        rows = rows.filter(history_date__date__gte=since)
    if until:
        rows = rows.filter(history_date__date__lte=until)
    return rows.select_related("history_user").order_by("-history_date", "-history_id")


@dataclass
class Change:
    row: object
    subject: str
    action: str
    fields: list = field(default_factory=list)  # (label, old, new)


def describe(*, model, rows) -> list[Change]:
    """Each row with what it changed against the record's previous version (one query)."""
    rows = list(rows)
    if not rows:
        return []
    history = model.history.model
    label = model._meta.label_lower
    tracked = [f for f in history.tracked_fields if f.name not in ("id",)]
    latest = max(r.history_date for r in rows)
    versions: dict = {}
    for v in history.objects.filter(id__in={r.id for r in rows}, history_date__lte=latest).order_by(
        "history_date", "history_id"
    ):
        versions.setdefault(v.id, []).append(v)
    names = {"+": _("created"), "~": _("changed"), "-": _("deleted")}
    out = []
    for r in rows:
        chain = versions.get(r.id, [])
        idx = next((i for i, v in enumerate(chain) if v.history_id == r.history_id), 0)
        prev = chain[idx - 1] if idx > 0 else None
        fields = []
        for f in tracked:
            attr = f.attname
            new = getattr(r, attr, None)
            old = getattr(prev, attr, None) if prev is not None else None
            if prev is not None and old == new:
                continue
            if prev is None and r.history_type != "+":
                continue
            personal = f.name in PERSONAL_FIELDS or (label in PERSONAL_MODELS and f.name not in OPEN_FIELDS)
            shown_old = MASK if personal and old not in (None, "") else ("" if old is None else str(old))
            shown_new = MASK if personal and new not in (None, "") else ("" if new is None else str(new))
            fields.append((str(f.verbose_name), shown_old, shown_new))
        subject = f"#{r.id}" if label in PERSONAL_MODELS else f"{_safe_str(r)} (#{r.id})"
        out.append(Change(row=r, subject=subject, action=names.get(r.history_type, r.history_type), fields=fields))
    return out


def _safe_str(row) -> str:
    """A name or title of the row itself (no query: a __str__ may follow relations)."""
    for attr in ("title", "name"):
        value = getattr(row, attr, None)
        if isinstance(value, str) and value:
            return value[:80]
    return str(row._meta.verbose_name)
