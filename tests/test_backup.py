"""Recovery drill: back up the demo data plus a scale sample, drop everything, restore, and find
it whole; then rotate the welfare data key in a run that is stopped and resumed, and find it
whole again. The archive's refusals (encryption, damage) run on a smaller world.

Runs on SQLite and PostgreSQL (pg_dump / pg_restore into the test database)."""

import io
import os
import shutil

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from contests import services as contest_services
from contests.models import Contest
from contests.storage import private_storage as contest_private
from contests.tests.conftest import make_contest, make_entry, make_voter  # noqa: F401 (fixtures)
from unionportal.core import backup
from unionportal.core.models import AuditEntry
from welfare import identity
from welfare.models import HardshipFile
from welfare.storage import private_storage as welfare_private
from welfare.tests.conftest import id_number, line, make_file  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)

OLD = "old-welfare-data-key-0123456789abcdefghijklmnop"
NEW = "new-welfare-data-key-0123456789abcdefghijklmnop"
ARCHIVE_KEY = "archive-key-kept-off-the-server-0123456789abcdef"


@pytest.fixture
def world(request, settings, tmp_path, tree):
    """Hardship files with ID numbers (a few through the services, a scale sample), their photos
    and signatures, public media, a contest attachment, and two contests with ballots (one sealed)."""
    new_file, new_contest, new_entry, new_voter = (
        request.getfixturevalue(name) for name in ("make_file", "make_contest", "make_entry", "make_voter")
    )
    settings.CONTESTS_PRIVATE_ROOT = str(tmp_path / "contests_private")
    settings.WELFARE_DATA_KEY, settings.WELFARE_DATA_KEYS = OLD, [OLD]
    for n in range(6):
        new_file(name=f"Worker {n}", id_number=id_number(n))
    call_command("seed_scale", welfare_files=40, welfare_visits=10, stdout=io.StringIO())
    private_files()

    voters = [new_voter(f"v{n}") for n in range(2)]
    open_vote = new_contest("vote", slug="open", votes_per_voter=3, vote_period=Contest.VotePeriod.CONTEST)
    closed = new_contest("jury", slug="closed", votes_per_voter=3, vote_period=Contest.VotePeriod.CONTEST)
    during = closed.vote_closes - timezone.timedelta(days=2)
    for contest, now in ((open_vote, None), (closed, during)):
        entries = [new_entry(contest, f"E{n}") for n in range(2)]
        for voter in voters:
            for entry in entries:
                contest_services.ballot_cast(contest=contest, user=voter, entry_id=entry.pk, now=now)
    contest_services.vote_seal(contest=closed)
    assert HardshipFile.objects.count() == 46


SAMPLE = {
    "stations": 300,
    "studios": 5,
    "achievements": 60,
    "activities": 60,
    "welfare_files": 40,
    "welfare_visits": 30,
    "member_unions": 20,
    "members": 200,
}


def private_files() -> None:
    """Visit photos and signatures in private welfare storage, a public station photo and a contest
    attachment: the three storages an operator backing up "the database and media" would miss."""
    for n in range(3):
        welfare_private.save(f"visits/2023/photo-{n}.jpg", ContentFile(os.urandom(3000 + n)))
        welfare_private.save(f"signatures/2023/sig-{n}.png", ContentFile(os.urandom(800 + n)))
    default_storage.save("stations/photos/front.jpg", ContentFile(os.urandom(5000)))
    contest_private.save("attachments/plan.pdf", ContentFile(os.urandom(1200)))


@pytest.fixture
def demo_world(settings, tmp_path):
    """`seed_demo` (its contests with their ballot chains, one sealed by the demo's results)
    plus a scale sample of every app, and files in every storage."""
    settings.CONTESTS_PRIVATE_ROOT = str(tmp_path / "contests_private")
    settings.WELFARE_DATA_KEY, settings.WELFARE_DATA_KEYS = OLD, [OLD]
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_scale", **SAMPLE, stdout=io.StringIO())
    private_files()
    assert HardshipFile.objects.exclude(id_number_encrypted="").count() >= 40
    assert Contest.objects.filter(ballots__isnull=False).distinct().count() >= 1


@pytest.fixture
def drill_world(request):
    """The issue's drill world on PostgreSQL (the production database, where pg_dump and
    pg_restore run); the smaller world on SQLite, where seeding the demo would add minutes to
    every run for a backup path (the online backup API) that the small world exercises as well."""
    return request.getfixturevalue("demo_world" if connection.vendor == "postgresql" else "world")


def snapshot() -> dict:
    return {
        "counts": backup.table_counts(),
        "numbers": dict(HardshipFile.objects.values_list("pk", "id_number_encrypted")),
        "files": backup.files_checksums(),
        "ballots": dict(Contest.objects.annotate(n=Count("ballots")).values_list("slug", "n")),
    }


def clear_numbers(snap: dict) -> dict[int, str]:
    return {pk: identity.decrypt(token) for pk, token in snap["numbers"].items()}


def wipe() -> None:
    call_command("flush", interactive=False, verbosity=0)
    for root in backup.storage_roots().values():
        shutil.rmtree(root, ignore_errors=True)
    assert HardshipFile.objects.count() == 0 and backup.files_checksums() == {}


