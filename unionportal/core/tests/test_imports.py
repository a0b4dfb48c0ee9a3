"""The shared import pipeline: caps hold before parsing, ids are refused, all or nothing."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from unionportal.core.imports import ImportFailed, import_rows, read_table
from unionportal.core.models import Union
from unionportal.core.services import union_create


def _xlsx(rows, name="t.xlsx") -> SimpleUploadedFile:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return SimpleUploadedFile(name, buf.getvalue())


def test_reads_header_and_rows_with_sheet_numbers_skipping_blank_rows():
    table = read_table(_xlsx([["Name", " Town "], ["A", "X"], [None, None], ["B", " Y "]]))
    assert table.header == ["Name", "Town"]
    assert table.rows == [(2, ["A", "X"]), (4, ["B", "Y"])]
    assert list(table.records({"town": "where"})) == [
        (2, {"name": "A", "where": "X"}),
        (4, {"name": "B", "where": "Y"}),
    ]


def test_reads_csv_in_utf8_and_gb18030():
    for encoding in ("utf-8-sig", "gb18030"):
        upload = SimpleUploadedFile("t.csv", "名称,镇\n驿站,长阳\n".encode(encoding))
        assert read_table(upload).rows == [(2, ["驿站", "长阳"])]


@pytest.mark.parametrize("column", ["id", "ID", "pk"])
def test_an_id_column_is_refused(column):
    with pytest.raises(ImportFailed) as e:
        read_table(_xlsx([[column, "name"], [9223372036854775806, "x"]]))
    assert e.value.row_errors[0][0] == 1


def test_a_zip_bomb_is_refused_before_parsing():
    """A small file whose members declare a huge uncompressed size never reaches openpyxl."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"<c/>" * (12 * 1024 * 1024))  # 48 MB of text
    upload = SimpleUploadedFile("bomb.xlsx", buf.getvalue())
    assert upload.size < 200 * 1024
    with pytest.raises(ImportFailed, match="too large once unpacked"):
        read_table(upload)


def test_too_many_rows_and_too_large_uploads_are_refused():
    with pytest.raises(ImportFailed, match="At most 3 rows"):
        read_table(_xlsx([["a"]] + [[i] for i in range(5)]), max_rows=3)
    with pytest.raises(ImportFailed, match="too large"):
        read_table(SimpleUploadedFile("t.csv", b"a\n" * 100), max_bytes=50)


@pytest.mark.parametrize("content", [b"", b"not a zip", b"PK\x03\x04garbage"])
def test_unreadable_files_are_a_file_error(content):
    with pytest.raises(ImportFailed) as e:
        read_table(SimpleUploadedFile("x.xlsx", content))
    assert e.value.row_errors[0][0] == 0


def test_import_rows_is_all_or_nothing_and_reports_every_bad_row(db):
    def save(n, name):
        if not name:
            raise ValidationError("empty name")
        return union_create(by=None, name=name, kind=Union.Kind.CITY)

    with pytest.raises(ImportFailed) as e:
        import_rows([(2, "One"), (3, ""), (4, "Two"), (5, "")], save)
    assert e.value.row_errors == [(3, "empty name"), (5, "empty name")]
    assert not Union.objects.exists()
    assert [u.name for u in import_rows([(2, "One"), (3, "Two")], save)] == ["One", "Two"]
