from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db.models import Count, Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from unionportal.core import pagecache
from unionportal.core.decorators import role_required
from unionportal.core.http import rate_limited
from unionportal.core.ids import parse_id
from unionportal.core.models import Role
from unionportal.core.scoping import holds_any

from . import selectors, services
from .certificates import certificate_pdf
from .eligibility import voter_eligible
from .forms import EntryForm, ScreeningForm
from .models import Contest, Entry, JudgeAssignment, JudgeScore, TeamMember
from .resources import ResultResource

VOTE_RATE_LIMIT = 60  # vote requests per client address per minute, across every server process
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _contest(slug: str) -> Contest:
    return get_object_or_404(Contest.objects.select_related("union"), slug=slug)


def _page_stamp(request: HttpRequest, slug: str, **kwargs) -> tuple | None:
    # The contest's last change (kept a few seconds; page_changed forgets it) and the current
    # slot of PAGE_SECONDS: ballots and stages show within that (None: no such contest, rendered).
    changed = pagecache.kept(services.page_name(slug), lambda: selectors.contest_stamp(slug))
    return None if changed is None else (changed, pagecache.bucket(services.PAGE_SECONDS))


@pagecache.page("contests", lambda request: pagecache.bucket(services.PAGE_SECONDS), fresh=services.PAGE_SECONDS)
def contest_list(request: HttpRequest) -> HttpResponse:
    contests = list(Contest.objects.select_related("union").open_or_past())
    now = timezone.now()
    current = [c for c in contests if c.stage_at(now) != Contest.Stage.RESULTS]
    past = [c for c in contests if c.stage_at(now) == Contest.Stage.RESULTS]
    return render(request, "contests/contest_list.html", {"current": current, "past": past, "now": now})


@pagecache.page("contest", _page_stamp, fresh=services.PAGE_SECONDS)
def contest_detail(request: HttpRequest, slug: str) -> HttpResponse:
    contest = _contest(slug)
    now = timezone.now()
    entries = (
        contest.entries.accepted()
        .select_related("category")
        .prefetch_related(Prefetch("photos"))
        .order_by("category__order", "category_id", "pk")
    )
    vote_open = contest.vote_open(now) and not contest.is_labour
    tally = selectors.vote_tally(contest=contest) if vote_open else {}
    groups = defaultdict(list)
    for entry in entries:
        entry.votes = tally.get(entry.pk, 0)
        groups[entry.category].append(entry)
    categories = [(c, groups.get(c, [])) for c in contest.categories.all()]
    state = selectors.vote_state(contest=contest, user=request.user, now=now) if vote_open else None
    is_voter = voter_eligible(contest=contest, user=request.user) if vote_open else False
    context = {
        "contest": contest,
        "categories": categories,
        "stage": contest.stage_at(now),
        "vote_open": vote_open,
        "vote": state,
        "is_voter": is_voter,
        "accepts_entries": contest.accepts_entries(now),
        "can_manage": Contest.objects.editable_by(request.user).filter(pk=contest.pk).exists(),
    }
    if contest.is_labour:
        context["periods"], context["overall"] = selectors.leaderboard(contest=contest)
    return render(request, "contests/contest_detail.html", context)


@pagecache.page("contest-entry", _page_stamp, fresh=services.PAGE_SECONDS)
def entry_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    contest = _contest(slug)
    entry = get_object_or_404(
        contest.entries.select_related("category").prefetch_related("photos", "attachments", "members__union"), pk=pk
    )
    if not selectors.entry_visible(entry=entry, user=request.user):
        raise Http404
    now = timezone.now()
    vote_open = contest.vote_open(now) and entry.status == Entry.Status.ACCEPTED
    if vote_open:
        entry.votes = selectors.vote_tally(contest=contest, entry_id=entry.pk).get(entry.pk, 0)
    state = selectors.vote_state(contest=contest, user=request.user, now=now) if vote_open else None
    is_voter = vote_open and voter_eligible(contest=contest, user=request.user)
    is_team = request.user.is_authenticated and (
        entry.submitted_by_id == request.user.pk or Entry.objects.visible_to(request.user).filter(pk=pk).exists()
    )
    return render(
        request,
        "contests/entry_detail.html",
        {
            "contest": contest,
            "entry": entry,
            "vote_open": vote_open,
            "vote": state,
            "is_team": is_team,
            "is_voter": is_voter,
            "show_prize": contest.results_published and entry.prize,
        },
    )