def assert_whole(clear: dict[int, str], files: dict[str, str], ballots: dict[str, int]) -> None:
    """Every ID number reads back (and is found by its number), every contest's chain verifies
    with all its ballots, every file is there with the same checksum."""
    tokens = dict(HardshipFile.objects.values_list("pk", "id_number_encrypted"))
    assert {pk: identity.decrypt(token) for pk, token in tokens.items()} == clear
    assert all(clear.values())
    for pk, number in list(clear.items())[:8]:
        assert list(HardshipFile.objects.search(number).values_list("pk", flat=True)) == [pk]
    assert set(Contest.objects.values_list("slug", flat=True)) == set(ballots)
    for slug, n in ballots.items():
        out = io.StringIO()
        call_command("verify_votes", slug, stdout=out)
        assert out.getvalue().startswith(f"OK: {n} ballots, chain intact")
    assert backup.files_checksums() == files


def test_backup_wipe_restore_then_rotate_keys_stopped_and_resumed(drill_world, tmp_path, settings):
    before = snapshot()
    clear = {pk: number for pk, number in clear_numbers(before).items() if number}
    assert len(clear) >= 6 and len(before["files"]) == 8
    archive = tmp_path / "drill.tar"
    out = io.StringIO()
    call_command("backup", "--output", str(archive), stdout=out)
    assert "Backup written to" in out.getvalue() and archive.is_file()
    entry = AuditEntry.objects.get(action="backup")
    assert entry.by is None and "OS user" in entry.detail and "8 files" in entry.detail

    wipe()
    with connection.cursor() as cursor:  # a newer release's table pointing at a restored one
        cursor.execute(
            "CREATE TABLE newer_release_note (id integer PRIMARY KEY, union_id integer REFERENCES core_union (id))"
        )
    out = io.StringIO()
    call_command("restore", str(archive), stdout=out)
    assert "checked against the manifest" in out.getvalue()

    after = backup.table_counts()
    # The archive was taken before its own log entry; the restore adds one.
    assert after.pop("core_auditentry") == before["counts"].pop("core_auditentry") + 1
    assert after == before["counts"]
    assert AuditEntry.objects.filter(action="restore").count() == 1
    assert_whole(clear, before["files"], before["ballots"])

    # Rotation to a new key, stopped after 3 files (batches of 2), then resumed.
    settings.WELFARE_DATA_KEY, settings.WELFARE_DATA_KEYS = NEW, [NEW, OLD]
    call_command("rotate_keys", "--batch-size", "2", "--limit", "3", stdout=out, stderr=io.StringIO())
    tokens = HardshipFile.objects.exclude(id_number_encrypted="").values_list("id_number_encrypted", flat=True)
    assert sum(identity.is_current(t) for t in tokens) == 3
    assert_whole(clear, before["files"], before["ballots"])  # mid-rotation: both keys read, either hash found
    out = io.StringIO()
    call_command("rotate_keys", "--batch-size", "2", stdout=out, stderr=io.StringIO())
    rest = HardshipFile.objects.count() - 3
    assert "Continuing after file id" in out.getvalue()
    assert f"{rest} files scanned, {len(clear) - 3} re-encrypted" in out.getvalue()
    out = io.StringIO()
    call_command("rotate_keys", "--status", stdout=out)
    assert "0 files not yet under it, 0 under no listed key" in out.getvalue()

    settings.WELFARE_DATA_KEYS = [NEW]  # the old key dropped
    assert_whole(clear, before["files"], before["ballots"])
    assert not HardshipFile.objects.filter(id_number_hash=identity.keyed_hash(clear[min(clear)], OLD)).exists()


def test_encrypted_archive_round_trip_and_refusals(world, tmp_path):
    key_file = tmp_path / "archive.key"
    key_file.write_text(ARCHIVE_KEY)
    before = snapshot()
    archive = tmp_path / "drill.tar.enc"
    call_command("backup", "--output", str(archive), "--encrypt-key-file", str(key_file), stdout=io.StringIO())
    assert backup.is_encrypted(archive)

    # Over existing data: refused, nothing touched.
    with pytest.raises(CommandError, match="refusing to restore over existing data"):
        call_command("restore", str(archive), "--encrypt-key-file", str(key_file))
    wipe()
    with pytest.raises(CommandError, match="give its key file"):
        call_command("restore", str(archive))
    wrong = tmp_path / "wrong.key"
    wrong.write_text("x" * 40)
    with pytest.raises(CommandError, match="does not open this archive"):
        call_command("restore", str(archive), "--encrypt-key-file", str(wrong))
    truncated = tmp_path / "truncated.tar.enc"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with pytest.raises(CommandError, match="truncated|damaged"):
        call_command("restore", str(truncated), "--encrypt-key-file", str(key_file))
    assert HardshipFile.objects.count() == 0  # nothing was loaded from a refused archive

    call_command("restore", str(archive), "--encrypt-key-file", str(key_file), stdout=io.StringIO())
    assert HardshipFile.objects.count() == 46
    assert_whole(clear_numbers(before), before["files"], before["ballots"])


def test_a_changed_member_is_refused_before_loading(world, tmp_path):
    archive = tmp_path / "drill.tar"
    call_command("backup", "--output", str(archive), stdout=io.StringIO())
    wipe()
    data = bytearray(archive.read_bytes())
    at = data.index(b"stations/photos/front.jpg")  # the photo's header; its bytes follow the 512-byte block
    block_end = (at // 512 + 1) * 512
    data[block_end + 10] ^= 0xFF
    archive.write_bytes(bytes(data))
    with pytest.raises(CommandError, match="checksum differs: files/media/stations/photos/front.jpg"):
        call_command("restore", str(archive))
    assert HardshipFile.objects.count() == 0 and backup.files_checksums() == {}
