from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.home, name="home"),
    path("activate/", views.activate, name="activate"),
    path("activate/code/", views.activate_confirm, name="activate_confirm"),
    path("signup/", views.signup, name="signup"),
    path("signup/code/", views.signup_confirm, name="signup_confirm"),
    path("reset/", views.password_reset, name="password_reset"),
    path("reset/code/", views.password_reset_confirm, name="password_reset_confirm"),
    path("profile/", views.profile, name="profile"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("data/", views.my_data, name="data"),
    path("data.json", views.my_data_json, name="data_json"),
    path("sessions/", views.sessions, name="sessions"),
    path("sessions/end/", views.sessions_end, name="sessions_end"),
    path("delete/", views.delete, name="delete"),
]
