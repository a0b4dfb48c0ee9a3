"""Existing data under the new rules.

- Entry attachments move from MEDIA_ROOT (public under /media/) into the contests' private storage.
- Ballot chains hashed with plain SHA-256 are re-hashed with HMAC-SHA256 (settings.BALLOT_CHAIN_KEY),
  but only a chain that verifies as it is: a log already altered stays as it is and fails
  verification. Contests whose vote has closed get their fingerprint recorded (and published
  ones the second one too), as the services record them from now on.

Both steps are frozen here (no import of the app's code), and both do nothing on an empty database.
"""

import datetime as dt
import hashlib
import hmac
import os

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import migrations
from django.utils import timezone

GENESIS = "0" * 64


def _text(b, prev):
    stamp = b.cast_at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    return f"{prev}|{b.contest_id}|{b.shard}|{b.seq}|{b.voter_id}|{b.entry_id}|{b.period}|{stamp}"


def _mac(text):
    return hmac.new(str(settings.BALLOT_CHAIN_KEY).encode(), text.encode(), hashlib.sha256).hexdigest()


def rehash_chains(apps, schema_editor):
    Contest = apps.get_model("contests", "Contest")
    Ballot = apps.get_model("contests", "Ballot")
    BallotChain = apps.get_model("contests", "BallotChain")
    ChainSeal = apps.get_model("contests", "ChainSeal")
    now = timezone.now()
    for contest in Contest.objects.filter(pk__in=Ballot.objects.values("contest_id")):
        ballots = list(Ballot.objects.filter(contest=contest).order_by("shard", "seq"))
        walked, plain_ok = {}, True
        for b in ballots:
            seen, prev = walked.get(b.shard, (0, GENESIS))
            if b.seq != seen + 1 or b.prev_hash != prev or b.hash != hashlib.sha256(_text(b, prev).encode()).hexdigest():
                plain_ok = False
                break
            walked[b.shard] = (b.seq, b.hash)
        heads = {c.shard: c for c in BallotChain.objects.filter(contest=contest)}
        if not plain_ok or any((heads[s].length, heads[s].head) != v for s, v in walked.items() if s in heads):
            continue
        new = {}
        for b in ballots:
            prev = new.get(b.shard, GENESIS)
            b.prev_hash, b.hash = prev, _mac(_text(b, prev))
            new[b.shard] = b.hash
        Ballot.objects.bulk_update(ballots, ["prev_hash", "hash"], batch_size=2000)
        for shard, head in new.items():
            BallotChain.objects.filter(contest=contest, shard=shard).update(head=head)
        if now < contest.vote_closes:
            continue
        rows = list(BallotChain.objects.filter(contest=contest).order_by("shard").values_list("shard", "length", "head"))
        count = sum(r[1] for r in rows)
        digest = hashlib.sha256(";".join(f"{s}:{n}:{h}" for s, n, h in rows).encode()).hexdigest()
        kinds = ["vote_closed"] + (["results_published"] if contest.results_published else [])
        for kind in kinds:
            ChainSeal.objects.get_or_create(
                contest=contest,
                kind=kind,
                defaults={
                    "ballots": count,
                    "heads": digest,
                    "mac": _mac(f"seal|{contest.pk}|{kind}|{count}|{digest}"),
                    "sealed_at": now,
                },
            )


def _private_root():
    configured = getattr(settings, "CONTESTS_PRIVATE_ROOT", None)
    if configured:
        return str(configured)
    return os.path.join(os.path.dirname(os.path.abspath(settings.MEDIA_ROOT)), "contests_private")


def move_attachments(apps, schema_editor):
    from django.core.files.storage import FileSystemStorage

    EntryAttachment = apps.get_model("contests", "EntryAttachment")
    private = FileSystemStorage(location=_private_root())
    for attachment in EntryAttachment.objects.exclude(file=""):
        name = attachment.file.name
        if private.exists(name) or not default_storage.exists(name):
            continue
        with default_storage.open(name, "rb") as f:
            saved = private.save(name, f)
        default_storage.delete(name)
        if saved != name:
            EntryAttachment.objects.filter(pk=attachment.pk).update(file=saved)


class Migration(migrations.Migration):
    dependencies = [("contests", "0003_chain_seals_private_attachments")]

    operations = [
        migrations.RunPython(move_attachments, migrations.RunPython.noop),
        migrations.RunPython(rehash_chains, migrations.RunPython.noop),
    ]