def _vote_reply(request, *, contest, entry_id, back, message="", error="") -> HttpResponse:
    """htmx: the entry's vote block in place (the reader keeps their place); else back to the entry."""
    if request.headers.get("HX-Request") == "true" and entry_id is not None:
        entry = contest.entries.accepted().filter(pk=entry_id).first()
        if entry is not None:
            now = timezone.now()
            vote_open = contest.vote_open(now) and not contest.is_labour
            is_voter = voter_eligible(contest=contest, user=request.user)
            context = {
                "contest": contest,
                "entry": entry,
                "vote_open": vote_open,
                "vote": selectors.vote_state(contest=contest, user=request.user, now=now) if vote_open else None,
                "is_voter": is_voter,
                "next_path": back,
                "vote_message": message,
                "vote_error": error,
            }
            return render(request, "contests/_vote_reply.html", context)
    if error:
        messages.error(request, error)
    elif message:
        messages.success(request, message)
    return redirect(f"{back}#entry-{entry_id}" if entry_id is not None else back)


@require_POST
def vote(request: HttpRequest, slug: str) -> HttpResponse:
    contest = _contest(slug)
    back = request.POST.get("next") or contest.get_absolute_url()
    if not back.startswith(f"/contests/{contest.slug}/") or "#" in back or "?" in back:
        back = contest.get_absolute_url()
    if not request.user.is_authenticated:
        messages.error(request, _("Sign in with an account verified by your union to vote."))
        return redirect(f"{reverse('login')}?next={contest.get_absolute_url()}")
    entry_id = parse_id(request.POST.get("entry"))
    reply = {"contest": contest, "entry_id": entry_id, "back": back}
    if rate_limited(request, scope="contests-vote", limit=VOTE_RATE_LIMIT, window=60):
        return _vote_reply(request, **reply, error=_("Too many votes from this address; try again in a minute."))
    if entry_id is None:
        return _vote_reply(request, **reply, error=_("Choose an entry to vote for."))
    try:
        services.ballot_cast(contest=contest, user=request.user, entry_id=entry_id)
    except ValidationError as e:
        return _vote_reply(request, **reply, error=e.messages[0])
    state = selectors.vote_state(contest=contest, user=request.user)
    message = _("Thank you, your vote counts. Votes left: {n}.").format(n=state.remaining)
    return _vote_reply(request, **reply, message=message)


@pagecache.page("contest-results", _page_stamp, fresh=services.PAGE_SECONDS)
def results(request: HttpRequest, slug: str) -> HttpResponse:
    contest = _contest(slug)
    context = {"contest": contest, "published": contest.results_published}
    if contest.is_labour:
        context["periods"], context["overall"] = selectors.leaderboard(contest=contest)
        context["published"] = True
        context["chart"] = {
            "periods": [str(p) for p, _rows in context["periods"]],
            "series": [
                {
                    "name": s.team.name,
                    "data": [
                        next((float(r.total) for r in rows if r.team.pk == s.team.pk), 0)
                        for _p, rows in context["periods"]
                    ],
                }
                for s in context["overall"]
            ],
        }
    elif contest.results_published:
        context["ranking"] = selectors.ranking(contest=contest)
        context["ballots"], context["fingerprint"] = services.chain_fingerprint(contest=contest)
    return render(request, "contests/results.html", context)


CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
}


