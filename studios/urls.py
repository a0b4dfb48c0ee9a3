from django.urls import path

from . import views

app_name = "studios"

urlpatterns = [
    path("", views.studio_list, name="list"),
    path("desk/", views.desk_list, name="desk_list"),
    path("desk/apply/", views.desk_apply, name="desk_apply"),
    path("desk/<int:pk>/", views.desk_detail, name="desk_detail"),
    path("desk/<int:pk>/review/", views.desk_review, name="desk_review"),
    path("desk/<int:pk>/resubmit/", views.desk_resubmit, name="desk_resubmit"),
    path("desk/<int:pk>/plaque/", views.desk_plaque, name="desk_plaque"),
    path("desk/<int:pk>/status/", views.desk_status, name="desk_status"),
    path("desk/<int:pk>/achievements/add/", views.desk_achievement_add, name="desk_achievement_add"),
    path("desk/<int:pk>/achievements/import/", views.desk_import, name="desk_import"),
    path("desk/<int:pk>/achievements/export.xlsx", views.desk_export, name="desk_export"),
    path("desk/<int:pk>/members/", views.desk_members, name="desk_members"),
    path("desk/<int:pk>/members/add/", views.desk_member_add, name="desk_member_add"),
    path("desk/<int:pk>/members/<int:member_pk>/edit/", views.desk_member_edit, name="desk_member_edit"),
    path("desk/<int:pk>/members/<int:member_pk>/remove/", views.desk_member_remove, name="desk_member_remove"),
    path("desk/<int:pk>/leader/", views.desk_leader, name="desk_leader"),
    path("desk/<int:pk>/photos/add/", views.desk_photos_add, name="desk_photos_add"),
    path("desk/<int:pk>/targets/", views.desk_targets, name="desk_targets"),
    path("<slug:slug>/", views.studio_detail, name="detail"),
    path("<slug:slug>/qr.png", views.studio_qr, name="qr"),
]
