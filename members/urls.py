from django.urls import path

from . import views

app_name = "members"

urlpatterns = [
    path("", views.member_list, name="member_list"),
    path("new/", views.member_new, name="member_new"),
    path("export.xlsx", views.member_export, name="member_export"),
    path("import/", views.member_import, name="member_import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("invite/", views.member_invite, name="member_invite"),
    path("<int:pk>/", views.member_detail, name="member_detail"),
    path("<int:pk>/edit/", views.member_edit, name="member_edit"),
    path("<int:pk>/status/", views.member_status, name="member_status"),
    path("<int:pk>/transfer/", views.transfer_release, name="transfer_release"),
    path("transfers/", views.transfer_list, name="transfer_list"),
    path("transfers/<int:pk>/<slug:decision>/", views.transfer_decide, name="transfer_decide"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_new, name="user_new"),
    path("users/<int:pk>/", views.user_detail, name="user_detail"),
    path("users/<int:pk>/deactivate/", views.user_deactivate, name="user_deactivate"),
    path("roles/<int:pk>/remove/", views.role_remove, name="role_remove"),
]
