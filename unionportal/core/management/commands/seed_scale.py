from django.core.management.base import BaseCommand
from django.db import connection

from unionportal.core import registry


class Command(BaseCommand):
    """Add volume data for benchmarks. Each app registers its own options (e.g.
    --stations N) and fills its tables in batches with a progress bar."""

    help = "Add volume data for benchmarks (each app adds its own options)."

    def add_arguments(self, parser):
        for seeder in registry.SCALE:
            seeder.add_arguments(parser)

    def handle(self, *args, **options):
        for seeder in registry.SCALE:
            seeder.run(options, stdout=self.stdout)
        # Fresh planner statistics: after a bulk load PostgreSQL would otherwise plan the
        # first queries for empty tables (nearby was 7x slower until autovacuum caught up).
        # On PostgreSQL VACUUM also marks the new pages all-visible, so that index-only scans
        # (the search n-grams) need not visit the table (1-char search p95 56 -> 14 ms). VACUUM
        # cannot run inside a transaction (a test's): there only ANALYZE.
        vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")
        self.stdout.write(self.style.SUCCESS("Scale data ready."))
