"""Write one archive of the database, the media and the private storage (unionportal.core.backup).

Run it daily from cron on one machine and copy the archive off the server; see README
"Backups and recovery"."""

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from unionportal.core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Back up the database, MEDIA_ROOT and the private welfare and contest storage into one archive."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            help="Archive path (default: backups/unionportal-<UTC time>.tar under the project; "
            "'.tar.enc' when encrypted).",
        )
        parser.add_argument(
            "--encrypt-key-file",
            help="Encrypt the archive with the secret in this file (32+ characters); keep that file off the server.",
        )

    def handle(self, *args, output=None, encrypt_key_file=None, **options):
        if not output:
            stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
            suffix = ".tar.enc" if encrypt_key_file else ".tar"
            output = Path(settings.BASE_DIR) / "backups" / f"unionportal-{stamp}{suffix}"
        try:
            result = backup_create(output=output, key_file=encrypt_key_file)
        except BackupError as e:
            raise CommandError(str(e)) from None
        self.stdout.write(
            f"Backup written to {result.path}: {result.tables} tables, {result.rows} rows, {result.files} files, "
            f"{result.bytes / 1e6:.1f} MB{' (encrypted)' if result.encrypted else ''} in {result.seconds:.1f} s"
        )
