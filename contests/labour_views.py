"""Desk: labour-competition (六比) scores per period, and the publish step before a period's
standings go on the public leaderboard. Writes go through contests.services."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from unionportal.core.decorators import role_required
from unionportal.core.models import Role

from . import services
from .models import Contest, Period, TeamScore


def _period(request: HttpRequest, slug: str, pk: int) -> Period:
    contest = get_object_or_404(Contest.objects.editable_by(request.user).select_related("union"), slug=slug)
    if not contest.is_labour:
        raise Http404
    period = get_object_or_404(Period.objects.select_related("contest__union"), contest=contest, pk=pk)
    return period


@role_required(Role.EDIT_ROLES)
def period_scores(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    period = _period(request, slug, pk)
    contest = period.contest
    teams = list(contest.teams.select_related("union"))
    criteria = list(contest.criteria.all())
    values = {
        (s.team_id, s.criterion_id): s.score
        for s in TeamScore.objects.filter(period=period).only("team_id", "criterion_id", "score")
    }
    error = ""
    if request.method == "POST":
        posted = {(t.pk, c.pk): request.POST.get(f"s-{t.pk}-{c.pk}", "").strip() for t in teams for c in criteria}
        try:
            services.team_scores_set(period=period, scores=posted, by=request.user)
        except ValidationError as e:
            error = e.messages[0]
            values = posted
        else:
            messages.success(request, _("Scores saved."))
            return redirect(reverse("contests:desk_contest", args=[contest.slug]) + "#periods")
    rows = [(t, [(c, f"s-{t.pk}-{c.pk}", values.get((t.pk, c.pk), "")) for c in criteria]) for t in teams]
    context = {"contest": contest, "period": period, "rows": rows, "error": error}
    return render(request, "contests/desk_period_scores.html", context, status=400 if error else 200)


@require_POST
@role_required(Role.EDIT_ROLES)
def period_publish(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    period = _period(request, slug, pk)
    publish = request.POST.get("publish") == "1"
    try:
        services.period_publish(period=period, by=request.user, publish=publish)
    except ValidationError as e:
        messages.error(request, e.messages[0])
    else:
        messages.success(request, _("Period published.") if publish else _("Period withdrawn."))
    return redirect(reverse("contests:desk_contest", args=[period.contest.slug]) + "#periods")
