import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from studios import demo as studios_demo
from studios import selectors, services
from studios.models import Achievement, Member, Review, Studio
from unionportal.core import demo as core_demo
from unionportal.core.models import Activity, Role
from unionportal.core.testing import make_user

pytestmark = pytest.mark.django_db


def test_counts_are_computed_from_records(make_studio, add_achievements):
    studio = make_studio()
    add_achievements(studio, Achievement.Type.PATENT_ACCEPTED, 3)
    add_achievements(studio, Achievement.Type.PATENT_GRANTED, 2)
    add_achievements(studio, Achievement.Type.SOFTWARE_COPYRIGHT, 1)
    add_achievements(studio, Achievement.Type.IP_RESULT, 4)
    add_achievements(studio, Achievement.Type.STANDARD_LED, 1)
    add_achievements(studio, Achievement.Type.STANDARD_COAUTHORED, 2)
    add_achievements(studio, Achievement.Type.PAPER, 5)
    other = make_studio()
    add_achievements(other, Achievement.Type.PATENT_GRANTED, 7)
    counts = selectors.studio_counts(studio=studio)
    # IP = accepted + granted + software copyright + other IP; patents = accepted + granted.
    assert (counts["ip"], counts["patents"], counts["standards"], counts["total"]) == (10, 5, 3, 18)
    assert counts["type_paper"] == 5
    Achievement.objects.filter(studio=studio, type=Achievement.Type.PATENT_GRANTED).first().delete()
    counts = selectors.studio_counts(studio=studio)
    assert (counts["ip"], counts["patents"]) == (9, 4)


def test_counts_use_one_query(make_studio, add_achievements, django_assert_num_queries):
    studio = make_studio()
    add_achievements(studio, Achievement.Type.PAPER, 3)
    with django_assert_num_queries(1):  # one aggregate over the studio's achievements
        selectors.studio_counts(studio=studio)


@pytest.mark.parametrize(
    ("kind", "leader", "message"),
    [
        (Studio.Kind.PARTY_PHD, {"political_status": Member.Political.MASSES}, "must be a CPC member"),
        (Studio.Kind.PARTY_PHD, {"political_status": Member.Political.PROBATIONARY}, "must be a CPC member"),
        (Studio.Kind.PARTY_PHD, {"education": Member.Education.MASTER}, "must hold a doctorate"),
        (Studio.Kind.MODEL_WORKER, {"is_model_worker": False}, "must be a model worker"),
        (Studio.Kind.CRAFTSMAN, {}, "master craftsman honour"),
    ],
)
def test_eligibility_rules(make_studio, superuser, kind, leader, message):
    studio = make_studio(kind=kind, status=Studio.Status.APPLYING, published=False, leader=leader)
    with pytest.raises(ValidationError) as exc:
        services.studio_review(studio=studio, approve=True, by=superuser)
    assert any(message in m for m in exc.value.messages)
    studio.refresh_from_db()
    assert studio.status == Studio.Status.APPLYING
    assert not studio.reviews.filter(action=Review.Action.APPROVED).exists()


def test_eligible_leaders_pass(make_studio, superuser):
    phd = make_studio(kind=Studio.Kind.PARTY_PHD, status=Studio.Status.APPLYING, published=False)
    model = make_studio(
        kind=Studio.Kind.MODEL_WORKER, status=Studio.Status.APPLYING, published=False, leader={"is_model_worker": True}
    )
    craft = make_studio(
        kind=Studio.Kind.CRAFTSMAN, status=Studio.Status.APPLYING, published=False, leader={"is_craftsman": True}
    )
    for studio in (phd, model, craft):
        assert services.studio_review(studio=studio, approve=True, by=superuser).status == Studio.Status.APPROVED


def test_studio_without_leader_is_not_approved(make_studio, superuser):
    studio = make_studio(status=Studio.Status.APPLYING, published=False)
    studio.members.all().delete()
    with pytest.raises(ValidationError, match="no leader"):
        services.studio_review(studio=studio, approve=True, by=superuser)


