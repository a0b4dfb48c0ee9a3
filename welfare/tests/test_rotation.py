"""Rotating the welfare data key: old and new keys read side by side, lookups find a file under
either, `rotate_keys` moves every ID number and its lookup hash in resumable batches."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from unionportal.core import backup
from unionportal.core.models import AuditEntry
from welfare import identity, services
from welfare.models import HandoutCode, HardshipFile

from .conftest import id_number

OLD = "old-welfare-data-key-0123456789abcdefghijklmnop"
NEW = "new-welfare-data-key-0123456789abcdefghijklmnop"
ROOT = Path(__file__).resolve().parents[2]


def use(settings, *keys: str) -> None:
    settings.WELFARE_DATA_KEY, settings.WELFARE_DATA_KEYS = keys[0], list(keys)


@pytest.fixture
def old_files(settings, make_file):
    use(settings, OLD)
    return {make_file(name=f"W{n}", id_number=id_number(n)).pk: id_number(n) for n in range(7)}


def test_both_keys_read_during_a_rotation_and_only_the_new_one_writes(settings):
    use(settings, OLD)
    old_token = identity.encrypt(id_number(1))
    use(settings, NEW, OLD)
    assert identity.decrypt(old_token) == id_number(1) and not identity.is_current(old_token)
    new_token = identity.encrypt(id_number(1))
    assert identity.is_current(new_token)
    use(settings, NEW)
    assert identity.decrypt(old_token) == "" and identity.decrypt(new_token) == id_number(1)
    assert identity.key_id(OLD) != identity.key_id(NEW) and len(identity.key_id(NEW)) == 12


def test_a_lone_data_key_setting_wins_over_a_stale_list(settings):
    settings.WELFARE_DATA_KEYS = [OLD]
    settings.WELFARE_DATA_KEY = NEW
    assert identity.data_secrets() == [NEW]


def test_lookups_and_duplicate_checks_work_under_either_key(settings, old_files):
    use(settings, NEW, OLD)
    pk, number = next(iter(old_files.items()))
    assert list(HardshipFile.objects.search(number).values_list("pk", flat=True)) == [pk]
    with pytest.raises(ValidationError, match="already exists"):
        services.file_id_check(id_number=number, by=None)
    call_command("rotate_keys", stdout=io.StringIO(), stderr=io.StringIO())
    assert HardshipFile.objects.get(pk=pk).id_number_hash == identity.keyed_hash(number, NEW)
    use(settings, NEW)
    assert list(HardshipFile.objects.search(number).values_list("pk", flat=True)) == [pk]
    with pytest.raises(ValidationError, match="already exists"):
        services.file_id_check(id_number=number, by=None)


def test_rotation_is_batched_resumable_and_logged(settings, old_files):
    use(settings, NEW, OLD)
    first = backup.welfare_keys_rotate(batch_size=2, limit=3)
    assert (first.scanned, first.moved, first.done) == (3, 3, False)
    assert first.last_pk == sorted(old_files)[2]
    assert backup.rotation_checkpoint(identity.key_id(NEW)) == first.last_pk
    assert backup.welfare_outdated() == 4
    out = io.StringIO()
    call_command("rotate_keys", "--batch-size", "2", stdout=out, stderr=io.StringIO())
    assert f"Continuing after file id {first.last_pk}." in out.getvalue()
    assert "4 files scanned, 4 re-encrypted" in out.getvalue() and "done" in out.getvalue()
    assert backup.welfare_outdated() == 0
    assert backup.rotation_checkpoint(identity.key_id(NEW)) == 0  # done: a new run starts over
    entries = list(AuditEntry.objects.filter(action="key_rotate").order_by("pk").values_list("detail", flat=True))
    assert len(entries) == 2 and "stopped" in entries[0] and entries[1].endswith("done")
    # A run after the end moves nothing and changes nothing.
    tokens = dict(HardshipFile.objects.values_list("pk", "id_number_encrypted"))
    again = backup.welfare_keys_rotate()
    assert (again.scanned, again.moved, again.done) == (7, 0, True)
    assert dict(HardshipFile.objects.values_list("pk", "id_number_encrypted")) == tokens
    use(settings, NEW)
    for pk, number in old_files.items():
        assert identity.decrypt(HardshipFile.objects.get(pk=pk).id_number_encrypted) == number


@pytest.mark.django_db(transaction=True)
def test_a_failed_batch_write_stops_the_run_at_the_last_committed_batch(settings, old_files):
    """Committed, outside a transaction: on PostgreSQL the writes go through the writer threads
    while the next batch is encrypted. The third batch's write fails: the run stops, records
    the end of the second batch, and the next run moves the rest."""
    import threading
    from unittest import mock

    from django.db import connection

    use(settings, NEW, OLD)
    real, calls = backup._update_numbers, []

    third = sorted(old_files)[4]  # the first file of the third batch

    def failing(table, updates):
        calls.append(threading.get_ident())
        if third in [pk for _token, _hash, pk in updates]:
            raise OSError("disk full")
        real(table, updates)

    with mock.patch.object(backup, "_update_numbers", failing), pytest.raises(OSError, match="disk full"):
        backup.welfare_keys_rotate(batch_size=2)
    overlapped = connection.vendor == "postgresql"
    assert (threading.get_ident() not in calls) == overlapped
    second = sorted(old_files)[3]
    assert backup.rotation_checkpoint(identity.key_id(NEW)) == second
    entry = AuditEntry.objects.filter(action="key_rotate").get()
    assert "4 scanned, 4 re-encrypted" in entry.detail and "stopped" in entry.detail
    # The fourth batch (one file) may have been saved by the other writer meanwhile.
    left = backup.welfare_outdated()
    assert left in (2, 3) if overlapped else left == 3
    rest = backup.welfare_keys_rotate(batch_size=2)
    assert (rest.scanned, rest.moved, rest.done) == (3, left, True)
    assert backup.welfare_outdated() == 0
    use(settings, NEW)
    for pk, number in old_files.items():
        assert identity.decrypt(HardshipFile.objects.get(pk=pk).id_number_encrypted) == number


def test_a_number_under_no_listed_key_is_left_and_reported(settings, old_files):
    use(settings, NEW)  # the old key forgotten too early
    result = backup.welfare_keys_rotate()
    assert result.moved == 0 and result.done
    out = io.StringIO()
    call_command("rotate_keys", "--status", stdout=out)
    assert "7 files not yet under it, 7 under no listed key" in out.getvalue()
    use(settings, NEW, OLD)  # listed again: nothing was lost
    assert backup.welfare_keys_rotate(restart=True).moved == 7


def test_rotate_keys_refuses_bad_sizes():
    with pytest.raises(CommandError, match="must be positive"):
        call_command("rotate_keys", "--batch-size", "0")


def test_a_handout_code_issued_before_the_rotation_is_still_accepted(settings, campaign, welfare_a):
    use(settings, OLD)
    c, item, employees = campaign
    code = services.handout_code_issue(campaign=c, employee=employees[0])
    use(settings, NEW, OLD)
    handout = services.handout_record(
        campaign=c, employee=employees[0], quantities={item.pk: 1}, by=welfare_a, code=code
    )
    assert handout.confirmation == handout.Confirmation.CODE
    assert HandoutCode.objects.get(employee=employees[0]).used_at is not None


def _settings_in(env: dict) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("WELFARE_DATA_KEY", "BALLOT_CHAIN_KEY"))}
    code = "from django.conf import settings as s; print(s.WELFARE_DATA_KEY, ','.join(s.WELFARE_DATA_KEYS))"
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**base, "DEBUG": "1", **env},
    )


def test_settings_read_a_key_list_newest_first():
    result = _settings_in({"WELFARE_DATA_KEYS": f"{NEW},{OLD}"})
    assert result.stdout.split() == [NEW, f"{NEW},{OLD}"], result.stderr
    result = _settings_in({"WELFARE_DATA_KEY": OLD, "WELFARE_DATA_KEYS": f"{NEW},{OLD}"})
    assert result.returncode != 0 and "WELFARE_DATA_KEYS must start with WELFARE_DATA_KEY" in result.stderr
