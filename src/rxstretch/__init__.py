"""rxstretch: local, scriptable home-exercise handouts for physiotherapy patients.

The public API is imported lazily so that ``rxstretch list`` or ``--version`` do not pay for
importing ReportLab.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from rxstretch.api import build_handout, load_library, load_prescription, render_handout, run_batch
    from rxstretch.errors import Problem, RxStretchError, ValidationError

_LAZY = {
    "build_handout": "rxstretch.api",
    "load_library": "rxstretch.api",
    "load_prescription": "rxstretch.api",
    "render_handout": "rxstretch.api",
    "run_batch": "rxstretch.api",
    "Problem": "rxstretch.errors",
    "RxStretchError": "rxstretch.errors",
    "ValidationError": "rxstretch.errors",
}

__all__ = [
    "Problem",
    "RxStretchError",
    "ValidationError",
    "__version__",
    "build_handout",
    "load_library",
    "load_prescription",
    "render_handout",
    "run_batch",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'rxstretch' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    """The module's own names plus the lazily imported API, for REPLs and IDEs."""
    return sorted(set(globals()) | set(__all__))
