"""Backups, restores and key rotation (`manage.py backup`, `restore`, `rotate_keys`).

An archive is one tar file:

    db/db.dump          pg_dump --format=custom (PostgreSQL), or
    db/db.sqlite3       a copy through SQLite's online backup API
    files/media/...     MEDIA_ROOT
    files/welfare_private/...    WELFARE_PRIVATE_ROOT (photos, signatures: outside MEDIA_ROOT)
    files/contests_private/...   the contests' private attachments
    manifest.json       last: versions, rows per table, size and SHA-256 of every member

Encrypted (a key file given), the tar is cut into 1 MiB frames, each a Fernet token (stored
decoded, length-prefixed) over
(frame number, last-frame flag, data): memory stays flat whatever the archive's size, and a
reordered, dropped or truncated frame is refused. A restore checks every member against the
manifest before it touches the database, loads only into an empty database and empty storage,
and compares the row counts after loading.
"""

import base64
import datetime as dt
import getpass
import hashlib
import io
import json
import os
import platform
import shutil
import sqlite3
import struct
import subprocess
import tarfile
import tempfile
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import django
from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import connection, transaction

FORMAT = 1
MAGIC = b"UNIONPORTAL-BACKUP-FERNET-1\n"
FRAME = 1024 * 1024
CHUNK = 1024 * 1024
# A database with a user account or a union holds a site's data (every record hangs off one of
# them); reference rows that `migrate` writes (content types, permissions, the amenity list) do not.
CONTENT_TABLES = ("auth_user", "core_union")


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why (nothing was changed)."""


# --- Where things live ------------------------------------------------------------------------


def storage_roots() -> dict[str, Path]:
    """The folders a backup holds, by their name in the archive."""
    from contests.storage import private_storage as contests_private
    from welfare.storage import private_storage as welfare_private

    return {
        "media": Path(os.path.abspath(settings.MEDIA_ROOT)),
        "welfare_private": Path(os.path.abspath(welfare_private.base_location)),
        "contests_private": Path(os.path.abspath(contests_private.base_location)),
    }


def _files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def files_checksums() -> dict[str, str]:
    """{"media/a/b.jpg": sha256, ...} of every stored file (what a restore must give back)."""
    return {
        f"{name}/{path.relative_to(root).as_posix()}": sha256_file(path)
        for name, root in storage_roots().items()
        for path in _files(root)
    }


# --- Database ---------------------------------------------------------------------------------


def table_counts(cursor=None) -> dict[str, int]:
    """Rows per table of the default database (every table, Django's or not)."""
    with connection.cursor() as own:
        cur = cursor or own
        names = sorted(connection.introspection.table_names(cur))
        counts = {}
        for name in names:
            cur.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(name)}")  # noqa: S608 (our table names)
            counts[name] = cur.fetchone()[0]
    return counts


def _sqlite_counts(path: Path) -> dict[str, int]:
    con = sqlite3.connect(path)
    try:
        names = [
            r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")
        ]
        return {n: con.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0] for n in sorted(names)}  # noqa: S608
    finally:
        con.close()


def _pg_env() -> tuple[list[str], dict]:
    s = connection.settings_dict
    args = ["--dbname", s["NAME"]]
    if s.get("HOST"):
        args += ["--host", str(s["HOST"])]
    if s.get("PORT"):
        args += ["--port", str(s["PORT"])]
    if s.get("USER"):
        args += ["--username", str(s["USER"])]
    env = dict(os.environ)
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = str(s["PASSWORD"])
    return args, env


def _run(cmd: list[str], env: dict) -> None:
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{cmd[0]} failed: {result.stderr.strip()[-2000:]}")


def _dump_database(folder: Path) -> tuple[Path, dict[str, int]]:
    """The database into `folder`, with the row counts of exactly what was dumped."""
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        target = folder / "db.sqlite3"
        dest = sqlite3.connect(target)
        try:
            connection.connection.backup(dest)
        finally:
            dest.close()
        return target, _sqlite_counts(target)
    if connection.vendor != "postgresql":
        raise BackupError(f"backups support PostgreSQL and SQLite, not {connection.vendor}")
    target = folder / "db.dump"
    args, env = _pg_env()
    cmd = ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(target), *args]
    if connection.in_atomic_block:  # cannot open a snapshot transaction here: counts taken beside the dump
        _run(cmd, env)
        return target, table_counts()
    # Counted in the very snapshot pg_dump reads, so a busy site still gives matching counts.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        counts = table_counts(cursor)
        _run([*cmd, "--snapshot", snapshot], env)
    return target, counts


