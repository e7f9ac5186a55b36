"""Locale negotiation, UI string catalogs and Babel formatting of dates, numbers and durations.

Exercise text is data and lives in the library; this module only handles the handout's own
words (headings, labels, dosage phrases), which come from gettext catalogs in ``locale/``.
"""

from __future__ import annotations

import datetime
import gettext
from collections.abc import Collection, Sequence
from decimal import Decimal
from functools import cache
from pathlib import Path

from babel import Locale, UnknownLocaleError

from rxstretch.resources import package_file
from rxstretch.resources.babeldata import LeanLocale

DOMAIN = "rxstretch"
SOURCE_LANGUAGE = "en"


class LocaleError(ValueError):
    """Raised for a language tag that is not a known CLDR locale."""


@cache
def parse_locale(tag: str) -> Locale:
    """Parse ``fr``, ``fr-CA`` or ``pt_BR`` into a Babel Locale, or raise LocaleError.

    The Locale reads only the locale data that formatting needs, from the user cache.
    """
    try:
        return LeanLocale.parse(tag.strip().replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError) as exc:
        raise LocaleError(f'unknown language "{tag}"; use a code such as en, fr or fr-CA') from exc


def language_candidates(locale: Locale) -> list[str]:
    """Return the tags to try for ``locale``, most specific first: fr-CA, fr."""
    candidates = []
    if locale.territory:
        candidates.append(f"{locale.language}-{locale.territory}")
    candidates.append(locale.language)
    return candidates


def negotiate(locale: Locale, available: Collection[str], default: str) -> str:
    """Return the best of ``available`` for ``locale`` (fr-CA → fr), else ``default``."""
    for candidate in language_candidates(locale):
        if candidate in available:
            return candidate
    return default


def catalog_path(language: str, suffix: str) -> Path:
    """Return the .po or .mo file of ``language``'s UI catalog."""
    return package_file("locale", language, "LC_MESSAGES", f"{DOMAIN}{suffix}")


@cache
def catalog_languages() -> frozenset[str]:
    """Return the languages that have a compiled UI catalog."""
    root = package_file("locale")
    return frozenset(p.name for p in root.iterdir() if catalog_path(p.name, ".mo").is_file())


@cache
def _load_translations(language: str) -> gettext.NullTranslations:
    if language == SOURCE_LANGUAGE or language not in catalog_languages():
        return gettext.NullTranslations()
    # The .mo files are compiled from the .po files and committed; a test keeps them in step.
    with catalog_path(language, ".mo").open("rb") as handle:
        return gettext.GNUTranslations(handle)


class Localizer:
    """Translates UI strings and formats values for one handout locale."""

    def __init__(self, locale: Locale) -> None:
        self.locale = locale
        ui_language = negotiate(locale, catalog_languages() | {SOURCE_LANGUAGE}, SOURCE_LANGUAGE)
        self.ui_language = ui_language
        self._translations = _load_translations(ui_language)

    @property
    def tag(self) -> str:
        """The locale as a BCP 47 tag, for the PDF's /Lang entry: ``fr-CA``."""
        return "-".join(part for part in (self.locale.language, self.locale.territory) if part)

    def gettext(self, message: str, **values: object) -> str:
        """Translate ``message`` and fill its ``%(name)s`` placeholders."""
        translated = self._translations.gettext(message)
        return translated % self._isolated(values) if values else translated

    def _isolated(self, values: dict[str, object]) -> dict[str, object]:
        # In right-to-left text a value such as "+33 4 72 00 00 00" must keep its own order:
        # first-strong isolates make the bidi algorithm treat it as one unit.
        if self.locale.character_order != "right-to-left":
            return values
        return {key: f"\u2068{value}\u2069" for key, value in values.items()}

    def ngettext(self, singular: str, plural: str, count: int, **values: object) -> str:
        """Translate with the catalog's plural rule for ``count``; ``%(num)s`` is the number."""
        translated = self._translations.ngettext(singular, plural, count)
        # A count never wraps away from its noun ("3 / sets"), as CLDR does for "45 seconds".
        translated = translated.replace("%(num)s ", "%(num)s\u00a0")
        return translated % {"num": self.number(count), **values}

    def number(self, value: int) -> str:
        """Format a number the locale's way."""
        # Babel's formatting modules load on first use: checking a language tag needs none.
        from babel.numbers import format_decimal

        return format_decimal(value, locale=self.locale)

    def date(self, value: datetime.date) -> str:
        """Format a date in the locale's long form: 26 novembre 2026."""
        from babel.dates import format_date

        return format_date(value, format="long", locale=self.locale)

    def join(self, items: Sequence[str]) -> str:
        """Join items as the locale writes lists: "a, b et c"."""
        from babel.lists import format_list

        return format_list(list(items), locale=self.locale) if items else ""

    def day_names(self) -> tuple[str, ...]:
        """Abbreviated day names, in the order the locale's week starts (Mon or Sun...)."""
        from babel.dates import get_day_names

        names = get_day_names("abbreviated", context="stand-alone", locale=self.locale)
        first = self.locale.first_week_day
        return tuple(names[(first + offset) % 7] for offset in range(7))

    def number_range(self, low: int, high: int) -> str:
        """Format an inclusive range of numbers: 3–4."""
        if low == high:
            return self.number(low)
        return f"{self.number(low)}\u2013{self.number(high)}"

    def duration(self, seconds: float) -> str:
        """Format a duration in words the locale uses: 30 seconds, 1 minute 7,5 seconds."""
        minutes, rest = divmod(Decimal(str(seconds)), 60)
        parts = []
        if minutes:
            parts.append(self._unit(minutes, "duration-minute"))
        if rest or not minutes:
            parts.append(self._unit(rest, "duration-second"))
        return " ".join(parts)

    def _unit(self, value: Decimal | int, unit: str) -> str:
        """Format ``value`` in ``unit`` (long form) with the number bound to its unit.

        A fraction prints in the locale's decimals (7.5 s, 7,5 s); a whole value as a whole
        (``Decimal("30.0")`` would otherwise take the plural of a fraction in some languages).
        """
        from babel.units import format_unit

        value = value.normalize() if isinstance(value, Decimal) else value
        if isinstance(value, Decimal) and value == value.to_integral_value():
            value = int(value)
        text = format_unit(value, unit, length="long", locale=self.locale)
        # Some locales (English among them) join number and unit with a plain space, which
        # lets "30 / seconds" wrap apart; bind them like CLDR does for French.
        return text.replace(" ", "\u00a0")

    def duration_range(self, low: int, high: int) -> str:
        """Format a range of durations: 30–45 seconds (one unit when both share it)."""
        if low == high:
            return self.duration(low)
        if high < 60 or (low % 60 == 0 and high % 60 == 0):
            unit, divisor = ("duration-second", 1) if high < 60 else ("duration-minute", 60)
            top = self._unit(high // divisor, unit)
            return f"{self.number(low // divisor)}\u2013{top}"
        return f"{self.duration(low)} \u2013 {self.duration(high)}"
