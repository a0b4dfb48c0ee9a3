"""Delete anonymous search counts older than the retention period (90 days)."""

from django.core.management.base import BaseCommand, CommandError

from stations import services
from stations.services.search_demand import RETENTION_DAYS


class Command(BaseCommand):
    help = "Delete nearby-search counts per cell older than --days (default 90)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=RETENTION_DAYS, help="Days of counts kept.")

    def handle(self, *args, **options):
        if options["days"] < 1:
            raise CommandError("--days must be at least 1")
        deleted = services.search_demand_purge(days=options["days"])
        self.stdout.write(f"Deleted {deleted} search count(s) older than {options['days']} days.")
