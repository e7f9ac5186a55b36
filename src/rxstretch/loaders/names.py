"""Find exercises, programs and conditions by the names people write, ignoring case and accents."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from rxstretch.errors import ValidationError, closest, did_you_mean, suggestion
from rxstretch.i18n import language_candidates, parse_locale
from rxstretch.model import Library, Program
from rxstretch.text import match_key

_PARENTHESIS = re.compile(r"\(([^()]*)\)")


def name_aliases(name: str) -> list[str]:
    """Return the shorter names a parenthesis offers, which people write instead of the full one.

    "Knee rolls (lumbar rotation)" gives "Knee rolls" and "lumbar rotation"; "Pendulum (Codman)
    exercise" gives "Pendulum", "Pendulum exercise" and "Codman". Aliases without a letter or
    shorter than three characters ("4") are left out: they would catch stray numbers.
    """
    if "(" not in name:
        return []
    before = name.split("(", 1)[0].strip()
    without = " ".join(_PARENTHESIS.sub(" ", name).split())
    inside = [text.strip() for text in _PARENTHESIS.findall(name)]
    return [
        alias
        for alias in dict.fromkeys([before, without, *inside])
        if len(match_key(alias)) >= 3 and any(c.isalpha() for c in alias)
    ]


def name_languages(library: Library, language: str) -> list[str]:
    """The row's language (fr-CA, then fr), then the library's default language: where names are looked up."""
    return list(dict.fromkeys([*language_candidates(parse_locale(language)), library.default_language]))


def close_hint(text: str, choices: Mapping[str, str]) -> str:
    """Return ' (did you mean "x"?)', comparing folded forms and showing the choice as written."""
    close = closest(match_key(text), choices)
    return suggestion(choices[close]) if close else did_you_mean(text, choices.values())


@dataclass
class _Names:
    """The exercise names of one language, folded, with the ids each one names."""

    full: dict[str, list[str]] = field(default_factory=dict)
    # Aliases (see name_aliases) that are nobody's full name.
    aliases: dict[str, list[str]] = field(default_factory=dict)
    # Folded name or alias → as written in the library, for "did you mean".
    written: dict[str, str] = field(default_factory=dict)


class ExerciseMatcher:
    """Finds an exercise by id, by its name in a language or by an alias, ignoring case and accents.

    Exercise files have no list of aliases, so the parts of a name around a parenthesis serve
    as aliases ("Knee rolls" for "Knee rolls (lumbar rotation)"). A name several exercises
    share, or an alias that is also part of another exercise's name, names none of them:
    :meth:`lookup` returns them all.
    """

    def __init__(self, library: Library) -> None:
        self.library = library
        self._by_language: dict[str, _Names] = {}

    def _names(self, language: str) -> _Names:
        if language not in self._by_language:
            names = _Names()
            for exercise_id in self.library.exercises:
                try:
                    text = self.library.exercises[exercise_id].text.get(language)
                except ValidationError:
                    continue  # a broken clinic file only fails the rows that name it by id
                if text is None:
                    continue
                for alias in [text.name, *name_aliases(text.name)]:
                    key = match_key(alias)
                    if not key:
                        continue
                    table = names.full if alias == text.name else names.aliases
                    ids = table.setdefault(key, [])
                    if exercise_id not in ids:
                        ids.append(exercise_id)
                    names.written.setdefault(key, alias)
            for key in names.full:
                names.aliases.pop(key, None)  # a full name beats another exercise's alias
            for key, ids in names.aliases.items():
                # "back extension" is also part of "Upper back extension over a chair": an
                # alias inside another exercise's name could mean either.
                ids += [
                    other
                    for full, others in names.full.items()
                    if f" {key} " in f" {full} "
                    for other in others
                    if other not in ids
                ]
            self._by_language[language] = names
        return self._by_language[language]

    def lookup(self, text: str, language: str) -> tuple[str, ...]:
        """Return the ids of the exercises ``text`` names: one, none, or several if ambiguous.

        By id, then by name or alias in ``language``, then in the library's default language.
        """
        if text in self.library.exercises:
            return (text,)
        key = match_key(text)
        if not key:  # "-", "???": no name at all
            return ()
        by_id = key.replace(" ", "-")
        if by_id in self.library.exercises:
            return (by_id,)
        for candidate in name_languages(self.library, language):
            names = self._names(candidate)
            found = names.full.get(key) or names.aliases.get(key)
            if found:
                return tuple(found)
        return ()

    def find(self, text: str, language: str) -> str | None:
        """Return the id of the one exercise ``text`` names, else None."""
        found = self.lookup(text, language)
        return found[0] if len(found) == 1 else None

    def choices(self, language: str) -> dict[str, str]:
        """Return folded → as written for the names in ``language`` and its fallbacks, and ids."""
        found: dict[str, str] = {}
        for candidate in name_languages(self.library, language):
            names = self._names(candidate)
            for key in names.full:
                found.setdefault(key, names.written[key])
        for exercise_id in self.library.exercises:
            found.setdefault(match_key(exercise_id), exercise_id)
        return found


class ProgramMatcher:
    """Finds a program by id or by its title in any language, ignoring case and accents."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self._by_name: dict[str, Program] | None = None

    def find(self, text: str) -> Program | None:
        """The program ``text`` names, by id or by its title in any language."""
        if text in self.library.programs:
            return self.library.programs[text]
        if self._by_name is None:
            self._by_name = {}
            for program in self.library.programs.values():
                for name in [program.id, *(t.title for t in program.text.values())]:
                    if match_key(name):
                        self._by_name.setdefault(match_key(name), program)
        key = match_key(text)
        return self._by_name.get(key) if key else None  # "-" or "???" names nothing

    def choices(self, language: str) -> dict[str, str]:
        """Folded → as written: program ids and titles in ``language``, for "did you mean"."""
        found = {match_key(program_id): program_id for program_id in self.library.programs}
        for program in self.library.programs.values():
            for candidate in name_languages(self.library, language):
                if candidate in program.text:
                    found.setdefault(match_key(program.text[candidate].title), program.text[candidate].title)
        return found
