"""Writes of the studios app: applications and their review, members, achievements, import."""

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from unionportal.core.images import CleanImage
from unionportal.core.models import Activity, Role, Union
from unionportal.core.scoping import has_role
from unionportal.core.services import activity_log
from unionportal.core.text import pinyin_full, pinyin_initials

from .models import Achievement, Member, Review, Studio, StudioPhoto, SupportRecord, YearTarget

# --- Search and slugs -------------------------------------------------------------------


def studio_search_text(*, name: str, leader: str) -> str:
    parts = [name, leader, pinyin_initials(name), pinyin_initials(leader), pinyin_full(leader), pinyin_full(name)]
    return " ".join(p for p in parts if p).lower()[:400]


def studio_reindex(*, studio: Studio) -> Studio:
    """Refresh the search text (name, leader, pinyin) after the name or the leader changed."""
    leader = studio.members.filter(role=Member.Role.LEADER).values_list("name", flat=True).first() or ""
    studio.search_text = studio_search_text(name=studio.name, leader=leader)
    studio.updated_at = timezone.now()
    Studio.objects.filter(pk=studio.pk).update(search_text=studio.search_text, updated_at=studio.updated_at)
    return studio


def studio_touch(*, studio_ids: Iterable[int]) -> None:
    """Mark studios changed (their public pages are cached by `updated_at`)."""
    Studio.objects.filter(pk__in=list(studio_ids)).update(updated_at=timezone.now())


RESERVED_SLUGS = {"desk"}  # /studios/desk/ is the staff desk


def studio_unique_slug(*, name: str) -> str:
    base = slugify(pinyin_full(name).replace(" ", "-"))[:60] or "studio"
    slug, n = base, 2
    while slug in RESERVED_SLUGS or Studio.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def search_filter(q: str) -> Q:
    q = q.strip().lower()[:50]
    return Q(search_text__contains=q) | Q(name__icontains=q)


# --- Eligibility and the application workflow --------------------------------------------


def studio_eligibility_errors(*, studio: Studio) -> list[str]:
    """What keeps a studio from approval under the rules of its kind (empty when eligible)."""
    leaders = [m for m in studio.members.all() if m.role == Member.Role.LEADER]
    if not leaders:
        return [_("The studio has no leader yet: add its leader before approval.")]
    leader = leaders[0]
    errors = []
    if studio.kind == Studio.Kind.PARTY_PHD:
        if leader.political_status != Member.Political.PARTY:
            errors.append(
                _("A Party-member PhD studio's leader must be a CPC member; {name} is not.").format(name=leader.name)
            )
        if leader.education != Member.Education.DOCTORATE:
            errors.append(
                _("A Party-member PhD studio's leader must hold a doctorate; {name} does not.").format(name=leader.name)
            )
    elif studio.kind == Studio.Kind.MODEL_WORKER and not leader.is_model_worker:
        errors.append(
            _("A model worker studio's leader must be a model worker; {name} is not.").format(name=leader.name)
        )
    elif studio.kind == Studio.Kind.CRAFTSMAN and not (leader.is_craftsman or leader.is_model_worker):
        errors.append(
            _("A craftsman studio's leader must hold a master craftsman honour; {name} does not.").format(
                name=leader.name
            )
        )
    return errors


def union_parent(union: Union) -> Union | None:
    if union.depth <= 1:
        return None
    return Union.objects.filter(path=union.path[: -Union.steplen]).first()