def _database_version() -> str:
    if connection.vendor == "sqlite":
        return f"sqlite {sqlite3.sqlite_version}"
    return f"{connection.vendor} {getattr(connection, 'pg_version', '')}"


def _applied_migrations() -> dict[str, list[str]]:
    from django.db.migrations.recorder import MigrationRecorder

    applied: dict[str, list[str]] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        applied.setdefault(app, []).append(name)
    return {app: sorted(names) for app, names in sorted(applied.items())}


def _git_commit() -> str:
    try:
        result = subprocess.run(
            ["git", "rev-parse", "HEAD"],  # noqa: S607
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return result.stdout.strip() if result.returncode == 0 else ""


# --- Encrypted frames -------------------------------------------------------------------------


def fernet_from_key_file(path: str | Path) -> Fernet:
    """The archive key: any secret of 32+ characters kept in a file off the server."""
    try:
        secret = Path(path).read_bytes().strip()
    except OSError as e:
        raise BackupError(f"cannot read the key file {path}: {e.strerror}") from None
    if len(secret) < 32:
        raise BackupError(f"the key file {path} holds fewer than 32 characters")
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(b"unionportal-backup|" + secret).digest()))


class EncryptingWriter(io.RawIOBase):
    """A write-only stream that encrypts into `out` frame by frame (tarfile writes into it)."""

    def __init__(self, out, fernet: Fernet):
        self.out, self.fernet, self.buffer, self.index = out, fernet, bytearray(), 0
        out.write(MAGIC)

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.buffer += data
        while len(self.buffer) > FRAME:
            self._frame(bytes(self.buffer[:FRAME]), last=False)
            del self.buffer[:FRAME]
        return len(data)

    def _frame(self, data: bytes, *, last: bool) -> None:
        # Stored decoded: Fernet's base64 would add a third to the archive.
        token = base64.urlsafe_b64decode(self.fernet.encrypt(struct.pack(">QB", self.index, int(last)) + data))
        self.out.write(struct.pack(">I", len(token)) + token)
        self.index += 1

    def close(self) -> None:
        if not self.closed:
            self._frame(bytes(self.buffer), last=True)
            self.buffer.clear()
        super().close()


class DecryptingReader(io.RawIOBase):
    """Reads back what EncryptingWriter wrote, refusing a changed, reordered or truncated frame."""

    def __init__(self, src, fernet: Fernet):
        self.src, self.fernet, self.buffer, self.index, self.ended = src, fernet, b"", 0, False
        if src.read(len(MAGIC)) != MAGIC:
            raise BackupError("this is not an encrypted UnionPortal archive")

    def readable(self) -> bool:
        return True

    def _next(self) -> None:
        head = self.src.read(4)
        if len(head) < 4:
            raise BackupError("the encrypted archive is truncated")
        size = struct.unpack(">I", head)[0]
        token = self.src.read(size)
        if len(token) < size:
            raise BackupError("the encrypted archive is truncated")
        try:
            plain = self.fernet.decrypt(base64.urlsafe_b64encode(token))
        except InvalidToken:
            raise BackupError("the archive key does not open this archive, or the archive was changed") from None
        index, last = struct.unpack(">QB", plain[:9])
        if index != self.index:
            raise BackupError("the encrypted archive's frames are out of order")
        self.index += 1
        self.ended = bool(last)
        self.buffer += plain[9:]

    def readinto(self, b) -> int:
        while not self.buffer and not self.ended:
            self._next()
        n = min(len(b), len(self.buffer))
        b[:n] = self.buffer[:n]
        self.buffer = self.buffer[n:]
        return n


def is_encrypted(path: str | Path) -> bool:
    with open(path, "rb") as f:
        return f.read(len(MAGIC)) == MAGIC


# --- Backup -----------------------------------------------------------------------------------


@dataclass
class BackupResult:
    path: Path
    tables: int
    rows: int
    files: int
    bytes: int
    seconds: float
    encrypted: bool
    manifest: dict = field(repr=False, default_factory=dict)


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(time.time()), 0o600
    tar.addfile(info, io.BytesIO(data))


