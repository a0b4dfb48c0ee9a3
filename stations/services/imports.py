"""Spreadsheet imports of stations and demand points, through the core pipeline
(unionportal.core.imports): capped reading, no id column, every row saved through the
services, all or nothing with row-level errors. Imports only create records."""

import datetime as dt
import re

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from unionportal.core.imports import ImportFailed, import_rows, read_table
from unionportal.core.models import Role, Union
from unionportal.core.scoping import union_scope

from ..models import Amenity, DemandPoint, OpeningHours, Station, StationAmenity
from .demand import demand_point_save
from .desk import check_week
from .stations import station_save, station_touch

# One column per weekday (Monday first): "08:00-12:00, 14:00-20:00"; blank is closed that day.
HOURS_COLUMNS = ("hours_mon", "hours_tue", "hours_wed", "hours_thu", "hours_fri", "hours_sat", "hours_sun")
# Colons and dashes as typed on a Chinese keyboard too (full-width forms, "zhi"/"dao" for "to").
_COLON = ":\uff1a"
_TO = "\\-\u2013\u2014\uff0d~\uff5e\u81f3\u5230"
_RANGE = re.compile(rf"^(\d{{1,2}})[{_COLON}](\d{{2}})\s*[{_TO}]\s*(\d{{1,2}})[{_COLON}](\d{{2}})$")
_RANGE_SPLIT = re.compile("[,;\uff0c\uff1b\u3001]")
STATION_COLUMNS = (
    "union",
    "name",
    "kind",
    "host_type",
    "town",
    "address",
    "lat",
    "lng",
    "phone",
    "status",
    "founded_on",
    "signage",
    "is_public",
    "open_24h",
    "amenities",
    "description",
    *HOURS_COLUMNS,
)
DEMAND_POINT_COLUMNS = ("union", "name", "kind", "lat", "lng", "workers")
_TRUE = {"1", "true", "yes", "y", "x"}
_FALSE = {"0", "false", "no", "n", ""}


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _choice(value, choices, column: str) -> str:
    text = _text(value).lower()
    for code, label in choices:
        names = {str(code).lower(), str(label).lower()}
        with translation.override("zh-hans"):
            names.add(str(label).lower())
        if text in names:
            return code
    raise ValidationError(_("{column}: unknown value “{value}”.").format(column=column, value=_text(value)[:50]))


def _bool(value, column: str, default: bool) -> bool:
    if value is None or _text(value) == "":
        return default
    text = _text(value).lower()
    with translation.override("zh-hans"):
        yes, no = str(_("Yes")).lower(), str(_("No")).lower()
    if text in _TRUE or text == yes:
        return True
    if text in _FALSE or text == no:
        return False
    raise ValidationError(_("{column}: write 1 or 0.").format(column=column))


def _float(value, column: str) -> float:
    try:
        return float(_text(value))
    except ValueError:
        raise ValidationError(_("{column}: not a number.").format(column=column)) from None


def _date(value, column: str) -> dt.date | None:
    if value is None or _text(value) == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(_text(value))
    except ValueError:
        raise ValidationError(_("{column}: write the date as YYYY-MM-DD.").format(column=column)) from None


def _count(value, column: str) -> int:
    from unionportal.core.ids import parse_count

    number = parse_count(_text(value) or "0", maximum=10_000_000)
    if number is None:
        raise ValidationError(_("{column}: not a whole number.").format(column=column))
    return number


def _union(value, by: AbstractUser | None) -> Union:
    name = _text(value)
    if not name:
        raise ValidationError(_("The union is required."))
    unions = Union.objects.all() if by is None else union_scope(by, Role.EDIT_ROLES)
    union = unions.filter(name=name).order_by("pk").first()
    if union is None:
        # The same answer for a union that does not exist and one the user may not edit.
        raise ValidationError(_("Unknown union, or one you may not edit: {name}").format(name=name[:100]))
    return union


def _amenities(value) -> list[Amenity]:
    codes = [c.strip() for c in _text(value).replace(";", ",").split(",") if c.strip()]
    found = {a.code: a for a in Amenity.objects.filter(code__in=codes)}
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise ValidationError(_("Unknown amenity codes: {codes}").format(codes=", ".join(unknown)[:200]))
    return [found[c] for c in dict.fromkeys(codes)]


def _time(hour: str, minute: str) -> dt.time:
    return dt.time(int(hour) % 24 if hour == "24" and minute == "00" else int(hour), int(minute))


