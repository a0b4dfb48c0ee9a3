"""Certificates of honour (PDF) for the winners, with the Chinese text in a real CJK font.

ReportLab embeds only TrueType outlines, and Noto Sans CJK is a CFF (PostScript-outline)
font, so the text lines are drawn by FreeType (through Pillow, which reads the .ttc's
Simplified Chinese face) at print resolution and placed on the page.
"""

import io
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from .models import Entry
from .selectors import award_date

CJK_FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
CJK_FONT_INDEX = 2  # the .ttc's faces: 0 JP, 1 KR, 2 SC, 3 TC, 4 HK
DPI = 200
RED = (180, 20, 20)
INK = (30, 30, 30)


TEXT_LAYER_FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(TEXT_LAYER_FONT))


def cjk_font_path() -> Path:
    path = Path(getattr(settings, "CONTESTS_CJK_FONT", CJK_FONT))
    if not path.exists():
        raise ImproperlyConfigured(f"The CJK font {path} is missing: install fonts-noto-cjk (scripts/system-deps.sh).")
    return path


def _line(text: str, pt: float, color, font_path: Path) -> tuple[Image.Image, float, float]:
    """A text line rendered at DPI; returns the image and its size in PDF points."""
    px = int(pt * DPI / 72)
    font = ImageFont.truetype(str(font_path), px, index=CJK_FONT_INDEX)
    left, top, right, bottom = font.getbbox(text)
    img = Image.new("RGB", (max(right - left, 1) + 4, max(bottom - top, 1) + 4), "white")
    ImageDraw.Draw(img).text((2 - left, 2 - top), text, font=font, fill=color)
    return img, img.width * 72 / DPI, img.height * 72 / DPI


def certificate_pdf(entry: Entry) -> bytes:
    """One page: the prize, the entry, its team and the organiser."""
    font_path = cjk_font_path()
    contest = entry.contest
    width, height = landscape(A4)
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=(width, height))
    pdf.setTitle(_("Certificate of honour"))
    pdf.setStrokeColorRGB(*(c / 255 for c in RED))
    pdf.setLineWidth(6)
    pdf.rect(24, 24, width - 48, height - 48)
    pdf.setLineWidth(1.5)
    pdf.rect(36, 36, width - 72, height - 72)
    names = "\u3001".join(m.name for m in entry.members.all())
    lines = [
        (_("Certificate of honour"), 44, RED, height - 130),
        (names, 22, INK, height - 200),
        (_("Your entry “{title}”").format(title=entry.title), 18, INK, height - 245),
        (
            _("in “{contest}”, category {category},").format(contest=contest.title, category=entry.category.name),
            16,
            INK,
            height - 285,
        ),
        (_("has won the {prize}.").format(prize=entry.get_prize_display()), 26, RED, height - 340),
        (contest.union.name, 16, INK, 120),
        (award_date(contest).isoformat(), 14, INK, 95),  # the award date, not the day of printing
    ]
    for text, pt, color, y in lines:
        if not text:
            continue
        img, w, h = _line(text, pt, color, font_path)
        if w > width - 120:  # shrink long lines to fit the frame
            h, w = h * (width - 120) / w, width - 120
        pdf.drawImage(ImageReader(img), (width - w) / 2, y, width=w, height=h)
        # An invisible text layer over the drawn line, so the certificate can be searched and copied.
        layer = pdf.beginText((width - w) / 2, y + h * 0.2)
        layer.setTextRenderMode(3)
        layer.setFont(TEXT_LAYER_FONT, h * 0.8)
        layer.textOut(text)
        pdf.drawText(layer)
    pdf.showPage()
    pdf.save()
    return buf.getvalue()
