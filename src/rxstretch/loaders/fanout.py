"""Run one function over many files in forked worker processes, when that pays.

Checking a clinic library of thousands of files is CPU work (YAML parsing); on a machine with
two or more cores, forked workers share what the parent already loaded (vocabularies,
conditions, figures, the items themselves) without pickling it, and send back only small
results.

Not multiprocessing.Pool: its worker-handler thread wakes whenever a result waits in the pipe
and loops until another thread has read it, some ten thousand times for a 5,000-file library, a
tenth of a core taken from the workers on a two-core machine. Here each worker has its own
pipe, over which it sends a task's results and so asks for the next one; the parent only waits.
"""

from __future__ import annotations

import gc
import itertools
import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, cast

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

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


def _work(connection: Connection) -> None:
    """A worker: run the tasks (index ranges of ``_items``) received until told to stop."""
    # No cycle collector: the trees a worker builds and drops hold no reference cycles, so it
    # only walked them (and everything inherited from the parent) again and again, about a
    # tenth of a worker's time; the worker ends with the command.
    gc.disable()
    assert _task is not None  # set by fan_out before the workers are forked
    while (task := connection.recv()) is not None:
        number, start, stop = task
        try:
            outcome: list[Any] | BaseException = [_task(item) for item in _items[start:stop]]
        except Exception as exc:  # raised again in the parent, where it is reported
            outcome = exc
        connection.send((number, outcome))


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
        return _run(multiprocessing.get_context("fork"), workers, len(items))
    finally:
        _task, _items = None, ()


def _run(context: Any, workers: int, count: int) -> list[Any]:
    """The results of ``_task`` over ``_items`` (``count`` of them), in order, from ``workers``
    forked processes."""
    from multiprocessing.connection import wait

    # Workers get index ranges, not items: forked, they already hold them.
    tasks = iter(
        [(number, start, min(start + CHUNK, count)) for number, start in enumerate(range(0, count, CHUNK))]
    )
    done: dict[int, list[Any]] = {}
    processes = []
    outstanding: dict[Connection, int] = {}  # tasks sent to each worker and not answered yet
    finished = False
    try:
        for _ in range(workers):
            ours, theirs = context.Pipe()
            process = context.Process(target=_work, args=(theirs,), daemon=True)
            process.start()
            theirs.close()  # so that a worker that dies is an end of file here, not a wait forever
            processes.append(process)
            outstanding[ours] = 0
            # Two tasks each: one to work on, one at hand while the first one's results travel.
            for first in itertools.islice(tasks, 2):
                _send(ours, first)
                outstanding[ours] += 1
        busy = [connection for connection, sent in outstanding.items() if sent]
        for connection in outstanding.keys() - busy:
            _send(connection, None)
        while busy:
            for ready in wait(busy):
                connection = cast("Connection", ready)
                try:
                    number, outcome = connection.recv()
                except (EOFError, OSError):  # OSError: reset, as the pipe is a socket pair
                    raise _stopped() from None
                if isinstance(outcome, BaseException):
                    raise outcome
                done[number] = outcome
                outstanding[connection] -= 1
                task = next(tasks, None)
                if task is not None:
                    _send(connection, task)
                    outstanding[connection] += 1
                elif not outstanding[connection]:
                    _send(connection, None)  # nothing left: the worker ends
                    busy.remove(connection)
        finished = True
        return [result for number in sorted(done) for result in done[number]]
    finally:
        for process in processes:
            if not finished:  # interrupted, or a worker failed: the others stop now
                process.terminate()
            process.join()
        for connection in outstanding:
            connection.close()


def _send(connection: Connection, task: tuple[int, int, int] | None) -> None:
    try:
        connection.send(task)
    except OSError:  # a broken pipe: the worker is gone
        raise _stopped() from None


def _stopped() -> RuntimeError:
    return RuntimeError("a worker process checking library files stopped")
