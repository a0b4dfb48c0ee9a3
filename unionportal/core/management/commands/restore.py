"""Load an archive written by `manage.py backup` into an empty database and empty storage.

Every member is checked against the manifest before anything is loaded; row counts and file
checksums are compared again after. A database or storage that holds data is refused: restore
into a new database (`createdb`, `migrate`) and empty folders."""

from django.core.management.base import BaseCommand, CommandError

from unionportal.core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Restore a backup archive into an empty database and empty storage folders."

    def add_arguments(self, parser):
        parser.add_argument("archive")
        parser.add_argument("--encrypt-key-file", help="The key file the archive was encrypted with.")

    def handle(self, *args, archive: str, encrypt_key_file=None, **options):
        try:
            result = backup_restore(archive=archive, key_file=encrypt_key_file)
        except BackupError as e:
            raise CommandError(str(e)) from None
        self.stdout.write(
            f"Restored {archive} (backup of {result.manifest['created_at']}): {result.tables} tables, "
            f"{result.rows} rows, {result.files} files, checked against the manifest, in {result.seconds:.1f} s. "
            "Run `manage.py migrate` if this code is newer than the backup."
        )