def can_review(user: AbstractUser, studio: Studio) -> bool:
    """Only a higher union reviews: a chair or officer of a strict ancestor of the owning union."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    parent = union_parent(studio.union)
    return parent is not None and has_role(user, parent, Role.EDIT_ROLES)


def can_edit(user: AbstractUser, studio: Studio) -> bool:
    return Studio.objects.editable_by(user).filter(pk=studio.pk).exists()


@transaction.atomic
def studio_apply(
    *, union: Union, by: AbstractUser | None, leader: dict, fields_of_work: Iterable = (), **fields
) -> Studio:
    """A union applies to found a studio, with its leader; the higher union reviews it."""
    if by is not None and not has_role(by, union, Role.EDIT_ROLES):
        raise PermissionDenied
    studio = Studio(union=union, created_by=by, status=Studio.Status.APPLYING, **fields)
    if not studio.slug:
        studio.slug = studio_unique_slug(name=studio.name)
    studio.full_clean()
    studio.save()
    studio.fields_of_work.set(fields_of_work)
    member = Member(studio=studio, role=Member.Role.LEADER, **leader)
    member.full_clean()
    member.save()
    Review.objects.create(studio=studio, action=Review.Action.SUBMITTED, union=union, by=by)
    studio_reindex(studio=studio)
    return studio


@transaction.atomic
def studio_resubmit(*, studio: Studio, by: AbstractUser) -> Studio:
    """The applying union sends a returned application back to review."""
    studio = Studio.objects.select_for_update().get(pk=studio.pk)
    if not can_edit(by, studio):
        raise PermissionDenied
    if studio.status != Studio.Status.RETURNED:
        raise ValidationError(_("Only a returned application can be submitted again."))
    studio.status = Studio.Status.APPLYING
    studio.save(update_fields=["status", "updated_at"])
    Review.objects.create(studio=studio, action=Review.Action.SUBMITTED, union=studio.union, by=by)
    return studio


def _reviewing_union(by: AbstractUser | None, studio: Studio) -> Union | None:
    """The nearest higher union in which the reviewer holds an edit role (the parent otherwise)."""
    path, step = studio.union.path, Union.steplen
    strict_ancestors = [path[:i] for i in range(step, len(path), step)]
    if by is not None:
        role = (
            Role.objects.filter(user=by, kind__in=Role.EDIT_ROLES, union__path__in=strict_ancestors)
            .select_related("union")
            .order_by("-union__depth")
            .first()
        )
        if role is not None:
            return role.union
    return union_parent(studio.union)


@transaction.atomic
def studio_review(*, studio: Studio, approve: bool, by: AbstractUser | None, comment: str = "") -> Studio:
    """The higher union approves an application (eligibility checked) or returns it with comments."""
    studio = Studio.objects.select_for_update().select_related("union").get(pk=studio.pk)
    if by is not None and not can_review(by, studio):
        raise PermissionDenied(_("Only an officer of a higher union may review this application."))
    if studio.status != Studio.Status.APPLYING:
        raise ValidationError(_("This application is not waiting for review."))
    comment = (comment or "").strip()
    if approve:
        errors = studio_eligibility_errors(studio=studio)
        if errors:
            raise ValidationError(errors)
        studio.status = Studio.Status.APPROVED
        action = Review.Action.APPROVED
    else:
        if not comment:
            raise ValidationError(_("Say what must change when returning an application."))
        studio.status = Studio.Status.RETURNED
        action = Review.Action.RETURNED
    studio.save(update_fields=["status", "updated_at"])
    Review.objects.create(studio=studio, action=action, comment=comment, union=_reviewing_union(by, studio), by=by)
    return studio


@transaction.atomic
def studio_plaque(
    *,
    studio: Studio,
    on: dt.date,
    by: AbstractUser | None,
    place: str = "",
    summary: str = "",
    participants: int = 0,
    publish: bool = True,
) -> Studio:
    """The plaque ceremony makes an approved studio active; it is logged as a ceremony activity."""
    studio = Studio.objects.select_for_update().select_related("union").get(pk=studio.pk)
    if by is not None and not (can_edit(by, studio) or can_review(by, studio)):
        raise PermissionDenied
    if studio.status not in (Studio.Status.APPROVED, Studio.Status.ACTIVE):
        raise ValidationError(_("Only an approved studio can hold its plaque ceremony."))
    studio.status = Studio.Status.ACTIVE
    studio.plaque_on = on
    studio.published = studio.published or publish
    studio.save(update_fields=["status", "plaque_on", "published", "updated_at"])
    activity_log(
        union=studio.union,
        kind=Activity.Kind.CEREMONY,
        title=_("Plaque ceremony of {name}").format(name=studio.name),
        starts_at=timezone.make_aware(dt.datetime.combine(on, dt.time(10, 0))),
        source=f"studios.studio:{studio.pk}:plaque",
        summary=summary,
        place=place,
        participants=participants,
        organiser=studio.union.name,
        by=None,
    )
    if not studio.reviews.filter(action=Review.Action.PLAQUE).exists():
        Review.objects.create(studio=studio, action=Review.Action.PLAQUE, union=studio.union, by=by)
    return studio


STATUS_ACTIONS = {
    Studio.Status.UNDER_REVIEW: Review.Action.UNDER_REVIEW,
    Studio.Status.ACTIVE: Review.Action.REINSTATED,
    Studio.Status.REVOKED: Review.Action.REVOKED,
}


@transaction.atomic
def studio_set_status(*, studio: Studio, status: str, by: AbstractUser, comment: str = "") -> Studio:
    """The higher union puts a running studio under review, confirms it active again, or revokes it."""
    studio = Studio.objects.select_for_update().select_related("union").get(pk=studio.pk)
    if not can_review(by, studio):
        raise PermissionDenied(_("Only an officer of a higher union may change the status of this studio."))
    running = (Studio.Status.ACTIVE, Studio.Status.UNDER_REVIEW)
    if status not in STATUS_ACTIONS or studio.status not in running or status == studio.status:
        raise ValidationError(_("This change of status is not possible."))
    comment = (comment or "").strip()
    if status != Studio.Status.ACTIVE and not comment:
        raise ValidationError(_("Give the reason in the comments."))
    studio.status = status
    studio.save(update_fields=["status", "updated_at"])
    Review.objects.create(
        studio=studio, action=STATUS_ACTIONS[status], comment=comment, union=_reviewing_union(by, studio), by=by
    )
    return studio


# --- People, photos, achievements ---------------------------------------------------------


@transaction.atomic
def member_add(*, studio: Studio, photo: CleanImage | None = None, **fields) -> Member:
    member = Member(studio=studio, **fields)
    if photo is not None:
        member.photo, member.photo_thumbnail = photo.image, photo.thumbnail
    member.full_clean()
    member.save()
    if member.is_leader:
        studio_reindex(studio=studio)
    else:
        studio_touch(studio_ids=[studio.pk])
    return member


def studio_add_photos(*, studio: Studio, photos: Iterable[CleanImage], caption: str = "") -> None:
    for photo in photos:
        StudioPhoto.objects.create(studio=studio, image=photo.image, thumbnail=photo.thumbnail, caption=caption)
    studio_touch(studio_ids=[studio.pk])


@transaction.atomic
def achievement_add(
    *, studio: Studio, by: AbstractUser | None, members: Iterable[Member] = (), attachment=None, **fields
) -> Achievement:
    """Record an achievement of a studio (the profile's counts follow from it)."""
    if by is not None and not can_edit(by, studio):
        raise PermissionDenied
    members = list(members)
    if any(m.studio_id != studio.pk for m in members):
        raise ValidationError(_("Only members of this studio can be named on its achievement."))
    achievement = Achievement(studio=studio, created_by=by, **fields)
    if attachment is not None:
        achievement.attachment = attachment
    achievement.full_clean()
    achievement.save()
    achievement.members.set(members)
    studio_touch(studio_ids=[studio.pk])
    return achievement


# --- Figures of a profile ----------------------------------------------------------------


def studio_counts(*, studio: Studio) -> dict[str, int]:
    """The headline counts, computed from the records in one aggregate query."""
    type_counts = {f"type_{t}": Count("pk", filter=Q(type=t)) for t in Achievement.Type.values}
    row = Achievement.objects.filter(studio=studio).aggregate(
        total=Count("pk"),
        ip=Count("pk", filter=Q(type__in=Achievement.IP_TYPES)),
        patents=Count("pk", filter=Q(type__in=Achievement.PATENT_TYPES)),
        standards=Count("pk", filter=Q(type__in=Achievement.STANDARD_TYPES)),
        **type_counts,
    )
    return row


def studio_years(*, studio: Studio) -> list[dict]:
    """Achievements per year (one query), for the chart."""
    rows = (
        Achievement.objects.filter(studio=studio)
        .annotate(year=ExtractYear("date"))
        .values("year")
        .annotate(n=Count("pk"))
        .order_by("year")
    )
    return [{"year": r["year"], "n": r["n"]} for r in rows]


def support_totals(*, studios: QuerySet) -> list[dict]:
    """Support given per year and kind, with amounts (one query)."""
    labels = dict(SupportRecord.Kind.choices)
    rows = list(
        SupportRecord.objects.filter(studio__in=studios)
        .annotate(year=ExtractYear("date"))
        .values("year", "kind")
        .annotate(n=Count("pk"), amount=Sum("amount"))
        .order_by("-year", "kind")
    )
    for r in rows:
        r["kind_label"] = labels.get(r["kind"], r["kind"])
    return rows


# --- Excel import -----------------------------------------------------------------------

# Names are separated by commas, full-width commas (U+FF0C) or enumeration commas (U+3001).
MEMBER_SEPARATORS = re.compile("[,\uff0c\u3001;]")
IMPORT_COLUMNS = ["type", "title", "number", "date", "level", "members", "benefit_amount", "benefit_note"]


def _label_map(choices) -> dict[str, str]:
    """Accept a choice by its code or its label in any of the portal's languages."""
    out: dict[str, str] = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for value, label in choices:
                out[str(value).lower()] = value
                out[str(label).lower()] = value
    return out


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


class AchievementImportError(ValidationError):
    """The import failed; `row_errors` lists (row number, message) and nothing was saved."""

    def __init__(self, row_errors: list[tuple[int, str]]):
        self.row_errors = row_errors
        super().__init__([f"{n}: {m}" for n, m in row_errors])


def achievements_import(*, studio: Studio, upload, by: AbstractUser | None) -> int:
    """Import an achievement list (xlsx, header row then one row per achievement): all or nothing."""
    import openpyxl  # the xlsx reader that import-export installs

    if by is not None and not can_edit(by, studio):
        raise PermissionDenied
    if upload.size and upload.size > 5 * 1024 * 1024:
        raise AchievementImportError([(0, _("The file is too large: at most 5 MB."))])
    try:
        book = openpyxl.load_workbook(upload, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any unreadable file is the same error for the user
        raise AchievementImportError(
            [
                (0, _("This file is not an Excel workbook (.xlsx).")),
            ]
        ) from None
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [str(c or "").strip().lower() for c in next(rows, ())]
    aliases: dict[str, str] = {}
    for language, _name in settings.LANGUAGES:  # headers may be the column names in either language
        with translation.override(language):
            aliases |= {str(Achievement._meta.get_field(c).verbose_name).lower(): c for c in IMPORT_COLUMNS}
            aliases[_("members").lower()] = "members"
    header = [aliases.get(h, h) for h in header]
    missing = [c for c in ("type", "title", "date") if c not in header]
    if missing:
        raise AchievementImportError([(1, _("Missing columns: {cols}.").format(cols=", ".join(missing)))])
    types = _label_map(Achievement.Type.choices)
    levels = _label_map(Achievement.Level.choices)
    people = {m.name: m for m in studio.members.all()}
    parsed: list[tuple[dict, list[Member]]] = []
    errors: list[tuple[int, str]] = []
    for n, values in enumerate(rows, start=2):
        if n > 5001:
            errors.append((n, _("At most 5,000 rows at a time.")))
            break
        data = dict(zip(header, values, strict=False))
        if not any(v not in (None, "") for v in data.values()):
            continue
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
            errors.append((n, "; ".join(row_errors)))
            continue
        parsed.append(
            (
                {
                    "type": kind,
                    "title": title,
                    "number": str(data.get("number") or "").strip()[:60],
                    "date": date,
                    "level": level,
                    "benefit_amount": amount,
                    "benefit_note": str(data.get("benefit_note") or "")[:300],
                },
                [people[s] for s in names],
            )
        )
    if errors:
        raise AchievementImportError(errors)
    if not parsed:
        raise AchievementImportError([(0, _("The file has no achievement rows."))])
    with transaction.atomic():
        for fields, members in parsed:
            achievement_add(studio=studio, by=None, members=members, **fields)
    return len(parsed)


# --- Yearly targets and support ------------------------------------------------------------


def year_results(*, studio: Studio, year: int) -> int:
    """Results of a year that count towards the target: industry level or above (one query)."""
    return studio.achievements.filter(
        date__year=year,
        level__in=(Achievement.Level.INTERNATIONAL, Achievement.Level.NATIONAL, Achievement.Level.INDUSTRY),
    ).count()


@transaction.atomic
def target_set(*, studio: Studio, year: int, target: str, target_count: int, by: AbstractUser) -> YearTarget:
    """The studio's union sets (or changes) the target of a year, until it is assessed."""
    if not can_edit(by, studio):
        raise PermissionDenied
    obj = YearTarget.objects.select_for_update().filter(studio=studio, year=year).first()
    if obj is not None and obj.assessment != YearTarget.Assessment.PENDING:
        raise ValidationError(_("The target of {year} has been assessed and can no longer change.").format(year=year))
    obj = obj or YearTarget(studio=studio, year=year)
    obj.target, obj.target_count = target, target_count
    obj.full_clean()
    obj.save()
    studio_touch(studio_ids=[studio.pk])
    return obj


@transaction.atomic
def target_assess(*, target: YearTarget, met: bool, evidence: str, by: AbstractUser) -> YearTarget:
    """The higher union assesses a year against its target, with the evidence."""
    target = YearTarget.objects.select_for_update().select_related("studio__union").get(pk=target.pk)
    if not can_review(by, target.studio):
        raise PermissionDenied(_("Only an officer of a higher union may assess this target."))
    evidence = (evidence or "").strip()
    if not evidence:
        raise ValidationError(_("Give the evidence for the assessment."))
    target.assessment = YearTarget.Assessment.MET if met else YearTarget.Assessment.BEHIND
    target.evidence = evidence
    target.save(update_fields=["assessment", "evidence", "updated_at"])
    studio_touch(studio_ids=[target.studio_id])
    return target


@transaction.atomic
def support_add(*, studio: Studio, union: Union, by: AbstractUser, **fields) -> SupportRecord:
    """A union records support it gave a studio of its subtree."""
    if not has_role(by, union, Role.EDIT_ROLES) or not studio.union.is_within(union):
        raise PermissionDenied
    record = SupportRecord(studio=studio, union=union, **fields)
    record.full_clean()
    record.save()
    return record
