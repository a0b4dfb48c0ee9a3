"""Desk: set up a contest (its own fields and dates, categories, criteria, jury) without the admin.

Every write goes through contests.services (contest_save, contest_part_save, contest_part_delete),
which hold the stage and date rules; the forms only parse input."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from unionportal.core.decorators import role_required
from unionportal.core.models import Role

from . import services
from .forms import CategoryForm, ContestSetupForm, CriterionForm, JudgeForm, PeriodForm, TeamForm
from .models import Category, Contest, Criterion, JudgeAssignment, Period, Team

PARTS = {
    "category": (Category, CategoryForm),
    "criterion": (Criterion, CriterionForm),
    "judge": (JudgeAssignment, JudgeForm),
    "team": (Team, TeamForm),
    "period": (Period, PeriodForm),
}
NEEDS_USER = {"judge", "team"}
RELATED = {"judge": ("judge",), "team": ("union",)}


def _managed(request: HttpRequest, slug: str) -> Contest:
    return get_object_or_404(Contest.objects.editable_by(request.user).select_related("union"), slug=slug)


def _part_form(kind: str, request: HttpRequest, data=None, instance=None):
    _model, form_class = PARTS[kind]
    kwargs = {"user": request.user} if kind in NEEDS_USER else {}
    return form_class(data, instance=instance, prefix=kind, **kwargs)


def _save_contest(request: HttpRequest, form: ContestSetupForm) -> Contest | None:
    if not form.is_valid():
        return None
    try:
        return services.contest_save(contest=form.instance, by=request.user)
    except PermissionDenied:
        form.add_error("union", _("You may only organise contests of your own unions."))
    except ValidationError as e:
        form.add_error(None, e)
    return None


def _page(request, contest, form, part_forms=None, status=200) -> HttpResponse:
    part_forms = part_forms or {}
    context = {"contest": contest, "form": form}
    if contest is not None:
        context["parts"] = [
            (
                kind,
                model._meta.verbose_name_plural,
                list(model.objects.filter(contest=contest).select_related(*RELATED.get(kind, ()))),
                part_forms.get(kind) or _part_form(kind, request),
            )
            for kind, (model, _form) in PARTS.items()
            if kind not in ({"category"} if contest.is_labour else {"team", "period"})
        ]
    return render(request, "contests/desk_setup.html", context, status=status)


@role_required(Role.EDIT_ROLES)
def contest_new(request: HttpRequest) -> HttpResponse:
    form = ContestSetupForm(request.POST or None, user=request.user)
    if request.method == "POST":
        contest = _save_contest(request, form)
        if contest is not None:
            messages.success(request, _("Contest saved. Add its categories, criteria and jury."))
            return redirect("contests:desk_setup", slug=contest.slug)
    return _page(request, None, form)


@role_required(Role.EDIT_ROLES)
def contest_setup(request: HttpRequest, slug: str) -> HttpResponse:
    contest = _managed(request, slug)
    form = ContestSetupForm(request.POST or None, instance=contest, user=request.user)
    if request.method == "POST":
        saved = _save_contest(request, form)
        if saved is not None:
            messages.success(request, _("Contest saved."))
            return redirect("contests:desk_setup", slug=saved.slug)
        contest.refresh_from_db()  # the form changed the instance; the page shows what is stored
    return _page(request, contest, form)


@require_POST
@role_required(Role.EDIT_ROLES)
def part_add(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    contest = _managed(request, slug)
    if kind not in PARTS:
        raise Http404
    model, _form = PARTS[kind]
    form = _part_form(kind, request, data=request.POST, instance=model(contest=contest))
    if form.is_valid():
        try:
            services.contest_part_save(part=form.instance, by=request.user)
        except ValidationError as e:
            form.add_error(None, e.messages[0])
        else:
            messages.success(request, _("Saved."))
            return redirect(f"{reverse('contests:desk_setup', args=[contest.slug])}#{kind}")
    return _page(request, contest, ContestSetupForm(instance=contest, user=request.user), {kind: form}, status=400)


@require_POST
@role_required(Role.EDIT_ROLES)
def part_delete(request: HttpRequest, slug: str, kind: str, pk: int) -> HttpResponse:
    contest = _managed(request, slug)
    if kind not in PARTS:
        raise Http404
    model, _form = PARTS[kind]
    part = get_object_or_404(model, contest=contest, pk=pk)
    try:
        services.contest_part_delete(part=part, by=request.user)
        messages.success(request, _("Removed."))
    except ValidationError as e:
        messages.error(request, e.messages[0])
    return redirect(f"{reverse('contests:desk_setup', args=[contest.slug])}#{kind}")
