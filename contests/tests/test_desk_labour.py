import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from contests import selectors, services
from contests.models import Contest, Period, Team, TeamScore

pytestmark = pytest.mark.django_db


@pytest.fixture
def labour(make_contest, tree):
    contest = make_contest("results", kind=Contest.Kind.LABOUR, slug="lab")
    teams = [Team.objects.create(contest=contest, name=n, union=tree.a1) for n in ("Alpha", "Beta")]
    q1 = Period.objects.create(
        contest=contest, name="一季度", starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 3, 31)
    )
    q2 = Period.objects.create(
        contest=contest, name="二季度", starts_on=dt.date(2026, 4, 1), ends_on=dt.date(2026, 6, 30)
    )
    return contest, teams, q1, q2


def _grid(contest, teams, values):
    novelty, use = contest.criteria.all()
    data = {}
    for team, (n, u) in zip(teams, values, strict=True):
        data[f"s-{team.pk}-{novelty.pk}"] = n
        data[f"s-{team.pk}-{use.pk}"] = u
    return data


def test_desk_enters_a_periods_scores_all_or_nothing(client, officer_a, labour):
    contest, teams, q1, _q2 = labour
    client.force_login(officer_a)
    url = reverse("contests:desk_period_scores", args=[contest.slug, q1.pk])
    assert client.get(url).status_code == 200
    # One bad cell (Use max 50; "²" is no number): nothing saved, the message shown.
    for bad in ("51", "²", "nan"):
        response = client.post(url, _grid(contest, teams, [("90", "40"), ("80", bad)]))
        assert response.status_code == 400 and not TeamScore.objects.exists()
        assert 'id="score-error"' in response.content.decode()
    response = client.post(url, _grid(contest, teams, [("90", "40"), ("80", "")]))
    assert response.status_code == 302
    assert TeamScore.objects.filter(period=q1).count() == 3


def test_public_leaderboard_shows_only_published_periods(client, officer_a, labour):
    contest, teams, q1, q2 = labour
    novelty = contest.criteria.get(name="Novelty")
    for period in (q1, q2):
        services.team_score_set(team=teams[0], period=period, criterion=novelty, score=90, by=officer_a)
    results = reverse("contests:results", args=[contest.slug])
    assert "一季度" not in client.get(results).content.decode()
    assert selectors.leaderboard(contest=contest)[0] == []
    client.force_login(officer_a)
    publish = reverse("contests:desk_period_publish", args=[contest.slug, q1.pk])
    assert client.post(publish, {"publish": "1"}).status_code == 302
    client.logout()
    html = client.get(results).content.decode()
    assert "一季度" in html and "二季度" not in html
    periods, overall = selectors.leaderboard(contest=contest)
    assert [p.name for p, _rows in periods] == ["一季度"]
    assert overall[0].total == Decimal("54.000")  # first quarter only: 90 × 60%


def test_published_period_is_locked_until_withdrawn(client, officer_a, labour):
    contest, teams, q1, _q2 = labour
    novelty = contest.criteria.get(name="Novelty")
    services.team_score_set(team=teams[0], period=q1, criterion=novelty, score=90, by=officer_a)
    services.period_publish(period=q1, by=officer_a)
    with pytest.raises(ValidationError):
        services.team_score_set(team=teams[0], period=q1, criterion=novelty, score=10, by=officer_a)
    client.force_login(officer_a)
    url = reverse("contests:desk_period_scores", args=[contest.slug, q1.pk])
    response = client.post(url, _grid(contest, teams, [("10", "10"), ("", "")]))
    assert response.status_code == 400 and "withdraw it before changing its scores" in response.content.decode()
    assert TeamScore.objects.get().score == 90
    services.period_publish(period=q1, by=officer_a, publish=False)
    assert client.post(url, _grid(contest, teams, [("10", "10"), ("", "")])).status_code == 302
    assert TeamScore.objects.get(criterion=novelty).score == 10


def test_publishing_an_empty_period_is_refused(officer_a, labour):
    _contest, _teams, q1, _q2 = labour
    with pytest.raises(ValidationError):
        services.period_publish(period=q1, by=officer_a)
    q1.refresh_from_db()
    assert not q1.published


def test_sibling_union_gets_404_and_viewer_no_access(client, officer_b, viewer_a, labour):
    contest, teams, q1, _q2 = labour
    for user in (officer_b, viewer_a):
        client.force_login(user)
        assert client.get(reverse("contests:desk_period_scores", args=[contest.slug, q1.pk])).status_code in (403, 404)
        response = client.post(reverse("contests:desk_period_publish", args=[contest.slug, q1.pk]), {"publish": "1"})
        assert response.status_code in (403, 404)
    client.force_login(officer_b)
    assert client.get(reverse("contests:desk_period_scores", args=[contest.slug, q1.pk])).status_code == 404
    q1.refresh_from_db()
    assert not q1.published


def test_score_grid_and_desk_queries_do_not_grow_with_teams(client, officer_a, labour, tree):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    contest, teams, q1, q2 = labour
    client.force_login(officer_a)
    urls = [
        reverse("contests:desk_period_scores", args=[contest.slug, q1.pk]),
        reverse("contests:desk_contest", args=[contest.slug]),
    ]
    before = []
    for url in urls:
        client.get(url)
        with CaptureQueriesContext(connection) as q:
            client.get(url)
        before.append(len(q))
    for i in range(6):
        team = Team.objects.create(contest=contest, name=f"Extra {i}", union=tree.a1)
        services.team_score_set(team=team, period=q1, criterion=contest.criteria.first(), score=5, by=officer_a)
    Period.objects.create(contest=contest, name="Q3", starts_on=dt.date(2026, 7, 1), ends_on=dt.date(2026, 9, 30))
    after = []
    for url in urls:
        with CaptureQueriesContext(connection) as q:
            assert client.get(url).status_code == 200
        after.append(len(q))
    assert after == before


def test_desk_links_the_certificate_of_awarded_entries_only(client, officer_a, make_contest, make_entry):
    from contests.models import Entry

    contest = make_contest("results", results_published=True, slug="won")
    winner, other = make_entry(contest, "Winner"), make_entry(contest, "Other")
    Entry.objects.filter(pk=winner.pk).update(prize=Entry.Prize.FIRST, rank=1)
    client.force_login(officer_a)
    html = client.get(reverse("contests:desk_contest", args=[contest.slug])).content.decode()
    assert reverse("contests:certificate", args=[contest.slug, winner.pk]) in html
    assert reverse("contests:certificate", args=[contest.slug, other.pk]) not in html
    assert html.count("certificate-link") == 1
    # Not before the results are published (the certificate view answers 404 then).
    Contest.objects.filter(pk=contest.pk).update(results_published=False)
    html = client.get(reverse("contests:desk_contest", args=[contest.slug])).content.decode()
    assert "certificate-link" not in html
