from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.views.static import serve

from unionportal.core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("stations/", include("stations.urls")),
    path("studios/", include("studios.urls")),
    path("contests/", include("contests.urls")),
    path("desk/", include("welfare.urls")),
    path("", include("unionportal.core.urls")),
]

if settings.SERVE_MEDIA:
    # Uploaded photos; in a multi-machine deployment the web server or object store serves them.
    urlpatterns += [re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})]
