from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Subquery
from django.db.models.functions import Length, Substr
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from unionportal.core import pagecache
from unionportal.core.decorators import role_required
from unionportal.core.http import rate_limited
from unionportal.core.models import Role, Union
from unionportal.core.qr import qr_png_response
from unionportal.core.scoping import union_scope

from . import services
from .forms import (
    AchievementForm,
    AssessForm,
    ImportForm,
    MemberForm,
    PhotosForm,
    PlaqueForm,
    ReviewForm,
    StudioApplyForm,
    StudioFilterForm,
    SupportForm,
    TargetForm,
    union_choices_for_public,
)
from .models import Achievement, FieldOfWork, Member, Studio, StudioPhoto, YearTarget
from .pagecache import profile_stamp
from .resources import AchievementResource

PAGE_SIZE = 20
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _leader_name():
    return Subquery(Member.objects.filter(studio=OuterRef("pk"), role=Member.Role.LEADER).values("name")[:1])


def _cover():
    return Subquery(StudioPhoto.objects.filter(studio=OuterRef("pk")).order_by("pk").values("thumbnail")[:1])


# --- Public pages ------------------------------------------------------------------------


def studio_list(request: HttpRequest) -> HttpResponse:
    if pagecache.cacheable(request):
        # The unfiltered first page, stamped with the latest change and the number of studios.
        stamp = Studio.objects.public().aggregate(n=Count("pk"), last=Max("updated_at"))
        last = stamp["last"].timestamp() if stamp["last"] else 0
        return pagecache.serve(request, "studios-list", f"{stamp['n']}:{last}", lambda: _studio_list(request))
    return _studio_list(request)


def _studio_list(request: HttpRequest) -> HttpResponse:
    public = Studio.objects.public()
    fields_of_work = list(FieldOfWork.objects.filter(studios__in=public).distinct())
    unions = union_choices_for_public()
    form = StudioFilterForm(request.GET or None, fields_of_work=fields_of_work, unions=unions)
    studios = public.select_related("union").annotate(leader_name=_leader_name(), cover=_cover())
    form.is_valid()  # a bad value in one filter leaves the others working
    d = getattr(form, "cleaned_data", {})
    if d:
        if d.get("q", "").strip():
            studios = studios.filter(services.search_filter(d["q"]))
        if d.get("kind"):
            studios = studios.filter(kind=d["kind"])
        if d.get("level"):
            studios = studios.filter(level=d["level"])
        if d.get("field"):
            studios = studios.filter(
                pk__in=Studio.fields_of_work.through.objects.filter(fieldofwork__slug=d["field"]).values("studio_id")
            )
        if d.get("union"):
            chosen = next(u for u in unions if str(u.pk) == d["union"])
            studios = studios.filter(union__path__startswith=chosen.path)
    studios = studios.prefetch_related(Prefetch("fields_of_work", queryset=FieldOfWork.objects.all()))
    page = Paginator(studios, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "studios/studio_list.html", {"form": form, "page": page})


def studio_detail(request: HttpRequest, slug: str) -> HttpResponse:
    if pagecache.cacheable(request):
        # One small query answers "does it exist, and has it changed?" before the page cache.
        stamp = profile_stamp(slug)
        if stamp is None:
            raise Http404
        return pagecache.serve(request, f"studio:{stamp[0]}", stamp[1], lambda: _studio_detail(request, slug))
    return _studio_detail(request, slug)


def _studio_detail(request: HttpRequest, slug: str) -> HttpResponse:
    studio = get_object_or_404(
        Studio.objects.public().select_related("union").prefetch_related("fields_of_work", "photos"), slug=slug
    )
    members = list(studio.members.all())
    leader = next((m for m in members if m.is_leader), None)
    counts = services.studio_counts(studio=studio)
    years = services.studio_years(studio=studio)
    recent = list(studio.achievements.all()[:10])
    targets = list(studio.targets.all()[:5])
    by_type = [(label, counts[f"type_{value}"]) for value, label in Achievement.Type.choices]
    timeline = _timeline(studio, recent, targets)
    chart = {
        "years": [str(r["year"]) for r in years],
        "counts": [r["n"] for r in years],
        "label": _("Achievements"),
    }
    return render(
        request,
        "studios/studio_detail.html",
        {
            "studio": studio,
            "leader": leader,
            "members": [m for m in members if not m.is_leader],
            "counts": counts,
            "by_type": by_type,
            "chart": chart,
            "recent": recent,
            "targets": targets,
            "timeline": timeline,
        },
    )


