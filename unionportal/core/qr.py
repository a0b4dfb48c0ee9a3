"""QR codes for signs and profiles: a station's sign or a studio's plaque leads to its page."""

import io

import qrcode
from django.core.cache import cache
from django.http import HttpResponse


def qr_png_response(url: str) -> HttpResponse:
    """A PNG QR code of `url`, cached (the image never changes for a URL)."""
    key = f"qr:{url}"
    png = cache.get(key)
    if png is None:
        buf = io.BytesIO()
        qrcode.make(url, box_size=8, border=2).save(buf)
        png = buf.getvalue()
        cache.set(key, png, 24 * 3600)
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "public, max-age=86400"
    return response
