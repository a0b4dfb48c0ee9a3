from django.core.management.base import BaseCommand

from unionportal.core import registry


class Command(BaseCommand):
    """Load the demo data of the seed page: the core first, then every app that registered
    a demo seeder. Idempotent: running it again changes nothing."""

    help = "Load the demo data (idempotent)."

    def handle(self, *args, **options):
        for seeder in registry.DEMO:
            seeder.run(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