def _hours(row: dict) -> list[tuple[int, dt.time, dt.time]]:
    """The week's ranges of a row's hours_* columns, checked as the desk's week grid."""
    ranges = []
    for weekday, column in enumerate(HOURS_COLUMNS):
        text = _text(row.get(column))
        for part in _RANGE_SPLIT.split(text):
            part = part.strip()
            if not part:
                continue
            m = _RANGE.match(part)
            try:
                if m is None:
                    raise ValueError
                ranges.append((weekday, _time(m[1], m[2]), _time(m[3], m[4])))
            except ValueError:
                raise ValidationError(
                    _("{column}: write the hours as 08:00-20:00 (several ranges separated by commas).").format(
                        column=column
                    )
                ) from None
    return check_week(ranges)


def _named(error: ValidationError) -> ValidationError:
    """A model's field errors with their field names, for a row-level message."""
    if hasattr(error, "error_dict"):
        return ValidationError(
            [f"{field}: {m}" if field != "__all__" else m for field, msgs in error.message_dict.items() for m in msgs]
        )
    return error


def _check_columns(header: list[str], allowed: tuple[str, ...], required: tuple[str, ...]) -> None:
    columns = [h.lower() for h in header]
    unknown = [h for h in header if h.lower() not in allowed]
    if unknown:
        raise ImportFailed([(1, _("Unknown column: “{col}”.").format(col=unknown[0][:50]))])
    missing = [c for c in required if c not in columns]
    if missing:
        raise ImportFailed([(1, _("Missing column: “{col}”.").format(col=missing[0]))])


@transaction.atomic
def station_import(*, upload, by: AbstractUser | None) -> list[Station]:
    """Create the stations of an .xlsx/.csv sheet (one per row) with their amenities and weekly
    hours (hours_mon ... hours_sun); raises ImportFailed."""
    table = read_table(upload)
    _check_columns(table.header, STATION_COLUMNS, ("union", "name", "kind", "lat", "lng"))

    def save(n: int, row: dict) -> Station:
        station = Station(
            union=_union(row.get("union"), by),
            name=_text(row.get("name"))[:120],
            kind=_choice(row.get("kind"), Station.Kind.choices, "kind"),
            host_type=_choice(row.get("host_type") or "other", Station.HostType.choices, "host_type"),
            town=_text(row.get("town")),
            address=_text(row.get("address")),
            lat=_float(row.get("lat"), "lat"),
            lng=_float(row.get("lng"), "lng"),
            phone=_text(row.get("phone")),
            status=_choice(row.get("status") or "open", Station.Status.choices, "status"),
            founded_on=_date(row.get("founded_on"), "founded_on"),
            signage=_bool(row.get("signage"), "signage", False),
            is_public=_bool(row.get("is_public"), "is_public", True),
            open_24h=_bool(row.get("open_24h"), "open_24h", False),
            description=_text(row.get("description")),
        )
        amenities = _amenities(row.get("amenities"))
        weekly = _hours(row)
        try:
            station_save(station=station, by=by)
        except ValidationError as e:
            raise _named(e) from None
        StationAmenity.objects.bulk_create([StationAmenity(station=station, amenity=a) for a in amenities])
        OpeningHours.objects.bulk_create(
            [OpeningHours(station=station, weekday=d, opens=o, closes=c) for d, o, c in weekly]
        )
        if amenities or weekly:
            station_touch(station_ids=[station.pk])
        return station

    return import_rows(table.records(), save)


@transaction.atomic
def demand_point_import(*, upload, by: AbstractUser | None) -> list[DemandPoint]:
    """Create the demand points of an .xlsx/.csv sheet; raises ImportFailed."""
    table = read_table(upload)
    _check_columns(table.header, DEMAND_POINT_COLUMNS, ("union", "name", "lat", "lng"))

    def save(n: int, row: dict) -> DemandPoint:
        point = DemandPoint(
            union=_union(row.get("union"), by),
            name=_text(row.get("name"))[:120],
            kind=_choice(row.get("kind") or "other", DemandPoint.Kind.choices, "kind"),
            lat=_float(row.get("lat"), "lat"),
            lng=_float(row.get("lng"), "lng"),
            workers=_count(row.get("workers"), "workers"),
        )
        try:
            return demand_point_save(point=point, by=by)
        except ValidationError as e:
            raise _named(e) from None

    return import_rows(table.records(), save)
