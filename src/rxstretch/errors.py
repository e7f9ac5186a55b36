"""Exceptions raised by rxstretch and the located problems they carry."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


# A plain frozen dataclass, not rxstretch.model.frozen: the command line's --help and --version
# import this module, and must not import the model.
@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located as precisely as the input allows."""

    file: str
    line: int | None
    field: str
    message: str
    column: int | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        if self.line is not None and self.column is not None:
            where = f"{where}:{self.column}"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class RxStretchError(Exception):
    """Base class of every error rxstretch reports to a user (exit code 1 at the CLI).

    A message may write the settings that would allow what was refused as ``{force}``,
    ``{resume}`` and ``{shard}``: the exception's text names the API's keyword arguments
    (``force=True``), ``cli_message`` the command line's flags (``--force``), and
    ``report_message`` both, for reports (errors.csv) read by either kind of caller.
    """

    def __init__(self, *args: object) -> None:
        message = str(args[0]) if args else ""
        self.cli_message = _named(message, **_CLI_NAMES)
        self.report_message = _named(message, **_REPORT_NAMES)
        super().__init__(_named(message, **_API_NAMES), *args[1:])


class ValidationError(RxStretchError):
    """Raised when one or more inputs break the schema; carries every problem found."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        files = sorted({p.file for p in self.problems})
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        self.summary = f"{count} {noun} in {', '.join(files)}"
        # The problems themselves belong in the message: a script that prints the exception
        # must see what is wrong, not only how many things are.
        super().__init__("\n".join([self.summary, *(str(p) for p in self.problems)]))


class UsageError(RxStretchError):
    """Raised when options do not fit the inputs (a --format for another kind of file, an
    impossible --delimiter): exit code 2 at the command line, like a mistyped option."""


class OutputExistsError(RxStretchError):
    """Raised when an output file exists and overwriting was not allowed (``{force}``)."""


_API_NAMES = {"force": "force=True", "resume": "resume=True", "shard": "shard=(K, N)"}
_CLI_NAMES = {"force": "--force", "resume": "--resume", "shard": "--shard K/N"}
_REPORT_NAMES = {name: f"{_CLI_NAMES[name]} ({_API_NAMES[name]})" for name in _API_NAMES}


def _named(message: str, **settings: str) -> str:
    # Not str.format: the message holds paths, which may contain braces.
    for name, spelling in settings.items():
        message = message.replace("{" + name + "}", spelling)
    return message


@dataclass(frozen=True)
class Refusal:
    """One exercise refused for one condition: its located problem, which says how to override
    it in a prescription file or on the command line, and the bare reason, for other places
    (a batch record) to explain their own way of overriding."""

    problem: Problem
    exercise_id: str
    condition: str
    reason: str


class ContraindicationError(ValidationError):
    """Raised when a prescribed exercise must be avoided for one of the patient's conditions."""

    def __init__(self, refusals: Sequence[Refusal]) -> None:
        super().__init__([refusal.problem for refusal in refusals])
        self.refusals = tuple(refusals)


def closest(word: str, choices: Iterable[str], *, cutoff: float = 0.6) -> str | None:
    """The choice most like ``word``, or None: the one "did you mean" rule (difflib's ratio)."""
    import difflib  # only when a suggestion is needed: it costs a millisecond at every start

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=cutoff)
    return close[0] if close else None


def suggestion(choice: str) -> str:
    """' (did you mean "choice"?)', to end a message with."""
    return f' (did you mean "{choice}"?)'


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """Return ' (did you mean "x"?)' for the closest choice, or a list of valid ones."""
    options = sorted(set(choices))
    close = closest(word, options)
    if close:
        return suggestion(close)
    if len(options) <= 12:
        return f" (expected one of: {', '.join(options)})"
    return ""


class LanguageFallbackError(RxStretchError):
    """Raised in strict-language mode when some text would be shown in another language, or
    when the content of the patient's language is not reviewed to the level required."""
