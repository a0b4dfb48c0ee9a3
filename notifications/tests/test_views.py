"""The desk: the bell, the list (own notifications only), open, mark all read, preferences."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from notifications.models import Event, Notification, Preference
from unionportal.celery import app as celery_app

pytestmark = pytest.mark.django_db


def note(user, title="Stop 1", link="/stations/desk/feedback/", **fields):
    return Notification.objects.create(recipient=user, event=Event.STATION_FEEDBACK, title=title, link=link, **fields)


def test_without_redis_tasks_run_eagerly():
    assert celery_app.conf.task_always_eager is True
    assert celery_app.conf.broker_url == "memory://localhost/"
    assert "notifications.overdue_reviews" in {e["task"] for e in celery_app.conf.beat_schedule.values()}


def test_bell_counts_unread_desk_notifications(officer_a, officer_b):
    note(officer_a)
    note(officer_a, read_at="2026-01-01T00:00Z")
    note(officer_a, on_desk=False)  # email only
    note(officer_b)
    request = RequestFactory().get("/")
    request.user = officer_a
    html = Template("{% load notifications %}{% notification_bell %}").render(Context({"request": request}))
    assert 'data-unread="1"' in html and reverse("notifications:list") in html


def test_list_shows_only_mine(client, officer_a, officer_b):
    note(officer_a, title="Mine")
    note(officer_b, title="Theirs")
    client.force_login(officer_a)
    page = client.get(reverse("notifications:list")).content.decode()
    assert "New feedback at Mine" in page and "Theirs" not in page


def test_open_marks_read_and_follows_the_link(client, officer_a):
    n = note(officer_a)
    client.force_login(officer_a)
    response = client.post(reverse("notifications:open", args=[n.pk]), {"follow": "1"})
    assert response.status_code == 302 and response["Location"] == "/stations/desk/feedback/"
    n.refresh_from_db()
    assert n.read_at is not None


def test_open_of_another_users_notification_is_404(client, officer_a, officer_b):
    n = note(officer_b)
    client.force_login(officer_a)
    assert client.post(reverse("notifications:open", args=[n.pk])).status_code == 404
    assert client.get(reverse("notifications:open", args=[n.pk])).status_code == 405
    n.refresh_from_db()
    assert n.read_at is None


def test_open_never_follows_an_outside_link(client, officer_a):
    n = note(officer_a, link="https://evil.example/")
    client.force_login(officer_a)
    response = client.post(reverse("notifications:open", args=[n.pk]), {"follow": "1"})
    assert response["Location"] == reverse("notifications:list")


def test_mark_all_read(client, officer_a, officer_b):
    note(officer_a)
    note(officer_a)
    other = note(officer_b)
    client.force_login(officer_a)
    client.post(reverse("notifications:read_all"))
    assert not Notification.objects.filter(recipient=officer_a, read_at__isnull=True).exists()
    other.refresh_from_db()
    assert other.read_at is None


def test_preferences_page_saves_the_choices(client, officer_a):
    client.force_login(officer_a)
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert 'name="review_overdue-sms"' in page and 'name="station_feedback-sms"' not in page
    data = {f"{e}-{c}": "on" for e in Event.values for c in ("desk", "email")}
    del data["station_feedback-email"]
    data["station_feedback-sms"] = "on"  # not offered for this event: ignored
    client.post(reverse("notifications:preferences"), data)
    pref = Preference.objects.get(user=officer_a, event=Event.STATION_FEEDBACK)
    assert (pref.desk, pref.email, pref.sms) == (True, False, False)
    # the urgent events' SMS was left unticked: saved off
    assert Preference.objects.get(user=officer_a, event=Event.REVIEW_OVERDUE).sms is False


def test_pages_need_sign_in(client):
    assert client.get(reverse("notifications:list")).status_code == 302
    assert client.get(reverse("notifications:preferences")).status_code == 302


def test_list_in_chinese(client, officer_a, settings):
    note(officer_a, title="北站")
    client.force_login(officer_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    page = client.get(reverse("notifications:list")).content.decode()
    assert "站点新反馈：北站" in page and "全部标为已读" in page


def test_no_other_catalogue_overrides_our_chinese():
    from tests.test_language import test_no_other_catalogue_overrides_our_translations as check

    check("notifications/locale")


def test_menu_bell_costs_pages_no_query_and_counts_when_fetched(client, officer_a, officer_b):
    note(officer_a)
    note(officer_b)
    client.force_login(officer_a)
    page = client.get(reverse("core:desk")).content.decode()
    assert f'data-hx-get="{reverse("notifications:bell")}"' in page and "data-unread" not in page
    bell = client.get(reverse("notifications:bell")).content.decode()
    assert 'data-unread="1"' in bell
    client.logout()
    assert client.get(reverse("notifications:bell")).status_code == 302
    assert "notifications:bell" not in client.get("/").content.decode()
