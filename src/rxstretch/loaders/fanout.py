"""Run one function over many files in forked worker processes, when that pays.

Checking a clinic library of thousands of files is CPU work (YAML parsing); on a machine with
two or more cores, forked workers share what the parent already loaded (vocabularies,
conditions, figure index) without pickling it, and send back only small results.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Below this many files, starting workers costs more than it saves.
MIN_FILES_PER_WORKER = 150

_task: Callable[[Any], Any] | None = None


def _run_chunk(chunk: Sequence[Any]) -> list[Any]:
    assert _task is not None  # set by fan_out before the workers are forked
    return [_task(item) for item in chunk]


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def fan_out(function: Callable[[T], R], items: Sequence[T]) -> list[R]:
    """``[function(item) for item in items]``, in that order, split over forked workers if worth it."""
    workers = min(_cores(), len(items) // MIN_FILES_PER_WORKER, 8)
    if workers < 2:  # decided before importing multiprocessing, which a warm run never needs
        return [function(item) for item in items]
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        return [function(item) for item in items]
    global _task
    _task = function
    try:
        # Contiguous chunks, a few per worker so that an uneven machine load evens out.
        size = -(-len(items) // (workers * 4))
        chunks = [items[start : start + size] for start in range(0, len(items), size)]
        # gc.freeze in each worker: the collector no longer walks everything the parent had
        # loaded (modules, vocabularies) each time the trees of the files being parsed pile up.
        with multiprocessing.get_context("fork").Pool(workers, initializer=gc.freeze) as pool:
            return [result for part in pool.map(_run_chunk, chunks) for result in part]
    finally:
        _task = None
