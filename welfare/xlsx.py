# ruff: noqa: E501  (the fixed XML parts of the format read best unbroken)
"""A minimal streaming .xlsx writer for large exports.

openpyxl's write-only mode serialises through et_xmlfile when lxml is missing, about 0.5 ms
per row: 100,000 files took ~30 s, past a web worker's timeout. This writes the sheet XML
straight into the zip as rows arrive (inline strings, numbers, a bold header style), so time
is a few seconds and memory stays flat whatever the row count.
"""

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable
from decimal import Decimal
from xml.sax.saxutils import escape

_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>
{sheets}</Types>"""
_SHEET_TYPE = (
    '<Override PartName="/xl/worksheets/sheet{n}.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>\n'
)
_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
_WB_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
{rels}<Relationship Id="rIdStyles" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
</Relationships>"""
_WB = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets>{sheets}</sheets></workbook>"""
_STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>
<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>"""
_SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
_SHEET_TAIL = "</sheetData></worksheet>"
# Characters XML 1.0 does not allow; a stray one would make Excel refuse the whole file.
_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class Bold(str):
    """A header cell."""


def _cell(value) -> str:
    if value is None or value == "":
        return "<c/>"
    if isinstance(value, bool):
        return f'<c t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float, Decimal)):
        return f"<c><v>{value}</v></c>"
    if isinstance(value, (dt.date, dt.datetime)):
        value = value.isoformat()
    style = ' s="1"' if isinstance(value, Bold) else ""
    text = escape(_INVALID.sub("", str(value)))
    return f'<c t="inlineStr"{style}><is><t xml:space="preserve">{text}</t></is></c>'


class Workbook:
    """Sheets are written one after the other; rows go straight into the compressed zip."""

    def __init__(self):
        self.buffer = io.BytesIO()
        self.zip = zipfile.ZipFile(self.buffer, "w", zipfile.ZIP_DEFLATED)
        self.names: list[str] = []

    def sheet(self, title: str, rows: Iterable[Iterable]) -> None:
        n = len(self.names) + 1
        self.names.append(title[:31])
        with self.zip.open(f"xl/worksheets/sheet{n}.xml", "w") as out:
            out.write(_SHEET_HEAD.encode())
            chunk: list[str] = []
            for row in rows:
                chunk.append("<row>" + "".join(_cell(v) for v in row) + "</row>")
                if len(chunk) >= 1000:
                    out.write("".join(chunk).encode())
                    chunk = []
            out.write(("".join(chunk) + _SHEET_TAIL).encode())

    def save(self) -> bytes:
        count = range(1, len(self.names) + 1)
        self.zip.writestr(
            "[Content_Types].xml", _CONTENT_TYPES.format(sheets="".join(_SHEET_TYPE.format(n=n) for n in count))
        )
        self.zip.writestr("_rels/.rels", _RELS)
        self.zip.writestr(
            "xl/_rels/workbook.xml.rels",
            _WB_RELS.format(
                rels="".join(
                    f'<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                    f'worksheet" Target="worksheets/sheet{n}.xml"/>\n'
                    for n in count
                )
            ),
        )
        self.zip.writestr(
            "xl/workbook.xml",
            _WB.format(
                sheets="".join(
                    f'<sheet name="{escape(name, {chr(34): "&quot;"})}" sheetId="{n}" r:id="rId{n}"/>'
                    for n, name in zip(count, self.names, strict=True)
                )
            ),
        )
        self.zip.writestr("xl/styles.xml", _STYLES)
        self.zip.close()
        return self.buffer.getvalue()