def _add_file(tar: tarfile.TarFile, name: str, path: Path) -> tuple[str, int]:
    """Add a file, hashing exactly the bytes that went into the archive."""
    digest = hashlib.sha256()
    size = path.stat().st_size
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, int(path.stat().st_mtime), 0o600

    class Hashing(io.RawIOBase):
        def __init__(self, f):
            self.f = f

        def readinto(self, b):
            n = self.f.readinto(b)
            digest.update(memoryview(b)[:n])
            return n

        def read(self, n=-1):
            data = self.f.read(n)
            digest.update(data)
            return data

    with open(path, "rb") as f:
        tar.addfile(info, Hashing(f))
    return digest.hexdigest(), size


def backup_create(*, output: str | Path, key_file: str | Path | None = None, by: str = "") -> BackupResult:
    """Write one archive of the database and every stored file (see the module docstring)."""
    started = time.monotonic()
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    fernet = fernet_from_key_file(key_file) if key_file else None
    partial = output.with_name(output.name + ".partial")
    members: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="upbackup-", dir=output.parent) as tmp:
        dump, counts = _dump_database(Path(tmp))
        with open(partial, "wb") as raw:
            stream = EncryptingWriter(raw, fernet) if fernet else raw
            with tarfile.open(fileobj=stream, mode="w|", format=tarfile.PAX_FORMAT) as tar:
                digest, size = _add_file(tar, f"db/{dump.name}", dump)
                members[f"db/{dump.name}"] = {"sha256": digest, "size": size}
                dump.unlink()
                n_files = 0
                for name, root in storage_roots().items():
                    for path in _files(root):
                        arcname = f"files/{name}/{path.relative_to(root).as_posix()}"
                        digest, size = _add_file(tar, arcname, path)
                        members[arcname] = {"sha256": digest, "size": size}
                        n_files += 1
                manifest = {
                    "format": FORMAT,
                    "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                    "app": {"name": "unionportal", "commit": _git_commit()},
                    "versions": {
                        "django": django.get_version(),
                        "python": platform.python_version(),
                        "database": _database_version(),
                    },
                    "database": {"vendor": connection.vendor, "file": f"db/{dump.name}"},
                    "migrations": _applied_migrations(),
                    "tables": counts,
                    "roots": {name: str(root) for name, root in storage_roots().items()},
                    "members": members,
                }
                _add_bytes(tar, "manifest.json", json.dumps(manifest, indent=1, sort_keys=True).encode())
            if fernet:
                stream.close()
        os.replace(partial, output)
    result = BackupResult(
        path=output,
        tables=len(counts),
        rows=sum(counts.values()),
        files=n_files,
        bytes=output.stat().st_size,
        seconds=time.monotonic() - started,
        encrypted=bool(fernet),
        manifest=manifest,
    )
    _audit(
        action="backup",
        subject=f"backup {output.name}",
        detail=f"by {by or 'command'} (OS user {_os_user()}); {result.tables} tables, {result.rows} rows, "
        f"{result.files} files, {result.bytes} bytes{', encrypted' if fernet else ''}",
    )
    return result


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return str(os.getuid())


def _audit(*, action: str, subject: str, detail: str) -> None:
    from unionportal.core.models import AuditEntry

    AuditEntry.objects.create(action=action, by=None, union=None, subject=subject[:300], detail=detail[:500])


# --- Restore ----------------------------------------------------------------------------------


@dataclass
class RestoreResult:
    tables: int
    rows: int
    files: int
    seconds: float
    manifest: dict = field(repr=False, default_factory=dict)


