"""Writes of the contests app: entries, screening, ballots, jury scores, results and awards."""

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import DataError, IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from unionportal.core.images import CleanImage
from unionportal.core.models import Role, Union
from unionportal.core.services import activity_log

from .models import (
    CHAIN_SHARDS,
    GENESIS_HASH,
    Ballot,
    BallotChain,
    Category,
    Contest,
    Criterion,
    Entry,
    EntryAttachment,
    EntryPhoto,
    JudgeAssignment,
    JudgeScore,
    Period,
    Team,
    TeamMember,
    TeamScore,
    Voter,
    VoterQuota,
)

THREE = Decimal("0.001")
HUNDRED = Decimal(100)


# Works on PostgreSQL and SQLite >= 3.35; the table name is ours, never user input.
QUOTA_UPSERT = (
    "INSERT INTO contests_voterquota (contest_id, voter_id, period, used) SELECT %s, %s, %s, 1 "
    "WHERE EXISTS (SELECT 1 FROM contests_entry WHERE id = %s AND contest_id = %s AND status = 'accepted') "
    "AND EXISTS (SELECT 1 FROM contests_voter WHERE user_id = %s AND verified) "
    "ON CONFLICT (contest_id, voter_id, period) DO UPDATE SET used = contests_voterquota.used + 1 "
    "WHERE contests_voterquota.used < %s RETURNING used"
)


class VoteRejected(ValidationError):
    """A ballot that the rule refuses; `code` says why (closed, not_voter, limit, already, entry)."""


# --- Entries and screening ---------------------------------------------------------------


def worker_union(user) -> Union | None:
    """The union a worker belongs to: their verified voter record, else a union where they hold a role."""
    if user is None or not user.is_authenticated:
        return None
    voter = Voter.objects.filter(user=user, verified=True).select_related("union").first()
    if voter is not None:
        return voter.union
    role = Role.objects.filter(user=user).select_related("union").order_by("pk").first()
    return role.union if role else None


@dataclass(frozen=True)
class MemberInput:
    name: str
    union: Union
    is_leader: bool = False


@transaction.atomic
def entry_submit(
    *,
    contest: Contest,
    by: AbstractUser,
    category: Category,
    title: str,
    description: str,
    members: Sequence[MemberInput],
    benefit: str = "",
    benefit_value: Decimal | None = None,
    benefit_unit: str = "",
    photos: Iterable[CleanImage] = (),
    attachments: Iterable[ContentFile] = (),
    now: dt.datetime | None = None,
) -> Entry:
    """Submit an entry during the entry stage, by a worker of the organiser's subtree; all or nothing."""
    now = now or timezone.now()
    if contest.is_labour:
        raise ValidationError(_("Labour competitions do not take entries."))
    if not contest.accepts_entries(now):
        raise ValidationError(
            _("Entries are accepted from {opens} to {closes} only.").format(
                opens=timezone.localtime(contest.entry_opens).strftime("%Y-%m-%d %H:%M"),
                closes=timezone.localtime(contest.entry_closes).strftime("%Y-%m-%d %H:%M"),
            ),
            code="closed",
        )
    home = worker_union(by)
    if not by.is_superuser and (home is None or not home.is_within(contest.union)):
        raise PermissionDenied(_("Only workers of the organiser's unions may submit entries."))
    if category.contest_id != contest.pk:
        raise ValidationError(_("Choose a category of this contest."), code="category")
    if not members:
        raise ValidationError(_("Name at least one team member."), code="members")
    for member in members:
        if not member.union.is_within(contest.union):
            raise ValidationError(
                _("{name}'s union is not one of the organiser's unions.").format(name=member.name), code="members"
            )
    entry = Entry(
        contest=contest,
        category=category,
        title=title,
        description=description,
        benefit=benefit,
        benefit_value=benefit_value,
        benefit_unit=benefit_unit,
        submitted_by=by,
    )
    entry.full_clean()
    entry.save()
    TeamMember.objects.bulk_create(
        [TeamMember(entry=entry, name=m.name, union=m.union, is_leader=m.is_leader) for m in members]
    )
    for photo in photos:
        EntryPhoto.objects.create(entry=entry, image=photo.image, thumbnail=photo.thumbnail)
    for attachment in attachments:
        EntryAttachment.objects.create(entry=entry, file=attachment, title=attachment.name)
    return entry


