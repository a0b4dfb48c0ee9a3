"""The pages: getting in by code, the landing page and self-service, garbage input, scoping."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts.models import OneTimeCode, SessionRecord
from unionportal.core.services import activity_create, activity_set_published

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db
User = get_user_model()
PHONE = "13800138000"


def start(client, url, target=PHONE):
    return client.post(reverse(f"accounts:{url}"), {"target": target})


def confirm(client, url, code, password=PASSWORD, **extra):
    data = {"code": code, "password1": password, "password2": password} | extra
    return client.post(reverse(f"accounts:{url}"), data)


def sign_in(client, username, password=PASSWORD):
    response = client.post(reverse("login"), {"username": username, "password": password})
    assert response.status_code == 302


def test_activation_pages_sign_the_member_in(client, tree, roster_member, last_sms):
    roster_member(phone=PHONE, name="Wang Fang")
    response = start(client, "activate", "+86 138 0013 8000")
    assert response.status_code == 302 and response.url == reverse("accounts:activate_confirm")
    page = client.get(response.url)
    assert "138****8000" in page.content.decode()
    response = confirm(client, "activate_confirm", last_sms(PHONE))
    assert response.status_code == 302 and response.url == reverse("accounts:home")
    home = client.get(response.url).content.decode()
    assert "Verified member of Grassroots A1g" in home
    assert "Hello, Wang Fang" in home


def test_activation_without_roster_entry_says_ask_your_union(client, tree, last_sms):
    start(client, "activate")
    response = confirm(client, "activate_confirm", last_sms())
    assert response.status_code == 200
    assert "Ask your union to add you to its roster" in response.content.decode()
    assert not User.objects.exists()


def test_confirm_page_without_a_target_goes_back(client, db):
    assert client.get(reverse("accounts:activate_confirm")).url == reverse("accounts:activate")


def test_sign_up_page(client, db, last_sms):
    start(client, "signup")
    response = confirm(client, "signup_confirm", last_sms(), name="Zhao Lei")
    assert response.url == reverse("accounts:home")
    assert "you may vote in public votes" in client.get(response.url).content.decode()


def test_mismatched_passwords_and_weak_password_are_form_errors(client, db, last_sms):
    start(client, "signup")
    code = last_sms()
    response = client.post(
        reverse("accounts:signup_confirm"), {"code": code, "password1": PASSWORD, "password2": PASSWORD + "x"}
    )
    assert "The two passwords differ." in response.content.decode()
    response = confirm(client, "signup_confirm", code, password="12345678")
    assert response.status_code == 200 and "too common" in response.content.decode()
    assert not User.objects.exists()


def test_reset_answers_the_same_whether_the_account_exists(client, db, settings):
    from accounts.sms import file_messages

    User.objects.create_user(PHONE, password="old-Password-1")
    known = start(client, "password_reset", PHONE)
    known_page = client.get(known.url).content.decode()
    other = start(client, "password_reset", "13900139000")
    other_page = client.get(other.url).content.decode()
    assert known.status_code == other.status_code == 302
    assert "If an account uses 138****8000" in known_page
    assert "If an account uses 139****9000" in other_page
    assert len(file_messages()) == 1


def test_reset_then_sign_in_with_the_new_password(client, db, last_sms):
    User.objects.create_user(PHONE, password="old-Password-1")
    start(client, "password_reset")
    response = confirm(client, "password_reset_confirm", last_sms())
    assert response.url == reverse("login")
    response = client.post(reverse("login"), {"username": PHONE, "password": PASSWORD})
    assert response.status_code == 302


def test_too_many_codes_is_429_with_the_reason(client, db):
    start(client, "signup")
    response = start(client, "signup")
    assert response.status_code == 429
    assert "Wait a minute" in response.content.decode()


def test_pages_speak_chinese(client, db, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    page = client.get(reverse("accounts:activate")).content.decode()
    assert "激活" in page and "手机号" in page
    response = start(client, "activate", "12345")
    assert "请输入11位手机号" in response.content.decode()


@pytest.mark.parametrize(
    "value",
    [
        "",
        "a" * 10_000,
        "138001380００",
        "１３８００１３８０００",
        "<script>",
        "1' OR '1'='1",
        "😀" * 50,
        "13800138000\n\n",
    ],
)
@pytest.mark.parametrize("name", ["activate", "signup", "password_reset"])
def test_garbage_targets_never_500(client, db, name, value):
    response = start(client, name, value)
    assert response.status_code in (200, 302, 400)


@pytest.mark.parametrize(
    "fields",
    [
        {"code": "\x00\x00\x00"},
        {"code": "1" * 10_000, "password1": "p" * 10_000, "password2": "p" * 10_000},
        {"code": "abcdef"},
        {"code": ["1", "2"]},
        {},
    ],
)
def test_garbage_codes_never_500(client, db, fields, last_sms):
    start(client, "signup")
    response = client.post(reverse("accounts:signup_confirm"), fields)
    assert response.status_code in (200, 400)
    assert not User.objects.exists()


def test_nul_in_target_is_refused(client, db):
    assert start(client, "activate", "138\x0000138000").status_code == 400


def test_home_requires_sign_in(client, db):
    response = client.get(reverse("accounts:home"))
    assert response.status_code == 302 and reverse("login") in response.url


def test_home_lists_own_votes_and_own_unions_news(client, tree, roster_member, last_sms, vote_contest, officer_a):
    from contests.services import ballot_cast, voter_verify

    roster_member(phone=PHONE)
    start(client, "activate")
    confirm(client, "activate_confirm", last_sms())
    user = User.objects.get(username=PHONE)
    voter_verify(user=user, union=tree.a1g, by=None)
    ballot_cast(contest=vote_contest, user=user, entry_id=vote_contest.entries.first().pk)
    other = User.objects.create_user("other", password=PASSWORD)
    voter_verify(user=other, union=tree.a1g, by=None)
    ballot_cast(contest=vote_contest, user=other, entry_id=vote_contest.entries.last().pk)

    from django.utils import timezone

    news = activity_create(union=tree.a1g, by=None, kind="study", title="Our study session", starts_at=timezone.now())
    activity_set_published(activity=news, published=True)
    activity_create(union=tree.a1g, by=None, kind="study", title="A draft", starts_at=timezone.now())
    sibling = activity_create(union=tree.bg, by=None, kind="study", title="Sibling news", starts_at=timezone.now())
    activity_set_published(activity=sibling, published=True)

    page = client.get(reverse("accounts:home")).content.decode()
    assert "Five-type innovation contest" in page and "1 vote" in page
    assert "Our study session" in page
    assert "A draft" not in page and "Sibling news" not in page
    assert "Better welding" not in page and "Safer crane" not in page  # contest titles only


def test_member_without_role_lands_here_from_the_desk(client, db):
    user = User.objects.create_user("plain", password=PASSWORD)
    client.force_login(user)
    response = client.get(reverse("core:desk"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("accounts:home")
    assert response.status_code == 200


def test_my_data_page_and_json_show_only_my_data(client, tree, roster_member, last_sms):
    roster_member(phone="13900139000", name="Someone Else", card_number="C-2")
    roster_member(phone=PHONE, name="Wang Fang", card_number="C-1")
    start(client, "activate")
    confirm(client, "activate_confirm", last_sms(PHONE))
    page = client.get(reverse("accounts:data")).content.decode()
    assert "C-1" in page and "Wang Fang" in page
    assert "Someone Else" not in page and "C-2" not in page
    response = client.get(reverse("accounts:data_json"))
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["roster_entry"]["name"] == "Wang Fang"
    assert data["account"]["username"] == PHONE
    assert "Someone Else" not in response.content.decode()


def test_profile_edit(client, db):
    user = User.objects.create_user("plain", password=PASSWORD)
    client.force_login(user)
    response = client.post(reverse("accounts:profile"), {"name": "Li Lei", "email": "LI@example.com"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.first_name, user.email) == ("Li Lei", "li@example.com")
    response = client.post(reverse("accounts:profile"), {"name": "x" * 10_000, "email": "not-an-email"})
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.first_name == "Li Lei"


def test_change_password_keeps_this_session_and_ends_the_others(client, db):
    from django.test import Client

    user = User.objects.create_user("plain", password=PASSWORD)
    other = Client()
    other.force_login(user)
    client.force_login(user)
    new = "Another-Lantern-77"
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302 and response.url == reverse("accounts:home")
    assert client.get(reverse("accounts:home")).status_code == 200
    assert other.get(reverse("accounts:home")).status_code == 302
    response = client.post(
        reverse("accounts:password_change"), {"old_password": "x" * 10_000, "new_password1": "", "new_password2": ""}
    )
    assert response.status_code == 200


def test_sessions_page_and_sign_out_everywhere(client, db):
    from django.test import Client

    user = User.objects.create_user("plain", password=PASSWORD)
    other = Client(HTTP_USER_AGENT="OtherPhone/1.0")
    sign_in(other, "plain")
    client.force_login(user)
    old_key = client.session.session_key
    page = client.get(reverse("accounts:sessions")).content.decode()
    assert "OtherPhone/1.0" in page and "this device" in page
    response = client.post(reverse("accounts:sessions_end"))
    assert response.status_code == 302
    assert other.get(reverse("accounts:home")).status_code == 302
    assert client.get(reverse("accounts:home")).status_code == 200
    assert client.session.session_key != old_key  # rotated
    assert list(SessionRecord.objects.filter(user=user).values_list("session_key", flat=True)) == [
        client.session.session_key
    ]


def test_sign_out_everywhere_with_cache_sessions(client, db, settings):
    from django.test import Client

    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    user = User.objects.create_user("plain", password=PASSWORD)
    other = Client()
    other.force_login(user)
    client.force_login(user)
    client.post(reverse("accounts:sessions_end"))
    assert other.get(reverse("accounts:home")).status_code == 302
    assert client.get(reverse("accounts:home")).status_code == 200


def test_sign_out_forgets_the_session(client, db):
    user = User.objects.create_user("plain", password=PASSWORD)
    client.force_login(user)
    assert SessionRecord.objects.count() == 1
    client.post(reverse("logout"))
    assert SessionRecord.objects.count() == 0


def test_sessions_of_others_are_not_listed(client, db):
    from django.test import Client

    mine = User.objects.create_user("mine", password=PASSWORD)
    theirs = User.objects.create_user("theirs", password=PASSWORD)
    sign_in(Client(HTTP_USER_AGENT="TheirPhone/2.0"), "theirs")
    client.force_login(mine)
    assert "TheirPhone/2.0" not in client.get(reverse("accounts:sessions")).content.decode()
    client.post(reverse("accounts:sessions_end"))
    assert SessionRecord.objects.filter(user=theirs).count() == 1


def test_delete_needs_the_password(client, db):
    user = User.objects.create_user("plain", password=PASSWORD)
    client.force_login(user)
    response = client.post(reverse("accounts:delete"), {"password": "wrong"})
    assert response.status_code == 200 and "The password is not right." in response.content.decode()
    user.refresh_from_db()
    assert user.is_active
    response = client.post(reverse("accounts:delete"), {"password": PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.is_active and user.username.startswith("deleted-")
    assert client.get(reverse("accounts:home")).status_code == 302


def test_superuser_cannot_delete_itself_here(client, superuser):
    client.force_login(superuser)
    response = client.post(reverse("accounts:delete"), {"password": "pw-for-tests"})
    assert response.status_code == 200
    assert "back office" in response.content.decode()


def test_codes_are_not_shown_anywhere(client, db, last_sms):
    start(client, "signup")
    code = last_sms()
    confirm(client, "signup_confirm", code)
    assert code not in client.get(reverse("accounts:data")).content.decode()
    assert code not in client.get(reverse("accounts:data_json")).content.decode()
    assert OneTimeCode.objects.count() == 1


def test_home_queries_do_not_grow_with_votes_or_news(client, tree, roster_member, django_assert_num_queries):
    import datetime as dt

    from django.utils import timezone

    from contests.models import Ballot, Category, Contest, Entry

    member = roster_member(phone=PHONE)
    user = User.objects.create_user(PHONE, password=PASSWORD)
    from members.services import member_link_user

    member_link_user(member=member, user=user)
    client.force_login(user)
    now = timezone.now()

    def add_vote_and_news(i):
        contest = Contest.objects.create(
            union=tree.a,
            slug=f"c{i}",
            title=f"Contest {i}",
            entry_opens=now,
            entry_closes=now,
            screening_closes=now,
            vote_opens=now,
            vote_closes=now,
            jury_closes=now,
            results_on=now,
        )
        entry = Entry.objects.create(
            contest=contest, category=Category.objects.create(contest=contest, name="c"), title="e", description="d"
        )
        Ballot.objects.create(
            contest=contest,
            seq=1,
            voter=user,
            entry=entry,
            period="all",
            cast_at=now - dt.timedelta(days=i),
            prev_hash="0" * 64,
            hash=f"{i:064d}",
        )
        news = activity_create(union=tree.a1g, by=None, kind="study", title=f"News {i}", starts_at=now)
        activity_set_published(activity=news, published=True)

    add_vote_and_news(1)
    url = reverse("accounts:home")
    # 1 session, 2 user, 3 votes grouped by contest, 4 verified union (member JOIN union),
    # 5 the union's published news, 6 verified-public check, 7 own station reports (one JOIN)
    with django_assert_num_queries(7):
        assert "Contest 1" in client.get(url).content.decode()
    for i in range(2, 5):
        add_vote_and_news(i)
    with django_assert_num_queries(7):
        assert "Contest 4" in client.get(url).content.decode()


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("accounts:delete", {"password": "p" * 10_000}),
        ("accounts:delete", {}),
        ("accounts:profile", {"name": "\u202e" * 200, "email": "a@" + "b" * 10_000}),
        ("accounts:password_change", {"old_password": "", "new_password1": "x" * 10_000, "new_password2": "y"}),
    ],
)
def test_self_service_garbage_never_500(client, db, url, data):
    user = User.objects.create_user("plain", password=PASSWORD)
    client.force_login(user)
    assert client.post(reverse(url), data).status_code == 200
    user.refresh_from_db()
    assert user.is_active and user.check_password(PASSWORD)


def test_sign_out_everywhere_needs_post(client, db):
    client.force_login(User.objects.create_user("plain", password=PASSWORD))
    assert client.get(reverse("accounts:sessions_end")).status_code == 405


def test_account_words_keep_their_own_translation():
    """Django merges every catalogue: without a context, the stations' 名称 and welfare's codes won."""
    from django.utils import translation

    from accounts.forms import ProfileForm
    from accounts.models import OneTimeCode

    with translation.override("zh-hans"):
        assert str(ProfileForm().fields["name"].label) == "姓名"
        assert str(OneTimeCode._meta.verbose_name) == "验证码"
        assert str(OneTimeCode._meta.get_field("code_hash").verbose_name) == "验证码哈希"
        assert str(OneTimeCode._meta.get_field("expires_at").verbose_name) == "过期时间"


def test_the_sign_in_page_links_reset_activate_and_signup_in_chinese(client, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    page = client.get(reverse("login")).content.decode()
    for name, words in (
        ("accounts:password_reset", "忘记密码？"),
        ("accounts:activate", "工会会员？激活您的账号"),
        ("accounts:signup", "以公众身份注册"),
    ):
        assert f'href="{reverse(name)}">{words}</a>' in page


def _public_station(union, name):
    from stations import services as station_services
    from stations.models import Station

    station = Station(union=union, name=name, kind=Station.Kind.OUTDOOR, lat=39.73, lng=116.14, town="Town")
    station.status, station.is_public = Station.Status.OPEN, True
    return station_services.station_save(station=station)


def test_signed_in_reports_show_on_the_account_page_with_the_answer(client, tree, officer_a):
    """A member's station report (sent signed in) and the union's answer are on /accounts/;
    another account sees none of it; deleting the account unlinks the report and drops the contact."""
    from stations import services as station_services
    from stations.models import Feedback
    from unionportal.core.testing import make_user

    station = _public_station(tree.a, "West station")
    rider = make_user("rider")
    other = make_user("other")
    client.force_login(rider)
    response = client.post(
        reverse("stations:feedback", args=[station.pk]),
        {"problem": "water", "message": "No drinking water", "contact": "13800138000"},
    )
    assert response.status_code == 302
    report = Feedback.objects.get()
    assert report.submitted_by == rider
    station_services.feedback_answer(feedback=report, answer="Fixed on Monday", close=True, by=officer_a)
    page = client.get(reverse("accounts:home")).content.decode()
    assert "West station" in page and "No drinking water" in page and "Fixed on Monday" in page
    assert "West station" in client.get(reverse("accounts:data_json")).content.decode()
    client.force_login(other)
    assert "No drinking water" not in client.get(reverse("accounts:home")).content.decode()
    from accounts import services as account_services

    account_services.account_delete(user=rider, by=rider)
    report.refresh_from_db()
    assert report.submitted_by is None and report.contact == "" and report.answer == "Fixed on Monday"


def test_anonymous_reports_stay_anonymous(client, tree):
    from stations.models import Feedback

    station = _public_station(tree.a, "East station")
    client.post(reverse("stations:feedback", args=[station.pk]), {"rating": "4"})
    assert Feedback.objects.get().submitted_by is None
