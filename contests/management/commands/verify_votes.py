from django.core.management.base import BaseCommand, CommandError

from contests import services
from contests.models import ChainSeal, Contest


class Command(BaseCommand):
    """Recount a contest's ballots from the keyed hash chain and compare the log with the
    fingerprints recorded when voting closed and when the results were published; fail loudly
    on any changed, missing or dropped ballot. A closed vote without a recorded fingerprint gets
    one (after the chain verifies), so later truncation is caught from then on."""

    help = "Verify a contest's ballot chain (HMAC, recorded fingerprints) and recount its votes."

    def add_arguments(self, parser):
        parser.add_argument("slug")

    def handle(self, *args, slug: str, **options):
        contest = Contest.objects.filter(slug=slug).first()
        if contest is None:
            raise CommandError(f"No contest {slug!r}.")
        report = services.ballots_verify(contest=contest)
        if not report.ok:
            where = f" (ballot id {report.ballot_id})" if report.ballot_id else ""
            raise CommandError(f"TAMPERED: {report.problem}{where}")
        services.vote_seal(contest=contest)
        n, fingerprint = services.chain_fingerprint(contest=contest)
        self.stdout.write(f"OK: {report.ballots} ballots, chain intact, fingerprint {fingerprint}")
        for seal in ChainSeal.objects.filter(contest=contest).order_by("sealed_at"):
            when = seal.get_kind_display()
            self.stdout.write(f"  matches the fingerprint recorded when {when} ({seal.ballots} ballots)")
        titles = dict(contest.entries.values_list("pk", "title"))
        for entry_id, count in sorted(report.counts.items(), key=lambda kv: -kv[1]):
            self.stdout.write(f"  {count:>6}  {titles.get(entry_id, entry_id)}")
