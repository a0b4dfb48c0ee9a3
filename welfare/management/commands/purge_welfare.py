"""Anonymise closed hardship files past the retention period (PIPL: keep no longer than needed).

The statistics stay (category, status, union, household figures, amounts given); the person
goes (name, ID number, phone, address, members' names, visit notes and photos, history).
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from welfare import services

DEFAULT_YEARS = 5


class Command(BaseCommand):
    help = "Anonymise closed welfare files closed more than --years ago. Use --dry-run first, then --apply."

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--dry-run", action="store_true", help="Only count the files that would be anonymised.")
        group.add_argument("--apply", action="store_true", help="Anonymise them.")
        parser.add_argument("--years", type=int, default=DEFAULT_YEARS, help="Retention period after closing.")

    def handle(self, *args, **options):
        if options["years"] < 1:
            raise CommandError("--years must be at least 1")
        today = timezone.localdate()
        try:
            before = today.replace(year=today.year - options["years"])
        except ValueError:  # 29 February
            before = today.replace(year=today.year - options["years"], day=28)
        n = services.files_purge(closed_before=before, apply=options["apply"])
        verb = "anonymised" if options["apply"] else "would be anonymised"
        self.stdout.write(f"{n} closed files (closed before {before:%Y-%m-%d}) {verb}.")
