"""Load and validate library folders: vocabularies, conditions and exercises.

The bundled library comes first; each clinic folder given after it may add vocabulary ids,
conditions and exercises, and an exercise with the same id as an earlier one replaces it (so a
clinic can reword a bundled exercise). Every problem in every file is reported at once.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rxstretch import REVIEW_LEVELS
from rxstretch.errors import Problem, ValidationError
from rxstretch.loaders.conditions import check_relations, read_conditions
from rxstretch.loaders.exercises import ID_PATTERN, read_exercise
from rxstretch.loaders.figures import FigureIndex
from rxstretch.loaders.lazy import LazyIndex
from rxstretch.loaders.matching import condition_lookup
from rxstretch.loaders.reader import Reader, join_path
from rxstretch.loaders.summary import ExerciseSummary, summary_of
from rxstretch.loaders.treecache import SCHEMA, load_library_file
from rxstretch.loaders.yamlio import LocatedMap, load_yaml_file, yaml_files
from rxstretch.model import Condition, Exercise, LanguageReview, Library, Vocabulary
from rxstretch.model.figure import Figure
from rxstretch.resources import data_dir
from rxstretch.resources.usercache import derived_from_files

if TYPE_CHECKING:
    # Only validate and list check every file; generate's lazy load imports none of this.
    from rxstretch.loaders.checkcache import CheckCache, Checked

VOCABULARY_FILE = "vocabulary.yaml"
CONDITIONS_FILE = "conditions.yaml"
LANGUAGES_FILE = "languages.yaml"
EXERCISES_DIR = "exercises"
VOCABULARY_KINDS = ("regions", "positions", "equipment", "timing", "muscles")
LIBRARY_ENV = "RXSTRETCH_LIBRARY"


def bundled_library_dir() -> Path:
    """Return the folder of the library that ships with rxstretch."""
    return data_dir("library")


def library_dirs(extra: Iterable[Path] = (), *, use_env: bool = True) -> list[Path]:
    """Return the bundled folder, then folders from RXSTRETCH_LIBRARY, then ``extra``."""
    folders = [bundled_library_dir()]
    if use_env:
        folders += [Path(p) for p in os.environ.get(LIBRARY_ENV, "").split(os.pathsep) if p]
    folders += list(extra)
    return folders


def load_library_dirs(folders: Sequence[Path], *, lazy: bool = False) -> Library:
    """Load and merge library ``folders`` in order; raise ValidationError listing every problem.

    With ``lazy``, exercise files are read when first used (see ExerciseIndex) and their
    problems are raised then; otherwise every file is read and checked now.
    """
    problems: list[Problem] = []
    for folder in folders:
        if not folder.is_dir():
            problems.append(Problem(str(folder), None, "", "library folder does not exist"))
    if problems:
        raise ValidationError(problems)
    vocabulary, conditions, reviews, condition_keys = _library_basics(folders)
    exercises = ExerciseIndex(
        _exercise_paths(folders), vocabulary, conditions, figures=FigureIndex.from_folders(folders)
    )
    if not lazy:
        # Checking every file (validate, list) is what the check cache speeds up; a lazy load reads few.
        from rxstretch.loaders.checkcache import CheckCache

        # repr, not pickle: the same values must give the same bytes however they were built.
        context = repr((vocabulary, conditions, sorted(exercises.figures.paths().items()))).encode()
        cache = CheckCache(folders, context)
        problems = exercises.check_all(cache)
        cache.save()
        if problems:
            raise ValidationError(problems)
    library = Library(
        exercises=exercises,
        vocabulary=vocabulary,
        conditions=conditions,
        condition_keys=condition_keys,
        reviews=reviews,
    )
    # Programs are read against the exercises; imported here, as programs build on prescriptions.
    from rxstretch.loaders.programs import ProgramIndex

    programs = ProgramIndex(folders, library)
    if not lazy and (problems := programs.problems()):
        raise ValidationError(problems)
    return dataclasses.replace(library, programs=programs)


Basics = tuple[Vocabulary, dict[str, Condition], dict[str, LanguageReview], dict[str, tuple[str, ...]]]


def _library_basics(folders: Sequence[Path]) -> Basics:
    """The folders' vocabularies, conditions and language reviews merged, and the lookup of
    condition names: the same for every handout, so kept between runs (see derived_from_files)."""
    names = (VOCABULARY_FILE, CONDITIONS_FILE, LANGUAGES_FILE)
    files = [folder / name for folder in folders for name in names]
    return derived_from_files(f"basics-{SCHEMA}", files, lambda: _read_basics(folders))


def _read_basics(folders: Sequence[Path]) -> Basics:
    problems: list[Problem] = []
    vocabulary = _merge_vocabularies(folders, problems)
    conditions = _merge_conditions(folders, problems)
    reviews = _merge_reviews(folders, problems)
    if problems:
        raise ValidationError(problems)
    return vocabulary, conditions, reviews, condition_lookup(conditions)


def _load_file(path: Path, problems: list[Problem], *, keep: bool = True) -> Any:
    """The parsed file (kept in the tree cache unless not ``keep``), or None with its problems."""
    try:
        return load_library_file(path) if keep else load_yaml_file(path)
    except ValidationError as exc:
        problems.extend(exc.problems)
        return None


def _read_id_table(
    reader: Reader, node: LocatedMap, path: str, known: Mapping[str, object]
) -> dict[str, dict[str, str]]:
    table: dict[str, dict[str, str]] = {}
    for entry_id, names in node.items():
        entry_path = join_path(path, str(entry_id))
        if not isinstance(entry_id, str) or not ID_PATTERN.match(entry_id):
            reader.problem(
                node.line_of(entry_id), entry_path, "ids use lowercase letters, digits and hyphens"
            )
        elif entry_id in known:
            reader.problem(node.line_of(entry_id), entry_path, "is already defined by an earlier library")
        else:
            table[entry_id] = reader.names(names, entry_path, node.line_of(entry_id))
    return table


def _merge_vocabularies(folders: Sequence[Path], problems: list[Problem]) -> Vocabulary:
    merged: dict[str, dict[str, dict[str, str]]] = {kind: {} for kind in VOCABULARY_KINDS}
    for folder in folders:
        path = folder / VOCABULARY_FILE
        if not path.is_file():
            continue
        reader = Reader(str(path))
        doc = reader.mapping(_load_file(path, problems), "", line=1, optional=VOCABULARY_KINDS)
        for kind in VOCABULARY_KINDS:
            node = reader.typed(doc, kind, "", LocatedMap) if doc is not None else None
            if node is not None:
                merged[kind].update(_read_id_table(reader, node, kind, merged[kind]))
        problems.extend(reader.problems)
    return Vocabulary(**merged)


def _merge_conditions(folders: Sequence[Path], problems: list[Problem]) -> dict[str, Condition]:
    conditions: dict[str, Condition] = {}
    for folder in folders:
        path = folder / CONDITIONS_FILE
        if path.is_file():
            reader = Reader(str(path))
            conditions.update(read_conditions(_load_file(path, problems), reader, known=conditions))
            problems.extend(reader.problems)
    # A clinic's condition may imply a bundled one, so relations are checked once all are read.
    problems.extend(check_relations(conditions))
    return conditions


def _merge_reviews(folders: Sequence[Path], problems: list[Problem]) -> dict[str, LanguageReview]:
    """Each language's review status; a later folder's word replaces an earlier one's, so a
    clinic whose physiotherapists have read a language can promote it in its own folder."""
    reviews: dict[str, LanguageReview] = {}
    for folder in folders:
        path = folder / LANGUAGES_FILE
        if not path.is_file():
            continue
        reader = Reader(str(path))
        doc = reader.free_mapping(_load_file(path, problems), "", line=1)
        if doc is None:
            problems.extend(reader.problems)
            continue
        for language in reader.language_keys(doc, ""):
            entry = reader.mapping(
                doc[language], language, line=doc.line_of(language), required=("status",), optional=("note",)
            )
            if entry is None:
                continue
            status = reader.choice(entry, "status", language, REVIEW_LEVELS, what="review status")
            if status is not None:
                reviews[language] = LanguageReview(status, reader.text(entry, "note", language) or "")
        problems.extend(reader.problems)
    return reviews


class ExerciseIndex(LazyIndex[Exercise]):
    """The library's exercises by id, read when first used (see rxstretch.loaders.lazy)."""

    def __init__(
        self,
        paths: Mapping[str, Path],
        vocabulary: Vocabulary,
        conditions: Mapping[str, Condition],
        *,
        figures: FigureIndex | None = None,
    ) -> None:
        # Figures are read with the first exercise that uses them (library/figures/<id>.yaml).
        self.figures = figures if figures is not None else FigureIndex({})
        self._vocabulary = vocabulary
        self._conditions = conditions
        # The check cache of check_all, which keeps summaries: listing needs no full read.
        self._check_cache: CheckCache | None = None

        def load(path: Path, problems: list[Problem]) -> Exercise | None:
            return load_exercise_file(path, vocabulary, conditions, problems, figures=self.figures)

        super().__init__(paths, load)

    def problems(self) -> list[Problem]:
        """Read every exercise and figure not read yet and return all of their problems."""
        found = super().problems()
        # A broken figure is already reported by the exercise using it; list it once.
        found.extend(p for p in self.figures.problems() if p not in found)
        return found

    def check_all(self, cache: CheckCache) -> list[Problem]:
        """Like ``problems``, with each file's check taken from ``cache`` while it is unchanged.

        Files the cache cannot answer for are checked (exercises in forked workers when there
        are many) and their checks stored in ``cache``.
        """
        # Figures first, in this process: the ones read here are kept in the index, which forked
        # workers inherit, so that each worker does not read every figure again for the
        # exercises drawn with it (figures checked in workers would be read twice or more).
        figures = _checks(cache, list(self.figures.paths().values()), self._check_figure, in_workers=False)
        exercises = _checks(cache, list(self._paths.values()), self._check_exercise)
        found = [problem for checked in exercises for problem in checked.problems]
        figure_problems = [problem for checked in figures for problem in checked.problems]
        found.extend(p for p in figure_problems if p not in found)
        self._check_cache = cache
        return found

    def summaries(self) -> list[ExerciseSummary]:
        """Every exercise's summary, in id order (from check_all where it ran)."""
        known = self._check_cache.summaries(self._paths.values()) if self._check_cache is not None else {}
        return [known.get(path) or summary_of(self[item_id]) for item_id, path in self._paths.items()]

    def _check_exercise(self, path: Path) -> Checked:
        from rxstretch.loaders.checkcache import Checked, stamp

        before = stamp(path)  # taken before reading: an edit while reading only misses the cache
        problems: list[Problem] = []
        # The check cache answers for this file next time: keeping its tree too would only cost.
        data = _load_file(path, problems, keep=False)
        if data is None:
            return Checked(before, tuple(problems))
        reader = Reader(str(path))
        exercise = read_exercise(
            data,
            reader,
            path=path,
            vocabulary=self._vocabulary,
            conditions=self._conditions,
            figures=self.figures,
        )
        problems.extend(reader.problems)
        if any(p.field.startswith("illustration.image") for p in problems):
            before = None  # a missing photo may appear without this file changing: check again
        depends = []
        figure_id = _figure_id(data)
        if figure_id is not None and figure_id in self.figures:
            figure_path = self.figures.path(figure_id)
            depends.append((str(figure_path), stamp(figure_path)))
        if exercise is not None and exercise.image is not None:
            depends.append((str(exercise.image), stamp(exercise.image)))
        summary = summary_of(exercise) if exercise is not None and not problems else None
        return Checked(before, tuple(problems), summary, tuple(depends))

    def _check_figure(self, path: Path) -> Checked:
        from rxstretch.loaders.checkcache import Checked, stamp

        before = stamp(path)
        try:
            self.figures[path.stem]  # read through the index, which keeps it (see check_all)
        except ValidationError as exc:
            return Checked(before, tuple(exc.problems))
        return Checked(before, ())


