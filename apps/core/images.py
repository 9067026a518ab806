"""Uploaded images: accept only real JPEG/PNG/WebP files of a bounded size, and strip their metadata.

Phones write the GPS position into a photo's EXIF block; a driveway photo must not tell strangers where its host
lives beyond what the listing shows. Re-encoding the pixels drops EXIF (and any payload hidden after the image).
"""

import io
import uuid

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, ImageOps, UnidentifiedImageError

from apps.core.errors import InvalidInput

ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
MAX_PIXELS = 40_000_000  # refuse decompression bombs before decoding them


def clean_image(upload: UploadedFile, *, max_bytes: int, attr: str) -> ContentFile:
    """Return a re-encoded copy of `upload` without metadata, or raise `InvalidInput` naming `attr`."""
    if upload.size is not None and upload.size > max_bytes:
        raise InvalidInput(
            f"The image is larger than {max_bytes // (1024 * 1024)} MB.", code="file_too_large", attr=attr
        )
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            image_format = probe.format
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise InvalidInput("The image has too many pixels.", code="image_too_large", attr=attr)
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as image:
            image.load()
            # Apply the EXIF orientation to the pixels before the EXIF block is dropped.
            cleaned = ImageOps.exif_transpose(image)
            if image_format == "JPEG" and cleaned.mode not in ("RGB", "L"):
                cleaned = cleaned.convert("RGB")
            output = io.BytesIO()
            cleaned.save(output, format=image_format, **({"quality": 88} if image_format == "JPEG" else {}))
    except InvalidInput:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise InvalidInput("The file is not a valid image.", code="invalid_image", attr=attr) from error
    if image_format not in ALLOWED_FORMATS:
        raise InvalidInput("Only JPEG, PNG and WebP images are accepted.", code="invalid_image_type", attr=attr)
    return ContentFile(output.getvalue(), name=f"{uuid.uuid4().hex}.{ALLOWED_FORMATS[image_format]}")


def make_thumbnail(image: ContentFile, *, size: int) -> ContentFile:
    """A copy of an already cleaned image that fits in `size` x `size` pixels, for lists and maps."""
    image.seek(0)
    with Image.open(image) as source:
        image_format = source.format
        thumbnail = source.copy()
    thumbnail.thumbnail((size, size))
    output = io.BytesIO()
    thumbnail.save(output, format=image_format, **({"quality": 82} if image_format == "JPEG" else {}))
    name = image.name.rsplit(".", 1)
    return ContentFile(output.getvalue(), name=f"{name[0]}-thumb.{name[1]}")
