"""Open user images safely with Pillow: bounded size, EXIF orientation, RGB, cached per process.

Images are downscaled to at most 300 dpi at the size they are printed. An opaque image is
embedded as JPEG when that is smaller (a 12-megapixel phone picture then costs tens of kilobytes,
not megabytes), else losslessly: a line drawing or a logo of flat colours is smaller that way and
JPEG would blur its edges. Images with transparency (most logos) keep it and are lossless.
"""

from __future__ import annotations

import io
import warnings
import zlib
from functools import lru_cache
from pathlib import Path

from PIL import Image, UnidentifiedImageError
from reportlab.lib.utils import ImageReader

from rxstretch.errors import RxStretchError

# A phone photo is ~12 megapixels; refuse anything far beyond before decoding it.
MAX_SOURCE_PIXELS = 40_000_000
PRINT_DPI = 300
POINTS_PER_INCH = 72
JPEG_QUALITY = 85
# Deflated a slice at a time, so that a photo is given up on early, well before its end.
_DEFLATE_SLICE = 64 * 1024


class ImageError(RxStretchError):
    """Raised when an image cannot be used: not an image, truncated, or too large."""


def load_image(path: Path, *, printed_width: float, printed_height: float) -> ImageReader:
    """Return an ImageReader for ``path`` sized for a box of the given points; cached per file version."""
    try:
        stat = path.stat()
    except OSError as exc:
        raise ImageError(f"{path}: cannot read image: {exc.strerror}") from exc
    longest = max(printed_width, printed_height) / POINTS_PER_INCH * PRINT_DPI
    return _load_cached(path.resolve(), stat.st_size, stat.st_mtime_ns, max(int(longest), 1))


@lru_cache(maxsize=64)
def _load_cached(path: Path, size: int, mtime_ns: int, max_side: int) -> ImageReader:
    image = _normalized(path)
    image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    if image.mode == "RGBA":
        return ImageReader(image)
    return _smaller_encoding(image)


def _smaller_encoding(image: Image.Image) -> ImageReader:
    """The image as JPEG, or as its own pixels (embedded lossless) when those take no more room."""
    jpeg = io.BytesIO()
    image.save(jpeg, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    if _deflates_within(image.tobytes(), jpeg.tell()):
        return ImageReader(image)
    jpeg.seek(0)
    return ImageReader(jpeg)


def _deflates_within(pixels: bytes, limit: int) -> bool:
    """Whether ``pixels`` deflate to at most ``limit`` bytes.

    ReportLab embeds an image that is not a JPEG as its RGB bytes deflated at zlib's default
    level: this is that stream's size, the one to weigh against the JPEG's, not that of a PNG
    file, whose filters the PDF would not keep.
    """
    compressor = zlib.compressobj()
    view = memoryview(pixels)
    size = 0
    for start in range(0, len(view), _DEFLATE_SLICE):
        size += len(compressor.compress(view[start : start + _DEFLATE_SLICE]))
        if size > limit:
            return False
    return size + len(compressor.flush()) <= limit


def _too_large(path: Path, width: int, height: int) -> ImageError:
    megapixels = width * height / 1_000_000
    return ImageError(
        f"{path}: image is {width}×{height} pixels ({megapixels:,.0f} megapixels), more than the "
        f"{MAX_SOURCE_PIXELS // 1_000_000} megapixels allowed; save it smaller, e.g. 2000 pixels wide"
    )


def _header_size(path: Path) -> tuple[int, int]:
    """The size an image's header declares, read without decoding any pixel."""
    limit = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = None
    try:
        with Image.open(path) as image:
            width, height = image.size
            return width, height
    finally:
        Image.MAX_IMAGE_PIXELS = limit


def _normalized(path: Path) -> Image.Image:
    from PIL import ImageOps  # with its palette modules, only for a handout that has a picture

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                width, height = image.size
                if width * height > MAX_SOURCE_PIXELS:
                    raise _too_large(path, width, height)
                image.load()
                upright = ImageOps.exif_transpose(image)
    except ImageError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        # Pillow refuses before our own check and names only a pixel count: say the size.
        raise _too_large(path, *_header_size(path)) from exc
    except UnidentifiedImageError as exc:
        raise ImageError(f"{path}: not a usable image ({exc})") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageError(f"{path}: image is damaged or truncated ({exc})") from exc
    has_alpha = upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info
    # CMYK, palette and greyscale images all become RGB (or RGBA to keep transparency).
    return upright.convert("RGBA" if has_alpha else "RGB")
