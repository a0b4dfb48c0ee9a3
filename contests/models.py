"""Innovation contests and labour competitions: entries, screening, a hash-chained public vote,
jury scores, results with prizes, and team scores per period."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from unionportal.core.models import TimeStampedModel
from unionportal.core.scoping import ScopedQuerySet

from . import chain
from .storage import get_private_storage

GENESIS_HASH = "0" * 64
# A contest's ballots form this many independent hash chains (a voter's ballots always go to
# the same one): appends to different chains commit in parallel instead of queueing behind
# a single head row, and every chain is verified on its own.
CHAIN_SHARDS = 16


class ContestQuerySet(ScopedQuerySet):
    def open_or_past(self) -> "ContestQuerySet":
        return self.order_by("-vote_opens", "-pk")

    def on_desk_of(self, user) -> "ContestQuerySet":
        """Contests the user organises (scoped) or judges (by assignment, wherever their judge role is)."""
        return self.filter(
            Q(pk__in=Contest.objects.editable_by(user).values("pk"))
            | Q(pk__in=JudgeAssignment.objects.filter(judge_id=user.pk).values("contest"))
        )


class Contest(TimeStampedModel):
    """A contest (entries, screening, public vote, jury, awards) or a labour competition."""

    class Kind(models.TextChoices):
        INNOVATION = "innovation", _("Innovation contest")
        LABOUR = "labour", _("Labour and skills competition")

    class VotePeriod(models.TextChoices):
        DAY = "day", _("per day")
        CONTEST = "contest", _("for the whole contest")

    class Stage(models.TextChoices):
        UPCOMING = "upcoming", _("Not yet open")
        ENTRY = "entry", _("Entries open")
        SCREENING = "screening", _("Screening")
        VOTE = "vote", _("Public vote")
        JURY = "jury", _("Jury review")
        RESULTS = "results", pgettext_lazy("contest", "Results")

    union = models.ForeignKey("core.Union", models.PROTECT, related_name="contests", verbose_name=_("organiser union"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind, default=Kind.INNOVATION)
    title = models.CharField(_("title"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    rules = models.TextField(_("rules"), max_length=10000, blank=True)
    entry_opens = models.DateTimeField(_("entries open"))
    entry_closes = models.DateTimeField(_("entries close"))
    screening_closes = models.DateTimeField(_("screening ends"))
    vote_opens = models.DateTimeField(_("public vote opens"))
    vote_closes = models.DateTimeField(_("public vote closes"))
    jury_closes = models.DateTimeField(_("jury review ends"))
    results_on = models.DateTimeField(_("results announced"))
    votes_per_voter = models.PositiveSmallIntegerField(_("votes per voter"), default=3)
    vote_period = models.CharField(_("vote limit applies"), max_length=8, choices=VotePeriod, default=VotePeriod.DAY)
    # Members of the organising union's subtree always vote (contests/eligibility.py); this opens
    # the vote to every account verified by a one-time code as well.
    open_to_public = models.BooleanField(
        _("open to the public"),
        default=False,
        help_text=_("Besides the members of the organising union, any account verified by a code may vote."),
    )
    vote_weight = models.PositiveSmallIntegerField(_("public vote weight (%)"), default=30)
    jury_weight = models.PositiveSmallIntegerField(_("jury weight (%)"), default=70)
    first_prizes = models.PositiveSmallIntegerField(_("first prizes per category"), default=1)
    second_prizes = models.PositiveSmallIntegerField(_("second prizes per category"), default=1)
    third_prizes = models.PositiveSmallIntegerField(_("third prizes per category"), default=1)
    excellence_prizes = models.PositiveSmallIntegerField(
        _("excellence awards per category"), default=0, help_text=_("0: every other accepted entry")
    )
    results_computed_at = models.DateTimeField(_("results computed at"), null=True, blank=True)
    results_published = models.BooleanField(_("results published"), default=False)
    results_published_at = models.DateTimeField(_("results published at"), null=True, blank=True)
    # The id of the key every ballot chain and seal of this contest is hashed under (contests.chain):
    # the newest key when the contest is created, never changed after.
    chain_key_id = models.CharField(
        _("ballot chain key id"), max_length=12, default=chain.newest_key_id, editable=False
    )

    objects = ContestQuerySet.as_manager()

    class Meta:
        ordering = ["-vote_opens", "-pk"]
        verbose_name = _("contest")
        verbose_name_plural = _("contests")
        constraints = [
            models.CheckConstraint(
                condition=Q(vote_weight__lte=100) & Q(jury_weight__lte=100),
                name="contests_contest_weights_le_100",
            ),
            models.CheckConstraint(
                condition=Q(entry_opens__lte=models.F("entry_closes"))
                & Q(entry_closes__lte=models.F("screening_closes"))
                & Q(screening_closes__lte=models.F("vote_opens"))
                & Q(vote_opens__lte=models.F("vote_closes"))
                & Q(vote_closes__lte=models.F("jury_closes"))
                & Q(jury_closes__lte=models.F("results_on")),
                name="contests_contest_stages_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("contests:detail", args=[self.slug])

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.vote_weight is not None and self.jury_weight is not None and self.vote_weight + self.jury_weight != 100:
            raise ValidationError(_("The public vote and jury weights must add up to 100%."))
        stages = [
            self.entry_opens,
            self.entry_closes,
            self.screening_closes,
            self.vote_opens,
            self.vote_closes,
            self.jury_closes,
            self.results_on,
        ]
        if all(stages) and stages != sorted(stages):
            raise ValidationError(_("The stage dates must follow each other in order."))

    @property
    def is_labour(self) -> bool:
        return self.kind == self.Kind.LABOUR

    def stage_at(self, now: dt.datetime | None = None) -> str:
        now = now or timezone.now()
        if now < self.entry_opens:
            return self.Stage.UPCOMING
        if now < self.entry_closes:
            return self.Stage.ENTRY
        if now < self.vote_opens:
            return self.Stage.SCREENING
        if now < self.vote_closes:
            return self.Stage.VOTE
        if now < self.jury_closes:
            return self.Stage.JURY
        return self.Stage.RESULTS

    @property
    def stage(self) -> str:
        return self.stage_at()

    def stages(self) -> list[tuple[str, object, dt.datetime, dt.datetime]]:
        return [
            (self.Stage.ENTRY, self.Stage.ENTRY.label, self.entry_opens, self.entry_closes),
            (self.Stage.SCREENING, self.Stage.SCREENING.label, self.entry_closes, self.screening_closes),
            (self.Stage.VOTE, self.Stage.VOTE.label, self.vote_opens, self.vote_closes),
            (self.Stage.JURY, self.Stage.JURY.label, self.vote_closes, self.jury_closes),
            (self.Stage.RESULTS, self.Stage.RESULTS.label, self.results_on, None),
        ]

    def accepts_entries(self, now=None) -> bool:
        now = now or timezone.now()
        return self.entry_opens <= now < self.entry_closes

    def vote_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.vote_opens <= now < self.vote_closes

    def period_key(self, now=None) -> str:
        """The vote period a ballot cast at `now` counts in: a local date, or the whole contest."""
        if self.vote_period == self.VotePeriod.DAY:
            return timezone.localdate(now or timezone.now()).isoformat()
        return "all"


class Category(models.Model):
    contest = models.ForeignKey(Contest, models.CASCADE, related_name="categories", verbose_name=_("contest"))
    name = models.CharField(_("name"), max_length=60)
    description = models.CharField(_("description"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["contest", "order", "pk"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [models.UniqueConstraint(fields=["contest", "name"], name="contests_category_unique")]

    def __str__(self) -> str:
        return self.name


class Criterion(models.Model):
    """What judges score (innovation) or what teams compete on (labour: the six 比)."""

    contest = models.ForeignKey(Contest, models.CASCADE, related_name="criteria", verbose_name=_("contest"))
    name = models.CharField(_("name"), max_length=60)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    max_score = models.PositiveSmallIntegerField(_("maximum score"), default=100)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["contest", "order", "pk"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        constraints = [
            models.UniqueConstraint(fields=["contest", "name"], name="contests_criterion_unique"),
            models.CheckConstraint(condition=Q(max_score__gt=0), name="contests_criterion_max_gt_0"),
        ]

    def __str__(self) -> str:
        return self.name


class EntryQuerySet(ScopedQuerySet):
    scope_field = "contest__union"

    def accepted(self) -> "EntryQuerySet":
        return self.filter(status=Entry.Status.ACCEPTED)


class Entry(TimeStampedModel):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", pgettext_lazy("entry status", "Submitted")
        ACCEPTED = "accepted", pgettext_lazy("entry status", "Accepted")
        REJECTED = "rejected", pgettext_lazy("entry status", "Rejected")

    class BenefitUnit(models.TextChoices):
        HOURS = "hours", _("hours saved per year")
        YUAN = "yuan", _("yuan saved per year")
        FAULTS = "faults", _("faults avoided per year")
        OTHER = "other", _("other")

    class Prize(models.TextChoices):
        FIRST = "first", _("First prize")
        SECOND = "second", _("Second prize")
        THIRD = "third", _("Third prize")
        EXCELLENCE = "excellence", _("Excellence award")

    contest = models.ForeignKey(Contest, models.CASCADE, related_name="entries", verbose_name=_("contest"))
    category = models.ForeignKey(Category, models.PROTECT, related_name="entries", verbose_name=_("category"))
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), max_length=5000)
    benefit = models.CharField(_("benefit claimed"), max_length=300, blank=True)
    benefit_value = models.DecimalField(_("benefit amount"), max_digits=12, decimal_places=2, null=True, blank=True)
    benefit_unit = models.CharField(_("benefit unit"), max_length=8, choices=BenefitUnit, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="contest_entries",
        verbose_name=_("submitted by"),
    )
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.SUBMITTED)
    screening_reason = models.CharField(_("screening reason"), max_length=300, blank=True)
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("screened by"),
    )
    screened_at = models.DateTimeField(_("screened at"), null=True, blank=True)
    # Filled in when the organiser computes the results.
    vote_count = models.PositiveIntegerField(_("votes"), default=0)
    vote_score = models.DecimalField(_("public vote score"), max_digits=7, decimal_places=3, null=True, blank=True)
    jury_score = models.DecimalField(_("jury score"), max_digits=7, decimal_places=3, null=True, blank=True)
    final_score = models.DecimalField(_("final score"), max_digits=7, decimal_places=3, null=True, blank=True)
    rank = models.PositiveSmallIntegerField(_("rank in category"), null=True, blank=True)
    prize = models.CharField(_("prize"), max_length=12, choices=Prize, blank=True)

    objects = EntryQuerySet.as_manager()

    class Meta:
        ordering = ["category__order", "pk"]
        verbose_name = _("entry")
        verbose_name_plural = _("entries")
        indexes = [models.Index(fields=["contest", "status"], name="contests_entry_status")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("contests:entry", args=[self.contest.slug, self.pk])


class TeamMember(models.Model):
    entry = models.ForeignKey(Entry, models.CASCADE, related_name="members", verbose_name=_("entry"))
    name = models.CharField(_("name"), max_length=50)
    union = models.ForeignKey("core.Union", models.PROTECT, related_name="+", verbose_name=_("union"))
    is_leader = models.BooleanField(_("team leader"), default=False)

    class Meta:
        ordering = ["-is_leader", "pk"]
        verbose_name = _("team member")
        verbose_name_plural = _("team members")

    def __str__(self) -> str:
        return self.name


class EntryPhoto(models.Model):
    entry = models.ForeignKey(Entry, models.CASCADE, related_name="photos", verbose_name=_("entry"))
    image = models.ImageField(_("image"), upload_to="contests/%Y/%m/")
    thumbnail = models.ImageField(_("thumbnail"), upload_to="contests/%Y/%m/thumbs/")

    class Meta:
        ordering = ["pk"]
        verbose_name = _("entry photo")
        verbose_name_plural = _("entry photos")

    def __str__(self) -> str:
        return self.image.name


class EntryAttachment(models.Model):
    entry = models.ForeignKey(Entry, models.CASCADE, related_name="attachments", verbose_name=_("entry"))
    # Private: an entry's files are shown only as its entry is (contests:attachment), never under /media/.
    file = models.FileField(
        pgettext_lazy("entry attachment", "file"), upload_to="contests/files/%Y/%m/", storage=get_private_storage
    )
    title = models.CharField(_("title"), max_length=120, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.title or self.file.name


class VoterQuerySet(ScopedQuerySet):
    def verified(self) -> "VoterQuerySet":
        return self.filter(verified=True)


class Voter(TimeStampedModel):
    """A worker's account verified by their union: only verified voters cast ballots."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="contest_voter", verbose_name=_("user")
    )
    union = models.ForeignKey("core.Union", models.PROTECT, related_name="+", verbose_name=_("union"))
    verified = models.BooleanField(pgettext_lazy("voter", "verified"), default=False)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    verified_at = models.DateTimeField(pgettext_lazy("voter", "verified at"), null=True, blank=True)

    objects = VoterQuerySet.as_manager()

    class Meta:
        verbose_name = _("voter")
        verbose_name_plural = _("voters")

    def __str__(self) -> str:
        return str(self.user)


