from django.conf import settings
from django.utils import translation
from django.utils.deprecation import MiddlewareMixin


class PortalLocaleMiddleware(MiddlewareMixin):
    """Simplified Chinese unless the visitor picked another language with the switcher.

    Django's LocaleMiddleware would follow the browser's Accept-Language, which would show
    an officer with an English-language phone the English UI; the portal speaks Chinese by
    default and English on request (the language cookie set by /i18n/setlang/).
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


class RejectNulMiddleware:
    """Answer 400 to a query string or form carrying a NUL character.

    No legitimate input contains one, and PostgreSQL refuses to store or even compare text
    with NUL bytes: left alone, a `?q=%00` reaching a raw filter would be a server error.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.META.get("QUERY_STRING", "") or "%00" in request.META.get("QUERY_STRING", ""):
            return self._bad()
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            try:
                values = [v for _key, vs in request.POST.lists() for v in vs]
            except Exception:  # a malformed body is for Django to report later
                values = []
            if any("\x00" in v for v in values if isinstance(v, str)):
                return self._bad()
        return self.get_response(request)

    @staticmethod
    def _bad():
        from django.http import HttpResponseBadRequest
        from django.utils.translation import gettext as _

        return HttpResponseBadRequest(_("The request contains characters that are not allowed."))
