from django.urls import path

from . import views, yearend_views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("activities/", views.activity_feed, name="activity_feed"),
    path("activities/<int:pk>/", views.activity_detail, name="activity_detail"),
    path("desk/", views.desk, name="desk"),
    path("desk/unions/", views.union_search, name="union_search"),
    path("desk/activities/", views.activity_list, name="activity_list"),
    path("desk/activities/export.xlsx", views.activity_export, name="activity_export"),
    path("desk/activities/new/", views.activity_create, name="activity_create"),
    path("desk/activities/<int:pk>/edit/", views.activity_edit, name="activity_edit"),
    path("desk/activities/<int:pk>/publish/", views.activity_publish, name="activity_publish"),
    path("desk/yearend/", yearend_views.yearend, name="yearend"),
    path("desk/yearend/export.xlsx", yearend_views.yearend_export, name="yearend_export"),
]
