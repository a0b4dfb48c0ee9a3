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
