from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from api import opendata as api_opendata
from unionportal.core import compression as core_compression
from unionportal.core import formtokens, pwa
from unionportal.core import seo as core_seo
from unionportal.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico whatever the page links; send them to the real icon.
    path("favicon.ico", core_views.favicon),
    # Offline use: the worker must be served from the root for its scope to be the whole site.
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("offline/", pwa.offline, name="offline"),
    path("robots.txt", core_seo.robots_txt),
    # Before the admin's own "view on site" URL, which it replaces with a scoped one.
    path(
        "admin/r/<int:content_type_id>/<path:object_id>/",
        admin.site.admin_view(core_views.admin_view_on_site),
    ),
    # The CSRF token for a form on a cached public page (unionportal.core.formtokens).
    path("csrf/", formtokens.token, name="csrf_token"),
    path("admin/", admin.site.urls),
    path("accounts/login/", core_views.SignInView.as_view(), name="login"),
    path("accounts/logout/", pwa.SignOutView.as_view(), name="logout"),
    path("accounts/", include("accounts.urls")),
    path("members/", include("members.urls")),
    # The language switch is a link (a GET that sets the language cookie), so pages need no form for it.
    path("i18n/lang/<str:code>/", core_compression.switch_language, name="switch_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("stations/", include("stations.urls")),
    path("studios/", include("studios.urls")),
    path("contests/", include("contests.urls")),
    path("desk/", include("welfare.urls")),
    path("api/", include("api.urls")),
    path("stations.geojson", api_opendata.stations_geojson, name="stations_geojson"),
    path("stations.csv", api_opendata.stations_csv, name="stations_csv"),
    path("notifications/", include("notifications.urls")),
    path("", include("unionportal.core.urls")),
]

if settings.SERVE_MEDIA:
    # Uploaded photos; in a multi-machine deployment the web server or object store serves them.
    urlpatterns += [re_path(r"^media/(?P<path>.*)$", core_views.media)]
