"""Voters and the public vote: ballots appended to keyed hash chains, their verification and seals."""

import datetime as dt
from collections import defaultdict
from contextlib import nullcontext
from dataclasses import dataclass

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DataError, IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from unionportal.core.ids import parse_id
from unionportal.core.models import Role, Union
from unionportal.core.scoping import has_role

from .. import chain
from ..eligibility import voter_eligible
from ..models import CHAIN_SHARDS, GENESIS_HASH, Ballot, BallotChain, ChainSeal, Contest, Entry, Voter


class VoteRejected(ValidationError):
    """A ballot that the rule refuses; `code` says why (closed, not_voter, limit, already, entry)."""


# --- Voters ---------------------------------------------------------------------------------


@transaction.atomic
def voter_verify(*, user: AbstractUser, union: Union, by: AbstractUser | None) -> Voter:
    """Mark an account as a verified worker of `union` (done by an officer of that union)."""
    if by is not None and not has_role(by, union, Role.EDIT_ROLES):
        raise PermissionDenied
    current = Voter.objects.select_related("union").filter(user=user).first()
    if by is not None and current is not None and not has_role(by, current.union, Role.EDIT_ROLES):
        # Another union verified this worker: only that union (or one above both) moves them.
        raise ValidationError(_("This account is verified by another union."), code="other_union")
    voter, _created = Voter.objects.update_or_create(
        user=user, defaults={"union": union, "verified": True, "verified_by": by, "verified_at": timezone.now()}
    )
    return voter


@transaction.atomic
def voter_delete(*, voter: Voter, by: AbstractUser | None) -> None:
    """Withdraw an account's verification (its ballots stay in the log)."""
    if by is not None and not has_role(by, voter.union, Role.EDIT_ROLES):
        raise PermissionDenied
    voter.delete()


# --- Ballots ----------------------------------------------------------------------------------


def ballot_cast(*, contest: Contest, user: AbstractUser, entry_id, now: dt.datetime | None = None) -> Ballot:
    """Cast one ballot under the contest's rule, safe under concurrency.

    The voter's quota row is counted up only while under the limit (one conditional upsert,
    which also serialises one voter's ballots); the unique constraint on the ballot backs the
    once-per-entry rule; the head row of the voter's chain is locked only to append.
    """
    now = now or timezone.now()
    if not contest.vote_open(now):
        raise VoteRejected(_("The public vote is not open now."), code="closed")
    if contest.results_published:
        raise VoteRejected(_("The results are published; the vote is over."), code="closed")
    # The id goes into raw SQL: beyond a 64-bit integer the driver would fail.
    entry_id = parse_id(entry_id)
    if entry_id is None:
        raise VoteRejected(_("This entry is not in the public vote."), code="entry")
    if not voter_eligible(contest=contest, user=user):
        raise VoteRejected(_("Only accounts verified by a union may vote."), code="not_voter")
    if contest.votes_per_voter < 1:
        raise VoteRejected(_("You have used all your votes."), code="limit")
    period = contest.period_key(now)
    shard = user.pk % CHAIN_SHARDS
    cast = _cast_pg if connection.vendor == "postgresql" else _cast_orm
    try:
        return cast(contest, user.pk, entry_id, period, shard, now)
    except IntegrityError:
        # Another request of the same voter stored this very ballot first.
        raise VoteRejected(_("You have already voted for this entry."), code="already") from None


def _reject(contest: Contest, voter_id: int, entry_id: int) -> None:
    """Say why a ballot was not stored (only on the refusal path)."""
    if Contest.objects.filter(pk=contest.pk, results_published=True).exists():
        raise VoteRejected(_("The results are published; the vote is over."), code="closed")
    if not Entry.objects.filter(pk=entry_id, contest=contest, status=Entry.Status.ACCEPTED).exists():
        raise VoteRejected(_("This entry is not in the public vote."), code="entry")
    raise VoteRejected(_("You have used all your votes."), code="limit")


