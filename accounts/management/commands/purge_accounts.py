from django.core.management.base import BaseCommand

from accounts import services


class Command(BaseCommand):
    """One-time codes are personal data (who asked for a code, when) and useless once expired;
    session records of ended sessions only clutter the devices list. Run it daily (cron)."""

    help = "Delete one-time codes expired more than --days days ago and records of ended sessions."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=30, help="keep expired codes this many days (default 30)")
        parser.add_argument("--dry-run", action="store_true", help="only count what would be deleted")

    def handle(self, *args, days: int, dry_run: bool, **options):
        codes, sessions = services.accounts_purge(keep_days=max(days, 0), dry_run=dry_run)
        verb = "Would delete" if dry_run else "Deleted"
        self.stdout.write(f"{verb} {codes} one-time codes and {sessions} ended session records.")