@transaction.atomic
def entry_screen(
    *, entry: Entry, accept: bool, reason: str = "", by: AbstractUser, now: dt.datetime | None = None
) -> Entry:
    """Accept or reject an entry with a reason the team sees; only until the public vote opens."""
    now = now or timezone.now()
    contest = entry.contest
    if not Contest.objects.editable_by(by).filter(pk=contest.pk).exists():
        raise PermissionDenied
    if now >= contest.vote_opens:
        raise ValidationError(_("Screening is closed: the public vote has opened."), code="closed")
    reason = (reason or "").strip()
    if not accept and not reason:
        raise ValidationError(_("Give the team a reason for the rejection."), code="reason")
    entry.status = Entry.Status.ACCEPTED if accept else Entry.Status.REJECTED
    entry.screening_reason = reason[:300]
    entry.screened_by = by
    entry.screened_at = now
    entry.save(update_fields=["status", "screening_reason", "screened_by", "screened_at", "updated_at"])
    return entry


# --- Voters and ballots ------------------------------------------------------------------


@transaction.atomic
def voter_verify(*, user: AbstractUser, union: Union, by: AbstractUser | None) -> Voter:
    """Mark an account as a verified worker of `union` (done by an officer of that union)."""
    from unionportal.core.scoping import has_role

    if by is not None and not has_role(by, union, Role.EDIT_ROLES):
        raise PermissionDenied
    voter, _created = Voter.objects.update_or_create(
        user=user, defaults={"union": union, "verified": True, "verified_by": by, "verified_at": timezone.now()}
    )
    return voter


def ballot_cast(*, contest: Contest, user: AbstractUser, entry_id: int, now: dt.datetime | None = None) -> Ballot:
    """Cast one ballot under the contest's rule, safe under concurrency.

    The voter's quota row is counted up only while under the limit (one conditional upsert,
    which also serialises one voter's ballots); the unique constraint on the ballot backs the
    once-per-entry rule; the head row of the voter's chain is locked only to append.
    """
    now = now or timezone.now()
    if not contest.vote_open(now):
        raise VoteRejected(_("The public vote is not open now."), code="closed")
    try:
        entry_id = int(entry_id)
    except (TypeError, ValueError):
        raise VoteRejected(_("This entry is not in the public vote."), code="entry") from None
    if not 0 < entry_id < 2**63:
        # The id goes into raw SQL: beyond a 64-bit integer the driver fails (OverflowError, DataError).
        raise VoteRejected(_("This entry is not in the public vote."), code="entry")
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
    if not Voter.objects.filter(user_id=voter_id, verified=True).exists():
        raise VoteRejected(_("Only accounts verified by a union may vote."), code="not_voter")
    if not Entry.objects.filter(pk=entry_id, contest=contest, status=Entry.Status.ACCEPTED).exists():
        raise VoteRejected(_("This entry is not in the public vote."), code="entry")
    raise VoteRejected(_("You have used all your votes."), code="limit")


def _chains_create(contest_id: int) -> None:
    BallotChain.objects.bulk_create(
        [BallotChain(contest_id=contest_id, shard=s) for s in range(CHAIN_SHARDS)], ignore_conflicts=True
    )


