"""Results: computed once the vote has closed, published once the jury review has ended."""

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.models import Event
from notifications.services import notify
from unionportal.core.services import activity_log

from ..models import ChainSeal, Contest, Entry, JudgeScore
from ..selectors import scores_missing
from ._common import require_editor
from .ballots import ballots_verify, chain_seal, vote_seal
from .pages import page_changed
from .scoring import HUNDRED, THREE, final_score, judge_conflicted, prize_for, rank_key, trimmed_mean, weighted_total


def _stamp(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


@transaction.atomic
def results_compute(*, contest: Contest, by: AbstractUser | None, now: dt.datetime | None = None) -> list[Entry]:
    """Count the votes from the chain, average the jury, weight, rank per category and give prizes."""
    now = now or timezone.now()
    contest = Contest.objects.select_for_update().get(pk=contest.pk)
    require_editor(contest, by)
    if contest.is_labour:
        raise ValidationError(_("Labour competitions are ranked on the leaderboard."), code="labour")
    if contest.results_published:
        raise ValidationError(_("The results are already published."), code="published")
    if now < contest.vote_closes:
        raise ValidationError(
            _("Results are computed once the public vote has closed ({closes}).").format(
                closes=_stamp(contest.vote_closes)
            ),
            code="vote_open",
        )
    missing = scores_missing(contest=contest)
    if missing:
        raise ValidationError(
            _("{n} judge scores are missing; see the list of missing scores.").format(n=len(missing)), code="missing"
        )
    vote_seal(contest=contest, now=now)
    report = ballots_verify(contest=contest, check_results=False)
    if not report.ok:
        raise ValidationError(_("The ballot log fails verification: {problem}").format(problem=report.problem))
    entries = list(contest.entries.accepted().prefetch_related("members__union"))
    assignments = list(contest.judges.select_related("home_union"))
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
    contest.results_computed_at = now
    contest.save(update_fields=["results_computed_at", "updated_at"])
    return sorted(entries, key=lambda e: (e.category_id, e.rank))


@transaction.atomic
def results_publish(
    *, contest: Contest, by: AbstractUser | None, publish: bool = True, now: dt.datetime | None = None
) -> Contest:
    """Publish the computed results once the jury review has ended (and log the award ceremony,
    on the award date), or take them back."""
    now = now or timezone.now()
    require_editor(contest, by)
    contest.refresh_from_db()
    if publish:
        if contest.results_computed_at is None:
            raise ValidationError(_("Compute the results before publishing them."), code="not_computed")
        if now < contest.jury_closes:
            raise ValidationError(
                _("Results are published once the jury review has ended ({closes}).").format(
                    closes=_stamp(contest.jury_closes)
                ),
                code="jury_open",
            )
        if not contest.is_labour:
            report = ballots_verify(contest=contest)
            if not report.ok:
                raise ValidationError(_("The ballot log fails verification: {problem}").format(problem=report.problem))
            chain_seal(contest=contest, kind=ChainSeal.Kind.RESULTS_PUBLISHED, now=now)
        contest.results_published = True
        contest.results_published_at = contest.results_published_at or now
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
        notify(  # results out: the entrants, judges and voters (once, the hourly scan knows the key)
            event=Event.CONTEST_STAGE,
            union=contest.union,
            title=f"{contest.title} · {Contest.Stage.RESULTS.label}",
            link=contest.get_absolute_url(),
            contest_id=contest.pk,
            key=f"contest:{contest.pk}:results",
        )
    else:
        contest.results_published = False
        contest.results_published_at = None
    contest.save(update_fields=["results_published", "results_published_at", "updated_at"])
    page_changed(pk=contest.pk)
    return contest
