"""Each event reaches the right people, and nobody outside the subtree."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import Profile
from accounts.sms import file_messages
from contests import services as contest_services
from contests.models import Entry
from notifications import services, tasks
from notifications.models import Event, Notification, Preference
from stations import services as station_services
from stations.models import Inspection, Station
from studios import services as studio_services
from studios.models import Studio
from unionportal.core.models import Role
from unionportal.core.testing import make_user
from welfare.models import HardshipFile

pytestmark = pytest.mark.django_db


def told(event) -> set[str]:
    return set(Notification.objects.filter(event=event).values_list("recipient__username", flat=True))


def test_new_feedback_reaches_the_station_unions_editors_only(
    tree, officer_a, officer_b, chair_a, viewer_a, welfare_a, make_station, committed
):
    station = make_station(union=tree.a, name="Rest stop 1")
    with committed():
        station_services.feedback_submit(station=station, rating=2, problem="water")
    assert told(Event.STATION_FEEDBACK) == {"officer_a", "chair_a"}
    n = Notification.objects.get(recipient=officer_a)
    assert n.text == "New feedback at Rest stop 1"
    assert n.link == "/stations/desk/feedback/"
    assert n.union == tree.a


def test_feedback_below_reaches_editors_above_not_the_sibling(tree, officer_a, officer_b, make_station, committed):
    officer_bg = make_user("officer_bg", role=Role.Kind.OFFICER, union=tree.bg)
    station = make_station(union=tree.bg)
    with committed():
        station_services.feedback_submit(station=station, rating=5)
    assert told(Event.STATION_FEEDBACK) == {"officer_b", "officer_bg"}
    assert officer_bg.notifications.count() == 1


def test_feedback_rolled_back_notifies_nobody(tree, officer_a, make_station, committed):
    station = make_station(union=tree.a)
    with committed(), pytest.raises(ValidationError):
        station_services.feedback_submit(station=station, rating=None)
    assert not Notification.objects.exists()


def test_overdue_review_reaches_welfare_staff_once(tree, welfare_a, welfare_b, officer_a, make_file):
    mine = make_file(union=tree.a1g)
    make_file(union=tree.a1g)  # not yet due
    HardshipFile.objects.filter(pk=mine.pk).update(review_due=timezone.localdate() - dt.timedelta(days=1))
    assert tasks.overdue_reviews() == 1
    assert told(Event.REVIEW_OVERDUE) == {"welfare_a"}
    n = welfare_a.notifications.get()
    assert n.title == f"#{mine.pk}" and "Worker" not in n.text  # no name leaves in a digest or SMS
    assert tasks.overdue_reviews() == 0  # announced once
    assert Notification.objects.count() == 1


def test_studio_submitted_reaches_the_higher_unions_editors(
    tree, officer_a, officer_b, chair_a, make_studio, committed
):
    officer_a1 = make_user("officer_a1", role=Role.Kind.OFFICER, union=tree.a1)
    with committed():
        make_studio(union=tree.a1, status=Studio.Status.APPLYING, published=False, name="Li's studio")
    assert told(Event.STUDIO_SUBMITTED) == {"officer_a", "chair_a"}
    assert not officer_a1.notifications.exists()


def test_studio_returned_and_approved_reach_the_applying_union(tree, officer_a, officer_b, make_studio, committed):
    officer_a1 = make_user("officer_a1", role=Role.Kind.OFFICER, union=tree.a1)
    studio = make_studio(union=tree.a1, status=Studio.Status.APPLYING, published=False)
    with committed():
        studio_services.studio_review(studio=studio, approve=False, comment="Add the results", by=officer_a)
    assert told(Event.STUDIO_RETURNED) == {"officer_a1"}
    studio_services.studio_resubmit(studio=studio, by=officer_a1)
    with committed():
        studio_services.studio_review(studio=studio, approve=True, by=officer_a)
    assert told(Event.STUDIO_APPROVED) == {"officer_a1"}


def test_contest_stage_reaches_entrants_judges_and_voters_of_the_subtree(
    tree, officer_a, officer_b, make_contest, make_entry, make_voter, make_judge
):
    contest = make_contest(stage="results", union=tree.a)
    entrant = make_user("entrant")
    entry = make_entry(contest)
    Entry.objects.filter(pk=entry.pk).update(submitted_by=entrant)
    judge = make_judge("judge1", tree.a1)
    contest_services.judge_assign(contest=contest, judge=judge)
    make_voter("voter_a")  # verified in A1g
    outsider = make_user("voter_b")
    contest_services.voter_verify(user=outsider, union=tree.bg, by=None)
    make_voter("unverified", verified=False)
    assert tasks.contest_stage_announce(contest=contest, stage="results") == 3
    assert told(Event.CONTEST_STAGE) == {"entrant", "judge1", "voter_a"}
    assert tasks.contest_stage_announce(contest=contest, stage="results") == 0  # once per stage


def test_contest_scan_announces_the_stage_that_just_began(tree, make_contest, make_voter):
    contest = make_contest(stage="entry", union=tree.a)  # entries opened a day ago
    make_voter("voter_a")
    assert tasks.contest_stages() == 1
    assert Notification.objects.get().title == f"{contest.title} · Entries open"
    assert tasks.contest_stages() == 0


def test_jury_assignment_reaches_the_judge_only(tree, officer_a, make_contest, make_judge, committed):
    contest = make_contest(stage="entry", union=tree.a)
    judge = make_judge("judge1", tree.a1)
    other = make_judge("judge2", tree.b)
    with committed():
        contest_services.judge_assign(contest=contest, judge=judge)
    with committed():
        contest_services.judge_assign(contest=contest, judge=judge)  # again: no second notification
    assert told(Event.JURY_ASSIGNED) == {"judge1"}
    assert Notification.objects.count() == 1
    assert not other.notifications.exists()


def _age(station: Station, days: int) -> None:
    Station.objects.filter(pk=station.pk).update(created_at=timezone.now() - dt.timedelta(days=days))


def test_stale_station_reaches_its_editors(tree, officer_a, officer_b, chair_a, make_station):
    stale = make_station(union=tree.a1, name="Quiet stop")
    busy = make_station(union=tree.a1, name="Busy stop")
    young = make_station(union=tree.a1, name="New stop")
    _age(stale, 60)
    _age(busy, 60)
    _age(young, 5)
    station_services.checkin_record(station=busy, ip="10.0.0.1")
    assert tasks.stale_stations() == 2
    assert told(Event.STATION_STALE) == {"officer_a", "chair_a"}
    assert set(Notification.objects.values_list("title", flat=True)) == {"Quiet stop"}
    assert tasks.stale_stations() == 0


def test_unfixed_item_reaches_the_editors_after_30_days(tree, officer_a, officer_b, make_station):
    old = make_station(union=tree.a, name="Old fail")
    recent = make_station(union=tree.a, name="Recent fail")
    results = {code: (code != "sign", "") for code, _label in Inspection.Item.choices}
    today = timezone.localdate()
    station_services.inspection_record(station=old, inspected_on=today - dt.timedelta(days=31), results=results)
    station_services.inspection_record(station=recent, inspected_on=today - dt.timedelta(days=3), results=results)
    assert tasks.unfixed_items() == 1
    assert told(Event.ITEM_UNFIXED) == {"officer_a"}
    assert Notification.objects.get().title == "Old fail · Sign"
    assert tasks.unfixed_items() == 0


def test_preferences_choose_the_channels(tree, officer_a, chair_a, make_station, committed):
    services.preferences_save(user=chair_a, choices={}, by=chair_a)  # everything off
    with committed():
        station_services.feedback_submit(station=make_station(union=tree.a), rating=4)
    assert told(Event.STATION_FEEDBACK) == {"officer_a"}
    assert Preference.objects.filter(user=chair_a).count() == len(Event.values)
    # back to the defaults: no rows kept
    services.preferences_save(user=chair_a, choices={e: Preference.default(e) for e in Event.values}, by=chair_a)
    assert not Preference.objects.filter(user=chair_a).exists()


def test_urgent_event_by_sms_to_the_verified_phone(tree, welfare_a, welfare_b, make_file, settings, tmp_path):
    settings.SMS_BACKEND = "accounts.sms.FileBackend"
    settings.SMS_FILE_PATH = tmp_path / "sms"
    Profile.objects.create(user=welfare_a, phone="13800138000")
    Profile.objects.create(user=welfare_b, phone="13900139000")
    f = make_file(union=tree.a1g)
    HardshipFile.objects.filter(pk=f.pk).update(review_due=timezone.localdate() - dt.timedelta(days=3))
    tasks.overdue_reviews()
    sent = file_messages(settings.SMS_FILE_PATH)
    assert [m["phone"] for m in sent] == ["13800138000"]
    assert f"#{f.pk}" in sent[0]["text"]


def test_sms_off_and_not_urgent_send_nothing(
    tree, welfare_a, officer_a, make_file, make_station, settings, tmp_path, committed
):
    settings.SMS_BACKEND = "accounts.sms.FileBackend"
    settings.SMS_FILE_PATH = tmp_path / "sms"
    Profile.objects.create(user=welfare_a, phone="13800138000")
    Profile.objects.create(user=officer_a, phone="13700137000")
    Preference.objects.create(user=welfare_a, event=Event.REVIEW_OVERDUE, sms=False)
    f = make_file(union=tree.a1g)
    HardshipFile.objects.filter(pk=f.pk).update(review_due=timezone.localdate() - dt.timedelta(days=3))
    tasks.overdue_reviews()
    with committed():
        station_services.feedback_submit(station=make_station(union=tree.a), rating=4)
    assert file_messages(settings.SMS_FILE_PATH) == []
    assert welfare_a.notifications.count() == 1


def test_email_digest_one_mail_per_user_then_nothing(tree, officer_a, chair_a, make_station, settings, committed):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    officer_a.email = "officer@example.org"
    officer_a.save()
    Profile.objects.create(user=chair_a, email="chair@example.org")
    Preference.objects.create(user=chair_a, event=Event.STATION_FEEDBACK, email=False)
    with committed():
        station_services.feedback_submit(station=make_station(union=tree.a, name="North stop"), rating=3)
        station_services.feedback_submit(station=make_station(union=tree.a, name="South stop"), rating=3)
    assert tasks.email_digest() == 1
    [message] = mail.outbox
    assert message.to == ["officer@example.org"]
    assert "New feedback at North stop" in message.body and "New feedback at South stop" in message.body
    assert "/stations/desk/feedback/" in message.body
    assert tasks.email_digest() == 0
    assert len(mail.outbox) == 1


def test_digest_in_chinese_by_default(tree, officer_a, make_station, settings, committed):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.LANGUAGE_CODE = "zh-hans"
    officer_a.email = "officer@example.org"
    officer_a.save()
    with committed():
        station_services.feedback_submit(station=make_station(union=tree.a, name="北站"), rating=3)
    services.digest_send()
    assert "北站" in mail.outbox[0].body
    assert "New feedback" not in mail.outbox[0].body


def test_inactive_users_are_not_told(tree, officer_a, make_station, committed):
    officer_a.is_active = False
    officer_a.save()
    with committed():
        station_services.feedback_submit(station=make_station(union=tree.a), rating=3)
    assert not Notification.objects.exists()


def test_unknown_event_refused(tree):
    with pytest.raises(ValueError):
        services.notify_fanout(event="nope", union_id=tree.a.pk, title="x", roles=["officer"])


def test_purge_task_runs_the_retention_rule(tree, make_file, settings):
    f = make_file(union=tree.a1g)
    HardshipFile.objects.filter(pk=f.pk).update(
        status=HardshipFile.Status.CLOSED, closed_on=timezone.localdate() - dt.timedelta(days=6 * 366)
    )
    assert tasks.purge_welfare() == 1  # WELFARE_PURGE_YEARS unset: counted only
    f.refresh_from_db()
    assert f.anonymised_at is None
    settings.WELFARE_PURGE_YEARS = 5
    assert tasks.purge_welfare() == 1
    f.refresh_from_db()
    assert f.anonymised_at is not None


def test_beat_runs_the_retention_purges_of_search_demand_and_accounts(db):
    import datetime as dt

    from django.utils import timezone

    from notifications import tasks
    from stations.models import SearchDemand
    from unionportal.celery import app as celery_app

    scheduled = {e["task"] for e in celery_app.conf.beat_schedule.values()}
    assert {"notifications.purge_search_demand", "notifications.purge_accounts"} <= scheduled
    old = timezone.localdate() - dt.timedelta(days=91)
    SearchDemand.objects.create(cell=1, day=old, searches=7)
    SearchDemand.objects.create(cell=1, day=timezone.localdate(), searches=7)
    assert tasks.purge_search_demand.delay().get() == 1
    assert list(SearchDemand.objects.values_list("day", flat=True)) == [timezone.localdate()]
    assert tasks.purge_accounts.delay().get() == 0