def _safe_member(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise BackupError(f"the archive holds an unsafe path: {name}")
    return path


def archive_unpack(*, archive: str | Path, into: Path, key_file: str | Path | None = None) -> dict:
    """Unpack into `into` and check every member against the manifest; return the manifest."""
    encrypted = is_encrypted(archive)
    if encrypted and not key_file:
        raise BackupError("this archive is encrypted: give its key file (--encrypt-key-file)")
    found: dict[str, str] = {}
    with open(archive, "rb") as raw:
        stream = io.BufferedReader(DecryptingReader(raw, fernet_from_key_file(key_file)), FRAME) if encrypted else raw
        try:
            with tarfile.open(fileobj=stream, mode="r|") as tar:
                for member in tar:
                    rel = _safe_member(member.name)
                    if member.isdir():
                        continue
                    if not member.isfile():
                        raise BackupError(f"the archive holds something that is not a file: {member.name}")
                    target = into / rel
                    target.parent.mkdir(parents=True, exist_ok=True)
                    digest = hashlib.sha256()
                    src = tar.extractfile(member)
                    with open(target, "wb") as out:
                        while block := src.read(CHUNK):
                            digest.update(block)
                            out.write(block)
                    found[str(rel)] = digest.hexdigest()
        except (tarfile.TarError, EOFError) as e:
            raise BackupError(f"the archive is damaged: {e}") from None
    if "manifest.json" not in found:
        raise BackupError("the archive has no manifest")
    manifest = json.loads((into / "manifest.json").read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown archive format {manifest.get('format')!r}")
    found.pop("manifest.json")
    expected = {name: m["sha256"] for name, m in manifest["members"].items()}
    missing, extra = sorted(set(expected) - set(found)), sorted(set(found) - set(expected))
    changed = sorted(n for n in set(expected) & set(found) if expected[n] != found[n])
    if missing or extra or changed:
        raise BackupError(
            "the archive does not match its manifest: "
            + "; ".join(
                f"{label}: {', '.join(names[:5])}{' …' if len(names) > 5 else ''}"
                for label, names in (("missing", missing), ("not listed", extra), ("checksum differs", changed))
                if names
            )
        )
    return manifest


def restore_refusals() -> list[str]:
    """Why this database or storage is not empty ([] when a restore may go ahead)."""
    problems = []
    with connection.cursor() as cursor:
        existing = set(connection.introspection.table_names(cursor))
        for name in CONTENT_TABLES:
            if name in existing:
                cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(name)}")  # noqa: S608
                if n := cursor.fetchone()[0]:
                    problems.append(f"table {name} has {n} rows")
    for name, root in storage_roots().items():
        if _files(root):
            problems.append(f"{name} ({root}) holds files")
    return problems


def _load_database(manifest: dict, folder: Path) -> None:
    vendor = manifest["database"]["vendor"]
    if vendor != connection.vendor:
        raise BackupError(f"the archive holds a {vendor} database; this site runs on {connection.vendor}")
    dump = folder / manifest["database"]["file"]
    connection.ensure_connection()
    if vendor == "sqlite":
        src = sqlite3.connect(dump)
        try:
            src.backup(connection.connection)
        finally:
            src.close()
        return
    # The (empty) tables `migrate` made go first: a newer release's tables would otherwise hold
    # foreign keys that stop pg_restore --clean; `migrate` after the restore adds them back.
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        if tables:
            cursor.execute("DROP TABLE IF EXISTS " + ", ".join(map(connection.ops.quote_name, tables)) + " CASCADE")
    args, env = _pg_env()
    # --clean --if-exists: what remains (functions, sequences) is replaced by the archive's.
    _run(
        ["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction", *args]
        + [str(dump)],
        env,
    )


def _load_files(folder: Path) -> int:
    n = 0
    for name, root in storage_roots().items():
        src = folder / "files" / name
        if not src.is_dir():
            continue
        for path in _files(src):
            target = root / path.relative_to(src)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
            n += 1
    return n


def backup_restore(*, archive: str | Path, key_file: str | Path | None = None, by: str = "") -> RestoreResult:
    """Load an archive into an empty database and empty storage, checked before and after."""
    started = time.monotonic()
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"no archive at {archive}")
    problems = restore_refusals()
    if problems:
        raise BackupError(
            "refusing to restore over existing data ("
            + "; ".join(problems[:5])
            + (" …" if len(problems) > 5 else "")
            + "): restore into a new, migrated database and empty storage folders"
        )
    if connection.in_atomic_block:
        raise BackupError("a restore cannot run inside a transaction")
    with tempfile.TemporaryDirectory(prefix="uprestore-", dir=archive.parent) as tmp:
        folder = Path(tmp)
        manifest = archive_unpack(archive=archive, into=folder, key_file=key_file)
        _load_database(manifest, folder)
        n_files = _load_files(folder)
    counts = table_counts()
    differ = [
        f"{name}: {n} in the archive, {counts.get(name)} now"
        for name, n in manifest["tables"].items()
        if counts.get(name) != n
    ]
    if differ:
        raise BackupError("the restored database differs from the manifest: " + "; ".join(differ[:10]))
    stored = files_checksums()
    wanted = {
        name[len("files/") :]: m["sha256"] for name, m in manifest["members"].items() if name.startswith("files/")
    }
    bad = sorted(n for n, digest in wanted.items() if stored.get(n) != digest)
    if bad:
        raise BackupError("restored files differ from the manifest: " + ", ".join(bad[:10]))
    result = RestoreResult(
        tables=len(counts),
        rows=sum(manifest["tables"].values()),
        files=n_files,
        seconds=time.monotonic() - started,
        manifest=manifest,
    )
    _audit(
        action="restore",
        subject=f"restore {archive.name}",
        detail=f"by {by or 'command'} (OS user {_os_user()}); backup of {manifest['created_at']}; "
        f"{result.tables} tables, {result.rows} rows, {result.files} files",
    )
    return result


