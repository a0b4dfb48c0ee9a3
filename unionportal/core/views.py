from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.static import serve as static_serve

from . import pagecache, selectors, services
from .decorators import role_required
from .filters import ActivityFilter
from .forms import ActivityForm, SignInForm
from .ids import parse_id
from .models import Activity, Role
from .resources import ActivityResource
from .scoping import holds_any

PAGE_SIZE = 20


def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers and as the benchmarks' baseline: no database, no template."""
    return HttpResponse("ok", content_type="text/plain")


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page links: send them to the real icon."""
    return redirect(static("img/favicon.ico"), permanent=True)


class SignInView(auth_views.LoginView):
    """Django's sign-in page with the portal's form: length-checked username, sign-in throttle."""

    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        # Without a safe `next`: staff (any role) to their desk, a member with no role to their account.
        if holds_any(self.request.user, None):
            return reverse("core:desk")
        return account_url()

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error(NON_FIELD_ERRORS, "throttled"):
            response.status_code = 429  # the page says why and for how long
        return response


def admin_view_on_site(request: HttpRequest, content_type_id: int, object_id: str) -> HttpResponse:
    """The back office's "view on site" redirect (/admin/r/<ct>/<id>/), for objects the user may
    view through that model's admin only: Django's own view redirects to any object, which
    reveals what its address says (e.g. the slug of another union's unpublished record)."""
    from django.contrib import admin
    from django.contrib.admin.utils import unquote
    from django.contrib.contenttypes.models import ContentType
    from django.contrib.contenttypes.views import shortcut

    try:
        model = ContentType.objects.get_for_id(content_type_id).model_class()
    except ContentType.DoesNotExist as exc:
        raise Http404 from exc
    model_admin = admin.site._registry.get(model)
    if model_admin is None:
        raise Http404
    obj = model_admin.get_object(request, unquote(object_id))  # None for a malformed or foreign id
    if obj is None or not model_admin.has_view_permission(request, obj):
        raise Http404
    return shortcut(request, content_type_id, object_id)


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


def activities_stamp() -> object:
    """Any write to an activity, and the number published: kept for a few seconds (pagecache)."""
    return pagecache.kept("activities", selectors.activities_stamp)


@pagecache.page(
    "home", lambda request: (activities_stamp(), pagecache.bucket(selectors.FIGURES_CACHE_SECONDS)), fresh=60
)
def home(request: HttpRequest) -> HttpResponse:
    context = {"figures": selectors.home_figures(), "latest": selectors.latest_activities()}
    return render(request, "core/home.html", context)


@pagecache.page(
    "activities",
    lambda request: activities_stamp(),
    params={"page": pagecache.page_number, "kind": pagecache.choice(*Activity.Kind.values)},
)
def activity_feed(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind")
    page = Paginator(selectors.activity_feed(kind=kind), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "core/activity_feed.html", {"page": page, "kinds": Activity.Kind.choices, "kind": kind})


def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity, can_edit = selectors.activity_for_page(pk=pk, user=request.user)
    if activity is None:
        raise Http404
    return render(request, "core/activity_detail.html", {"activity": activity, "can_edit": can_edit})


def account_url() -> str:
    """The signed-in member's own page (the accounts app's home)."""
    try:
        return reverse("accounts:home")
    except NoReverseMatch:  # the accounts app without its pages yet
        return "/accounts/"


@login_required
@require_GET
def union_search(request: HttpRequest) -> JsonResponse:
    """GET /desk/unions/?q=&roles=&within= -> {"results": [{"id", "name", "parent"}]}: the
    unions of the user's scope whose name holds q, for the search box of a large union
    dropdown (unionportal.core.unionchoice). A form still checks the union it gets."""
    roles = [kind for kind in request.GET.get("roles", "").split(",") if kind] or None
    if roles is not None and not set(roles) <= set(Role.Kind.values):
        return JsonResponse({"error": _("Unknown role."), "code": "bad_roles"}, status=400)
    raw_within = request.GET.get("within", "")
    within = parse_id(raw_within) if raw_within else None
    if raw_within and within is None:
        return JsonResponse({"error": _("Not a union's number."), "code": "bad_within"}, status=400)
    q = request.GET.get("q", "")[: selectors.UNION_SEARCH_MAX_Q]
    found = selectors.union_search(user=request.user, roles=roles, q=q, within_id=within)
    return JsonResponse({"results": found})


@login_required
def desk(request: HttpRequest) -> HttpResponse:
    if not holds_any(request.user, None):
        # A member with no role has no desk: their own account page, never a refusal.
        return redirect(account_url())
    cards = selectors.desk_cards(user=request.user)
    recent = selectors.recent_activities(user=request.user)
    main, links = selectors.desk_actions(user=request.user)
    context = {"cards": cards, "recent": recent, "main_action": main, "actions": links}
    return render(request, "core/desk.html", context)


@role_required()
def activity_list(request: HttpRequest) -> HttpResponse:
    # The page's unions after the page (prefetch), not joined before the LIMIT (see recent_activities).
    qs = Activity.objects.visible_to(request.user).prefetch_related("union")
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
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("union", "photos", "about")}
        activity = services.activity_create(
            union=form.cleaned_data["union"],
            by=request.user,
            photos=form.cleaned_data["photos"],
            publish="publish" in request.POST,
            **data,
            **form.link_fields(),
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
            activity=form.instance,
            by=request.user,
            photos=form.cleaned_data["photos"],
            publish="publish" in request.POST,
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
    services.activity_set_published(activity=activity, published=published, by=request.user)
    messages.success(request, _("Activity published.") if published else _("Activity moved back to drafts."))
    return redirect(activity)
