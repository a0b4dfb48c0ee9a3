import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from unionportal.core.images import clean_image
from unionportal.core.testing import bomb_upload, fake_image_upload, image_upload


def test_real_image_is_reencoded_without_metadata():
    buf = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    Image.new("RGB", (3000, 1000), (10, 200, 10)).save(buf, format="JPEG", exif=exif.tobytes())
    result = clean_image(SimpleUploadedFile("x.jpg", buf.getvalue()))
    main = Image.open(io.BytesIO(result.image.read()))
    assert main.format == "JPEG"
    assert max(main.size) == 2048
    assert not main.getexif()
    thumb = Image.open(io.BytesIO(result.thumbnail.read()))
    assert max(thumb.size) == 480


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_png_and_webp_accepted(fmt):
    assert clean_image(image_upload(f"a.{fmt.lower()}", fmt=fmt)).width == 640


def test_renamed_non_image_rejected():
    with pytest.raises(ValidationError) as e:
        clean_image(fake_image_upload())
    assert e.value.code == "not_image"


def test_gif_rejected_even_though_pillow_reads_it():
    buf = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buf, format="GIF")
    with pytest.raises(ValidationError):
        clean_image(SimpleUploadedFile("a.jpg", buf.getvalue()))


def test_decompression_bomb_rejected():
    with pytest.raises(ValidationError) as e:
        clean_image(bomb_upload())
    assert e.value.code == "too_many_pixels"


def test_too_many_pixels_below_pillow_limit_rejected(settings):
    settings.IMAGE_MAX_PIXELS = 1000
    with pytest.raises(ValidationError) as e:
        clean_image(image_upload(size=(100, 100)))
    assert e.value.code == "too_many_pixels"


def test_oversized_file_rejected(settings):
    settings.IMAGE_MAX_UPLOAD_BYTES = 100
    with pytest.raises(ValidationError) as e:
        clean_image(image_upload())
    assert e.value.code == "too_large"


def test_truncated_image_rejected():
    data = image_upload().read()
    with pytest.raises(ValidationError):
        clean_image(SimpleUploadedFile("t.jpg", data[: len(data) // 3]))