def _cast_orm(contest, voter_id, entry_id, period, shard, now) -> Ballot:
    """Any database: a few statements in one transaction (SQLite takes its write lock up front)."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                QUOTA_UPSERT,
                [contest.pk, voter_id, period, entry_id, contest.pk, voter_id, contest.votes_per_voter],
            )
            if cursor.fetchone() is None:
                _reject(contest, voter_id, entry_id)
        chains = BallotChain.objects.select_for_update()
        chain = chains.filter(contest_id=contest.pk, shard=shard).first()
        if chain is None:
            _chains_create(contest.pk)
            chain = chains.get(contest_id=contest.pk, shard=shard)
        seq = chain.length + 1
        digest = Ballot.compute_hash(
            prev_hash=chain.head,
            contest_id=contest.pk,
            shard=shard,
            seq=seq,
            voter_id=voter_id,
            entry_id=entry_id,
            period=period,
            cast_at=now,
        )
        ballot = Ballot.objects.create(
            contest_id=contest.pk,
            shard=shard,
            seq=seq,
            voter_id=voter_id,
            entry_id=entry_id,
            period=period,
            cast_at=now,
            prev_hash=chain.head,
            hash=digest,
        )
        BallotChain.objects.filter(pk=chain.pk).update(length=seq, head=digest)
    return ballot


# PostgreSQL: the whole ballot in one statement, so one round trip and atomic by itself.
# q counts the vote (only for an accepted entry of the contest, a verified voter, under the
# limit); head locks the voter's chain; ins stores the ballot with its SHA-256 computed by the
# server over exactly the text Ballot.compute_hash hashes; upd moves the head. A missing chain
# row aborts the statement (division by zero), so the vote is never counted without a ballot.
PG_CAST = """
WITH q AS (
    INSERT INTO contests_voterquota AS vq (contest_id, voter_id, period, used)
    SELECT %(c)s, %(v)s, %(p)s, 1
    WHERE EXISTS (SELECT 1 FROM contests_entry WHERE id = %(e)s AND contest_id = %(c)s AND status = 'accepted')
      AND EXISTS (SELECT 1 FROM contests_voter WHERE user_id = %(v)s AND verified)
    ON CONFLICT (contest_id, voter_id, period) DO UPDATE SET used = vq.used + 1 WHERE vq.used < %(limit)s
    RETURNING used
), head AS (
    SELECT id, length, head FROM contests_ballotchain
    WHERE contest_id = %(c)s AND shard = %(s)s AND EXISTS (SELECT 1 FROM q)
    FOR UPDATE
), ins AS (
    INSERT INTO contests_ballot (contest_id, shard, seq, voter_id, entry_id, period, cast_at, prev_hash, hash)
    SELECT %(c)s, %(s)s, head.length + 1, %(v)s, %(e)s, %(p)s, %(t)s, head.head,
        encode(sha256(convert_to(concat_ws('|', head.head, %(c)s::text, %(s)s::text, (head.length + 1)::text,
            %(v)s::text, %(e)s::text, %(p)s::text, %(stamp)s::text), 'UTF8')), 'hex')
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
    params = {
        "c": contest.pk,
        "s": shard,
        "v": voter_id,
        "e": entry_id,
        "p": period,
        "t": now,
        "stamp": stamp,
        "limit": contest.votes_per_voter,
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


@dataclass
class VoteState:
    limit: int
    used: int
    voted: set[int]

    @property
    def remaining(self) -> int:
        return max(self.limit - self.used, 0)


def vote_state(*, contest: Contest, user, now: dt.datetime | None = None) -> VoteState:
    """How many votes the user has left in the current period and which entries they voted for."""
    if user is None or not user.is_authenticated:
        return VoteState(contest.votes_per_voter, 0, set())
    period = contest.period_key(now)
    used = (
        VoterQuota.objects.filter(contest=contest, voter_id=user.pk, period=period)
        .values_list("used", flat=True)
        .first()
    ) or 0
    voted = set(
        Ballot.objects.filter(contest=contest, voter_id=user.pk, period=period).values_list("entry_id", flat=True)
    )
    return VoteState(contest.votes_per_voter, used, voted)


@dataclass
class ChainReport:
    ok: bool
    ballots: int
    counts: dict[int, int]
    problem: str = ""
    ballot_id: int | None = None


def ballots_verify(*, contest: Contest, check_results: bool = True) -> ChainReport:
    """Walk every chain of the contest from its start, recompute every hash and recount the votes."""
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
        if ballot.hash != ballot.expected_hash():
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


def chain_fingerprint(*, contest: Contest) -> tuple[int, str]:
    """The number of ballots and one SHA-256 over every chain head: published beside the results,
    it pins the ballot log, so a later rewrite of ballots and heads together is noticed too."""
    heads = BallotChain.objects.filter(contest=contest).order_by("shard").values_list("shard", "length", "head")
    text = ";".join(f"{shard}:{length}:{head}" for shard, length, head in heads)
    return sum(length for _shard, length, _head in heads), hashlib.sha256(text.encode()).hexdigest()


# --- Jury ---------------------------------------------------------------------------------


def judge_conflicted(*, assignment: JudgeAssignment, entry: Entry) -> bool:
    """A judge from the same grassroots union as any team member does not judge the entry."""
    return any(m.union_id == assignment.home_union_id for m in entry.members.all())


@transaction.atomic
def judge_assign(*, contest: Contest, judge: AbstractUser, home_union: Union | None = None) -> JudgeAssignment:
    """Put a judge (core role "judge") on the contest's jury."""
    roles = Role.objects.filter(user=judge, kind=Role.Kind.JUDGE).select_related("union")
    if not judge.is_superuser and not roles.exists():
        raise ValidationError(_("{user} does not hold the judge role.").format(user=judge), code="not_judge")
    if home_union is None:
        home_union = roles.first().union
    assignment, _created = JudgeAssignment.objects.update_or_create(
        contest=contest, judge=judge, defaults={"home_union": home_union}
    )
    return assignment


@transaction.atomic
def scores_set(
    *, entry: Entry, judge: AbstractUser, scores: dict[int, Decimal], now: dt.datetime | None = None
) -> list[JudgeScore]:
    """Record a judge's scores of an entry on the contest's criteria (all or nothing)."""
    now = now or timezone.now()
    contest = entry.contest
    assignment = JudgeAssignment.objects.filter(contest=contest, judge=judge).first()
    if assignment is None:
        raise PermissionDenied(_("You are not on this contest's jury."))
    if entry.status != Entry.Status.ACCEPTED:
        raise ValidationError(_("Only accepted entries are judged."), code="not_accepted")
    if judge_conflicted(assignment=assignment, entry=entry):
        raise ValidationError(
            _("You are from the same union as a team member and do not judge this entry."), code="conflict"
        )
    if not contest.vote_opens <= now < contest.jury_closes:
        raise ValidationError(_("The jury review is closed."), code="closed")
    if contest.results_published:
        raise ValidationError(_("The results are published; scores can no longer change."), code="published")
    criteria = {c.pk: c for c in contest.criteria.all()}
    saved = []
    for criterion_id, value in scores.items():
        criterion = criteria.get(int(criterion_id))
        if criterion is None:
            raise ValidationError(_("Unknown criterion."), code="criterion")
        try:
            value = Decimal(str(value))
        except (ArithmeticError, ValueError):
            raise ValidationError(_("Scores must be numbers."), code="number") from None
        if not value.is_finite() or value < 0 or value > criterion.max_score:
            raise ValidationError(
                _("{criterion}: the score must be between 0 and {max}.").format(
                    criterion=criterion.name, max=criterion.max_score
                ),
                code="range",
            )
        score, _created = JudgeScore.objects.update_or_create(
            entry=entry, judge=judge, criterion=criterion, defaults={"score": value.quantize(Decimal("0.01"))}
        )
        saved.append(score)
    contest.results_computed_at = None
    contest.save(update_fields=["results_computed_at", "updated_at"])
    return saved


@dataclass
class MissingScore:
    entry: Entry
    judge: AbstractUser
    criteria: list[Criterion]


def scores_missing(*, contest: Contest) -> list[MissingScore]:
    """Every (entry, judge) pair whose scores are incomplete, conflicts of interest excluded."""
    entries = list(contest.entries.accepted().prefetch_related("members").select_related("category"))
    assignments = list(contest.judges.select_related("judge"))
    criteria = list(contest.criteria.all())
    have = set(JudgeScore.objects.filter(entry__contest=contest).values_list("entry_id", "judge_id", "criterion_id"))
    missing = []
    for entry in entries:
        for a in assignments:
            if judge_conflicted(assignment=a, entry=entry):
                continue
            lacking = [c for c in criteria if (entry.pk, a.judge_id, c.pk) not in have]
            if lacking:
                missing.append(MissingScore(entry, a.judge, lacking))
    return missing


def weighted_total(scores: dict[int, Decimal], criteria: Sequence[Criterion]) -> Decimal:
    """A judge's (or team's) total on a 0-100 scale: the weighted mean of score / maximum."""
    weight_sum = sum(c.weight for c in criteria)
    if not weight_sum:
        return Decimal(0)
    total = sum(Decimal(scores.get(c.pk, 0)) / c.max_score * c.weight for c in criteria)
    return total / weight_sum * HUNDRED


def trimmed_mean(totals: Sequence[Decimal]) -> Decimal:
    """The mean of the judges' totals; with five or more, the highest and lowest are dropped."""
    values = sorted(Decimal(t) for t in totals)
    if not values:
        return Decimal(0)
    if len(values) >= 5:
        values = values[1:-1]
    return sum(values) / len(values)


def final_score(*, vote_score: Decimal, jury_score: Decimal, vote_weight: int, jury_weight: int) -> Decimal:
    return ((vote_score * vote_weight + jury_score * jury_weight) / HUNDRED).quantize(THREE, ROUND_HALF_UP)


def rank_key(entry: Entry) -> tuple:
    """Ties on the final score go to the higher jury score, then more votes, then the earlier entry."""
    return (-entry.final_score, -entry.jury_score, -entry.vote_count, entry.pk)


def prize_for(contest: Contest, rank: int) -> str:
    cut = contest.first_prizes
    if rank <= cut:
        return Entry.Prize.FIRST
    cut += contest.second_prizes
    if rank <= cut:
        return Entry.Prize.SECOND
    cut += contest.third_prizes
    if rank <= cut:
        return Entry.Prize.THIRD
    if contest.excellence_prizes == 0 or rank <= cut + contest.excellence_prizes:
        return Entry.Prize.EXCELLENCE
    return ""


@transaction.atomic
def results_compute(*, contest: Contest, by: AbstractUser | None) -> list[Entry]:
    """Count the votes from the chain, average the jury, weight, rank per category and give prizes."""
    contest = Contest.objects.select_for_update().get(pk=contest.pk)
    if by is not None and not Contest.objects.editable_by(by).filter(pk=contest.pk).exists():
        raise PermissionDenied
    if contest.is_labour:
        raise ValidationError(_("Labour competitions are ranked on the leaderboard."), code="labour")
    if contest.results_published:
        raise ValidationError(_("The results are already published."), code="published")
    missing = scores_missing(contest=contest)
    if missing:
        raise ValidationError(
            _("{n} judge scores are missing; see the list of missing scores.").format(n=len(missing)), code="missing"
        )
    report = ballots_verify(contest=contest, check_results=False)
    if not report.ok:
        raise ValidationError(_("The ballot log fails verification: {problem}").format(problem=report.problem))
    entries = list(contest.entries.accepted().prefetch_related("members"))
    assignments = list(contest.judges.all())
    criteria = list(contest.criteria.all())
    by_entry_judge: dict[tuple[int, int], dict[int, Decimal]] = defaultdict(dict)
    for s in JudgeScore.objects.filter(entry__contest=contest):
        by_entry_judge[(s.entry_id, s.judge_id)][s.criterion_id] = s.score
    top_votes = max((report.counts.get(e.pk, 0) for e in entries), default=0)
    for entry in entries:
        entry.vote_count = report.counts.get(entry.pk, 0)
        entry.vote_score = (Decimal(entry.vote_count) / top_votes * HUNDRED if top_votes else Decimal(0)).quantize(
            THREE, ROUND_HALF_UP
        )
        totals = [
            weighted_total(by_entry_judge[(entry.pk, a.judge_id)], criteria)
            for a in assignments
            if not judge_conflicted(assignment=a, entry=entry) and (entry.pk, a.judge_id) in by_entry_judge
        ]
        if not totals:
            raise ValidationError(
                _("No judge without a conflict of interest scored “{title}”.").format(title=entry.title),
                code="no_judge",
            )
        entry.jury_score = trimmed_mean(totals).quantize(THREE, ROUND_HALF_UP)
        entry.final_score = final_score(
            vote_score=entry.vote_score,
            jury_score=entry.jury_score,
            vote_weight=contest.vote_weight,
            jury_weight=contest.jury_weight,
        )
    by_category: dict[int, list[Entry]] = defaultdict(list)
    for entry in entries:
        by_category[entry.category_id].append(entry)
    for group in by_category.values():
        for rank, entry in enumerate(sorted(group, key=rank_key), start=1):
            entry.rank = rank
            entry.prize = prize_for(contest, rank)
    Entry.objects.filter(contest=contest).exclude(status=Entry.Status.ACCEPTED).update(
        vote_count=0, vote_score=None, jury_score=None, final_score=None, rank=None, prize=""
    )
    Entry.objects.bulk_update(entries, ["vote_count", "vote_score", "jury_score", "final_score", "rank", "prize"])
    contest.results_computed_at = timezone.now()
    contest.save(update_fields=["results_computed_at", "updated_at"])
    return sorted(entries, key=lambda e: (e.category_id, e.rank))


@transaction.atomic
def results_publish(*, contest: Contest, by: AbstractUser | None, publish: bool = True) -> Contest:
    """Publish the computed results (and log the award ceremony), or take them back."""
    if by is not None and not Contest.objects.editable_by(by).filter(pk=contest.pk).exists():
        raise PermissionDenied
    contest.refresh_from_db()
    if publish:
        if contest.results_computed_at is None:
            raise ValidationError(_("Compute the results before publishing them."), code="not_computed")
        contest.results_published = True
        contest.results_published_at = contest.results_published_at or timezone.now()
        winners = contest.entries.exclude(prize="").count()
        activity_log(
            union=contest.union,
            kind="ceremony",
            title=_("Award ceremony: {title}").format(title=contest.title),
            starts_at=contest.results_on,
            source=f"contests.contest:{contest.pk}:awards",
            summary=_("{n} entries honoured.").format(n=winners),
            participants=winners,
            organiser=contest.union.name,
            by=by,
        )
    else:
        contest.results_published = False
        contest.results_published_at = None
    contest.save(update_fields=["results_published", "results_published_at", "updated_at"])
    return contest


def ranking(*, contest: Contest) -> list[tuple[Category, list[Entry]]]:
    """Computed ranking per category (for the results page and the export)."""
    entries = (
        contest.entries.accepted()
        .filter(rank__isnull=False)
        .select_related("category")
        .order_by("category__order", "category_id", "rank")
    )
    groups: dict[int, tuple[Category, list[Entry]]] = {}
    for e in entries:
        groups.setdefault(e.category_id, (e.category, []))[1].append(e)
    return list(groups.values())


# --- Labour competitions --------------------------------------------------------------------


@transaction.atomic
def team_score_set(
    *, team: Team, period: Period, criterion: Criterion, score: Decimal, by: AbstractUser | None, note: str = ""
) -> TeamScore:
    """Record a team's score on one criterion for one period."""
    if by is not None and not Contest.objects.editable_by(by).filter(pk=team.contest_id).exists():
        raise PermissionDenied
    if not (period.contest_id == criterion.contest_id == team.contest_id):
        raise ValidationError(_("Team, period and criterion must belong to the same competition."))
    score = Decimal(str(score))
    if not score.is_finite() or score < 0 or score > criterion.max_score:
        raise ValidationError(
            _("{criterion}: the score must be between 0 and {max}.").format(
                criterion=criterion.name, max=criterion.max_score
            )
        )
    row, _created = TeamScore.objects.update_or_create(
        team=team, period=period, criterion=criterion, defaults={"score": score, "note": note}
    )
    return row


@dataclass
class Standing:
    team: Team
    total: Decimal
    rank: int = 0


def leaderboard(*, contest: Contest) -> tuple[list[tuple[Period, list[Standing]]], list[Standing]]:
    """Standings per period (weighted 0-100 per period) and overall (sum over periods)."""
    teams = list(contest.teams.select_related("union"))
    periods = list(contest.periods.all())
    criteria = list(contest.criteria.all())
    cells: dict[tuple[int, int], dict[int, Decimal]] = defaultdict(dict)
    for s in TeamScore.objects.filter(team__contest=contest):
        cells[(s.team_id, s.period_id)][s.criterion_id] = s.score
    per_period = []
    overall = {t.pk: Decimal(0) for t in teams}
    for period in periods:
        rows = []
        for team in teams:
            if (team.pk, period.pk) not in cells:
                continue
            total = weighted_total(cells[(team.pk, period.pk)], criteria).quantize(THREE, ROUND_HALF_UP)
            overall[team.pk] += total
            rows.append(Standing(team, total))
        per_period.append((period, _ranked(rows)))
    return per_period, _ranked([Standing(t, overall[t.pk]) for t in teams])


def _ranked(rows: list[Standing]) -> list[Standing]:
    rows.sort(key=lambda s: (-s.total, s.team.name, s.team.pk))
    for i, row in enumerate(rows, start=1):
        row.rank = i
    return rows
