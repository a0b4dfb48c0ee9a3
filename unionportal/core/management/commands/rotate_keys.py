"""Move every ID number (and its lookup hash) to the newest welfare data key.

Set WELFARE_DATA_KEYS="new,old" first (the site keeps reading both), run this until it says
done, check `--status`, then drop the old key. Batched and resumable: stopped (Ctrl-C, --limit,
a crash), it continues where it was. The ballot-chain key is versioned instead (contests.chain):
nothing to rotate here."""

from django.core.management.base import BaseCommand, CommandError

from unionportal.core.backup import rotation_checkpoint, welfare_keys_rotate, welfare_outdated, welfare_unreadable
from unionportal.core.progress import Progress
from welfare import identity
from welfare.models import HardshipFile


class Command(BaseCommand):
    help = "Re-encrypt every welfare ID number under the newest key of WELFARE_DATA_KEYS (resumable)."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=5000, help="Files per transaction (default 5000).")
        parser.add_argument("--limit", type=int, help="Stop after this many files (continue with another run).")
        parser.add_argument("--restart", action="store_true", help="Ignore the checkpoint and scan from the start.")
        parser.add_argument("--status", action="store_true", help="Only count files not yet under the newest key.")

    def handle(self, *args, batch_size: int, limit=None, restart=False, status=False, **options):
        if batch_size < 1 or (limit is not None and limit < 1):
            raise CommandError("--batch-size and --limit must be positive.")
        secrets = identity.data_secrets()
        kid = identity.key_id(secrets[0])
        if status:
            outdated, unreadable = welfare_outdated(), welfare_unreadable()
            self.stdout.write(
                f"Newest key {kid} ({len(secrets)} keys listed): {outdated} files not yet under it, "
                f"{unreadable} under no listed key."
            )
            return
        start = 0 if restart else rotation_checkpoint(kid)
        remaining = HardshipFile.objects.exclude(id_number_encrypted="").filter(pk__gt=start).count()
        total = min(remaining, limit) if limit else remaining
        if start:
            self.stdout.write(f"Continuing after file id {start}.")
        bar = Progress(total, f"Files to key {kid}", stream=self.stderr._out)
        result = welfare_keys_rotate(
            batch_size=batch_size, limit=limit, restart=restart, progress=lambda n, _moved: bar.advance(n)
        )
        rate = result.scanned / max(result.seconds, 1e-6)
        self.stdout.write(
            f"{result.scanned} files scanned, {result.moved} re-encrypted ({rate:,.0f}/s); "
            + ("done: every ID number is under the newest key." if result.done else "stopped: run again to continue.")
        )
        if result.done and len(secrets) > 1 and welfare_unreadable() == 0:
            self.stdout.write("Check `rotate_keys --status`, then keep only the newest key in WELFARE_DATA_KEYS.")