def test_only_a_higher_union_approves(tree, make_studio, officer_a, officer_b):
    # The studio belongs to District A itself: its own officer may not approve it.
    studio = make_studio(union=tree.a, kind=Studio.Kind.PARTY_PHD, status=Studio.Status.APPLYING, published=False)
    with pytest.raises(PermissionDenied):
        services.studio_review(studio=studio, approve=True, by=officer_a)
    # A sibling district may not either.
    with pytest.raises(PermissionDenied):
        services.studio_review(studio=studio, approve=True, by=officer_b)
    # A viewer of the city may not; the city's officer may.
    viewer = make_user("city_viewer", role=Role.Kind.VIEWER, union=tree.city)
    with pytest.raises(PermissionDenied):
        services.studio_review(studio=studio, approve=True, by=viewer)
    city_officer = make_user("city_officer", role=Role.Kind.OFFICER, union=tree.city)
    assert services.studio_review(studio=studio, approve=True, by=city_officer).status == Studio.Status.APPROVED
    assert studio.reviews.get(action=Review.Action.APPROVED).union == tree.city


def test_district_officer_reviews_its_street(tree, make_studio, officer_a):
    studio = make_studio(union=tree.a1, kind=Studio.Kind.PARTY_PHD, status=Studio.Status.APPLYING, published=False)
    assert selectors.can_review(officer_a, studio)
    services.studio_review(studio=studio, approve=False, by=officer_a, comment="Add the member list.")
    studio.refresh_from_db()
    assert studio.status == Studio.Status.RETURNED
    assert studio.reviews.filter(action=Review.Action.RETURNED, comment="Add the member list.").exists()


def test_return_needs_comments_and_resubmit(tree, make_studio, officer_a):
    studio = make_studio(union=tree.a1, status=Studio.Status.APPLYING, published=False)
    with pytest.raises(ValidationError, match="Say what must change"):
        services.studio_review(studio=studio, approve=False, by=officer_a, comment="  ")
    services.studio_review(studio=studio, approve=False, by=officer_a, comment="More detail")
    a1_officer = make_user("a1_officer", role=Role.Kind.OFFICER, union=tree.a1)
    services.studio_resubmit(studio=studio, by=a1_officer)
    studio.refresh_from_db()
    assert studio.status == Studio.Status.APPLYING
    with pytest.raises(ValidationError):
        services.studio_resubmit(studio=studio, by=a1_officer)


def test_decided_application_cannot_be_reviewed_again(make_studio, officer_a):
    studio = make_studio(kind=Studio.Kind.PARTY_PHD, status=Studio.Status.APPLYING, published=False)
    services.studio_review(studio=studio, approve=True, by=officer_a)
    with pytest.raises(ValidationError, match="not waiting for review"):
        services.studio_review(studio=studio, approve=False, by=officer_a, comment="x")


def test_plaque_ceremony_makes_active_and_logs_activity(make_studio, officer_a):
    studio = make_studio(kind=Studio.Kind.PARTY_PHD, status=Studio.Status.APPLYING, published=False)
    with pytest.raises(ValidationError, match="Only an approved studio"):
        services.studio_plaque(studio=studio, on=dt.date(2022, 12, 16), by=officer_a)
    services.studio_review(studio=studio, approve=True, by=officer_a)
    services.studio_plaque(studio=studio, on=dt.date(2022, 12, 16), by=officer_a, place="Hall")
    services.studio_plaque(studio=studio, on=dt.date(2022, 12, 16), by=officer_a, place="Hall")  # idempotent
    studio.refresh_from_db()
    assert studio.status == Studio.Status.ACTIVE and studio.published and studio.plaque_on == dt.date(2022, 12, 16)
    activity = Activity.objects.get(source=f"studios.studio:{studio.pk}:plaque")
    assert activity.kind == Activity.Kind.CEREMONY and activity.union == studio.union and activity.is_published
    assert studio.reviews.filter(action=Review.Action.PLAQUE).count() == 1


