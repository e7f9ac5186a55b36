"""Open user images safely with Pillow: bounded size, EXIF orientation, RGB, cached per process."""

from __future__ import annotations

import warnings
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError
from reportlab.lib.utils import ImageReader

from rxstretch.errors import RxStretchError

# A phone photo is ~12 megapixels; refuse anything far beyond before decoding it.
MAX_SOURCE_PIXELS = 40_000_000
# Enough for 300 dpi across the widest image slot of any template.
MAX_EMBED_SIDE = 1000


class ImageError(RxStretchError):
    """Raised when an image cannot be used: not an image, truncated, or too large."""


def load_image(path: Path) -> ImageReader:
    """Return an ImageReader for ``path``; the decoded image is cached per file version."""
    try:
        stat = path.stat()
    except OSError as exc:
        raise ImageError(f"{path}: cannot read image: {exc.strerror}") from exc
    return _load_cached(path.resolve(), stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=64)
def _load_cached(path: Path, size: int, mtime_ns: int) -> ImageReader:
    return ImageReader(_normalized(path))


def _normalized(path: Path) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                width, height = image.size
                if width * height > MAX_SOURCE_PIXELS:
                    raise ImageError(f"{path}: image is {width}×{height} pixels, more than allowed")
                image.load()
                upright = ImageOps.exif_transpose(image)
    except ImageError:
        raise
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise ImageError(f"{path}: not a usable image ({exc})") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageError(f"{path}: image is damaged or truncated ({exc})") from exc
    has_alpha = upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info
    converted = upright.convert("RGBA" if has_alpha else "RGB")
    converted.thumbnail((MAX_EMBED_SIDE, MAX_EMBED_SIDE), Image.Resampling.LANCZOS)
    return converted
