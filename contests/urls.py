from django.urls import path

from . import labour_views, setup_views, views

app_name = "contests"

urlpatterns = [
    path("", views.contest_list, name="list"),
    path("desk/", views.desk_list, name="desk_list"),
    path("desk/new/", setup_views.contest_new, name="desk_new"),
    path("desk/<slug:slug>/", views.desk_contest, name="desk_contest"),
    path("desk/<slug:slug>/setup/", setup_views.contest_setup, name="desk_setup"),
    path("desk/<slug:slug>/setup/<slug:kind>/", setup_views.part_add, name="desk_part_add"),
    path("desk/<slug:slug>/setup/<slug:kind>/<int:pk>/delete/", setup_views.part_delete, name="desk_part_delete"),
    path("desk/<slug:slug>/entries/<int:pk>/screen/", views.desk_screen, name="desk_screen"),
    path("desk/<slug:slug>/entries/<int:pk>/score/", views.judge_score, name="judge_score"),
    path("desk/<slug:slug>/periods/<int:pk>/scores/", labour_views.period_scores, name="desk_period_scores"),
    path("desk/<slug:slug>/periods/<int:pk>/publish/", labour_views.period_publish, name="desk_period_publish"),
    path("desk/<slug:slug>/compute/", views.desk_compute, name="desk_compute"),
    path("desk/<slug:slug>/publish/", views.desk_publish, name="desk_publish"),
    path("desk/<slug:slug>/results.xlsx", views.desk_export, name="desk_export"),
    path("<slug:slug>/", views.contest_detail, name="detail"),
    path("<slug:slug>/submit/", views.entry_submit, name="submit"),
    path("<slug:slug>/entries/<int:pk>/", views.entry_detail, name="entry"),
    path("<slug:slug>/entries/<int:pk>/files/<int:file_pk>/", views.attachment, name="attachment"),
    path("<slug:slug>/entries/<int:pk>/certificate.pdf", views.certificate, name="certificate"),
    path("<slug:slug>/vote/", views.vote, name="vote"),
    path("<slug:slug>/results/", views.results, name="results"),
]
