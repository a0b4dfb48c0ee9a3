from django.urls import path

from . import views

app_name = "welfare"

urlpatterns = [
    path("welfare/files/", views.file_list, name="file_list"),
    path("welfare/files/new/", views.file_create, name="file_create"),
    path("welfare/files/export.xlsx", views.file_export, name="file_export"),
    path("welfare/files/import/", views.file_import, name="file_import"),
    path("welfare/files/<int:pk>/", views.file_detail, name="file_detail"),
    path("welfare/files/<int:pk>/edit/", views.file_edit, name="file_edit"),
    path("welfare/files/<int:pk>/reveal/", views.file_reveal, name="file_reveal"),
    path("welfare/files/<int:pk>/category/", views.file_category, name="file_category"),
    path("welfare/files/<int:pk>/advance/", views.file_advance, name="file_advance"),
    path("welfare/files/<int:pk>/review/", views.file_review, name="file_review"),
    path("welfare/files/<int:pk>/assistance/", views.file_assistance, name="file_assistance"),
    path("welfare/reviews/", views.review_list, name="review_list"),
    path("welfare/notice/", views.notice_list, name="notice_list"),
    path("welfare/workers/search/", views.worker_search, name="worker_search"),
    path("visits/new/", views.visit_create, name="visit_create"),
    path("welfare/visits/", views.visit_list, name="visit_list"),
    path("welfare/visits/export.csv", views.visit_export, name="visit_export"),
    path("welfare/visits/<int:pk>/", views.visit_detail, name="visit_detail"),
    path("welfare/photos/<int:pk>/<str:size>.jpg", views.visit_photo, name="visit_photo"),
    path("welfare/signatures/<int:pk>.jpg", views.handout_signature, name="handout_signature"),
    path("welfare/campaigns/", views.campaign_list, name="campaign_list"),
    path("welfare/campaigns/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("welfare/campaigns/<int:pk>/handout/<int:employee_pk>/", views.handout_create, name="handout_create"),
    path("welfare/plan/", views.festival_plan, name="festival_plan"),
    path("welfare/report/", views.report, name="report"),
    path("welfare/access-log/", views.access_log, name="access_log"),
]
