"""robots.txt: the public pages may be indexed; desks, accounts and the back office not."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

ROBOTS = """User-agent: *
Disallow: /admin/
Disallow: /desk/
Disallow: /accounts/
Disallow: /members/
Disallow: /notifications/
Disallow: /i18n/
Disallow: /stations/desk/
Disallow: /studios/desk/
Disallow: /contests/desk/
"""


@require_GET
@cache_control(max_age=86400, public=True)
def robots_txt(request: HttpRequest) -> HttpResponse:
    return HttpResponse(ROBOTS, content_type="text/plain; charset=utf-8")
