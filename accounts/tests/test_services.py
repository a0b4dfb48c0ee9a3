"""Activation against the roster, public sign-up, password reset, sessions, deletion (PIPL)."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError

from accounts import selectors, services
from accounts.models import OneTimeCode, Profile, SessionRecord
from members.selectors import verified_union

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db
User = get_user_model()
PHONE = "13800138000"
IP = "10.0.0.1"


def activate(target, code, password=PASSWORD):
    return services.account_activate(target=target, code=code, password=password, address=IP)


def send(purpose, target=PHONE):
    services.code_send(purpose=purpose, target=target, address=IP)


def test_roster_member_activates_by_phone(tree, roster_member, last_sms):
    member = roster_member(phone=PHONE, name="Wang Fang")
    send(OneTimeCode.Purpose.ACTIVATE)
    user, linked = activate(PHONE, last_sms(PHONE))
    assert user.username == PHONE and user.first_name == "Wang Fang" and user.check_password(PASSWORD)
    assert linked.pk == member.pk and linked.user_id == user.pk
    assert verified_union(user) == tree.a1g
    assert Profile.objects.get(user=user).phone == PHONE
    assert selectors.is_verified_public(user)


def test_roster_member_activates_by_email(tree, roster_member, settings):
    from django.core import mail

    roster_member(phone="", email="Li.Lei@Example.com")
    services.code_send(purpose=OneTimeCode.Purpose.ACTIVATE, target="li.lei@example.com", address=IP)
    import re

    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    user, _member = activate("li.lei@example.com", code)
    assert user.username == "li.lei@example.com" and user.email == "li.lei@example.com"
    assert verified_union(user) == tree.a1g


def test_no_roster_entry_is_a_clear_message_and_keeps_the_code(roster_member, last_sms):
    send(OneTimeCode.Purpose.ACTIVATE)
    code = last_sms()
    with pytest.raises(ValidationError) as exc:
        activate(PHONE, code)
    assert exc.value.code == "no_match"
    assert "roster" in exc.value.messages[0]
    assert not User.objects.filter(username=PHONE).exists()
    roster_member(phone=PHONE)  # the union adds them, within the code's ten minutes
    user, _member = activate(PHONE, code)
    assert user.username == PHONE


def test_wrong_code_makes_no_account(roster_member, last_sms):
    roster_member(phone=PHONE)
    send(OneTimeCode.Purpose.ACTIVATE)
    code = last_sms()
    with pytest.raises(ValidationError):
        activate(PHONE, f"{(int(code) + 1) % 1_000_000:06d}")
    assert not User.objects.exists()


def test_weak_password_is_refused_before_the_code_is_tried(roster_member, last_sms):
    roster_member(phone=PHONE)
    send(OneTimeCode.Purpose.ACTIVATE)
    with pytest.raises(ValidationError):
        activate(PHONE, last_sms(), password="123")
    assert OneTimeCode.objects.get().attempts == 0


def test_activation_of_an_account_an_officer_made_sets_its_password(roster_member, last_sms):
    existing = User.objects.create_user(username=PHONE)  # created by an officer, no password yet
    roster_member(phone=PHONE)
    send(OneTimeCode.Purpose.ACTIVATE)
    user, _member = activate(PHONE, last_sms())
    assert user.pk == existing.pk and user.check_password(PASSWORD)


def test_public_sign_up_is_verified_public_without_a_union(tree, last_sms):
    send(OneTimeCode.Purpose.SIGNUP)
    user, member = services.account_signup(target=PHONE, code=last_sms(), password=PASSWORD, address=IP, name="Zhao")
    assert member is None and user.first_name == "Zhao"
    assert selectors.is_verified_public(user)
    assert verified_union(user) is None


def test_sign_up_on_a_roster_links_the_member(tree, roster_member, last_sms):
    roster_member(phone=PHONE)
    send(OneTimeCode.Purpose.SIGNUP)
    user, member = services.account_signup(target=PHONE, code=last_sms(), password=PASSWORD, address=IP)
    assert member is not None and verified_union(user) == tree.a1g


def test_sign_up_twice_is_refused(last_sms, settings):
    from django.core.cache import cache

    send(OneTimeCode.Purpose.SIGNUP)
    services.account_signup(target=PHONE, code=last_sms(), password=PASSWORD, address=IP)
    cache.clear()
    send(OneTimeCode.Purpose.SIGNUP)
    with pytest.raises(ValidationError) as exc:
        services.account_signup(target=PHONE, code=last_sms(), password=PASSWORD, address=IP)
    assert exc.value.code == "exists"


def test_unverified_accounts_are_not_verified_public(db):
    assert not selectors.is_verified_public(User.objects.create_user("plain", password=PASSWORD))
    from django.contrib.auth.models import AnonymousUser

    assert not selectors.is_verified_public(AnonymousUser())


def test_reset_sends_a_code_only_to_an_existing_account(settings):
    from accounts.sms import file_messages

    User.objects.create_user(username=PHONE, password="old-Password-1")
    services.reset_start(target=PHONE, address=IP)
    services.reset_start(target="13900139000", address=IP)  # no account: same answer, no message
    assert [m["phone"] for m in file_messages()] == [PHONE]


def test_reset_sets_the_password_and_ends_sessions(last_sms, client):
    user = User.objects.create_user(username=PHONE, password="old-Password-1")
    client.force_login(user)
    assert SessionRecord.objects.filter(user=user).count() == 1
    services.reset_start(target=PHONE, address=IP)
    services.password_reset(target=PHONE, code=last_sms(), password=PASSWORD, address=IP)
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert not SessionRecord.objects.filter(user=user).exists()
    assert client.get("/accounts/").status_code == 302  # signed out


def test_reset_for_an_unknown_number_says_wrong_code(db):
    with pytest.raises(ValidationError) as exc:
        services.password_reset(target="13900139000", code="123456", password=PASSWORD, address=IP)
    assert exc.value.code == "code"


def test_sessions_end_signs_out_other_sessions(client, django_user_model):
    from django.test import Client

    user = django_user_model.objects.create_user("u1", password=PASSWORD)
    other = Client()
    other.force_login(user)
    client.force_login(user)
    keep = client.session.session_key
    assert services.sessions_end(user=user, keep=keep) == 1
    assert other.get("/accounts/").status_code == 302
    assert client.get("/accounts/").status_code == 200


def test_delete_anonymises_and_keeps_the_ballot_chain(tree, roster_member, last_sms, vote_contest):
    from contests.models import Ballot
    from contests.services import ballot_cast, ballots_verify, voter_verify

    member = roster_member(phone=PHONE)
    send(OneTimeCode.Purpose.ACTIVATE)
    user, _member = activate(PHONE, last_sms())
    voter_verify(user=user, union=tree.a1g, by=None)
    entry = vote_contest.entries.first()
    ballot_cast(contest=vote_contest, user=user, entry_id=entry.pk)
    user_id = user.pk

    services.account_delete(user=user, by=user)

    user.refresh_from_db()
    assert user.username.startswith("deleted-") and PHONE not in user.username
    assert not user.is_active and not user.has_usable_password()
    assert user.first_name == user.email == ""
    assert not Profile.objects.filter(user=user).exists()
    assert not OneTimeCode.objects.filter(target=PHONE).exists()
    member.refresh_from_db()
    assert member.user_id is None  # the roster entry stays, unlinked
    assert Ballot.objects.filter(voter_id=user_id).count() == 1  # still counted
    assert ballots_verify(contest=vote_contest).ok
    assert not selectors.is_verified_public(user)


def test_nobody_deletes_another_account(db):
    a = User.objects.create_user("a", password=PASSWORD)
    b = User.objects.create_user("b", password=PASSWORD)
    with pytest.raises(PermissionDenied):
        services.account_delete(user=a, by=b)
    with pytest.raises(PermissionDenied):
        services.profile_update(user=a, name="x", email="", by=b)


def test_delete_revokes_roles(officer_a):
    from unionportal.core.models import Role

    services.account_delete(user=officer_a, by=officer_a)
    assert not Role.objects.filter(user=officer_a).exists()
    officer_a.refresh_from_db()
    assert not officer_a.is_staff and not officer_a.is_active


def test_own_data_lists_only_ones_own(tree, roster_member, last_sms, vote_contest):
    from contests.services import ballot_cast, voter_verify

    roster_member(phone=PHONE, card_number="C-1")
    roster_member(phone="13900139000", name="Someone Else", card_number="C-2")
    send(OneTimeCode.Purpose.ACTIVATE)
    user, _member = activate(PHONE, last_sms())
    voter_verify(user=user, union=tree.a1g, by=None)
    ballot_cast(contest=vote_contest, user=user, entry_id=vote_contest.entries.first().pk)
    data = selectors.own_data(user)
    assert data["roster_entry"]["card_number"] == "C-1"
    assert data["verified_contacts"]["phone"] == PHONE
    assert len(data["ballots"]) == 1
    assert len(data["one_time_codes"]) == 1
    assert "Someone Else" not in str(data)


def test_account_an_officer_opened_gets_its_password_by_reset(tree, officer_a, roster_member, last_sms):
    from members.services import user_create

    user = user_create(union=tree.a1g, by=officer_a, username="zhang_wei", name="Zhang Wei", phone="138 0013 8000")
    assert not user.has_usable_password()
    services.reset_start(target=PHONE, address=IP)
    services.password_reset(target=PHONE, code=last_sms(PHONE), password=PASSWORD, address=IP)
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_activating_an_already_linked_account_says_sign_in(tree, officer_a, last_sms):
    from members.services import user_create

    user_create(union=tree.a1g, by=officer_a, username="zhang_wei", name="Zhang Wei", phone=PHONE)
    send(OneTimeCode.Purpose.ACTIVATE)
    with pytest.raises(ValidationError) as exc:
        activate(PHONE, last_sms())
    assert exc.value.code == "exists"


def test_concurrent_sign_up_is_a_clear_error(db, last_sms, monkeypatch):
    from django.db import IntegrityError

    send(OneTimeCode.Purpose.SIGNUP)

    def clash(**kwargs):
        raise IntegrityError("duplicate key")

    monkeypatch.setattr(services, "_prove", clash)
    with pytest.raises(ValidationError) as exc:
        services.account_signup(target=PHONE, code=last_sms(), password=PASSWORD, address=IP)
    assert exc.value.code == "exists"
    assert not User.objects.exists()


def test_verified_public_users_queryset(last_sms):
    send(OneTimeCode.Purpose.SIGNUP)
    user, _member = services.account_signup(target=PHONE, code=last_sms(), password=PASSWORD, address=IP)
    User.objects.create_user("plain", password=PASSWORD)
    assert list(selectors.verified_public_users()) == [user]
    user.is_active = False
    user.save()
    assert not selectors.verified_public_users().exists()


def test_a_switched_off_account_is_told_only_after_the_code(roster_member, last_sms):
    User.objects.create_user(username=PHONE, is_active=False)
    roster_member(phone=PHONE)
    send(OneTimeCode.Purpose.ACTIVATE)
    with pytest.raises(ValidationError) as exc:
        activate(PHONE, "000000" if last_sms() != "000000" else "111111")
    assert exc.value.code == "code"  # a stranger learns nothing about the account
    with pytest.raises(ValidationError) as exc:
        activate(PHONE, last_sms())
    assert exc.value.code == "inactive"
