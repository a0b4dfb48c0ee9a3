import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unionportal.settings")
django_application = get_wsgi_application()

from unionportal.core.pagecache import HotPages  # noqa: E402 (needs the settings set up above)

# Popular public pages are answered before Django's handler (see unionportal.core.pagecache).
application = HotPages(django_application)
