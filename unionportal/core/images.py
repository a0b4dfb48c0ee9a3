"""The one image pipeline every upload goes through.

Pillow opens only JPEG, PNG and WEBP, keeps its decompression-bomb limit (a warning becomes
an error here), and every image is re-encoded, which drops EXIF/GPS and any payload hidden
after the pixel data. Oversized images are scaled down; a thumbnail is made beside.
"""

import io
import uuid
import warnings
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP")
MAX_SIDE = 2048
THUMB_SIDE = 480


@dataclass(frozen=True)
class CleanImage:
    image: ContentFile
    thumbnail: ContentFile
    width: int
    height: int


def _encode(img: Image.Image, name: str) -> ContentFile:
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=85, optimize=True)
    return ContentFile(out.getvalue(), name=name)


def clean_image(upload) -> CleanImage:
    """Check an uploaded file is a real, reasonably sized image and re-encode it."""
    max_bytes = settings.IMAGE_MAX_UPLOAD_BYTES
    if upload.size is not None and upload.size > max_bytes:
        raise ValidationError(
            _("The image is too large: at most %(mb)d MB.") % {"mb": max_bytes // (1024 * 1024)},
            code="too_large",
        )
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload, formats=ALLOWED_FORMATS) as img:
                width, height = img.size
                if width * height > settings.IMAGE_MAX_PIXELS:
                    raise ValidationError(_("The image has too many pixels."), code="too_many_pixels")
                img.load()
                img = ImageOps.exif_transpose(img)
                if img.mode in ("RGBA", "LA", "P"):
                    rgba = img.convert("RGBA")
                    img = Image.new("RGB", rgba.size, (255, 255, 255))
                    img.paste(rgba, mask=rgba.getchannel("A"))
                elif img.mode != "RGB":
                    img = img.convert("RGB")
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(_("The image has too many pixels."), code="too_many_pixels") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(
            _("This file is not a JPEG, PNG or WEBP image, or it is damaged."), code="not_image"
        ) from None
    stem = uuid.uuid4().hex
    main = img.copy()
    main.thumbnail((MAX_SIDE, MAX_SIDE))
    thumb = img.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE))
    return CleanImage(
        image=_encode(main, f"{stem}.jpg"),
        thumbnail=_encode(thumb, f"{stem}_t.jpg"),
        width=main.width,
        height=main.height,
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class ImageUploadField(forms.FileField):
    """A form field whose cleaned value is a CleanImage (or None when left empty)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if not upload or upload is initial:
            return None
        return clean_image(upload)


class MultipleImageUploadField(forms.FileField):
    """Several images at once; the cleaned value is a list of CleanImage."""

    def __init__(self, *args, max_files: int = 9, **kwargs):
        self.max_files = max_files
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp", "capture": "environment"})
        )
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        uploads = [u for u in uploads if u]
        if self.required and not uploads:
            raise ValidationError(self.error_messages["required"], code="required")
        if len(uploads) > self.max_files:
            raise ValidationError(_("At most %(n)d images at a time.") % {"n": self.max_files}, code="too_many_files")
        return [clean_image(super(MultipleImageUploadField, self).clean(u, initial)) for u in uploads]