# --- Key rotation -----------------------------------------------------------------------------


@dataclass
class RotationResult:
    key_id: str
    scanned: int
    moved: int
    last_pk: int
    done: bool
    seconds: float


ROTATE_SUBJECT = "welfare data key -> {kid}"
WRITERS = 2  # writer threads of a rotation on PostgreSQL
UPDATE_BATCH = "UPDATE {table} SET id_number_encrypted = %s, id_number_hash = %s WHERE id = %s"


def _update_numbers(table: str, updates: list[tuple[str, str, int]]) -> None:
    """One transaction and one UPDATE ... FROM statement per batch: a statement per file ran at
    60% of the speed on PostgreSQL (a round trip each). PostgreSQL gets the batch as three arrays
    (three parameters: psycopg spent 2 s of 100,000 files splitting a VALUES list of 15,000)."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            tokens, hashes, ids = zip(*updates, strict=True)
            cursor.execute(
                f"UPDATE {table} AS f SET id_number_encrypted = v.token, id_number_hash = v.hash "  # noqa: S608
                "FROM unnest(%s::text[], %s::text[], %s::bigint[]) AS v(token, hash, id) WHERE f.id = v.id",
                [list(tokens), list(hashes), list(ids)],
            )
            return
        if sqlite3.sqlite_version_info < (3, 33):  # no UPDATE ... FROM
            cursor.executemany(UPDATE_BATCH.format(table=table), updates)
            return
        for start in range(0, len(updates), 5000):
            part = updates[start : start + 5000]
            values = ", ".join(["(%s, %s, %s)"] * len(part))
            cursor.execute(
                f"UPDATE {table} AS f SET id_number_encrypted = v.column1, id_number_hash = v.column2 "  # noqa: S608
                f"FROM (VALUES {values}) AS v WHERE f.id = v.column3",
                [x for row in part for x in row],
            )


def rotation_checkpoint(kid: str) -> int:
    """The last file id a stopped rotation to key `kid` reached (0: start over)."""
    from unionportal.core.models import AuditEntry

    entry = AuditEntry.objects.filter(action="key_rotate", subject=ROTATE_SUBJECT.format(kid=kid)).first()
    if entry is None or "; done" in entry.detail:
        return 0
    try:
        return int(entry.detail.split("last id ", 1)[1].split(";", 1)[0])
    except (IndexError, ValueError):
        return 0


def welfare_keys_rotate(
    *,
    batch_size: int = 5000,
    limit: int | None = None,
    restart: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> RotationResult:
    """Re-encrypt every ID number under the newest WELFARE_DATA_KEYS secret and move its lookup
    hash to that key. Batched, one transaction per batch; resumable: each run records how far it
    went (core AuditEntry "key_rotate"), and a file already under the new key is skipped."""
    from welfare import identity
    from welfare.models import HardshipFile

    started = time.monotonic()
    kid = identity.key_id(identity.data_secrets()[0])
    last = 0 if restart else rotation_checkpoint(kid)
    table = connection.ops.quote_name(HardshipFile._meta.db_table)
    rows = HardshipFile.objects.exclude(id_number_encrypted="").order_by("pk")
    rotate = identity.rotator()
    scanned = moved = 0
    done = False
    # On PostgreSQL, outside a transaction, writer threads (each with its own connection) save
    # the last batches while this thread decrypts and re-encrypts the next: the server's work
    # (eleven indexes to update per file) and the crypto overlap, on two server processes.
    # 100,000 files: 8,500 files/s one step after the other; see `make bench` for today's rate.
    # Progress counts the batches committed in order only, so a stopped run resumes after the
    # last of them (a later batch already saved is skipped then: its files are under the new key).
    writer = ThreadPoolExecutor(max_workers=WRITERS) if _can_overlap() else None
    pending: deque[tuple[Future, int, int, int]] = deque()

    def settle(keep: int = 0) -> None:
        nonlocal scanned, moved, last
        while len(pending) > keep:
            future, n, m, pk = pending.popleft()
            try:
                future.result()
            except BaseException:
                # A failed write stops the run here; later batches finish but are not counted.
                for later, *_rest in pending:
                    later.exception()
                pending.clear()
                raise
            scanned, moved, last = scanned + n, moved + m, pk
            if progress:
                progress(n, m)

    try:
        read_to = last
        while True:
            queued = sum(n for _future, n, _m, _pk in pending)
            if limit is not None and scanned + queued >= limit:  # stopped by --limit
                settle()
                done = not rows.filter(pk__gt=last).exists()
                break
            size = batch_size if limit is None else min(batch_size, limit - scanned - queued)
            batch = list(rows.filter(pk__gt=read_to).values_list("pk", "id_number_encrypted")[:size])
            if not batch:
                settle()
                done = True
                break
            # Files already under the newest key are skipped (a resumed run), so are files under no
            # listed key (`rotate_keys --status` counts them).
            updates = [(*moved_to, pk) for pk, token in batch if (moved_to := rotate(token))]
            read_to = batch[-1][0]
            settle(keep=WRITERS - 1 if writer else 0)
            if not updates:  # nothing to write: a finished step
                future = _done_now(lambda: None)
            elif writer is not None:
                future = writer.submit(_write_in_thread, table, updates)
            else:
                future = _done_now(_update_numbers, table, updates)
            pending.append((future, len(batch), len(updates), read_to))
    finally:
        try:
            settle()  # writes still under way when the run stopped
        finally:
            if writer is not None:
                writer.shutdown()
            seconds = time.monotonic() - started
            _audit(
                action="key_rotate",
                subject=ROTATE_SUBJECT.format(kid=kid),
                detail=f"OS user {_os_user()}; last id {last}; {scanned} scanned, {moved} re-encrypted in "
                f"{seconds:.1f} s; {'done' if done else 'stopped (run again to continue)'}",
            )
    return RotationResult(key_id=kid, scanned=scanned, moved=moved, last_pk=last, done=done, seconds=seconds)


def _write_in_thread(table: str, updates: list[tuple[str, str, int]]) -> None:
    try:
        _update_numbers(table, updates)
    finally:
        connection.close()  # the writer thread's own connection (a connect per batch of 5,000)


def _can_overlap() -> bool:
    # SQLite has one writer at a time, and a second connection would not see an open
    # transaction's rows (the tests run inside one).
    return connection.vendor == "postgresql" and not connection.in_atomic_block


def _done_now(fn, *args) -> Future:
    """Run `fn` here and now, as a finished Future (the one-step path beside the writer threads)."""
    future: Future = Future()
    try:
        future.set_result(fn(*args))
    except BaseException as exc:  # noqa: BLE001 - handed to the caller through result()
        future.set_exception(exc)
    return future


def welfare_unreadable() -> int:
    """How many files hold an ID number no listed key decrypts (0 before an old key is dropped)."""
    from welfare import identity
    from welfare.models import HardshipFile

    tokens = HardshipFile.objects.exclude(id_number_encrypted="").values_list("id_number_encrypted", flat=True)
    return sum(1 for token in tokens.iterator(chunk_size=5000) if not identity.decrypt(token))


def welfare_outdated() -> int:
    """How many files are not yet under the newest key."""
    from welfare import identity
    from welfare.models import HardshipFile

    tokens = HardshipFile.objects.exclude(id_number_encrypted="").values_list("id_number_encrypted", flat=True)
    return sum(1 for token in tokens.iterator(chunk_size=5000) if not identity.is_current(token))
