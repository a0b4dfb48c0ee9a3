"""Reads of welfare that decide who sees what, or aggregate (reports.py holds the report's)."""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Sum

from unionportal.core.models import Role, Union
from unionportal.core.scoping import has_role, union_scope

from . import identity
from .models import (
    WELFARE,
    AccessLog,
    Assistance,
    Campaign,
    Employee,
    Handout,
    HardshipFile,
    Visit,
    VisitPhoto,
    YearlyCap,
)


def files_visible(*, user):
    return HardshipFile.objects.visible_to(user)


def files_search(*, user, q: str):
    """Files the user may see matching a name, a phone fragment or a full ID number."""
    return HardshipFile.objects.visible_to(user).search(q)


def files_filtered(*, user, q: str = "", status: str = "", category: str = "", overdue: bool = False):
    files = files_search(user=user, q=q) if q else files_visible(user=user)
    if status in HardshipFile.Status.values:
        files = files.filter(status=status)
    if category in HardshipFile.Category.values:
        files = files.filter(category=category)
    if overdue:
        files = files.overdue_for_review()
    return files


def visits_visible(*, user):
    return Visit.objects.visible_to(user)


def access_log_visible(*, user):
    return AccessLog.objects.visible_to(user)


def may_see_person(*, user, entry: AccessLog) -> bool:
    """Whether the access-log entry may show the person it is about (the file's name and masked
    ID): to welfare staff of the file's union or above, and superusers. Chairs audit who looked
    and when, not at whom."""
    if entry.file_id is None:
        return False
    return HardshipFile.objects.visible_to(user).filter(pk=entry.file_id).exists()


def people_visible_in_log(*, user, entries: Iterable[AccessLog]) -> set[int]:
    """The file ids among the entries whose person the user may see (one query)."""
    ids = {e.file_id for e in entries if e.file_id}
    if not ids:
        return set()
    return set(HardshipFile.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))


def given_in_year(
    *, file_id: int, year: int, exclude_visit: int | None = None, exclude_assistance: int | None = None
) -> Decimal:
    """What visits and assistance gave the file in the year (optionally without one record)."""
    visits = Visit.objects.filter(file_id=file_id, date__year=year)
    if exclude_visit:
        visits = visits.exclude(pk=exclude_visit)
    assistance = Assistance.objects.filter(file_id=file_id, date__year=year)
    if exclude_assistance:
        assistance = assistance.exclude(pk=exclude_assistance)
    v = visits.aggregate(m=Sum("money"), g=Sum("goods_value"))
    a = assistance.aggregate(a=Sum("amount"))
    return (v["m"] or Decimal(0)) + (v["g"] or Decimal(0)) + (a["a"] or Decimal(0))


def cap_for(union: Union, caps: Iterable[YearlyCap]) -> Decimal | None:
    """The cap of the nearest union at or above `union` among `caps` (one year's caps)."""
    best = None
    for cap in caps:
        if union.path.startswith(cap.union.path) and (best is None or len(cap.union.path) > len(best.union.path)):
            best = cap
    return best.per_household if best else None


def yearly_cap(*, union: Union, year: int) -> Decimal | None:
    return cap_for(union, YearlyCap.objects.filter(year=year).select_related("union"))


def is_welfare_staff(*, user, union: Union) -> bool:
    return has_role(user, union, WELFARE)


def assistance_visible(*, user):
    return Assistance.objects.visible_to(user)


def campaigns_visible(*, user):
    return Campaign.objects.visible_to(user)


def employees_visible(*, user):
    return Employee.objects.visible_to(user)


def handouts_visible(*, user):
    return Handout.objects.visible_to(user)


def photos_visible(*, user):
    return VisitPhoto.objects.filter(visit__in=Visit.objects.visible_to(user))


# --- Printable documents -----------------------------------------------------------------

