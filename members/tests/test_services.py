"""The roster's services: rules, scoping, transfers, audit."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from members import services
from members.models import Member, Transfer
from members.phones import mask_phone, normalise_phone
from unionportal.core.models import AuditEntry


def test_phone_rules():
    assert normalise_phone("+86 138 1234 5678") == "13812345678"
    assert normalise_phone("0086-13812345678") == "13812345678"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("") == ""


def test_create_normalises_and_checks(tree, officer_a):
    member = services.member_create(
        union=tree.a1g, by=officer_a, name=" 李雷 ", phone="+86 138-1234-5678", email="Li@Example.org"
    )
    assert (member.name, member.phone, member.email) == ("李雷", "13812345678", "li@example.org")
    with pytest.raises(ValidationError, match="already on a roster"):
        services.member_create(union=tree.a, by=officer_a, name="Han", phone="13812345678")
    with pytest.raises(ValidationError, match="not a mainland mobile"):
        services.member_create(union=tree.a, by=officer_a, name="Han", phone="12345")
    with pytest.raises(ValidationError, match="name is required"):
        services.member_create(union=tree.a, by=officer_a, name="  ")


def test_sibling_officer_cannot_write(tree, officer_b, make_member):
    member = make_member(union=tree.a1g)
    with pytest.raises(PermissionDenied):
        services.member_create(union=tree.a, by=officer_b, name="X")
    with pytest.raises(PermissionDenied):
        services.member_update(member=member, by=officer_b, name="Y")
    with pytest.raises(PermissionDenied):
        services.member_set_status(member=member, status=Member.Status.LEFT, by=officer_b)
    with pytest.raises(PermissionDenied):
        services.transfer_release(member=member, to_union=tree.b, by=officer_b)


def test_viewer_cannot_write(tree, viewer_a):
    with pytest.raises(PermissionDenied):
        services.member_create(union=tree.a, by=viewer_a, name="X")


def test_card_number_unique_among_active(tree, officer_a, make_member):
    left = make_member(card_number="C1", status=Member.Status.LEFT)
    services.member_create(union=tree.a, by=officer_a, name="New", card_number="C1")
    with pytest.raises(ValidationError, match="already on a roster"):
        services.member_set_status(member=left, status=Member.Status.ACTIVE, by=officer_a)


def test_status_change_and_no_manual_transfer(tree, officer_a, make_member):
    member = make_member()
    services.member_set_status(member=member, status=Member.Status.LEFT, by=officer_a)
    member.refresh_from_db()
    assert member.status == Member.Status.LEFT
    with pytest.raises(ValidationError):
        services.member_set_status(member=member, status=Member.Status.TRANSFERRED, by=officer_a)


def test_transfer_release_accept_moves_the_member_and_keeps_history(tree, officer_a, officer_b, make_member):
    from unionportal.core.testing import make_user

    account = make_user("li")
    member = make_member(union=tree.a1g, card_number="C9", user=account)
    transfer = services.transfer_release(member=member, to_union=tree.bg, by=officer_a, note="moved jobs")
    with pytest.raises(ValidationError, match="already has a transfer"):
        services.transfer_release(member=member, to_union=tree.b, by=officer_a)
    with pytest.raises(PermissionDenied):
        services.transfer_accept(transfer=transfer, by=officer_a)  # the old side cannot accept
    services.transfer_accept(transfer=transfer, by=officer_b)
    member.refresh_from_db()
    transfer.refresh_from_db()
    assert member.status == Member.Status.TRANSFERRED and member.user is None
    new = transfer.new_member
    assert (new.union, new.card_number, new.user, new.status) == (tree.bg, "C9", account, Member.Status.ACTIVE)
    assert transfer.status == Transfer.Status.ACCEPTED and transfer.decided_by == officer_b
    assert member.history.count() >= 2
    details = list(AuditEntry.objects.filter(action=services.ACTION_TRANSFER).values_list("detail", flat=True))
    assert sorted(details) == ["accepted", "released"]
    with pytest.raises(ValidationError, match="already been decided"):
        services.transfer_refuse(transfer=transfer, by=officer_b)


def test_transfer_refuse_and_cancel(tree, officer_a, officer_b, make_member):
    member = make_member()
    t = services.transfer_release(member=member, to_union=tree.b, by=officer_a)
    services.transfer_refuse(transfer=t, by=officer_b)
    member.refresh_from_db()
    assert member.is_active and member.union == tree.a1g
    t2 = services.transfer_release(member=member, to_union=tree.b, by=officer_a)
    with pytest.raises(PermissionDenied):
        services.transfer_cancel(transfer=t2, by=officer_b)
    services.transfer_cancel(transfer=t2, by=officer_a)
    assert Transfer.objects.get(pk=t2.pk).status == Transfer.Status.CANCELLED


def test_invite_writes_the_roster_entry_for_activation(tree, officer_a):
    from members.selectors import roster_match

    member = services.member_invite(union=tree.a1g, by=officer_a, name="韩梅梅", phone="13900001111")
    assert member.invited_at is not None and member.user is None
    assert roster_match(phone="13900001111") == member
    again = services.member_invite(union=tree.a1g, by=officer_a, name="韩梅梅", phone="139 0000 1111")
    assert again.pk == member.pk
    assert AuditEntry.objects.filter(action=services.ACTION_INVITE, by=officer_a).count() == 2
    with pytest.raises(ValidationError, match="needs a mobile number or an email"):
        services.member_invite(union=tree.a1g, by=officer_a, name="Nobody")


def test_invite_sends_an_email(tree, officer_a, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.member_invite(union=tree.a1g, by=officer_a, name="Han", email="han@example.org")
    assert mailoutbox[0].to == ["han@example.org"]
    assert "/accounts/" in mailoutbox[0].body


def test_user_create_is_on_the_roster_with_no_password(tree, officer_a):
    from members.selectors import verified_union

    user = services.user_create(union=tree.a1, by=officer_a, username="hanmm", name="韩梅梅", phone="13900002222")
    assert not user.has_usable_password() and user.member.union == tree.a1
    assert verified_union(user) == tree.a1
    with pytest.raises(ValidationError, match="is taken"):
        services.user_create(union=tree.a1, by=officer_a, username="HanMM", name="X", email="x@example.org")
    with pytest.raises(ValidationError, match="letters, digits"):
        services.user_create(union=tree.a1, by=officer_a, username="han mm", name="X", email="x@example.org")


def test_deactivate_within_the_subtree_only(tree, officer_a, officer_b, chair_a):
    user = services.user_create(union=tree.a1, by=officer_a, username="hanmm", name="Han", phone="13900002222")
    with pytest.raises(PermissionDenied):
        services.user_deactivate(user=user, by=officer_b)
    with pytest.raises(ValidationError):
        services.user_deactivate(user=officer_a, by=officer_a)
    with pytest.raises(PermissionDenied, match="above yours"):
        services.user_deactivate(user=chair_a, by=officer_a)
    services.user_deactivate(user=user, by=officer_a)
    user.refresh_from_db()
    assert not user.is_active
    assert AuditEntry.objects.filter(action=services.ACTION_USER_DEACTIVATE, subject="hanmm").exists()


def test_invite_texts_the_phone(tree, officer_a, settings, tmp_path, django_capture_on_commit_callbacks):
    from accounts.sms import file_messages

    settings.SMS_BACKEND = "accounts.sms.FileBackend"
    settings.SMS_FILE_PATH = tmp_path / "sms"
    with django_capture_on_commit_callbacks(execute=True):
        services.member_invite(union=tree.a1g, by=officer_a, name="Han", phone="13900001111")
    [message] = file_messages(tmp_path / "sms")
    assert message["phone"] == "13900001111" and "/accounts/" in message["text"]
