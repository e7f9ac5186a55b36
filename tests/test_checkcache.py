"""The check cache of library files: used on a second run, invalidated by any change a check read,
ignored when written by another version or corrupted, private (issue 19)."""

from __future__ import annotations

import os
import pickle
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from rxstretch.api import load_library
from rxstretch.errors import ValidationError
from rxstretch.loaders import checkcache, fanout, figures, yamlio
from rxstretch.loaders.catalog import exercise_summaries
from rxstretch.loaders.library import bundled_library_dir
from rxstretch.loaders.reader import Reader
from rxstretch.resources.usercache import cache_dir

from .conftest import bundled_exercise_text, line_of, replace_once

MyLibrary = Callable[[dict[str, str]], Path]


def _exercise(exercise_id: str) -> str:
    return bundled_exercise_text("cat-cow").replace("id: cat-cow", f"id: {exercise_id}")


def _parsed_during(monkeypatch: pytest.MonkeyPatch, folder: Path, action: Callable[[], object]) -> list[str]:
    """The files of ``folder`` parsed (not answered by the cache) while ``action`` runs."""
    parsed: list[str] = []
    real = yamlio.parse_yaml

    def counting(text: str, *, source: str) -> object:
        if source.startswith(str(folder)):
            parsed.append(Path(source).name)
        return real(text, source=source)

    monkeypatch.setattr(yamlio, "parse_yaml", counting)
    action()
    monkeypatch.setattr(yamlio, "parse_yaml", real)
    return sorted(parsed)


def _problems(folder: Path) -> list[tuple[str, int | None, str, str]]:
    with pytest.raises(ValidationError) as caught:
        load_library([folder], use_env=False)
    return [(Path(p.file).name, p.line, p.field, p.message) for p in caught.value.problems]


def _load(folder: Path) -> Callable[[], object]:
    return lambda: load_library([folder], use_env=False)


