from django.urls import path
from django.views.decorators.cache import never_cache

from . import views

app_name = "notifications"

urlpatterns = [
    path("", never_cache(views.notification_list), name="list"),
    path("<int:pk>/open/", views.notification_open, name="open"),
    path("bell/", never_cache(views.bell), name="bell"),
    path("read-all/", views.notification_read_all, name="read_all"),
    path("audit/", never_cache(views.audit_trail), name="audit"),
    path("preferences/", never_cache(views.preferences), name="preferences"),
]
