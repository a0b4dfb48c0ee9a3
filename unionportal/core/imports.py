"""The one import pipeline: read a spreadsheet safely, then save its rows all or nothing.

Every import of the portal (stations, demand points, studios' achievements, contest entries,
welfare files, rosters) goes through here:

1. `read_table` reads an .xlsx or .csv upload with caps that hold *before* parsing: the
   upload's size, the sum of the uncompressed sizes the workbook's zip declares (a 110 KB
   file must not inflate to 100 MB in a web worker; zipfile never inflates past a member's
   declared size), the number of rows and the number of columns.
2. `import_rows` calls the app's service once per row inside one transaction; each row's
   `ValidationError` becomes a row-level error, and any error rolls the whole file back.

Ids are never read from a file: a table's `id` column (in any case) is dropped with a row
error, so a file cannot address or create a record by primary key.
"""

import csv
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 40 * 1024 * 1024
MAX_ROWS = 5000
MAX_COLUMNS = 60
FORBIDDEN_COLUMNS = frozenset({"id", "pk"})


class ImportFailed(ValidationError):
    """Nothing was saved; `row_errors` lists (row number, message), row 0 for the whole file."""

    def __init__(self, row_errors: list[tuple[int, str]]):
        self.row_errors = row_errors
        super().__init__([f"{n}: {m}" if n else m for n, m in row_errors])


@dataclass
class Table:
    """A sheet's header (stripped, as written) and its data rows with their sheet row numbers."""

    header: list[str]
    rows: list[tuple[int, list]] = field(default_factory=list)

    def records(self, aliases: dict[str, str] | None = None) -> Iterator[tuple[int, dict]]:
        """Rows as dicts keyed by column name (after `aliases`, lower-cased keys); blank rows skipped."""
        aliases = {k.lower(): v for k, v in (aliases or {}).items()}
        keys = [aliases.get(h.lower(), h.lower()) for h in self.header]
        for n, values in self.rows:
            yield n, dict(zip(keys, values, strict=False))


def _file_error(message: str) -> ImportFailed:
    return ImportFailed([(0, message)])


def _check_zip(upload, max_uncompressed: int) -> None:
    try:
        with zipfile.ZipFile(upload) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _file_error(_("This file is not an Excel workbook (.xlsx).")) from None
    if len(infos) > 500 or sum(i.file_size for i in infos) > max_uncompressed:
        raise _file_error(_("This workbook is too large once unpacked."))
    upload.seek(0)


def _xlsx_rows(upload, max_rows: int, max_columns: int) -> Iterator[list]:
    import openpyxl  # installed with django-import-export

    try:
        book = openpyxl.load_workbook(upload, read_only=True, data_only=True)
        sheet = book.worksheets[0]
        for n, row in enumerate(sheet.iter_rows(values_only=True, max_col=max_columns), start=1):
            if n > max_rows + 1:
                raise _file_error(_("At most {n} rows at a time.").format(n=max_rows))
            yield list(row)
    except ImportFailed:
        raise
    except Exception:  # noqa: BLE001 - any unreadable workbook is the user's input, not a crash
        raise _file_error(_("This Excel file could not be read.")) from None


def _csv_rows(upload, max_rows: int, max_columns: int) -> Iterator[list]:
    raw = upload.read()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise _file_error(_("This CSV file is not UTF-8 or GB18030 text."))
    try:
        for n, row in enumerate(csv.reader(io.StringIO(text)), start=1):
            if n > max_rows + 1:
                raise _file_error(_("At most {n} rows at a time.").format(n=max_rows))
            yield row[:max_columns]
    except csv.Error:
        raise _file_error(_("This CSV file could not be read.")) from None


def read_table(
    upload,
    *,
    max_rows: int = MAX_ROWS,
    max_bytes: int = MAX_UPLOAD_BYTES,
    max_uncompressed: int = MAX_UNCOMPRESSED_BYTES,
    max_columns: int = MAX_COLUMNS,
) -> Table:
    """The first sheet of an .xlsx (or a .csv) upload: header row, then data rows; raises ImportFailed."""
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, io.SEEK_END)
        size = upload.tell()
    upload.seek(0)
    if size > max_bytes:
        raise _file_error(_("The file is too large: at most {mb} MB.").format(mb=max_bytes // (1024 * 1024)))
    name = str(getattr(upload, "name", "") or "").lower()
    if name.endswith(".csv"):
        rows = _csv_rows(upload, max_rows, max_columns)
    else:
        _check_zip(upload, max_uncompressed)
        rows = _xlsx_rows(upload, max_rows, max_columns)
    header_row = next(rows, None)
    if header_row is None:
        raise _file_error(_("The file is empty."))
    header = [str(c if c is not None else "").strip() for c in header_row]
    while header and not header[-1]:
        header.pop()
    forbidden = [h for h in header if h.lower() in FORBIDDEN_COLUMNS]
    if forbidden:
        raise ImportFailed([(1, _("Ids cannot be imported: remove the column “{col}”.").format(col=forbidden[0]))])
    table = Table(header=header)
    for n, values in enumerate(rows, start=2):
        values = [v.strip() if isinstance(v, str) else v for v in values[: len(header)]]
        if any(v not in (None, "") for v in values):
            table.rows.append((n, values))
    return table


class _Rollback(Exception):
    pass


def import_rows(rows, save_row: Callable[[int, object], object]) -> list:
    """Call `save_row(n, row)` for each (n, row) in one transaction: all saved, or ImportFailed.

    A row whose `save_row` raises ValidationError is reported with its number and the rest are
    still checked (each row in its own savepoint), so the user sees every bad row at once.
    """
    saved: list = []
    errors: list[tuple[int, str]] = []
    try:
        with transaction.atomic():
            for n, row in rows:
                try:
                    with transaction.atomic():
                        saved.append(save_row(n, row))
                except ValidationError as e:
                    errors.append((n, " ".join(e.messages)))
            if errors:
                raise _Rollback
    except _Rollback:
        raise ImportFailed(errors) from None
    return saved