def test_second_run_reads_the_cache(scratch_library: MyLibrary, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = scratch_library({"mine-a.yaml": _exercise("mine-a"), "mine-b.yaml": _exercise("mine-b")})
    assert _parsed_during(monkeypatch, folder, _load(folder)) == ["mine-a.yaml", "mine-b.yaml"]
    assert _parsed_during(monkeypatch, folder, _load(folder)) == []
    # The exercise itself is still read in full when used.
    assert load_library([folder], use_env=False).exercises["mine-a"].id == "mine-a"
    files = list(cache_dir().glob("checked-*"))
    assert len(files) == 1
    assert cache_dir().stat().st_mode & 0o777 == 0o700
    assert files[0].stat().st_mode & 0o777 == 0o600


def test_listing_from_the_cache_matches_a_full_read(
    scratch_library: MyLibrary, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = scratch_library({"mine-a.yaml": _exercise("mine-a")})
    cold = load_library([folder], use_env=False)
    full = exercise_summaries(load_library([folder], use_env=False, lazy=True), language="fr", search="chat")
    warm: list[object] = []
    parsed = _parsed_during(monkeypatch, folder, lambda: warm.append(load_library([folder], use_env=False)))
    assert parsed == []
    assert exercise_summaries(warm[0], language="fr", search="chat") == full  # type: ignore[arg-type]
    assert exercise_summaries(cold, language="fr", search="chat") == full
    assert "mine-a" in [row["id"] for row in full]


def test_an_edit_shows_its_new_error_and_errors_keep_their_lines(
    scratch_library: MyLibrary, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = scratch_library({"mine-a.yaml": _exercise("mine-a"), "mine-b.yaml": _exercise("mine-b")})
    load_library([folder], use_env=False)
    broken = replace_once(_exercise("mine-a"), "\nmuscles:", "\nmusles:")
    path = folder / "exercises" / "mine-a.yaml"
    path.write_text(broken, encoding="utf-8")
    os.utime(path, ns=(1, 1))  # an edit in the same clock tick must not hide behind the cache
    errors: list[list[tuple[str, int | None, str, str]]] = []
    parsed = _parsed_during(monkeypatch, folder, lambda: errors.append(_problems(folder)))
    assert parsed == ["mine-a.yaml"]
    # From the cache on the next run: the same problems at the same lines.
    parsed = _parsed_during(monkeypatch, folder, lambda: errors.append(_problems(folder)))
    assert parsed == []
    assert errors[0] == errors[1]
    assert ("mine-a.yaml", line_of(broken, "musles:"), "musles", errors[0][0][3]) in errors[0]
    # Fixed again: the error is gone.
    path.write_text(_exercise("mine-a"), encoding="utf-8")
    assert "mine-a" in load_library([folder], use_env=False).exercises


def test_a_broken_figure_invalidates_the_exercises_drawn_with_it(scratch_library: MyLibrary) -> None:
    folder = scratch_library({"mine-a.yaml": _exercise("mine-a")})
    (folder / "figures").mkdir()
    figure = folder / "figures" / "cat-cow.yaml"
    figure.write_text((bundled_library_dir() / "figures" / "cat-cow.yaml").read_text(encoding="utf-8"))
    load_library([folder], use_env=False)
    figure.write_text("panels: [\n", encoding="utf-8")
    files = {name for name, *_ in _problems(folder)}
    assert files == {"cat-cow.yaml"}


def test_a_changed_vocabulary_rechecks_every_file(
    scratch_library: MyLibrary, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = scratch_library({"mine-a.yaml": _exercise("mine-a")})
    load_library([folder], use_env=False)
    (folder / "vocabulary.yaml").write_text("regions:\n  thumb: {en: Thumb}\n", encoding="utf-8")
    assert _parsed_during(monkeypatch, folder, _load(folder)) == ["mine-a.yaml", "vocabulary.yaml"]


def test_another_version_s_cache_is_ignored(
    scratch_library: MyLibrary, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = scratch_library({"mine-a.yaml": _exercise("mine-a")})
    load_library([folder], use_env=False)
    monkeypatch.setattr(checkcache, "__version__", "0.0.0-other")
    assert _parsed_during(monkeypatch, folder, _load(folder)) == ["mine-a.yaml"]
    monkeypatch.setattr(checkcache, "SCHEMA", checkcache.SCHEMA + 1)
    assert _parsed_during(monkeypatch, folder, _load(folder)) == ["mine-a.yaml"]


def test_a_corrupted_or_shared_cache_is_ignored_and_rebuilt(
    scratch_library: MyLibrary, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = scratch_library({"mine-a.yaml": _exercise("mine-a")})
    load_library([folder], use_env=False)
    (cache_file,) = cache_dir().glob("checked-*")
    cache_file.write_bytes(b"not a pickle")
    assert _parsed_during(monkeypatch, folder, _load(folder)) == ["mine-a.yaml"]
    assert _parsed_during(monkeypatch, folder, _load(folder)) == []  # rebuilt
    cache_file.chmod(0o644)  # readable by others: never trusted
    assert _parsed_during(monkeypatch, folder, _load(folder)) == ["mine-a.yaml"]


def test_forked_workers_find_what_one_process_finds(
    scratch_library: MyLibrary, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {f"mine-{n}.yaml": _exercise(f"mine-{n}") for n in range(6)}
    files["mine-3.yaml"] = replace_once(_exercise("mine-3"), "\nmuscles:", "\nmusles:")
    files["mine-5.yaml"] = "id: [\n"
    folder = scratch_library(files)
    serial = _problems(folder)
    shutil.rmtree(cache_dir())
    monkeypatch.setattr(fanout, "MIN_FILES_PER_WORKER", 1)
    monkeypatch.setattr(fanout, "_cores", lambda: 2)
    assert _problems(folder) == serial
    assert {name for name, *_ in serial} == {"mine-3.yaml", "mine-5.yaml"}


def test_forked_workers_do_not_read_the_figures_again(
    scratch_library: MyLibrary, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The parent checks the figures before forking; the workers inherit them for the exercises.
    folder = scratch_library({f"mine-{n}.yaml": _exercise(f"mine-{n}") for n in range(4)})
    log = tmp_path / "read.log"  # appended to by every process, forked workers included
    real = figures.read_figure

    def logging(data: object, reader: Reader, *, path: Path) -> object:
        with log.open("a", encoding="utf-8") as stream:
            stream.write(f"{os.getpid()} {path}\n")
        return real(data, reader, path=path)

    monkeypatch.setattr(figures, "read_figure", logging)
    monkeypatch.setattr(fanout, "MIN_FILES_PER_WORKER", 1)
    monkeypatch.setattr(fanout, "_cores", lambda: 2)
    load_library([folder], use_env=False)
    lines = [line.split(" ", 1) for line in log.read_text(encoding="utf-8").splitlines()]
    read = [path for _, path in lines]
    assert read and len(read) == len(set(read))  # each figure once
    assert {pid for pid, _ in lines} == {str(os.getpid())}  # by the parent


@pytest.fixture
def two_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    """fan_out forks two workers for any number of items, handed out four at a time."""
    monkeypatch.setattr(fanout, "MIN_FILES_PER_WORKER", 1)
    monkeypatch.setattr(fanout, "_cores", lambda: 2)
    monkeypatch.setattr(fanout, "CHUNK", 4)


@pytest.mark.usefixtures("two_workers")
def test_fan_out_keeps_the_order() -> None:
    assert fanout.fan_out(lambda n: n * n, list(range(50))) == [n * n for n in range(50)]
    assert fanout.fan_out(lambda n: -n, [7, 8]) == [-7, -8]  # fewer tasks than workers


@pytest.mark.usefixtures("two_workers")
def test_fan_out_raises_what_a_worker_raised() -> None:
    def check(n: int) -> int:
        if n == 37:
            raise ValueError("no 37")
        return n

    with pytest.raises(ValueError, match="no 37"):
        fanout.fan_out(check, list(range(50)))


@pytest.mark.usefixtures("two_workers")
def test_fan_out_reports_a_worker_that_died_instead_of_waiting_for_it() -> None:
    def check(n: int) -> int:
        if n == 37:
            os._exit(3)
        return n

    with pytest.raises(RuntimeError, match="worker process checking library files stopped"):
        fanout.fan_out(check, list(range(50)))


def test_generate_s_library_files_are_parsed_once(
    scratch_library: MyLibrary, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = scratch_library({"mine-a.yaml": _exercise("mine-a")})
    (folder / "vocabulary.yaml").write_text("regions:\n  thumb: {en: Thumb}\n", encoding="utf-8")

    def lazy_load() -> object:
        return load_library([folder], use_env=False, lazy=True).exercises["mine-a"]

    assert _parsed_during(monkeypatch, folder, lazy_load) == ["mine-a.yaml", "vocabulary.yaml"]
    assert _parsed_during(monkeypatch, folder, lazy_load) == []
    vocabulary = folder / "vocabulary.yaml"
    vocabulary.write_text("regions:\n  thumb: {en: Thumb}\n  toe: {en: Toe}\n", encoding="utf-8")
    assert _parsed_during(monkeypatch, folder, lazy_load) == ["vocabulary.yaml"]
    assert "toe" in load_library([folder], use_env=False, lazy=True).vocabulary.regions
    vocabulary.write_text("regions: [\n", encoding="utf-8")  # an error is reported, never cached
    for _ in range(2):
        with pytest.raises(ValidationError):
            load_library([folder], use_env=False, lazy=True)


def test_a_change_of_size_or_of_time_alone_rechecks_the_file(
    scratch_library: MyLibrary, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = scratch_library({"mine-a.yaml": _exercise("mine-a")})
    path = folder / "exercises" / "mine-a.yaml"
    load_library([folder], use_env=False)
    then = path.stat().st_mtime_ns
    os.utime(path, ns=(then + 1_000_000_000, then + 1_000_000_000))  # same bytes, touched
    assert _parsed_during(monkeypatch, folder, _load(folder)) == ["mine-a.yaml"]
    later = path.stat().st_mtime_ns
    path.write_text(_exercise("mine-a") + "\n", encoding="utf-8")  # one byte longer, same time
    os.utime(path, ns=(later, later))
    assert _parsed_during(monkeypatch, folder, _load(folder)) == ["mine-a.yaml"]
    assert _parsed_during(monkeypatch, folder, _load(folder)) == []


def test_validate_reads_no_summary_and_list_one_language(
    scratch_library: MyLibrary, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = scratch_library({"mine-a.yaml": _exercise("mine-a")})
    load_library([folder], use_env=False)
    unpickled: list[int] = []
    real = checkcache.pickle.loads

    def counting(blob: bytes) -> object:
        unpickled.append(len(blob))
        return real(blob)

    monkeypatch.setattr(checkcache.pickle, "loads", counting)
    warm = load_library([folder], use_env=False)
    assert unpickled == []  # what validate needs is in the cache file's plain part
    rows = exercise_summaries(warm, language="fr")
    assert len(unpickled) == 2  # the summaries' common part and the French names
    assert rows == exercise_summaries(load_library([folder], use_env=False, lazy=True), language="fr")


def test_corrupted_summaries_are_read_from_the_files_again(scratch_library: MyLibrary) -> None:
    folder = scratch_library({"mine-a.yaml": _exercise("mine-a")})
    full = exercise_summaries(load_library([folder], use_env=False, lazy=True), search="chat")
    load_library([folder], use_env=False)
    (cache_file,) = cache_dir().glob("checked-*")
    version, entries, _ = pickle.loads(cache_file.read_bytes())
    cache_file.write_bytes(pickle.dumps((version, entries, (b"\x80junk", {"fr": b"junk"}))))
    assert exercise_summaries(load_library([folder], use_env=False), search="chat") == full


def test_a_cache_folder_others_may_write_to_is_not_written(scratch_library: MyLibrary) -> None:
    folder = scratch_library({"mine-a.yaml": _exercise("mine-a")})
    cache_dir().mkdir(parents=True)
    cache_dir().chmod(0o777)
    load_library([folder], use_env=False)
    assert list(cache_dir().glob("checked-*")) == []
    cache_dir().chmod(0o700)
    load_library([folder], use_env=False)
    assert len(list(cache_dir().glob("checked-*"))) == 1