class VoterQuota(models.Model):
    """Votes used by a voter in one period; `used < limit` is enforced by a conditional UPDATE."""

    contest = models.ForeignKey(Contest, models.CASCADE, related_name="+", verbose_name=_("contest"))
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", verbose_name=_("voter"))
    period = models.CharField(_("period"), max_length=10)
    used = models.PositiveSmallIntegerField(_("votes used"), default=0)

    class Meta:
        verbose_name = _("vote quota")
        verbose_name_plural = _("vote quotas")
        constraints = [
            models.UniqueConstraint(fields=["contest", "voter", "period"], name="contests_quota_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.voter} {self.period}: {self.used}"


class BallotChain(models.Model):
    """The head of one of a contest's ballot chains; appending locks this row."""

    contest = models.ForeignKey(Contest, models.CASCADE, related_name="chains", verbose_name=_("contest"))
    shard = models.PositiveSmallIntegerField(_("chain"), default=0)
    length = models.PositiveIntegerField(_("ballots"), default=0)
    head = models.CharField(_("head hash"), max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = _("ballot chain")
        verbose_name_plural = _("ballot chains")
        constraints = [models.UniqueConstraint(fields=["contest", "shard"], name="contests_chain_unique")]

    def __str__(self) -> str:
        return f"{self.contest} #{self.shard}: {self.length}"


class ChainSeal(models.Model):
    """The ballot log's fingerprint recorded at a stage (keyed, so it cannot be rewritten to match
    a shortened log): verification compares the chain with every seal."""

    class Kind(models.TextChoices):
        VOTE_CLOSED = "vote_closed", _("voting closed")
        RESULTS_PUBLISHED = "results_published", _("results published")

    contest = models.ForeignKey(Contest, models.CASCADE, related_name="seals", verbose_name=_("contest"))
    kind = models.CharField(_("recorded when"), max_length=20, choices=Kind)
    ballots = models.PositiveIntegerField(_("ballots"))
    heads = models.CharField(_("chain fingerprint"), max_length=64)
    mac = models.CharField(_("seal"), max_length=64)
    sealed_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("ballot log seal")
        verbose_name_plural = _("ballot log seals")
        constraints = [models.UniqueConstraint(fields=["contest", "kind"], name="contests_seal_unique")]

    def __str__(self) -> str:
        return f"{self.contest} {self.kind}: {self.ballots}"


class BallotQuerySet(ScopedQuerySet):
    scope_field = "contest__union"


class Ballot(models.Model):
    """One vote, append-only: each ballot hashes its content and the hash of the one before."""

    contest = models.ForeignKey(Contest, models.PROTECT, related_name="ballots", verbose_name=_("contest"))
    shard = models.PositiveSmallIntegerField(_("chain"), default=0)
    seq = models.PositiveIntegerField(_("number"))
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("voter"))
    entry = models.ForeignKey(Entry, models.PROTECT, related_name="ballots", verbose_name=_("entry"))
    period = models.CharField(_("period"), max_length=10)
    cast_at = models.DateTimeField(_("cast at"))
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)

    objects = BallotQuerySet.as_manager()

    class Meta:
        ordering = ["contest", "shard", "seq"]
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [
            models.UniqueConstraint(fields=["contest", "voter", "entry", "period"], name="contests_ballot_once"),
            models.UniqueConstraint(fields=["contest", "shard", "seq"], name="contests_ballot_shard_seq"),
        ]

    def __str__(self) -> str:
        return f"#{self.shard}.{self.seq} {self.hash[:12]}"

    @staticmethod
    def compute_hash(*, prev_hash, contest_id, shard, seq, voter_id, entry_id, period, cast_at, kid=None) -> str:
        """HMAC-SHA256 (under the contest's chain key `kid`) of the ballot's content and the previous hash."""
        return chain.mac(
            chain.ballot_text(
                prev_hash=prev_hash,
                contest_id=contest_id,
                shard=shard,
                seq=seq,
                voter_id=voter_id,
                entry_id=entry_id,
                period=period,
                cast_at=cast_at,
            ),
            kid,
        )

    def expected_hash(self, kid: str | None = None) -> str:
        """The hash this ballot must carry; `kid` saves a query when the caller has the contest."""
        return self.compute_hash(
            kid=kid if kid is not None else self.contest.chain_key_id,
            prev_hash=self.prev_hash,
            contest_id=self.contest_id,
            shard=self.shard,
            seq=self.seq,
            voter_id=self.voter_id,
            entry_id=self.entry_id,
            period=self.period,
            cast_at=self.cast_at,
        )


class JudgeAssignment(models.Model):
    """A judge on a contest's jury; `home_union` is the judge's own grassroots union."""

    contest = models.ForeignKey(Contest, models.CASCADE, related_name="judges", verbose_name=_("contest"))
    judge = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", verbose_name=_("judge"))
    home_union = models.ForeignKey("core.Union", models.PROTECT, related_name="+", verbose_name=_("judge's own union"))

    class Meta:
        ordering = ["contest", "pk"]
        verbose_name = _("judge assignment")
        verbose_name_plural = _("judge assignments")
        constraints = [models.UniqueConstraint(fields=["contest", "judge"], name="contests_judge_unique")]

    def __str__(self) -> str:
        return str(self.judge)


class JudgeScoreQuerySet(ScopedQuerySet):
    scope_field = "entry__contest__union"


class JudgeScore(models.Model):
    entry = models.ForeignKey(Entry, models.CASCADE, related_name="scores", verbose_name=_("entry"))
    judge = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", verbose_name=_("judge"))
    criterion = models.ForeignKey(Criterion, models.CASCADE, related_name="+", verbose_name=_("criterion"))
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2)
    scored_at = models.DateTimeField(_("scored at"), auto_now=True)

    objects = JudgeScoreQuerySet.as_manager()

    class Meta:
        verbose_name = _("judge score")
        verbose_name_plural = _("judge scores")
        constraints = [
            models.UniqueConstraint(fields=["entry", "judge", "criterion"], name="contests_score_unique"),
            models.CheckConstraint(condition=Q(score__gte=0), name="contests_score_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.judge} · {self.entry} · {self.criterion}: {self.score}"


class Team(models.Model):
    contest = models.ForeignKey(Contest, models.CASCADE, related_name="teams", verbose_name=_("contest"))
    name = models.CharField(_("name"), max_length=80)
    union = models.ForeignKey("core.Union", models.PROTECT, related_name="+", verbose_name=_("union"))
    leader = models.CharField(_("team leader"), max_length=50, blank=True)

    class Meta:
        ordering = ["contest", "pk"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [models.UniqueConstraint(fields=["contest", "name"], name="contests_team_unique")]

    def __str__(self) -> str:
        return self.name


class Period(models.Model):
    contest = models.ForeignKey(Contest, models.CASCADE, related_name="periods", verbose_name=_("contest"))
    name = models.CharField(_("name"), max_length=40)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    # Scores are entered on the desk first; the public leaderboard shows published periods only.
    published = models.BooleanField(pgettext_lazy("scores", "published"), default=False)
    published_at = models.DateTimeField(pgettext_lazy("scores", "published at"), null=True, blank=True)

    class Meta:
        ordering = ["contest", "starts_on", "pk"]
        verbose_name = _("period")
        verbose_name_plural = _("periods")
        constraints = [
            models.UniqueConstraint(fields=["contest", "name"], name="contests_period_unique"),
            models.CheckConstraint(condition=Q(starts_on__lte=models.F("ends_on")), name="contests_period_dates"),
        ]

    def __str__(self) -> str:
        return self.name


class TeamScoreQuerySet(ScopedQuerySet):
    scope_field = "team__contest__union"


class TeamScore(models.Model):
    team = models.ForeignKey(Team, models.CASCADE, related_name="scores", verbose_name=_("team"))
    period = models.ForeignKey(Period, models.CASCADE, related_name="scores", verbose_name=_("period"))
    criterion = models.ForeignKey(Criterion, models.CASCADE, related_name="+", verbose_name=_("criterion"))
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2)
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = TeamScoreQuerySet.as_manager()

    class Meta:
        verbose_name = _("team score")
        verbose_name_plural = _("team scores")
        constraints = [
            models.UniqueConstraint(fields=["team", "period", "criterion"], name="contests_teamscore_unique"),
            models.CheckConstraint(condition=Q(score__gte=0), name="contests_teamscore_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.team} · {self.period} · {self.criterion}: {self.score}"
