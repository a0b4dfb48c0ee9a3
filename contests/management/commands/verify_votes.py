from django.core.management.base import BaseCommand, CommandError

from contests.models import Contest
from contests.services import ballots_verify, chain_fingerprint


class Command(BaseCommand):
    """Recount a contest's ballots from the hash chain; fail loudly on any changed or missing ballot."""

    help = "Verify a contest's ballot chain and recount its votes."

    def add_arguments(self, parser):
        parser.add_argument("slug")

    def handle(self, *args, slug: str, **options):
        contest = Contest.objects.filter(slug=slug).first()
        if contest is None:
            raise CommandError(f"No contest {slug!r}.")
        report = ballots_verify(contest=contest)
        if not report.ok:
            where = f" (ballot id {report.ballot_id})" if report.ballot_id else ""
            raise CommandError(f"TAMPERED: {report.problem}{where}")
        _n, fingerprint = chain_fingerprint(contest=contest)
        self.stdout.write(f"OK: {report.ballots} ballots, chain intact, fingerprint {fingerprint}")
        titles = dict(contest.entries.values_list("pk", "title"))
        for entry_id, n in sorted(report.counts.items(), key=lambda kv: -kv[1]):
            self.stdout.write(f"  {n:>6}  {titles.get(entry_id, entry_id)}")