def _figure_id(data: Any) -> str | None:
    illustration = data.get("illustration") if isinstance(data, dict) else None
    figure_id = illustration.get("figure") if isinstance(illustration, dict) else None
    return figure_id if isinstance(figure_id, str) else None


def _checks(
    cache: CheckCache, paths: list[Path], check: Callable[[Path], Checked], *, in_workers: bool = True
) -> list[Checked]:
    """The check of every path, from ``cache`` or done now (and then stored in ``cache``), in
    forked workers when there are many and ``in_workers``."""
    from rxstretch.loaders.fanout import fan_out

    found = {path: cache.get(path) for path in paths}
    missing = [path for path, checked in found.items() if checked is None]
    done = fan_out(check, missing) if in_workers else [check(path) for path in missing]
    for path, checked in zip(missing, done, strict=True):
        cache.put(path, checked)
        found[path] = checked
    return [checked for checked in found.values() if checked is not None]


def _exercise_paths(folders: Sequence[Path]) -> dict[str, Path]:
    # The id is the file name (validation enforces it), so the index needs no parsing; a later
    # folder's file replaces an earlier one's with the same name.
    return {path.stem: path for folder in folders for path in yaml_files(folder / EXERCISES_DIR)}


def load_exercise_file(
    path: Path,
    vocabulary: Vocabulary,
    conditions: Mapping[str, Condition],
    problems: list[Problem],
    *,
    figures: Mapping[str, Figure] | None = None,
) -> Exercise | None:
    """Read one exercise file; append its problems to ``problems`` and return None if any.

    Without ``figures``, figure ids are looked up in the bundled library and in the library
    folder holding the file.
    """
    if figures is None:
        figures = FigureIndex.from_folders([bundled_library_dir(), path.parent.parent])
    data = _load_file(path, problems)
    if data is None:
        return None
    reader = Reader(str(path))
    exercise = read_exercise(
        data, reader, path=path, vocabulary=vocabulary, conditions=conditions, figures=figures
    )
    problems.extend(reader.problems)
    return exercise
