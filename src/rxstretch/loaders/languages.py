"""How complete each language is: UI strings, exercise text, its review status, and whether the
font draws its script."""

from __future__ import annotations

from typing import Any

from babel import Locale
from babel.core import get_global
from babel.messages.pofile import read_po

from rxstretch.i18n import SOURCE_LANGUAGE, catalog_languages, catalog_path
from rxstretch.model import Library
from rxstretch.resolve import review_status
from rxstretch.resources import package_file

# Shown even without a catalog, so a clinic sees at once what works for these patients.
OFTEN_ASKED = ("el", "ru", "tr", "pl", "zh", "ja")


def _ui_messages() -> set[str]:
    with package_file("locale", "rxstretch.pot").open("rb") as handle:
        return {_key(m.id) for m in read_po(handle) if m.id}


def _key(message_id: str | tuple[str, ...] | list[str]) -> str:
    return message_id if isinstance(message_id, str) else message_id[0]


def _translated(language: str) -> set[str]:
    with catalog_path(language, ".po").open("rb") as handle:
        catalog = read_po(handle, locale=language)
    done = set()
    for message in catalog:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.id and not message.fuzzy and all(strings):
            done.add(_key(message.id))
    return done


def _script(language: str) -> str:
    likely: str = get_global("likely_subtags").get(language, language)
    parts = likely.split("_")
    return parts[1] if len(parts) > 2 else "?"


def _font_draws(locale: Locale, characters: frozenset[int]) -> bool:
    """Whether the font has every letter of the locale's month names: a sample of its script."""
    sample = "".join(locale.months["format"]["wide"].values())
    return all(ord(c) in characters for c in sample if c.isalpha())


def language_report(library: Library, font_characters: frozenset[int]) -> list[dict[str, Any]]:
    """One row per language the UI catalogs or the exercises have."""
    exercise_languages = {language for exercise in library.exercises.values() for language in exercise.text}
    languages = sorted({SOURCE_LANGUAGE, *OFTEN_ASKED} | catalog_languages() | exercise_languages)
    messages = _ui_messages()
    rows = []
    for language in languages:
        locale = Locale.parse(language.replace("-", "_"))
        translated = (
            messages
            if language == SOURCE_LANGUAGE
            else (_translated(language) & messages if language in catalog_languages() else set())
        )
        complete = sum(
            1
            for exercise in library.exercises.values()
            if language in exercise.text and not exercise.text[language].borrowed
        )
        rows.append(
            {
                "language": language,
                "name": locale.get_display_name("en"),
                "ui_translated_percent": round(100 * len(translated) / len(messages)) if messages else 100,
                "exercises_complete": complete,
                "exercises_total": len(library.exercises),
                "review": review_status(language, library),
                "review_note": library.reviews[language].note if language in library.reviews else "",
                "script": _script(language),
                "direction": "rtl" if locale.character_order == "right-to-left" else "ltr",
                "font_covers_script": _font_draws(locale, font_characters),
            }
        )
    return rows
