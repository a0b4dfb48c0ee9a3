from django.urls import path
from django.views.decorators.cache import never_cache

from . import views

# Personal data: no page of welfare may be kept by a browser or proxy cache (photos excepted:
# they are sent as private, and only through the scoped view).

app_name = "welfare"

urlpatterns = [
    path("welfare/files/", never_cache(views.file_list), name="file_list"),
    path("welfare/files/new/", never_cache(views.file_create), name="file_create"),
    path("welfare/files/export.xlsx", never_cache(views.file_export), name="file_export"),
    path("welfare/files/import/", never_cache(views.file_import), name="file_import"),
    path("welfare/files/<int:pk>/", never_cache(views.file_detail), name="file_detail"),
    path("welfare/files/<int:pk>/edit/", never_cache(views.file_edit), name="file_edit"),
    path("welfare/files/<int:pk>/reveal/", never_cache(views.file_reveal), name="file_reveal"),
    path("welfare/files/<int:pk>/category/", never_cache(views.file_category), name="file_category"),
    path("welfare/files/<int:pk>/advance/", never_cache(views.file_advance), name="file_advance"),
    path("welfare/files/<int:pk>/review/", never_cache(views.file_review), name="file_review"),
    path("welfare/files/<int:pk>/assistance/", never_cache(views.file_assistance), name="file_assistance"),
    path("welfare/reviews/", never_cache(views.review_list), name="review_list"),
    path("welfare/notice/", never_cache(views.notice_list), name="notice_list"),
    path("welfare/notice/print/", never_cache(views.notice_print), name="notice_print"),
    path("welfare/workers/search/", never_cache(views.worker_search), name="worker_search"),
    path("visits/new/", never_cache(views.visit_create), name="visit_create"),
    path("welfare/visits/", never_cache(views.visit_list), name="visit_list"),
    path("welfare/visits/export.csv", never_cache(views.visit_export), name="visit_export"),
    path("welfare/visits/<int:pk>/", never_cache(views.visit_detail), name="visit_detail"),
    path("welfare/visits/<int:pk>/print/", never_cache(views.visit_print), name="visit_print"),
    path("welfare/photos/<int:pk>/<str:size>.jpg", views.visit_photo, name="visit_photo"),
    path("welfare/signatures/<int:pk>.jpg", views.handout_signature, name="handout_signature"),
    path("welfare/campaigns/", never_cache(views.campaign_list), name="campaign_list"),
    path("welfare/campaigns/new/", never_cache(views.campaign_form), name="campaign_create"),
    path("welfare/campaigns/<int:pk>/", never_cache(views.campaign_detail), name="campaign_detail"),
    path("welfare/campaigns/<int:pk>/edit/", never_cache(views.campaign_form), name="campaign_edit"),
    path("welfare/campaigns/<int:pk>/signoff/", never_cache(views.campaign_signoff), name="campaign_signoff"),
    path("welfare/campaigns/<int:pk>/items/", never_cache(views.campaign_item_add), name="campaign_item_add"),
    path(
        "welfare/campaigns/<int:pk>/items/<int:item_pk>/receive/",
        never_cache(views.campaign_item_receive),
        name="campaign_item_receive",
    ),
    path("welfare/campaigns/<int:pk>/roster/", never_cache(views.campaign_employee_add), name="campaign_employee_add"),
    path(
        "welfare/campaigns/<int:pk>/roster/<int:employee_pk>/",
        never_cache(views.campaign_employee_edit),
        name="campaign_employee_edit",
    ),
    path(
        "welfare/campaigns/<int:pk>/handout/<int:employee_pk>/",
        never_cache(views.handout_create),
        name="handout_create",
    ),
    path("welfare/plan/", never_cache(views.festival_plan), name="festival_plan"),
    path("welfare/report/", never_cache(views.report), name="report"),
    path("welfare/access-log/", never_cache(views.access_log), name="access_log"),
]