def _chains_create(contest_id: int) -> None:
    BallotChain.objects.bulk_create(
        [BallotChain(contest_id=contest_id, shard=s) for s in range(CHAIN_SHARDS)], ignore_conflicts=True
    )


# Works on PostgreSQL and SQLite >= 3.35; the table name is ours, never user input. A ballot
# counts only for an accepted entry of a contest whose results are not published; who may
# vote was decided before (contests/eligibility.py).
QUOTA_UPSERT = (
    "INSERT INTO contests_voterquota (contest_id, voter_id, period, used) SELECT %s, %s, %s, 1 "
    "WHERE EXISTS (SELECT 1 FROM contests_entry WHERE id = %s AND contest_id = %s AND status = 'accepted') "
    "AND NOT EXISTS (SELECT 1 FROM contests_contest WHERE id = %s AND results_published) "
    "ON CONFLICT (contest_id, voter_id, period) DO UPDATE SET used = contests_voterquota.used + 1 "
    "WHERE contests_voterquota.used < %s RETURNING used"
)


def _cast_orm(contest, voter_id, entry_id, period, shard, now) -> Ballot:
    """Any database: a few statements in one transaction (SQLite takes its write lock up front)."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                QUOTA_UPSERT,
                [contest.pk, voter_id, period, entry_id, contest.pk, contest.pk, contest.votes_per_voter],
            )
            if cursor.fetchone() is None:
                _reject(contest, voter_id, entry_id)
        chains = BallotChain.objects.select_for_update()
        head = chains.filter(contest_id=contest.pk, shard=shard).first()
        if head is None:
            _chains_create(contest.pk)
            head = chains.get(contest_id=contest.pk, shard=shard)
        seq = head.length + 1
        digest = Ballot.compute_hash(
            prev_hash=head.head,
            contest_id=contest.pk,
            shard=shard,
            seq=seq,
            voter_id=voter_id,
            entry_id=entry_id,
            period=period,
            cast_at=now,
            kid=contest.chain_key_id,
        )
        ballot = Ballot.objects.create(
            contest_id=contest.pk,
            shard=shard,
            seq=seq,
            voter_id=voter_id,
            entry_id=entry_id,
            period=period,
            cast_at=now,
            prev_hash=head.head,
            hash=digest,
        )
        BallotChain.objects.filter(pk=head.pk).update(length=seq, head=digest)
    return ballot


# PostgreSQL: the whole ballot in one statement, so one round trip and atomic by itself.
# q counts the vote (only for an accepted entry of the contest, under the limit, results not
# published; the voter's eligibility was checked before); head locks the voter's chain; ins stores the ballot with its
# HMAC-SHA256 computed by the server over exactly the text chain.ballot_text builds
# (H((k^opad) || H((k^ipad) || text)), the pads passed in); upd moves the head. A missing
# chain row aborts the statement (division by zero), so the vote is never counted without a ballot.
PG_CAST = """
WITH q AS (
    INSERT INTO contests_voterquota AS vq (contest_id, voter_id, period, used)
    SELECT %(c)s, %(v)s, %(p)s, 1
    WHERE EXISTS (SELECT 1 FROM contests_entry WHERE id = %(e)s AND contest_id = %(c)s AND status = 'accepted')
      AND NOT EXISTS (SELECT 1 FROM contests_contest WHERE id = %(c)s AND results_published)
    ON CONFLICT (contest_id, voter_id, period) DO UPDATE SET used = vq.used + 1 WHERE vq.used < %(limit)s
    RETURNING used
), head AS (
    SELECT id, length, head FROM contests_ballotchain
    WHERE contest_id = %(c)s AND shard = %(s)s AND EXISTS (SELECT 1 FROM q)
    FOR UPDATE
), ins AS (
    INSERT INTO contests_ballot (contest_id, shard, seq, voter_id, entry_id, period, cast_at, prev_hash, hash)
    SELECT %(c)s, %(s)s, head.length + 1, %(v)s, %(e)s, %(p)s, %(t)s, head.head,
        encode(sha256(%(opad)s::bytea || sha256(%(ipad)s::bytea || convert_to(concat_ws('|', head.head,
            %(c)s::text, %(s)s::text, (head.length + 1)::text, %(v)s::text, %(e)s::text, %(p)s::text,
            %(stamp)s::text), 'UTF8'))), 'hex')
    FROM head
    RETURNING id, seq, prev_hash, hash
), upd AS (
    UPDATE contests_ballotchain AS ch SET length = ins.seq, head = ins.hash FROM ins, head
    WHERE ch.id = head.id
    RETURNING ch.id
)
SELECT ins.id, ins.seq, ins.prev_hash, ins.hash,
    1 / (CASE WHEN (SELECT count(*) FROM q) > (SELECT count(*) FROM upd) THEN 0 ELSE 1 END)