def attachment(request: HttpRequest, slug: str, pk: int, file_pk: int) -> FileResponse:
    """An entry's attachment, shown exactly as its entry is (never from public /media/)."""
    contest = _contest(slug)
    entry = get_object_or_404(contest.entries, pk=pk)
    if not selectors.entry_visible(entry=entry, user=request.user):
        raise Http404
    item = get_object_or_404(entry.attachments, pk=file_pk)
    suffix = ("." + item.file.name.rsplit(".", 1)[-1].lower()) if "." in item.file.name else ""
    try:
        content_type = CONTENT_TYPES.get(suffix, "application/octet-stream")
        response = FileResponse(item.file.open("rb"), content_type=content_type)
    except FileNotFoundError:
        raise Http404 from None
    response["Content-Disposition"] = f'inline; filename="entry-{entry.pk}-{item.pk}{suffix}"'
    # Never in a shared cache: screening may still turn an accepted entry down.
    response["Cache-Control"] = "private, max-age=600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def certificate(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    contest = _contest(slug)
    entry = get_object_or_404(
        contest.entries.select_related("category", "contest__union").prefetch_related("members"),
        pk=pk,
        status=Entry.Status.ACCEPTED,
    )
    if not contest.results_published or not entry.prize:
        raise Http404
    try:
        pdf = certificate_pdf(entry)
    except ImproperlyConfigured as e:
        return HttpResponse(str(e), status=503, content_type="text/plain")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificate-{contest.slug}-{entry.pk}.pdf"'
    return response


@login_required
def entry_submit(request: HttpRequest, slug: str) -> HttpResponse:
    contest = _contest(slug)
    if contest.is_labour:
        raise Http404
    form = EntryForm(request.POST or None, request.FILES or None, contest=contest)
    if not contest.accepts_entries():
        messages.error(request, _("Entries are not being accepted for this contest now."))
        return redirect(contest)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            entry = services.entry_submit(
                contest=contest,
                by=request.user,
                category=data["category"],
                title=data["title"],
                description=data["description"],
                benefit=data["benefit"],
                benefit_value=data["benefit_value"],
                benefit_unit=data["benefit_unit"],
                members=[services.MemberInput(n, u, is_leader=(i == 0)) for i, (n, u) in enumerate(data["members"])],
                photos=data["photos"],
                attachments=data["attachments"],
            )
        except PermissionDenied as e:
            messages.error(request, str(e) or _("You may not submit entries to this contest."))
        except ValidationError as e:
            messages.error(request, e.messages[0])
        else:
            messages.success(request, _("Your entry was submitted; the organiser will screen it."))
            return redirect(entry)
    return render(request, "contests/entry_form.html", {"contest": contest, "form": form})


# --- Desk (organisers and judges) ---------------------------------------------------------------


@role_required(Role.EDIT_ROLES + (Role.Kind.JUDGE,))
def desk_list(request: HttpRequest) -> HttpResponse:
    contests = Contest.objects.on_desk_of(request.user).select_related("union")
    can_create = holds_any(request.user, Role.EDIT_ROLES)
    return render(request, "contests/desk_list.html", {"contests": contests, "can_create": can_create})


@role_required(Role.EDIT_ROLES + (Role.Kind.JUDGE,))
def desk_contest(request: HttpRequest, slug: str) -> HttpResponse:
    contest = get_object_or_404(Contest.objects.on_desk_of(request.user).select_related("union"), slug=slug)
    now = timezone.now()
    can_manage = Contest.objects.editable_by(request.user).filter(pk=contest.pk).exists()
    assignments = JudgeAssignment.objects.select_related("home_union")
    assignment = assignments.filter(contest=contest, judge=request.user).first()
    if not can_manage and assignment is None:
        raise Http404
    entries = list(
        contest.entries.select_related("category", "submitted_by").prefetch_related(
            Prefetch("members", queryset=TeamMember.objects.select_related("union"))
        )
    )
    scored = set(
        JudgeScore.objects.filter(entry__contest=contest, judge=request.user).values_list("entry_id", flat=True)
    )
    rows = []
    for e in entries:
        conflicted = assignment is not None and services.judge_conflicted(assignment=assignment, entry=e)
        rows.append((e, conflicted, e.pk in scored))
    context = {
        "contest": contest,
        "rows": rows,
        "can_manage": can_manage,
        "assignment": assignment,
        "missing": selectors.scores_missing(contest=contest) if can_manage and not contest.is_labour else [],
        "screening_form": ScreeningForm(),
        "periods": contest.periods.annotate(n_scores=Count("scores")) if can_manage and contest.is_labour else [],
        # The services refuse outside these stages; the desk offers the forms only within them.
        "screening_open": contest.entry_opens <= now < contest.screening_closes,
        "jury_open": contest.vote_closes <= now < contest.jury_closes and not contest.results_published,
    }
    return render(request, "contests/desk_contest.html", context)


