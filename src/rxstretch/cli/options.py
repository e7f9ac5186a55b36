"""What the commands share: error reporting, option callbacks and option decorators."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from rxstretch import REVIEW_LEVELS
from rxstretch.errors import RxStretchError, UsageError, ValidationError

F = TypeVar("F", bound=Callable[..., Any])

if TYPE_CHECKING:
    from rxstretch.model import Library


@contextmanager
def reported_errors() -> Iterator[None]:
    """Turn rxstretch errors into stderr messages and exit code 1, never a traceback."""
    try:
        yield
    except ValidationError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(exc.summary) from exc
    except UsageError as exc:
        raise click.UsageError(exc.cli_message) from exc
    except RxStretchError as exc:  # named as flags: --force, not force=True
        raise click.ClickException(exc.cli_message) from exc


class WholeNumber(click.IntRange):
    """A whole number from ``low`` to ``high``, refused in the words a prescription file's
    value is (``must be a whole number from 1 to 20, not "three"``), exit status 2."""

    name = "integer"

    def __init__(self, low: int, high: int) -> None:
        super().__init__(low, high)
        self.low, self.high = low, high

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        text = str(value).strip()
        number = int(text) if text.lstrip("-").isdigit() else None
        if number is None or not self.low <= number <= self.high:
            self.fail(f'must be a whole number from {self.low} to {self.high}, not "{value}"', param, ctx)
        return number


def _parse_locale(value: str) -> object:
    from rxstretch.i18n import parse_locale  # Babel loads only when --lang is given

    return parse_locale(value)


def check_date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> datetime.date | None:
    if value is None:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f'"{value}" is not a date; write it as YYYY-MM-DD') from exc


def check_template(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """A bundled template name or a template file; anything else is a usage mistake (exit 2)."""
    if value is None:
        return None
    from rxstretch.errors import did_you_mean
    from rxstretch.loaders.template import bundled_templates

    bundled = bundled_templates()
    path = Path(value)
    if value in bundled or (path.suffix in (".yaml", ".yml") and path.is_file()):
        return value
    raise click.BadParameter(f'no template "{value}"{did_you_mean(value, bundled)}')


def check_option(
    parse: Callable[[str], object],
) -> Callable[[click.Context, click.Parameter, str | None], str | None]:
    """A callback that refuses, with exit 2, an option value ``parse`` raises ValueError on."""

    def check(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            parse(value)
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from exc
        return value

    return check


lang_option = click.option(
    "--lang",
    "language",
    callback=check_option(_parse_locale),
    metavar="LANG",
    help="Handout language, e.g. fr or fr-CA.",
)
library_option = click.option(
    "--library",
    "libraries",
    multiple=True,
    metavar="DIR",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Extra library folder (repeatable); its exercises override bundled ones.",
)


def command_library(libraries: tuple[Path, ...], *, lazy: bool = False) -> Library:
    """The bundled library plus --library folders (and $RXSTRETCH_LIBRARY)."""
    from rxstretch.api import load_library

    return load_library(libraries, lazy=lazy)


brand_option = click.option(
    "--brand",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    envvar="RXSTRETCH_BRAND",
    help="Clinic brand file (default: $RXSTRETCH_BRAND).",
)
template_option = click.option(
    "--template",
    callback=check_template,
    metavar="NAME|FILE",
    help="Layout: standard, compact, large-print or a YAML file (default: the brand's, else standard).",
)
font_option = click.option(
    "--font",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    metavar="FILE.ttf",
    multiple=True,
    help="TrueType font for scripts the bundled font lacks (Chinese, Japanese...); repeat it "
    "for a chain, tried in order.",
)
paper_option = click.option(
    "--paper",
    type=click.Choice(["A4", "letter"], case_sensitive=False),
    help="Paper size (default: the template's, or the one used in the patient's country).",
)
strict_language_option = click.option(
    "--strict-lang",
    "strict_language",
    is_flag=True,
    help="Fail instead of showing any text in another language.",
)
require_review_option = click.option(
    "--require-review",
    type=click.Choice(REVIEW_LEVELS[1:]),
    help="Fail unless the library's content in the patient's language is checked by a fluent "
    "reader (checked) or by a clinician fluent in it (reviewed); see rxstretch locales.",
)


def format_option(*choices: str) -> Callable[[F], F]:
    """``--format`` with ``choices``, the first being the default."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(list(choices)),
        default=choices[0],
        show_default=True,
        help="Output format.",
    )
