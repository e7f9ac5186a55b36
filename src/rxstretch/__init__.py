"""rxstretch: local, scriptable home-exercise handouts for physiotherapy patients.

The public API is imported lazily so that ``rxstretch list`` or ``--version`` do not pay for
importing ReportLab. ``dir(rxstretch)`` lists it.
"""

from __future__ import annotations

import importlib as _importlib
from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any as _Any

__version__ = "0.1.0"

# Limits the command line shows in its help; kept here so that ``--help`` imports no model code.
# Adherence falls as home programmes grow; past this many exercises the clinician is warned.
DEFAULT_MAX_EXERCISES = 8
# An exercise diary longer than a quarter is printed again at the next appointment instead.
MAX_TRACKER_WEEKS = 12
# Beyond these a value is a typo, not a dosage (the usual range check only warns).
MAX_SETS = 20
MAX_REPS = 100
# Worker processes a batch may start (the API and --jobs).
MAX_JOBS = 256
# How far a language's library content has been checked, weakest first: "draft" (written, not
# yet read by a fluent speaker), "checked" (read by a fluent speaker), "reviewed" (read by a
# clinician fluent in it). A language the library says nothing about counts as draft.
REVIEW_LEVELS = ("draft", "checked", "reviewed")

if _TYPE_CHECKING:
    from rxstretch.api import (
        build_handout,
        fhir_bundle,
        load_library,
        load_prescription,
        merge_batch,
        render_handout,
        run_batch,
    )
    from rxstretch.batch import BatchResult
    from rxstretch.errors import Problem, RxStretchError, ValidationError
    from rxstretch.model import Brand, Condition, Exercise, Library, Prescription, Program
    from rxstretch.model.figure import Figure
    from rxstretch.model.handout import Handout
    from rxstretch.model.template import Template
    from rxstretch.records.mapping import ColumnMapping

_LAZY = {
    "build_handout": "rxstretch.api",
    "fhir_bundle": "rxstretch.api",
    "load_library": "rxstretch.api",
    "load_prescription": "rxstretch.api",
    "render_handout": "rxstretch.api",
    "run_batch": "rxstretch.api",
    "merge_batch": "rxstretch.api",
    "Problem": "rxstretch.errors",
    "RxStretchError": "rxstretch.errors",
    "ValidationError": "rxstretch.errors",
    # The data the functions take and return.
    "Brand": "rxstretch.model",
    "Condition": "rxstretch.model",
    "Exercise": "rxstretch.model",
    "Library": "rxstretch.model",
    "Prescription": "rxstretch.model",
    "Program": "rxstretch.model",
    "Figure": "rxstretch.model.figure",
    "Handout": "rxstretch.model.handout",
    "Template": "rxstretch.model.template",
    "BatchResult": "rxstretch.batch",
    "ColumnMapping": "rxstretch.records.mapping",
}

__all__ = [
    "BatchResult",
    "Brand",
    "ColumnMapping",
    "Condition",
    "Exercise",
    "Figure",
    "Handout",
    "Library",
    "Prescription",
    "Problem",
    "Program",
    "RxStretchError",
    "Template",
    "ValidationError",
    "__version__",
    "build_handout",
    "fhir_bundle",
    "load_library",
    "load_prescription",
    "merge_batch",
    "render_handout",
    "run_batch",
]


def __getattr__(name: str) -> _Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'rxstretch' has no attribute {name!r}")
    return getattr(_importlib.import_module(module), name)


def __dir__() -> list[str]:
    return list(__all__)
