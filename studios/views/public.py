from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from unionportal.core import pagecache
from unionportal.core.qr import qr_png_response

from .. import selectors
from ..forms import StudioFilterForm
from ..models import Studio
from ..pagecache import profile_stamp

PAGE_SIZE = 20


def _list_stamp(request: HttpRequest) -> object:
    # The number of public studios and their latest change, kept a few seconds (the studios'
    # writers forget it through services.studio_touch; any change shows within STAMP_TTL).
    return pagecache.kept("studios-list", selectors.public_list_stamp)


@pagecache.page(
    "studios-list",
    _list_stamp,
    params={
        "q": pagecache.text,
        "page": pagecache.page_number,
        "kind": pagecache.choice(*Studio.Kind.values),
        "level": pagecache.choice(*Studio.Level.values),
        "field": pagecache.text,
        "union": pagecache.text,
    },
)
def studio_list(request: HttpRequest) -> HttpResponse:
    unions = selectors.union_choices_for_public()
    form = StudioFilterForm(request.GET or None, fields_of_work=selectors.public_fields_of_work(), unions=unions)
    form.is_valid()  # a bad value in one filter leaves the others working
    studios = selectors.public_studios(filters=getattr(form, "cleaned_data", {}), unions=unions)
    page = Paginator(studios, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "studios/studio_list.html", {"form": form, "page": page})


def _profile_stamp(request: HttpRequest, slug: str) -> object:
    # (pk, updated_at) of a public studio, None otherwise (rendered: a 404), kept a few seconds:
    # the writers of what the profile shows move updated_at and forget it (studio_touch), and
    # any change shows within STAMP_TTL.
    return pagecache.kept(f"studio-slug:{slug}", lambda: profile_stamp(slug))


@pagecache.page("studio", _profile_stamp)
def studio_detail(request: HttpRequest, slug: str) -> HttpResponse:
    profile = selectors.public_profile(slug=slug)
    if profile is None:
        raise Http404
    return render(request, "studios/studio_detail.html", profile)


def studio_qr(request: HttpRequest, slug: str) -> HttpResponse:
    if not Studio.objects.public().filter(slug=slug).exists():
        raise Http404
    return qr_png_response(request.build_absolute_uri(Studio(slug=slug).get_absolute_url()))
