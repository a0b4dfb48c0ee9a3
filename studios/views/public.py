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


def studio_list(request: HttpRequest) -> HttpResponse:
    if pagecache.cacheable(request):
        # The unfiltered first page, stamped with the latest change and the number of studios.
        return pagecache.serve(request, "studios-list", selectors.public_list_stamp(), lambda: _studio_list(request))
    return _studio_list(request)


def _studio_list(request: HttpRequest) -> HttpResponse:
    unions = selectors.union_choices_for_public()
    form = StudioFilterForm(request.GET or None, fields_of_work=selectors.public_fields_of_work(), unions=unions)
    form.is_valid()  # a bad value in one filter leaves the others working
    studios = selectors.public_studios(filters=getattr(form, "cleaned_data", {}), unions=unions)
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
    profile = selectors.public_profile(slug=slug)
    if profile is None:
        raise Http404
    return render(request, "studios/studio_detail.html", profile)


def studio_qr(request: HttpRequest, slug: str) -> HttpResponse:
    if not Studio.objects.public().filter(slug=slug).exists():
        raise Http404
    return qr_png_response(request.build_absolute_uri(Studio(slug=slug).get_absolute_url()))