def _managed(request: HttpRequest, slug: str) -> Contest:
    return get_object_or_404(Contest.objects.editable_by(request.user).select_related("union"), slug=slug)


@require_POST
@role_required(Role.EDIT_ROLES)
def desk_screen(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    contest = _managed(request, slug)
    entry = get_object_or_404(contest.entries, pk=pk)
    form = ScreeningForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose accept or reject."))
    else:
        try:
            services.entry_screen(
                entry=entry,
                accept=form.cleaned_data["decision"] == "accept",
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
            messages.success(request, _("Screening saved."))
        except ValidationError as e:
            messages.error(request, e.messages[0])
    return redirect("contests:desk_contest", slug=contest.slug)


@role_required((Role.Kind.JUDGE, *Role.EDIT_ROLES))
def judge_score(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    contest = get_object_or_404(Contest.objects.on_desk_of(request.user), slug=slug)
    if not JudgeAssignment.objects.filter(contest=contest, judge=request.user).exists():
        raise Http404
    entry = get_object_or_404(contest.entries.accepted().prefetch_related("members__union"), pk=pk)
    criteria = list(contest.criteria.all())
    current = dict(JudgeScore.objects.filter(entry=entry, judge=request.user).values_list("criterion_id", "score"))
    if request.method == "POST":
        try:
            values = {c.pk: request.POST.get(f"c{c.pk}", "").strip() for c in criteria}
            if any(v == "" for v in values.values()):
                raise ValidationError(_("Score every criterion."))
            services.scores_set(entry=entry, judge=request.user, scores=values)
        except ValidationError as e:
            messages.error(request, e.messages[0])
            current = dict(values)
        else:
            messages.success(request, _("Scores saved."))
            return redirect("contests:desk_contest", slug=contest.slug)
    rows = [(c, current.get(c.pk, "")) for c in criteria]
    return render(request, "contests/judge_score.html", {"contest": contest, "entry": entry, "rows": rows})


@require_POST
@role_required(Role.EDIT_ROLES)
def desk_compute(request: HttpRequest, slug: str) -> HttpResponse:
    contest = _managed(request, slug)
    try:
        services.results_compute(contest=contest, by=request.user)
        messages.success(request, _("Results computed. Check them, then publish."))
    except ValidationError as e:
        messages.error(request, e.messages[0])
    return redirect("contests:desk_contest", slug=contest.slug)


@require_POST
@role_required(Role.EDIT_ROLES)
def desk_publish(request: HttpRequest, slug: str) -> HttpResponse:
    contest = _managed(request, slug)
    publish = request.POST.get("publish") == "1"
    try:
        services.results_publish(contest=contest, by=request.user, publish=publish)
        messages.success(request, _("Results published.") if publish else _("Results withdrawn."))
    except ValidationError as e:
        messages.error(request, e.messages[0])
    return redirect("contests:desk_contest", slug=contest.slug)


@role_required(Role.EDIT_ROLES)
def desk_export(request: HttpRequest, slug: str) -> HttpResponse:
    contest = _managed(request, slug)
    qs = (
        Entry.objects.visible_to(request.user)
        .filter(contest=contest)
        .select_related("contest", "category")
        .prefetch_related("members__union")
        .order_by("category__order", "category_id", "rank", "pk")
    )
    response = HttpResponse(ResultResource().export(qs).export("xlsx"), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="results-{contest.slug}.xlsx"'
    return response
