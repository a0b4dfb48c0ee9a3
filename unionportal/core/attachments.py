"""Checked attachments (PDF or image) for achievements, entries and other records."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _

from .images import clean_image

MAX_PDF_BYTES = 20 * 1024 * 1024


def clean_attachment(upload) -> ContentFile:
    """Accept a PDF (checked by its header and trailer) or an image (re-encoded)."""
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    if head == b"%PDF-":
        if upload.size > MAX_PDF_BYTES:
            raise ValidationError(
                _("The file is too large: at most %(mb)d MB.") % {"mb": MAX_PDF_BYTES // (1024 * 1024)},
                code="too_large",
            )
        data = upload.read()
        if b"%%EOF" not in data[-2048:]:
            raise ValidationError(_("This PDF file is damaged."), code="bad_pdf")
        return ContentFile(data, name=f"{uuid.uuid4().hex}.pdf")
    if upload.size and upload.size > settings.IMAGE_MAX_UPLOAD_BYTES:
        raise ValidationError(_("The file is too large."), code="too_large")
    try:
        return clean_image(upload).image
    except ValidationError:
        raise ValidationError(_("Only PDF files and JPEG, PNG or WEBP images are accepted."), code="bad_type") from None
