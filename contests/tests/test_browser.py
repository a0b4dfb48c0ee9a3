import pytest
from django.urls import reverse

from contests import services
from contests.models import Ballot, Contest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_voter_votes_on_a_phone_until_the_limit_then_results_after_publishing(
    page, live_server, sign_in, make_contest, make_entry, make_voter, make_judge, officer_a, tree
):
    contest = make_contest("vote", votes_per_voter=2, vote_period=Contest.VotePeriod.CONTEST)
    entries = [make_entry(contest, f"Entry {i}", union=tree.a1) for i in range(3)]
    make_voter("phone_voter")
    sign_in(page, "phone_voter")
    page.goto(f"{live_server.url}{contest.get_absolute_url()}")
    assert page.viewport_size["width"] == 390
    assert page.locator("#votes-left").inner_text().strip() == "Votes left: 2"
    page.click(f"#entry-{entries[0].pk} button.vote-btn")
    page.wait_for_selector(f"#entry-{entries[0].pk} button.vote-btn:disabled")
    assert page.locator("#votes-left").inner_text().strip() == "Votes left: 1"
    assert page.locator(f"#entry-{entries[0].pk} button.vote-btn").is_disabled()
    page.click(f"#entry-{entries[1].pk} button.vote-btn")
    page.wait_for_selector(f"#entry-{entries[1].pk} button.vote-btn:disabled")
    assert page.locator("#votes-left").inner_text().strip() == "Votes left: 0"
    assert page.locator(f"#entry-{entries[2].pk} button.vote-btn").is_disabled()
    assert Ballot.objects.count() == 2

    # The vote closes, the jury scores, the organiser computes: still no ranking until published.
    judge = make_judge("j1", tree.a1g)
    services.judge_assign(contest=contest, judge=judge)
    novelty, use = contest.criteria.all()
    for i, entry in enumerate(entries):
        services.scores_set(entry=entry, judge=judge, scores={novelty.pk: 50 + i, use.pk: 20}, now=contest.vote_closes)
    services.results_compute(contest=contest, by=officer_a, now=contest.vote_closes)
    results = f"{live_server.url}{reverse('contests:results', args=[contest.slug])}"
    page.goto(results)
    assert page.locator("#not-published").is_visible()
    assert page.locator("#ranking").count() == 0
    services.results_publish(contest=contest, by=officer_a, now=contest.jury_closes)
    page.goto(results)
    assert page.locator("#ranking .result-row").count() == 3
    assert "First prize" in page.locator("#ranking").inner_text()


def test_vote_in_chinese_keeps_the_readers_place(
    page, live_server, sign_in, settings, make_contest, make_entry, make_voter
):
    settings.LANGUAGE_CODE = "zh-hans"
    contest = make_contest("vote", votes_per_voter=3, vote_period=Contest.VotePeriod.CONTEST)
    entries = [make_entry(contest, f"Entry {i}") for i in range(14)]
    make_voter("phone_voter")
    sign_in(page, "phone_voter")
    page.goto(f"{live_server.url}{contest.get_absolute_url()}")
    assert page.locator("#votes-left").inner_text().strip() == "剩余票数：3"
    low = entries[-2]
    page.locator(f"#entry-{low.pk}").scroll_into_view_if_needed()
    before = page.evaluate("window.scrollY")
    assert before > 300
    page.click(f"#entry-{low.pk} button.vote-btn")
    page.wait_for_selector(f"#entry-{low.pk} button.vote-btn:disabled")
    assert "已投票" in page.locator(f"#entry-{low.pk}").inner_text()
    assert page.locator("#votes-left").inner_text().strip() == "剩余票数：2"
    assert page.evaluate("window.scrollY") == before
    box = page.locator(f"#entry-{low.pk}").bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= 844
    assert Ballot.objects.filter(entry=low).count() == 1


def test_officer_edits_a_contest_setup_on_a_phone_in_chinese(page, live_server, sign_in, settings, make_contest):
    from django.utils import timezone

    settings.LANGUAGE_CODE = "zh-hans"
    contest = make_contest("entry")
    before = {f: getattr(contest, f).replace(second=0, microsecond=0) for f in ("entry_opens", "results_on")}
    from unionportal.core.models import Role
    from unionportal.core.testing import make_user

    make_user("phone_officer", role=Role.Kind.OFFICER, union=contest.union)
    sign_in(page, "phone_officer")
    page.goto(f"{live_server.url}{reverse('contests:desk_setup', args=[contest.slug])}")
    # ISO values survive in Chinese (a slashed value would be dropped by the datetime-local input).
    value = page.input_value("input[name=vote_opens]")
    assert value == timezone.localtime(contest.vote_opens).strftime("%Y-%m-%dT%H:%M")
    page.fill("input[name=title]", "改名后的竞赛")
    page.click("#contest-form button[type=submit]")
    page.wait_for_load_state()
    assert "竞赛已保存。" in page.content()
    contest.refresh_from_db()
    assert contest.title == "改名后的竞赛"
    for field, at in before.items():
        assert getattr(contest, field) == at
    page.fill("#category input[name=category-name]", "安全生产")
    page.click("#category form.border button[type=submit]")
    page.wait_for_load_state()
    assert contest.categories.filter(name="安全生产").exists()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_officer_enters_and_publishes_labour_scores_on_a_phone(
    page, live_server, sign_in, settings, make_contest, tree
):
    import datetime as dt

    from contests.models import Period, Team, TeamScore
    from unionportal.core.models import Role
    from unionportal.core.testing import make_user

    settings.LANGUAGE_CODE = "zh-hans"
    contest = make_contest("results", kind=Contest.Kind.LABOUR, slug="lab")
    team = Team.objects.create(contest=contest, name="一班", union=tree.a1)
    q1 = Period.objects.create(
        contest=contest, name="一季度", starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 3, 31)
    )
    make_user("phone_officer", role=Role.Kind.OFFICER, union=tree.a)
    sign_in(page, "phone_officer")
    page.goto(f"{live_server.url}{reverse('contests:desk_period_scores', args=[contest.slug, q1.pk])}")
    for criterion, score in zip(contest.criteria.all(), ("88", "45"), strict=True):
        page.fill(f"input[name=s-{team.pk}-{criterion.pk}]", score)
    page.click("#period-scores button[type=submit]")
    page.wait_for_load_state()
    assert TeamScore.objects.filter(period=q1).count() == 2
    results = f"{live_server.url}{reverse('contests:results', args=[contest.slug])}"
    page.goto(f"{live_server.url}{reverse('contests:desk_contest', args=[contest.slug])}")
    page.click(f"#period-{q1.pk} button:has-text('公布本期')")
    page.wait_for_load_state()
    q1.refresh_from_db()
    assert q1.published
    page.goto(results)
    assert "一季度" in page.content()
