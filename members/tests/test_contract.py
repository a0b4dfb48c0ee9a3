"""The functions the accounts app relies on: roster_match, member_link_user, verified_union."""

import pytest
from django.core.exceptions import ValidationError

from members.models import Member
from members.selectors import roster_match, verified_union
from members.services import member_link_user
from unionportal.core.testing import make_user


def test_roster_match_by_normalised_phone(make_member):
    member = make_member(phone="13812345678")
    assert roster_match(phone="+86 138-1234-5678") == member
    assert roster_match(phone="138 1234 5678") == member
    assert roster_match(phone="13900000000") is None
    assert roster_match() is None


def test_roster_match_by_email_any_case(make_member):
    member = make_member(email="li.lei@example.org")
    assert roster_match(email="Li.Lei@Example.ORG") == member


def test_roster_match_skips_linked_inactive_and_ambiguous(make_member):
    make_member(phone="13811111111", status=Member.Status.LEFT)
    assert roster_match(phone="13811111111") is None
    linked = make_member(phone="13822222222", user=make_user("linked"))
    assert roster_match(phone=linked.phone) is None
    make_member(phone="13833333333", card_number="X1")
    make_member(phone="13833333333", card_number="X2")
    assert roster_match(phone="13833333333") is None


def test_link_sets_verified_and_refuses_a_second_link(make_member, tree):
    member = make_member()
    user = make_user("li")
    assert verified_union(user) is None
    linked = member_link_user(member=member, user=user)
    assert linked.user == user and linked.verified_at is not None
    assert verified_union(user) == tree.a1g
    with pytest.raises(ValidationError):
        member_link_user(member=member, user=make_user("other"))


def test_verified_union_none_once_the_member_left(make_member):
    member = make_member()
    user = make_user("li")
    member_link_user(member=member, user=user)
    Member.objects.filter(pk=member.pk).update(status=Member.Status.LEFT)
    assert verified_union(user) is None


def test_every_audit_code_the_roster_writes_is_a_translated_choice():
    """The roster's AuditEntry codes are choices of AuditEntry.Action, shown in Chinese in the log."""
    from django.utils import translation

    from members import services
    from unionportal.core.models import AuditEntry

    codes = {v for k, v in vars(services).items() if k.startswith("ACTION_")}
    assert codes and codes <= set(AuditEntry.Action.values)
    with translation.override("zh-hans"):
        for code in codes:
            label = str(AuditEntry.Action(code).label)
            assert not any("a" <= c.lower() <= "z" for c in label), (code, label)


def test_roster_words_keep_their_own_translation():
    """Django merges every catalogue: without a context, welfare's 成员 and the stations' 是 won."""
    from django.template import Context, Template
    from django.utils import translation

    from members.models import Transfer

    with translation.override("zh-hans"):
        assert str(Member._meta.verbose_name) == "会员"
        assert str(Member._meta.verbose_name_plural) == "会员"
        assert str(Transfer._meta.get_field("member").verbose_name) == "会员"
        active = Template('{% load i18n %}{% translate "yes" context "account active" %}').render(Context())
        assert active == "正常"
        remove = Template('{% load i18n %}{% translate "Remove" context "role" %}').render(Context())
        assert remove == "移除"