def _timeline(studio: Studio, recent: list[Achievement], targets) -> list[tuple]:
    items = []
    if studio.founded_on:
        items.append((studio.founded_on, _("Studio founded"), ""))
    if studio.plaque_on:
        items.append((studio.plaque_on, _("Plaque ceremony"), studio.union.name))
    for a in recent:
        items.append((a.date, a.get_type_display(), a.title))
    items.sort(key=lambda i: i[0], reverse=True)
    return items


def studio_qr(request: HttpRequest, slug: str) -> HttpResponse:
    if not Studio.objects.public().filter(slug=slug).exists():
        raise Http404
    return qr_png_response(request.build_absolute_uri(Studio(slug=slug).get_absolute_url()))


# --- Desk (staff) -------------------------------------------------------------------------


def _reviewable(user):
    """Applications this user's higher union may review: the owning union's parent is in scope."""
    parent_in_scope = union_scope(user, Role.EDIT_ROLES).filter(
        path=Substr(OuterRef("union__path"), 1, Length(OuterRef("union__path")) - Union.steplen)
    )
    qs = Studio.objects.filter(status=Studio.Status.APPLYING)
    if user.is_superuser:
        return qs
    return qs.filter(Exists(parent_in_scope))


@role_required()
def desk_list(request: HttpRequest) -> HttpResponse:
    studios = Studio.objects.visible_to(request.user).select_related("union").annotate(leader_name=_leader_name())
    status = request.GET.get("status")
    if status in Studio.Status.values:
        studios = studios.filter(status=status)
    q = request.GET.get("q", "").strip()
    if q:
        studios = studios.filter(services.search_filter(q))
    page = Paginator(studios.order_by("name", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    pending = list(_reviewable(request.user).select_related("union")[:50])
    support = services.support_totals(studios=Studio.objects.visible_to(request.user))
    return render(
        request,
        "studios/desk_list.html",
        {
            "page": page,
            "pending": pending,
            "statuses": Studio.Status.choices,
            "status": status,
            "q": q,
            "support": support,
        },
    )


@role_required(Role.EDIT_ROLES)
def desk_apply(request: HttpRequest) -> HttpResponse:
    form = StudioApplyForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            studio = services.studio_apply(
                union=d["union"],
                by=request.user,
                leader=form.leader_fields(),
                fields_of_work=d["fields_of_work"],
                name=d["name"],
                kind=d["kind"],
                level=d["level"],
                founded_on=d["founded_on"],
                description=d["description"],
            )
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            messages.success(request, _("Application submitted. A higher union will review it."))
            return redirect(studio.get_desk_url())
    elif request.method == "POST":
        messages.error(request, _("Please correct the errors below."))
    return render(request, "studios/desk_form.html", {"form": form, "heading": _("Apply for a new studio")})


def _visible_studio(request: HttpRequest, pk: int) -> Studio:
    return get_object_or_404(Studio.objects.visible_to(request.user).select_related("union"), pk=pk)


def _editable_studio(request: HttpRequest, pk: int) -> Studio:
    return get_object_or_404(Studio.objects.editable_by(request.user).select_related("union"), pk=pk)


@role_required()
def desk_detail(request: HttpRequest, pk: int) -> HttpResponse:
    studio = _visible_studio(request, pk)
    members = list(studio.members.all())
    context = {
        "studio": studio,
        "members": members,
        "counts": services.studio_counts(studio=studio),
        "reviews": list(studio.reviews.select_related("by", "union")),
        "recent": list(studio.achievements.all()[:20]),
        "targets": list(studio.targets.all()),
        "support": services.support_totals(studios=Studio.objects.filter(pk=studio.pk)),
        "can_edit": services.can_edit(request.user, studio),
        "can_review": studio.status == Studio.Status.APPLYING and services.can_review(request.user, studio),
        "can_oversee": studio.status in Studio.PUBLIC_STATUSES and services.can_review(request.user, studio),
        "eligibility": services.studio_eligibility_errors(studio=studio)
        if studio.status in (Studio.Status.APPLYING, Studio.Status.RETURNED)
        else [],
        "review_form": ReviewForm(),
        "plaque_form": PlaqueForm(initial={"on": timezone.localdate()}),
    }
    context["can_plaque"] = studio.status == Studio.Status.APPROVED and (
        context["can_edit"] or services.can_review(request.user, studio)
    )
    return render(request, "studios/desk_detail.html", context)


@require_POST
@role_required(Role.EDIT_ROLES)
def desk_review(request: HttpRequest, pk: int) -> HttpResponse:
    studio = _visible_studio(request, pk)
    form = ReviewForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    try:
        services.studio_review(studio=studio, approve="approve" in request.POST, by=request.user, comment=comment)
    except PermissionDenied:
        raise
    except ValidationError as e:
        for m in e.messages:
            messages.error(request, m)
    else:
        messages.success(
            request, _("Application approved.") if "approve" in request.POST else _("Application returned.")
        )
    return redirect(studio.get_desk_url())


@require_POST
@role_required(Role.EDIT_ROLES)
def desk_resubmit(request: HttpRequest, pk: int) -> HttpResponse:
    studio = _editable_studio(request, pk)
    try:
        services.studio_resubmit(studio=studio, by=request.user)
    except ValidationError as e:
        messages.error(request, e.messages[0])
    else:
        messages.success(request, _("Application submitted again."))
    return redirect(studio.get_desk_url())


@require_POST
@role_required(Role.EDIT_ROLES)
def desk_plaque(request: HttpRequest, pk: int) -> HttpResponse:
    studio = _visible_studio(request, pk)
    form = PlaqueForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the date of the plaque ceremony."))
        return redirect(studio.get_desk_url())
    d = form.cleaned_data
    try:
        services.studio_plaque(
            studio=studio,
            on=d["on"],
            by=request.user,
            place=d["place"],
            summary=d["summary"],
            participants=d["participants"] or 0,
        )
    except ValidationError as e:
        messages.error(request, e.messages[0])
    else:
        messages.success(request, _("Plaque ceremony recorded: the studio is active."))
    return redirect(studio.get_desk_url())


@require_POST
@role_required(Role.EDIT_ROLES)
def desk_status(request: HttpRequest, pk: int) -> HttpResponse:
    studio = _visible_studio(request, pk)
    form = ReviewForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    try:
        services.studio_set_status(
            studio=studio, status=request.POST.get("status", ""), by=request.user, comment=comment
        )
    except ValidationError as e:
        messages.error(request, e.messages[0])
    else:
        messages.success(request, _("Status changed."))
    return redirect(studio.get_desk_url())


@role_required(Role.EDIT_ROLES)
def desk_achievement_add(request: HttpRequest, pk: int) -> HttpResponse:
    studio = _editable_studio(request, pk)
    form = AchievementForm(request.POST or None, request.FILES or None, studio=studio)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        fields = {k: v for k, v in d.items() if k not in ("members", "attachment")}
        try:
            services.achievement_add(
                studio=studio, by=request.user, members=d["members"], attachment=d["attachment"], **fields
            )
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            messages.success(request, _("Achievement added."))
            return redirect(studio.get_desk_url())
    elif request.method == "POST":
        messages.error(request, _("Please correct the errors below."))
    return render(
        request,
        "studios/desk_form.html",
        {"form": form, "studio": studio, "heading": _("Add an achievement to {name}").format(name=studio.name)},
    )


@role_required(Role.EDIT_ROLES)
def desk_member_add(request: HttpRequest, pk: int) -> HttpResponse:
    studio = _editable_studio(request, pk)
    form = MemberForm(request.POST or None, request.FILES or None, instance=Member(studio=studio))
    if request.method == "POST" and form.is_valid():
        d = {k: v for k, v in form.cleaned_data.items() if k != "photo_upload"}
        try:
            services.member_add(studio=studio, photo=form.cleaned_data["photo_upload"], **d)
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            messages.success(request, _("Member added."))
            return redirect(studio.get_desk_url())
    elif request.method == "POST":
        messages.error(request, _("Please correct the errors below."))
    return render(
        request,
        "studios/desk_form.html",
        {"form": form, "studio": studio, "heading": _("Add a member to {name}").format(name=studio.name)},
    )


@role_required(Role.EDIT_ROLES)
def desk_photos_add(request: HttpRequest, pk: int) -> HttpResponse:
    studio = _editable_studio(request, pk)
    form = PhotosForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        services.studio_add_photos(
            studio=studio, photos=form.cleaned_data["photos"], caption=form.cleaned_data["caption"]
        )
        messages.success(request, _("Photos added."))
        return redirect(studio.get_desk_url())
    if request.method == "POST":
        messages.error(request, _("Please correct the errors below."))
    return render(
        request,
        "studios/desk_photos.html",
        {"form": form, "studio": studio, "heading": _("Add photos to {name}").format(name=studio.name)},
    )


@role_required(Role.EDIT_ROLES)
def desk_import(request: HttpRequest, pk: int) -> HttpResponse:
    studio = _editable_studio(request, pk)
    form = ImportForm(request.POST or None, request.FILES or None)
    row_errors: list[tuple[int, str]] = []
    if request.method == "POST" and rate_limited(request, scope="studios-import", limit=30, window=3600):
        messages.error(request, _("Too many imports; try again later."))
    elif request.method == "POST" and form.is_valid():
        try:
            n = services.achievements_import(studio=studio, upload=form.cleaned_data["file"], by=request.user)
        except services.AchievementImportError as e:
            row_errors = e.row_errors
            messages.error(request, _("Nothing was imported: correct the rows below and upload again."))
        else:
            messages.success(request, _("{n} achievements imported.").format(n=n))
            return redirect(studio.get_desk_url())
    elif request.method == "POST":
        messages.error(request, _("Please correct the errors below."))
    return render(
        request,
        "studios/desk_import.html",
        {
            "form": form,
            "studio": studio,
            "row_errors": row_errors,
            "columns": services.IMPORT_COLUMNS,
            "types": Achievement.Type.choices,
            "levels": Achievement.Level.choices,
        },
    )


@role_required()
def desk_export(request: HttpRequest, pk: int) -> HttpResponse:
    studio = _visible_studio(request, pk)
    qs = Achievement.objects.visible_to(request.user).filter(studio=studio).prefetch_related("members")
    data = AchievementResource().export(qs)
    response = HttpResponse(data.export("xlsx"), content_type=XLSX)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="achievements-{studio.slug}-{stamp}.xlsx"'
    return response


@role_required()
def desk_targets(request: HttpRequest, pk: int) -> HttpResponse:
    """Yearly targets (set by the studio's union, assessed by the higher union) and support records."""
    studio = _visible_studio(request, pk)
    can_edit, can_review = services.can_edit(request.user, studio), services.can_review(request.user, studio)
    target_form = TargetForm(initial={"year": timezone.localdate().year, "target_count": 1})
    support_form = SupportForm(user=request.user, studio=studio, initial={"date": timezone.localdate()})
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "target":
                target_form = TargetForm(request.POST)
                if target_form.is_valid():
                    services.target_set(studio=studio, by=request.user, **target_form.cleaned_data)
                    messages.success(request, _("Target saved."))
                    return redirect("studios:desk_targets", pk=studio.pk)
            elif action in ("met", "behind"):
                target_pk = request.POST.get("target", "")
                if not target_pk.isdigit():
                    raise Http404
                target = get_object_or_404(YearTarget.objects.filter(studio=studio), pk=target_pk)
                form = AssessForm(request.POST)
                evidence = form.cleaned_data["evidence"] if form.is_valid() else ""
                services.target_assess(target=target, met=action == "met", evidence=evidence, by=request.user)
                messages.success(request, _("Assessment saved."))
                return redirect("studios:desk_targets", pk=studio.pk)
            elif action == "support":
                support_form = SupportForm(request.POST, user=request.user, studio=studio)
                if support_form.is_valid():
                    d = support_form.cleaned_data
                    services.support_add(
                        studio=studio,
                        by=request.user,
                        union=d["union"],
                        kind=d["kind"],
                        date=d["date"],
                        amount=d["amount"],
                        description=d["description"],
                    )
                    messages.success(request, _("Support recorded."))
                    return redirect("studios:desk_targets", pk=studio.pk)
            messages.error(request, _("Please correct the errors below."))
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
    targets = list(studio.targets.all())
    for t in targets:
        t.results = services.year_results(studio=studio, year=t.year)
    return render(
        request,
        "studios/desk_targets.html",
        {
            "studio": studio,
            "targets": targets,
            "can_edit": can_edit,
            "can_review": can_review,
            "target_form": target_form,
            "support_form": support_form,
            "assess_form": AssessForm(),
            "support": services.support_totals(studios=Studio.objects.filter(pk=studio.pk)),
            "records": list(studio.support.select_related("union")[:50]),
            "can_support": support_form.fields["union"].queryset.exists(),
        },
    )