def test_sibling_officer_cannot_add_achievement(make_studio, officer_b):
    studio = make_studio()
    with pytest.raises(PermissionDenied):
        services.achievement_add(
            studio=studio, by=officer_b, type=Achievement.Type.PAPER, title="x", date=dt.date(2022, 1, 1)
        )
    assert not studio.achievements.exists()


def test_achievement_members_must_belong_to_the_studio(make_studio, officer_a):
    studio, other = make_studio(), make_studio()
    stranger = other.members.get()
    with pytest.raises(ValidationError, match="Only members of this studio"):
        services.achievement_add(
            studio=studio,
            by=officer_a,
            members=[stranger],
            type=Achievement.Type.PAPER,
            title="x",
            date=dt.date(2022, 1, 1),
        )
    assert not studio.achievements.exists()


def test_search_text_has_pinyin_initials(make_studio):
    studio = make_studio(name="齐贺党员博士创新工作室", leader={"name": "齐贺"})
    studio.refresh_from_db()
    assert "qh" in studio.search_text and "qihe" in studio.search_text
    assert Studio.objects.filter(selectors.search_filter("QH")).filter(pk=studio.pk).exists()


def test_slug_never_shadows_the_desk(db):
    assert services.studio_unique_slug(name="desk") != "desk"


def _seed():
    nodes = core_demo.seed_unions()
    core_demo.seed_users(nodes)
    studios_demo.seed(io.StringIO())


def test_demo_seed_reads_88_77_18_and_is_idempotent(db):
    _seed()
    qi = Studio.objects.get(slug="qi-he")
    counts = selectors.studio_counts(studio=qi)
    assert (counts["ip"], counts["patents"], counts["standards"]) == (88, 77, 18)
    assert qi.status == Studio.Status.ACTIVE and qi.is_public
    assert Activity.objects.filter(source=f"studios.studio:{qi.pk}:plaque", kind="ceremony").exists()
    assert qi.targets.filter(target__contains="1").exists()
    before = (
        Studio.objects.count(),
        Achievement.objects.count(),
        Member.objects.count(),
        Review.objects.count(),
        Activity.objects.count(),
    )
    _seed()
    after = (
        Studio.objects.count(),
        Achievement.objects.count(),
        Member.objects.count(),
        Review.objects.count(),
        Activity.objects.count(),
    )
    assert before == after
    assert Studio.objects.filter(union__name="中建科技集团有限公司工会", kind=Studio.Kind.PARTY_PHD).count() == 2


def test_status_changes_by_the_higher_union_only(tree, make_studio, officer_a):
    studio = make_studio(union=tree.a1)
    a1_officer = make_user("a1_officer", role=Role.Kind.OFFICER, union=tree.a1)
    with pytest.raises(PermissionDenied):
        services.studio_set_status(studio=studio, status=Studio.Status.REVOKED, by=a1_officer, comment="x")
    with pytest.raises(ValidationError, match="Give the reason"):
        services.studio_set_status(studio=studio, status=Studio.Status.UNDER_REVIEW, by=officer_a)
    services.studio_set_status(studio=studio, status=Studio.Status.UNDER_REVIEW, by=officer_a, comment="Late report")
    studio.refresh_from_db()
    assert studio.status == Studio.Status.UNDER_REVIEW and studio.is_public
    services.studio_set_status(studio=studio, status=Studio.Status.REVOKED, by=officer_a, comment="No results")
    studio.refresh_from_db()
    assert studio.status == Studio.Status.REVOKED and not studio.is_public
    with pytest.raises(ValidationError, match="not possible"):
        services.studio_set_status(studio=studio, status=Studio.Status.ACTIVE, by=officer_a)
    assert list(studio.reviews.values_list("action", flat=True)[:2]) == [
        Review.Action.REVOKED,
        Review.Action.UNDER_REVIEW,
    ]