FROM (VALUES (1)) AS one (x) LEFT JOIN ins ON true
"""


def _cast_pg(contest, voter_id, entry_id, period, shard, now) -> Ballot:
    stamp = now.astimezone(dt.UTC).isoformat(timespec="microseconds")
    ipad, opad = chain.hmac_pads(contest.chain_key_id)
    params = {
        "c": contest.pk,
        "s": shard,
        "v": voter_id,
        "e": entry_id,
        "p": period,
        "t": now,
        "stamp": stamp,
        "limit": contest.votes_per_voter,
        "ipad": ipad,
        "opad": opad,
    }
    row = None
    for _attempt in range(2):
        try:
            # Inside a caller's transaction a savepoint keeps a refused statement from spoiling it.
            savepoint = transaction.atomic() if connection.in_atomic_block else nullcontext()
            with savepoint, connection.cursor() as cursor:
                cursor.execute(PG_CAST, params)
                row = cursor.fetchone()
            break
        except DataError:  # the first ballot of this chain: create the contest's chain rows, retry
            _chains_create(contest.pk)
    if row is None or row[0] is None:
        _reject(contest, voter_id, entry_id)
    pk, seq, prev_hash, digest, _ok = row
    return Ballot(
        pk=pk,
        contest_id=contest.pk,
        shard=shard,
        seq=seq,
        voter_id=voter_id,
        entry_id=entry_id,
        period=period,
        cast_at=now,
        prev_hash=prev_hash,
        hash=digest,
    )


# --- Verification and seals -------------------------------------------------------------------


@dataclass
class ChainReport:
    ok: bool
    ballots: int
    counts: dict[int, int]
    problem: str = ""
    ballot_id: int | None = None


def chain_fingerprint(*, contest: Contest) -> tuple[int, str]:
    """The number of ballots and one SHA-256 over every chain head: published beside the results."""
    heads = list(BallotChain.objects.filter(contest=contest).order_by("shard").values_list("shard", "length", "head"))
    return sum(length for _shard, length, _head in heads), chain.heads_digest(heads)


def ballots_verify(*, contest: Contest, check_results: bool = True) -> ChainReport:
    """Walk every chain from its start, recompute every keyed hash, compare with the recorded
    seals and recount the votes."""
    try:
        chain.chain_key(contest.chain_key_id)
    except chain.UnknownChainKey:
        return ChainReport(
            False,
            0,
            {},
            f"the key this contest's ballots are hashed under (id {contest.chain_key_id}) is not configured:"
            " list it in BALLOT_CHAIN_KEYS",
        )
    counts: dict[int, int] = defaultdict(int)
    per_voter: dict[tuple[int, str], int] = defaultdict(int)
    walked: dict[int, tuple[int, str]] = {}  # shard -> (ballots, last hash)
    total = 0
    rows = Ballot.objects.filter(contest=contest).order_by("shard", "seq").iterator(chunk_size=2000)
    for ballot in rows:
        seen, prev = walked.get(ballot.shard, (0, GENESIS_HASH))
        where = f"ballot #{ballot.shard}.{ballot.seq}"
        if ballot.seq != seen + 1:
            return ChainReport(False, total, counts, f"ballot #{ballot.shard}.{seen + 1} is missing", ballot.pk)
        if ballot.prev_hash != prev:
            return ChainReport(False, total, counts, f"{where} does not follow the one before", ballot.pk)
        if ballot.hash != ballot.expected_hash(contest.chain_key_id):
            return ChainReport(False, total, counts, f"{where} was changed", ballot.pk)
        walked[ballot.shard] = (ballot.seq, ballot.hash)
        total += 1
        counts[ballot.entry_id] += 1
        per_voter[(ballot.voter_id, ballot.period)] += 1
    heads = {c.shard: (c.length, c.head) for c in BallotChain.objects.filter(contest=contest)}
    for shard in set(heads) | set(walked):
        length, head = heads.get(shard, (0, GENESIS_HASH))
        seen, last = walked.get(shard, (0, GENESIS_HASH))
        if (length, head) != (seen, last):
            return ChainReport(
                False, total, counts, f"chain {shard}: the head says {length} ballots, the log holds {seen}"
            )
    problem = _seals_problem(contest)
    if problem:
        return ChainReport(False, total, counts, problem)
    for (voter_id, period), n in per_voter.items():
        if n > contest.votes_per_voter:
            return ChainReport(False, total, counts, f"voter {voter_id} cast {n} ballots in period {period}")
    if check_results and contest.results_computed_at:
        for entry_id, stored in Entry.objects.filter(contest=contest).values_list("pk", "vote_count"):
            if stored != counts.get(entry_id, 0):
                return ChainReport(
                    False,
                    total,
                    counts,
                    f"entry {entry_id}: results say {stored} votes, the chain counts {counts.get(entry_id, 0)}",
                )
    return ChainReport(True, total, dict(counts))


def _seals_problem(contest: Contest) -> str:
    """What differs between the chain now and the fingerprints recorded at its stages ("" if nothing)."""
    ballots, heads = chain_fingerprint(contest=contest)
    for seal in ChainSeal.objects.filter(contest=contest).order_by("sealed_at"):
        expected = chain.seal_mac(
            contest_id=contest.pk, kind=seal.kind, ballots=seal.ballots, heads=seal.heads, kid=contest.chain_key_id
        )
        if seal.mac != expected:
            return f"the fingerprint recorded when {seal.kind.replace('_', ' ')} was altered"
        if (seal.ballots, seal.heads) != (ballots, heads):
            return (
                f"the ballot log differs from the fingerprint recorded when {seal.kind.replace('_', ' ')}: "
                f"{seal.ballots} ballots then, {ballots} now"
            )
    return ""


@transaction.atomic
def chain_seal(*, contest: Contest, kind: str, now: dt.datetime | None = None) -> ChainSeal:
    """Record the ballot log's fingerprint (keyed) at a stage, once: when voting has closed and
    when the results are published. A seal already recorded is returned as it is."""
    now = now or timezone.now()
    if now < contest.vote_closes:
        raise ValidationError(_("The public vote is still open."), code="vote_open")
    existing = ChainSeal.objects.filter(contest=contest, kind=kind).first()
    if existing is not None:
        return existing
    # No ballot is appended after the vote closes; the lock keeps two sealers from racing.
    list(BallotChain.objects.select_for_update().filter(contest=contest).values_list("pk", flat=True))
    ballots, heads = chain_fingerprint(contest=contest)
    seal, _created = ChainSeal.objects.get_or_create(
        contest=contest,
        kind=kind,
        defaults={
            "ballots": ballots,
            "heads": heads,
            "mac": chain.seal_mac(
                contest_id=contest.pk, kind=kind, ballots=ballots, heads=heads, kid=contest.chain_key_id
            ),
            "sealed_at": now,
        },
    )
    return seal


def vote_seal(*, contest: Contest, now: dt.datetime | None = None) -> ChainSeal | None:
    """Record the fingerprint of a closed vote if it is not yet (None while the vote is open)."""
    now = now or timezone.now()
    if contest.is_labour or now < contest.vote_closes:
        return None
    return chain_seal(contest=contest, kind=ChainSeal.Kind.VOTE_CLOSED, now=now)
