"""In-process benchmark: ballots per second with 50 concurrent voters (threads)."""

import datetime as dt
import multiprocessing
import statistics
import threading
import time

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db import connections as db_connections
from django.utils import timezone

from unionportal.core.models import Union

from . import services
from .models import Ballot, BallotChain, Category, Contest, Entry, Voter, VoterQuota

THREADS = 50
PROCESSES = 5
ENTRIES = 30
SLUG = "bench-ballots"


def _setup() -> tuple[Contest, list, list[int]]:
    union = Union.objects.order_by("path").first() or Union.add_root(name="Bench union", kind=Union.Kind.CITY)
    now = timezone.now()
    _teardown()
    with transaction.atomic():
        contest = Contest.objects.create(
            union=union,
            slug=SLUG,
            title="Bench ballots",
            entry_opens=now - dt.timedelta(days=3),
            entry_closes=now - dt.timedelta(days=2),
            screening_closes=now - dt.timedelta(days=1),
            vote_opens=now - dt.timedelta(hours=1),
            vote_closes=now + dt.timedelta(days=1),
            jury_closes=now + dt.timedelta(days=2),
            results_on=now + dt.timedelta(days=3),
            votes_per_voter=ENTRIES,
            vote_period=Contest.VotePeriod.CONTEST,
        )
        cat = Category.objects.create(contest=contest, name="bench")
        entries = Entry.objects.bulk_create(
            [
                Entry(contest=contest, category=cat, title=f"E{i}", description="-", status=Entry.Status.ACCEPTED)
                for i in range(ENTRIES)
            ]
        )
        User = get_user_model()
        users = []
        for i in range(THREADS):
            user, _ = User.objects.get_or_create(username=f"bench_voter_{i:02d}")
            Voter.objects.update_or_create(user=user, defaults={"union": union, "verified": True})
            users.append(user)
    return contest, users, [e.pk for e in entries]


def _teardown() -> None:
    contest = Contest.objects.filter(slug=SLUG).first()
    if contest:
        Ballot.objects.filter(contest=contest).delete()
        VoterQuota.objects.filter(contest=contest).delete()
        BallotChain.objects.filter(contest=contest).delete()
        Entry.objects.filter(contest=contest).delete()
        contest.delete()


def _cast_group(args) -> tuple[list[float], list[str]]:
    """In a forked process: one thread per voter of the group, each voting for every entry."""
    contest_id, user_ids, entry_ids = args
    contest = Contest.objects.get(pk=contest_id)
    User = get_user_model()
    users = list(User.objects.filter(pk__in=user_ids))
    connection.close()
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(users))

    def work(user):
        mine = []
        try:
            barrier.wait()
            for entry_id in entry_ids:
                t0 = time.perf_counter()
                services.ballot_cast(contest=contest, user=user, entry_id=entry_id)
                mine.append(time.perf_counter() - t0)
        except Exception as e:  # noqa: BLE001 - reported in the bench row
            errors.append(repr(e))
        finally:
            connection.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=work, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors


def run() -> list[dict]:
    """50 concurrent voters: PROCESSES forked processes (like server workers) of threads."""
    contest, users, entry_ids = _setup()
    vendor = connection.vendor
    groups = [[u.pk for u in users[i::PROCESSES]] for i in range(PROCESSES)]
    db_connections.close_all()  # never share a connection with the children
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(PROCESSES) as pool:
        parts = pool.map(_cast_group, [(contest.pk, g, entry_ids) for g in groups])
    elapsed = time.perf_counter() - started
    latencies = [x for lat, _errors in parts for x in lat]
    errors = [e for _lat, errs in parts for e in errs]
    kept = Ballot.objects.filter(contest=contest).count()
    ok_chain = services.ballots_verify(contest=contest).ok
    _teardown()
    rate = kept / elapsed if elapsed else 0.0
    lat = sorted(latencies) or [0.0]
    p95 = lat[max(int(len(lat) * 0.95) - 1, 0)]
    label = f"{THREADS} concurrent voters in {PROCESSES} processes ({vendor})"
    return [
        {
            "name": f"ballots/s, {label}",
            "value": round(rate, 1),
            "unit": "ballots/s",
            "target": ">= 500 on PostgreSQL",
            "ok": rate >= 500 or vendor != "postgresql",
        },
        {
            "name": f"ballot latency p50 ({vendor})",
            "value": round(statistics.median(lat) * 1000, 2),
            "unit": "ms",
            "target": "-",
            "ok": True,
        },
        {
            "name": f"ballot latency p95 ({vendor})",
            "value": round(p95 * 1000, 2),
            "unit": "ms",
            "target": "-",
            "ok": True,
        },
        {
            "name": "ballots kept = cast, chain verifies",
            "value": kept,
            "unit": "ballots",
            "target": f"{THREADS * ENTRIES}, no errors",
            "ok": kept == THREADS * ENTRIES and ok_chain and not errors,
        },
    ]
