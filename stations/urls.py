from django.urls import path

from . import views

app_name = "stations"

urlpatterns = [
    path("", views.finder, name="finder"),
    path("nearby", views.nearby, name="nearby"),
    path("stats/", views.stats, name="stats"),
    path("stats/export.xlsx", views.stats_export, name="stats_export"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/qr.png", views.qr_png, name="qr"),
    path("<int:pk>/feedback/", views.feedback, name="feedback"),
    path("<int:pk>/checkin/", views.checkin, name="checkin"),
    path("desk/", views.desk_list, name="desk_list"),
    path("desk/new/", views.station_new, name="station_new"),
    path("desk/<int:pk>/", views.desk_station, name="desk_station"),
    path("desk/<int:pk>/edit/", views.station_edit, name="station_edit"),
    path("desk/<int:pk>/hours/", views.station_hours, name="station_hours"),
    path("desk/<int:pk>/inspection/", views.inspection_new, name="inspection_new"),
    path("desk/feedback/", views.inbox, name="inbox"),
    path("desk/feedback/<int:pk>/", views.feedback_answer, name="feedback_answer"),
    path("desk/coverage/", views.coverage, name="coverage"),
]