# Who may print the public notice (公示). Hardship files are for welfare staff only, but the
# notice is the masked list a union posts on its board for anyone to read during the notice
# period: the chair, who answers for that posting, may print it too. The rows carry masked
# names only (no ID number, phone or address), so the chair never receives more than the
# public would.
NOTICE_ROLES = (Role.Kind.CHAIR, *WELFARE)


def notice_unions(*, user):
    """The unions whose public notice the user may print (their chair or welfare subtrees)."""
    return union_scope(user, NOTICE_ROLES)


def notice_rows(*, user, union: Union | None = None) -> list[dict]:
    """The files under public notice, already masked: what a notice may show and nothing else.

    The full name never leaves this function, so no template can print it by mistake.
    """
    files = HardshipFile.objects.filter(
        union__in=notice_unions(user=user), stage=HardshipFile.Stage.NOTICE, anonymised_at__isnull=True
    )
    if union is not None:
        files = files.filter(union__path__startswith=union.path)
    categories = dict(HardshipFile.Category.choices)
    rows = []
    for pk, name, union_id, union_name, category, starts, days in files.order_by("union__path", "pk").values_list(
        "pk", "name", "union_id", "union__name", "category", "notice_starts", "notice_days"
    ):
        rows.append(
            {
                "pk": pk,
                "name": identity.mask_name(name),
                "union_id": union_id,
                "union": union_name,
                "category": categories.get(category, ""),
                "starts": starts,
                "ends": starts + dt.timedelta(days=max(days, 1) - 1) if starts else None,
            }
        )
    return rows


def signoff_rows(*, user, campaign: Campaign) -> list[dict]:
    """The roster of a campaign's subtree with each recipient's handout, for the sign-off sheet.

    Three queries whatever the size: employees, handouts, their lines.
    """
    employees = (
        Employee.objects.visible_to(user)
        .filter(union__path__startswith=campaign.union.path)
        .select_related("union")
        .order_by("union__path", "staff_number", "pk")
    )
    handouts = {
        h.employee_id: h
        for h in Handout.objects.visible_to(user)
        .filter(campaign=campaign, union__path__startswith=campaign.union.path)
        .prefetch_related("lines__item")
    }
    return [{"employee": e, "handout": handouts.get(e.pk)} for e in employees]


# --- Year-end report ------------------------------------------------------------------------


def yearend_may_see(*, user, union: Union) -> bool:
    """The welfare section of the year-end report is for welfare staff of the union or a union
    above it (as every welfare record): a chair without a welfare role does not see it."""
    return has_role(user, union, WELFARE)


def yearend_welfare(*, union: Union, year: int) -> dict:
    """Aggregates of the union's subtree for `year` (three flat queries, no personal data):
    files by category (filed in the year; open at report time), visits by kind with what was
    given, assistance by kind with its amounts."""
    from django.db.models import Count, Q

    from unionportal.core.yearend import year_bounds

    start, end = year_bounds(year)
    mine = {"union__path__startswith": union.path}
    filed = Q(filed_on__year=year) | Q(filed_on__isnull=True, created_at__gte=start, created_at__lt=end)
    files = {
        category: (new, open_)
        for category, new, open_ in HardshipFile.objects.filter(**mine)
        .order_by()
        .values_list("category")
        .annotate(
            new=Count("pk", filter=filed),
            open=Count("pk", filter=~Q(status=HardshipFile.Status.CLOSED)),
        )
    }
    visits = {
        kind: (n, money or Decimal(0), goods or Decimal(0))
        for kind, n, money, goods in Visit.objects.filter(**mine, date__year=year)
        .order_by()
        .values_list("kind")
        .annotate(n=Count("pk"), money=Sum("money"), goods=Sum("goods_value"))
    }
    assistance = {
        kind: (n, amount or Decimal(0))
        for kind, n, amount in Assistance.objects.filter(**mine, date__year=year)
        .order_by()
        .values_list("kind")
        .annotate(n=Count("pk"), amount=Sum("amount"))
    }
    return {"files": files, "visits": visits, "assistance": assistance}
