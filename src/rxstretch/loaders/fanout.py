"""Run one function over many files in forked worker processes, when that pays.

Checking a clinic library of thousands of files is CPU work (YAML parsing); on a machine with
two or more cores, forked workers share what the parent already loaded (vocabularies,
conditions, figure index, the items themselves) without pickling it, and send back only small
results.
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
# Items per task handed to a worker: small, so that the workers finish together (a worker
# left alone with a big last task is most of a cold run's idle core), yet large enough that
# handing out tasks and sending results back stays a small part of the work.
CHUNK = 64

_task: Callable[[Any], Any] | None = None
_items: Sequence[Any] = ()


def _run_range(bounds: tuple[int, int]) -> list[Any]:
    assert _task is not None  # set by fan_out before the workers are forked
    start, stop = bounds
    return [_task(item) for item in _items[start:stop]]


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
    global _task, _items
    _task, _items = function, items
    try:
        # Workers get index ranges, not items: forked, they already hold ``items``.
        ranges = [(start, start + CHUNK) for start in range(0, len(items), CHUNK)]
        # No cycle collector in the workers: the trees they build and drop hold no reference
        # cycles, so it only walked them (and everything inherited from the parent) again and
        # again, about a tenth of a worker's time; a worker ends with the command.
        with multiprocessing.get_context("fork").Pool(workers, initializer=gc.disable) as pool:
            return [result for part in pool.imap(_run_range, ranges) for result in part]
    finally:
        _task, _items = None, ()
