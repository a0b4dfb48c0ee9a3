from csp.decorators import csp_replace, csp_update
from django.urls import path
from django.views.generic import TemplateView
from drf_spectacular.views import SpectacularAPIView

from . import desk, field, tokens, views

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Redoc (self-hosted, started by a static script) writes its styles into <style> elements:
    # this page alone allows inline styles; scripts stay 'self' only, and images too (Redoc's
    # footer would fetch its logo from Redocly's CDN).
    path(
        "docs/",
        csp_update({"style-src": ["'unsafe-inline'"]})(
            csp_replace({"img-src": ["'self'", "data:"]})(TemplateView.as_view(template_name="api/docs.html"))
        ),
        name="docs",
    ),
    path("v1/stations/", views.station_list, name="station_list"),
    path("v1/stations/nearby/", views.station_nearby, name="station_nearby"),
    path("v1/stations/<int:pk>/", views.station_detail, name="station_detail"),
    path("v1/stations/<int:pk>/hours/", views.station_hours, name="station_hours"),
    path("v1/stations/<int:pk>/checkin/", views.station_checkin, name="station_checkin"),
    path("v1/studios/", views.studio_list, name="studio_list"),
    path("v1/studios/<slug:slug>/", views.studio_profile, name="studio_profile"),
    path("v1/contests/", views.contest_list, name="contest_list"),
    path("v1/contests/<slug:slug>/", views.contest_detail, name="contest_detail"),
    path("v1/contests/<slug:slug>/results/", views.contest_results, name="contest_results"),
    path("v1/activities/", views.activity_list, name="activity_list"),
    path("v1/field/visits/", field.visits, name="visits"),
    path("v1/field/visits/<int:pk>/", field.visit_detail, name="visit_detail"),
    path("v1/field/feedback/", field.feedback_list, name="feedback_list"),
    path("v1/field/feedback/<int:pk>/answer/", field.feedback_answer, name="feedback_answer"),
    path("v1/field/stations/<int:pk>/inspections/", field.inspection_create, name="inspection_create"),
    path("tokens/", desk.token_page, name="token_page"),
    path("tokens/<int:pk>/revoke/", desk.token_page_revoke, name="token_page_revoke"),
    path("v1/tokens/", tokens.tokens, name="tokens"),
    path("v1/tokens/<int:pk>/revoke/", tokens.token_revoke, name="token_revoke"),
]
