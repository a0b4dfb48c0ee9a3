from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.static import serve as static_serve

from . import registry, services
from .decorators import role_required
from .filters import ActivityFilter
from .forms import ActivityForm, SignInForm
from .models import Activity, Role
from .resources import ActivityResource

PAGE_SIZE = 20


def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers and as the benchmarks' baseline: no database, no template."""
    return HttpResponse("ok", content_type="text/plain")


class SignInView(auth_views.LoginView):
    """Django's sign-in page with the portal's form: length-checked username, sign-in throttle."""

    authentication_form = SignInForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error(NON_FIELD_ERRORS, "throttled"):
            response.status_code = 429  # the page says why and for how long
        return response


MEDIA_PATH_MAX = 255


def media(request: HttpRequest, path: str) -> HttpResponse:
    """Uploaded photos when the app serves them itself (SERVE_MEDIA).

    Django's `serve` stats the file as asked: a name longer than the file system allows is an
    OSError (a 500), so an over-long or otherwise unreadable name is a plain 404.
    """
    if len(path) > MEDIA_PATH_MAX or any(len(part) > MEDIA_PATH_MAX for part in path.split("/")):
        raise Http404
    try:
        return static_serve(request, path, document_root=settings.MEDIA_ROOT)
    except OSError as exc:
        raise Http404 from exc


FIGURES_CACHE_SECONDS = 60


def home(request: HttpRequest) -> HttpResponse:
    # Computed from the records, but not on every view: counting a national table for each
    # visitor would make the front page the slowest page of the portal.
    values = cache.get_or_set(
        "home:figures", lambda: {f.key: f.value() for f in registry.FIGURES}, FIGURES_CACHE_SECONDS
    )
    figures = [(f.key, f.label, values[f.key] if f.key in values else f.value()) for f in registry.FIGURES]
    latest = Activity.objects.published().select_related("union")[:6]
    return render(request, "core/home.html", {"figures": figures, "latest": latest})


def activity_feed(request: HttpRequest) -> HttpResponse:
    activities = Activity.objects.published().select_related("union").prefetch_related("photos")
    kind = request.GET.get("kind")
    if kind in Activity.Kind.values:
        activities = activities.filter(kind=kind)
    page = Paginator(activities, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "core/activity_feed.html", {"page": page, "kinds": Activity.Kind.choices, "kind": kind})


def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_object_or_404(Activity.objects.select_related("union").prefetch_related("photos"), pk=pk)
    if not activity.is_published and not Activity.objects.visible_to(request.user).filter(pk=pk).exists():
        raise Http404
    can_edit = Activity.objects.editable_by(request.user).filter(pk=pk).exists()
    return render(request, "core/activity_detail.html", {"activity": activity, "can_edit": can_edit})


@role_required()
def desk(request: HttpRequest) -> HttpResponse:
    # A card whose count is None is not for this user (e.g. welfare files for an officer).
    cards = [(c.label, n, c.url_name) for c in registry.DESK_CARDS if (n := c.count(request.user)) is not None]
    recent = Activity.objects.visible_to(request.user).select_related("union")[:8]
    return render(request, "core/desk.html", {"cards": cards, "recent": recent})


@role_required()
def activity_list(request: HttpRequest) -> HttpResponse:
    qs = Activity.objects.visible_to(request.user).select_related("union")
    flt = ActivityFilter(request.GET, queryset=qs)
    page = Paginator(flt.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "core/activity_list.html", {"filter": flt, "page": page})


@role_required()
def activity_export(request: HttpRequest) -> HttpResponse:
    qs = ActivityFilter(request.GET, queryset=Activity.objects.visible_to(request.user).select_related("union")).qs
    data = ActivityResource().export(qs)
    response = HttpResponse(
        data.export("xlsx"), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="activities-{stamp}.xlsx"'
    return response


@role_required(Role.EDIT_ROLES)
def activity_create(request: HttpRequest) -> HttpResponse:
    form = ActivityForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("union", "photos")}
        activity = services.activity_create(
            union=form.cleaned_data["union"],
            by=request.user,
            photos=form.cleaned_data["photos"],
            publish="publish" in request.POST,
            **data,
        )
        messages.success(request, _("Activity saved."))
        return redirect(activity)
    if request.method == "POST":
        messages.error(request, _("Please correct the errors below."))
    return render(request, "core/activity_form.html", {"form": form})


@role_required(Role.EDIT_ROLES)
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_object_or_404(Activity.objects.editable_by(request.user), pk=pk)
    form = ActivityForm(request.POST or None, request.FILES or None, instance=activity, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.activity_update(
            activity=form.instance, photos=form.cleaned_data["photos"], publish="publish" in request.POST
        )
        messages.success(request, _("Activity saved."))
        return redirect(activity)
    if request.method == "POST":
        messages.error(request, _("Please correct the errors below."))
    return render(request, "core/activity_form.html", {"form": form, "activity": activity})


@require_POST
@role_required(Role.EDIT_ROLES)
def activity_publish(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_object_or_404(Activity.objects.editable_by(request.user), pk=pk)
    published = request.POST.get("published") != "0"
    services.activity_set_published(activity=activity, published=published)
    messages.success(request, _("Activity published.") if published else _("Activity moved back to drafts."))
    return redirect(activity)
