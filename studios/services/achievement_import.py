"""The achievement list import: read through the core pipeline (caps before parsing, no ids),
each row checked and saved by `achievement_add`, all or nothing."""

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from unionportal.core.imports import ImportFailed, import_rows, read_table

from ..models import Achievement, Member, Studio
from ..selectors import can_edit
from .achievements import achievement_add

# Names are separated by commas, full-width commas (U+FF0C) or enumeration commas (U+3001).
MEMBER_SEPARATORS = re.compile("[,\uff0c\u3001;]")
IMPORT_COLUMNS = ["type", "title", "number", "date", "level", "members", "benefit_amount", "benefit_note"]
MAX_ROWS = 5000

# The import's errors are the pipeline's: `row_errors` lists (row number, message), nothing saved.
AchievementImportError = ImportFailed


def _label_map(choices) -> dict[str, str]:
    """Accept a choice by its code or its label in any of the portal's languages."""
    out: dict[str, str] = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for value, label in choices:
                out[str(value).lower()] = value
                out[str(label).lower()] = value
    return out


def _column_aliases() -> dict[str, str]:
    """Headers may be the column names in either language."""
    aliases: dict[str, str] = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            aliases |= {str(Achievement._meta.get_field(c).verbose_name).lower(): c for c in IMPORT_COLUMNS}
            aliases[_("members").lower()] = "members"
    return aliases


def _parse_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError


def _row_fields(data: dict, *, types: dict, levels: dict, people: dict[str, Member]) -> tuple[dict, list[Member]]:
    """One row's achievement fields and members; ValidationError with all of the row's problems."""
    row_errors = []
    kind = types.get(str(data.get("type") or "").strip().lower())
    if kind is None:
        row_errors.append(_("unknown type “{v}”").format(v=data.get("type") or ""))
    title = str(data.get("title") or "").strip()
    if not title:
        row_errors.append(_("the title is empty"))
    elif len(title) > 200:
        row_errors.append(_("the title is longer than 200 characters"))
    try:
        date = _parse_date(data.get("date"))
    except ValueError:
        row_errors.append(_("the date “{v}” is not a date (YYYY-MM-DD)").format(v=data.get("date") or ""))
        date = None
    level_raw = str(data.get("level") or "").strip().lower()
    level = levels.get(level_raw) if level_raw else Achievement.Level.ENTERPRISE
    if level is None:
        row_errors.append(_("unknown level “{v}”").format(v=data.get("level")))
    amount = None
    if data.get("benefit_amount") not in (None, ""):
        try:
            amount = Decimal(str(data["benefit_amount"]))
            if amount < 0 or not amount.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            row_errors.append(_("the benefit “{v}” is not a positive number").format(v=data["benefit_amount"]))
    names = [s.strip() for s in MEMBER_SEPARATORS.split(str(data.get("members") or ""))]
    names = [s for s in names if s]
    unknown = [s for s in names if s not in people]
    if unknown:
        row_errors.append(_("not members of this studio: {names}").format(names=", ".join(unknown)))
    if row_errors:
        raise ValidationError("; ".join(row_errors))
    fields = {
        "type": kind,
        "title": title,
        "number": str(data.get("number") or "").strip()[:60],
        "date": date,
        "level": level,
        "benefit_amount": amount,
        "benefit_note": str(data.get("benefit_note") or "")[:300],
    }
    return fields, [people[s] for s in names]


def achievements_import(*, studio: Studio, upload, by: AbstractUser | None) -> int:
    """Import an achievement list (xlsx, header row then one row per achievement): all or nothing."""
    if by is not None and not can_edit(by, studio):
        raise PermissionDenied
    table = read_table(upload, max_rows=MAX_ROWS)
    aliases = _column_aliases()
    keys = {aliases.get(h.lower(), h.lower()) for h in table.header}
    missing = [c for c in ("type", "title", "date") if c not in keys]
    if missing:
        raise ImportFailed([(1, _("Missing columns: {cols}.").format(cols=", ".join(missing)))])
    records = list(table.records(aliases))
    if not records:
        raise ImportFailed([(0, _("The file has no achievement rows."))])
    types = _label_map(Achievement.Type.choices)
    levels = _label_map(Achievement.Level.choices)
    people = {m.name: m for m in studio.members.all()}

    def save_row(_n: int, data: dict) -> Achievement:
        fields, members = _row_fields(data, types=types, levels=levels, people=people)
        return achievement_add(studio=studio, by=None, members=members, **fields)

    return len(import_rows(records, save_row))
