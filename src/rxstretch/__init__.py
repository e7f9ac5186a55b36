"""rxstretch: local, scriptable home-exercise handouts for physiotherapy patients.

The public API is imported lazily so that ``rxstretch list`` or ``--version`` do not pay for
importing ReportLab.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# Limits the command line shows in its help; kept here so that ``--help`` imports no model code.
# Adherence falls as home programmes grow; past this many exercises the clinician is warned.
DEFAULT_MAX_EXERCISES = 8
# An exercise diary longer than a quarter is printed again at the next appointment instead.
MAX_TRACKER_WEEKS = 12

if TYPE_CHECKING:
    from rxstretch.api import (
        build_handout,
        fhir_bundle,
        load_library,
        load_prescription,
        render_handout,
        run_batch,
    )
    from rxstretch.errors import Problem, RxStretchError, ValidationError

_LAZY = {
    "build_handout": "rxstretch.api",
    "fhir_bundle": "rxstretch.api",
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
    "fhir_bundle",
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
