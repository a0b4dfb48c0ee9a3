"""Activities about a station, studio or contest (issue #14): the link's rules, and the linked
pages listing the published ones at once, also when served from the anonymous page cache."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from contests.models import Contest
from contests.tests.conftest import stages
from stations import services as station_services
from stations.models import Station
from studios import services as studio_services
from studios.models import Member, Studio
from unionportal.core import selectors, services
from unionportal.core.forms import ActivityForm
from unionportal.core.models import Activity
from unionportal.core.testing import make_user

WHEN = timezone.make_aware(dt.datetime(2024, 5, 1, 10, 0))


def _station(union, name="Warm corner", **fields) -> Station:
    defaults = {
        "union": union,
        "name": name,
        "kind": Station.Kind.OUTDOOR,
        "lat": 39.73,
        "lng": 116.14,
        "status": Station.Status.OPEN,
        "is_public": True,
    }
    return station_services.station_save(station=Station(**(defaults | fields)))


def _studio(union, name="Smith studio", slug="smith") -> Studio:
    studio = studio_services.studio_apply(
        union=union,
        by=None,
        leader={"name": "Smith", "education": Member.Education.DOCTORATE, "political_status": Member.Political.PARTY},
        name=name,
        slug=slug,
        kind=Studio.Kind.WORKER,
    )
    Studio.objects.filter(pk=studio.pk).update(status=Studio.Status.ACTIVE, published=True)
    studio.refresh_from_db()
    return studio


def _contest(union, slug="c1") -> Contest:
    return Contest.objects.create(union=union, slug=slug, title=f"Contest {slug}", **stages(timezone.now(), "entry"))


def _create(union, by=None, publish=True, title="Tea with the couriers", **links) -> Activity:
    return services.activity_create(
        union=union, by=by, publish=publish, kind=Activity.Kind.VOLUNTEER, title=title, starts_at=WHEN, **links
    )


# --- The model and the services ---------------------------------------------------------


def test_the_database_refuses_two_links(tree):
    station, studio = _station(tree.a), _studio(tree.a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Activity.objects.create(
            union=tree.a, kind="study", title="Both", starts_at=WHEN, station=station, studio=studio
        )


def test_the_service_refuses_two_links_with_a_message(tree, officer_a):
    station, contest = _station(tree.a), _contest(tree.a)
    with pytest.raises(ValidationError):
        _create(tree.a, by=officer_a, station=station, contest=contest)
    assert not Activity.objects.exists()


@pytest.mark.parametrize("kind", ["station", "studio", "contest"])
def test_a_sibling_unions_record_is_refused_and_nothing_is_saved(tree, officer_a, kind):
    target = {"station": _station, "studio": _studio, "contest": _contest}[kind](tree.b)
    before = target.updated_at
    with translation.override("zh-hans"), pytest.raises(ValidationError) as err:
        _create(tree.a, by=officer_a, **{kind: target})
    assert "工会" in " ".join(err.value.messages)  # a Chinese message
    assert not Activity.objects.exists()
    target.refresh_from_db()
    assert target.updated_at == before
    # The system (a seeder, no user) is held to the union's subtree too.
    with pytest.raises(ValidationError):
        _create(tree.a, by=None, **{kind: target})


def test_an_edit_cannot_relink_to_a_sibling_union(tree, officer_a):
    own, other = _station(tree.a1), _station(tree.b, name="Other")
    activity = _create(tree.a, by=officer_a, station=own)
    activity.station = other
    with pytest.raises(ValidationError):
        services.activity_update(activity=activity, by=officer_a)
    assert Activity.objects.get().station_id == own.pk


def test_a_chair_higher_up_may_link_a_record_of_the_union_above(tree, chair_a):
    station = _station(tree.a)
    activity = _create(tree.a1, by=chair_a, station=station)  # District A's station, Street A1's activity
    assert activity.station == station
    # An officer of Street A1 may not: District A's station is above their scope.
    officer_a1 = make_user("officer_a1", role="officer", union=tree.a1)
    with pytest.raises(ValidationError):
        _create(tree.a1, by=officer_a1, station=station, title="Above")
    assert not Activity.objects.filter(title="Above").exists()


def test_a_forged_link_in_the_desk_form_is_a_field_error(client, tree, officer_a):
    other = _station(tree.b, name="Sibling station")
    client.force_login(officer_a)
    data = {
        "union": tree.a.pk,
        "about": f"station:{other.pk}",
        "kind": "study",
        "title": "Forged",
        "starts_at": "2024-05-01T10:00",
        "participants": "3",
        "publish": "1",
    }
    response = client.post(reverse("core:activity_create"), data)
    assert response.status_code == 200
    assert "about" in response.context["form"].errors
    assert not Activity.objects.exists()
    for value in ("station:abc", "station:99999999999999999999999", "planet:1", "station:"):
        response = client.post(reverse("core:activity_create"), data | {"about": value})
        assert response.status_code == 200 and "about" in response.context["form"].errors
    assert not Activity.objects.exists()


def test_the_desk_form_offers_only_records_in_scope(tree, officer_a):
    mine, below, other = _station(tree.a, name="Mine"), _station(tree.a1g, name="Below"), _station(tree.b, name="Not")
    studio, contest = _studio(tree.a1), _contest(tree.bg)
    form = ActivityForm(user=officer_a)
    values = {value for _group, options in form.fields["about"].choices[1:] for value, _label in options}
    assert values == {f"station:{mine.pk}", f"station:{below.pk}", f"studio:{studio.pk}"}
    assert f"station:{other.pk}" not in values and f"contest:{contest.pk}" not in values


def test_the_desk_form_links_and_relinks(client, tree, officer_a):
    station, studio = _station(tree.a), _studio(tree.a1)
    client.force_login(officer_a)
    data = {
        "union": tree.a.pk,
        "about": f"station:{station.pk}",
        "kind": "study",
        "title": "Linked",
        "starts_at": "2024-05-01T10:00",
        "participants": "3",
        "publish": "1",
    }
    page = client.get(reverse("core:activity_create")).content.decode()
    assert 'name="about"' in page and f'value="station:{station.pk}"' in page and "<optgroup" in page
    assert client.post(reverse("core:activity_create"), data).status_code == 302
    activity = Activity.objects.get()
    assert activity.station == station and activity.is_published
    edit = reverse("core:activity_edit", args=[activity.pk])
    assert f'value="station:{station.pk}" selected' in client.get(edit).content.decode()
    assert client.post(edit, data | {"about": f"studio:{studio.pk}"}).status_code == 302
    activity.refresh_from_db()
    assert activity.studio == studio and activity.station is None
    assert client.post(edit, data | {"about": ""}).status_code == 302
    activity.refresh_from_db()
    assert activity.about is None


# --- The linked pages ---------------------------------------------------------------------


def test_linked_activities_is_one_query_and_published_only(tree, django_assert_num_queries):
    station = _station(tree.a)
    for i in range(7):
        _create(tree.a, title=f"Published {i}", station=station)
    _create(tree.a, title="Draft", station=station, publish=False)
    _create(tree.a, title="Elsewhere")
    with django_assert_num_queries(1):
        shown = selectors.linked_activities(station=station)
    assert len(shown) == 5 and all(a.title.startswith("Published") for a in shown)


def test_publishing_shows_at_once_on_the_cached_station_page(tree, officer_a):
    station = _station(tree.a)
    activity = _create(tree.a, by=officer_a, station=station, publish=False, title="Draft tea")
    visitor = Client()
    url = station.get_absolute_url()
    assert "Draft tea" not in visitor.get(url).content.decode()  # drafts never shown
    # The page is now kept: a change behind the services' back does not show...
    Activity.objects.filter(pk=activity.pk).update(status=Activity.Status.PUBLISHED, published_at=timezone.now())
    assert "Draft tea" not in visitor.get(url).content.decode()
    Activity.objects.filter(pk=activity.pk).update(status=Activity.Status.DRAFT, published_at=None)
    # ... publishing through the service does, on the very next request.
    services.activity_set_published(activity=activity, published=True, by=officer_a)
    page = visitor.get(url).content.decode()
    assert "Draft tea" in page and activity.get_absolute_url() in page and 'id="linked-activities"' in page
    # Taking it back to draft takes it off the page at once.
    services.activity_set_published(activity=activity, published=False, by=officer_a)
    assert "Draft tea" not in visitor.get(url).content.decode()


def test_relinking_and_deleting_refresh_both_cached_pages(tree, officer_a):
    first, second = _station(tree.a, name="First"), _station(tree.a, name="Second")
    activity = _create(tree.a, by=officer_a, station=first, title="Moving tea")
    visitor = Client()
    assert "Moving tea" in visitor.get(first.get_absolute_url()).content.decode()
    assert "Moving tea" not in visitor.get(second.get_absolute_url()).content.decode()
    activity.station = second
    services.activity_update(activity=activity, by=officer_a)
    assert "Moving tea" not in visitor.get(first.get_absolute_url()).content.decode()
    assert "Moving tea" in visitor.get(second.get_absolute_url()).content.decode()
    services.activity_delete(activity=activity, by=officer_a)
    assert "Moving tea" not in visitor.get(second.get_absolute_url()).content.decode()


def test_publishing_shows_at_once_on_the_cached_studio_profile(tree, officer_a):
    studio = _studio(tree.a1)
    activity = _create(tree.a, by=officer_a, studio=studio, publish=False, title="Studio open day")
    visitor = Client()
    url = studio.get_absolute_url()
    assert "Studio open day" not in visitor.get(url).content.decode()
    Activity.objects.filter(pk=activity.pk).update(status=Activity.Status.PUBLISHED, published_at=timezone.now())
    assert "Studio open day" not in visitor.get(url).content.decode()  # the kept page
    Activity.objects.filter(pk=activity.pk).update(status=Activity.Status.DRAFT, published_at=None)
    services.activity_set_published(activity=activity, published=True, by=officer_a)
    assert "Studio open day" in visitor.get(url).content.decode()


def test_the_contest_page_lists_its_activities(client, tree, officer_a):
    contest = _contest(tree.a)
    _create(tree.a, by=officer_a, contest=contest, title="Launch ceremony")
    _create(tree.a, by=officer_a, contest=contest, title="Draft briefing", publish=False)
    page = client.get(contest.get_absolute_url()).content.decode()
    assert "Launch ceremony" in page and "Draft briefing" not in page
    # Publishing the draft shows on the (cached) contest page at once.
    services.activity_set_published(activity=Activity.objects.get(title="Draft briefing"), published=True)
    assert "Draft briefing" in client.get(contest.get_absolute_url()).content.decode()


def test_the_feed_detail_and_api_say_what_it_is_about_when_public(client, tree):
    station = _station(tree.a, name="Open station")
    hidden = _station(tree.a, name="Hidden station", is_public=False)
    shown = _create(tree.a, station=station, title="About the open one")
    _create(tree.a, station=hidden, title="About the hidden one")
    feed = client.get(reverse("core:activity_feed")).content.decode()
    assert "Open station" in feed and station.get_absolute_url() in feed
    assert "Hidden station" not in feed
    detail = client.get(shown.get_absolute_url()).content.decode()
    assert 'id="activity-about"' in detail and station.get_absolute_url() in detail
    rows = {row["title"]: row for row in client.get("/api/v1/activities/").json()["results"]}
    assert rows["About the open one"]["about"] == {
        "type": "station",
        "id": station.pk,
        "name": "Open station",
        "url": station.get_absolute_url(),
    }
    assert rows["About the hidden one"]["about"] is None
    assert {"id", "kind", "title", "starts_at", "union"} <= set(rows["About the open one"])


def test_the_feed_reads_the_links_with_the_rows(client, tree):
    client.force_login(make_user("reader"))  # signed in: never the anonymous page cache
    station = _station(tree.a)
    for i in range(5):
        _create(tree.a, station=station, title=f"Feed {i}")
    client.get(reverse("core:activity_feed"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("core:activity_feed") + "?kind=volunteer")
    _create(tree.a, studio=_studio(tree.a), title="More")
    _create(tree.a, contest=_contest(tree.a), title="Even more")
    with CaptureQueriesContext(connection) as more:
        client.get(reverse("core:activity_feed") + "?kind=volunteer")
    assert len(more) == len(few)


# --- The admin ----------------------------------------------------------------------------


def _admin_post(client, union, **extra):
    data = {
        "union": union.pk,
        "kind": "study",
        "title": "Admin linked",
        "starts_at_0": "2024-01-01",
        "starts_at_1": "10:00",
        "participants": 3,
        "photos-TOTAL_FORMS": 0,
        "photos-INITIAL_FORMS": 0,
    } | extra
    return client.post(reverse("admin:core_activity_add"), data)


def test_the_admin_links_through_the_service(client, tree, superuser, monkeypatch):
    station = _station(tree.a)
    client.force_login(superuser)
    calls = []
    real = services.activity_create
    monkeypatch.setattr(services, "activity_create", lambda **kw: calls.append(kw) or real(**kw))
    assert _admin_post(client, tree.a1, station=station.pk).status_code == 302
    assert calls and calls[0]["station"] == station
    assert Activity.objects.get().station == station
    # Two links: a message on the form, nothing saved, no server error.
    response = _admin_post(client, tree.a1, station=station.pk, studio=_studio(tree.a1).pk, title="Two")
    assert response.status_code == 200 and not Activity.objects.filter(title="Two").exists()
    # A forged id in the raw id field: refused by the form.
    response = _admin_post(client, tree.a1, station=987654, title="Forged")
    assert response.status_code == 200 and not Activity.objects.filter(title="Forged").exists()


def test_zh_hans_labels(client, tree, settings):
    station = _station(tree.a)
    _create(tree.a, station=station, title="Linked")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    page = client.get(station.get_absolute_url()).content.decode()
    assert "相关活动" in page
    detail = client.get(Activity.objects.get().get_absolute_url()).content.decode()
    assert "关联" in detail
    with translation.override("zh-hans"):
        form = ActivityForm(user=None)
        assert str(form.fields["about"].label) == "关联站点、工作室或竞赛"
