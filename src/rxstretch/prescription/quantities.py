"""Parse the dosage values people type: durations (``1 min 30 s``), frequencies (``2/day``), and
the counts and holds of a records export's cells (``3``, ``0,5 min``): the one dosage parser."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from rxstretch.model import Frequency, Per

# Beyond ten minutes a "hold" is certainly a typo (e.g. 300 meant as 30 s written in tenths).
MAX_HOLD_SECONDS = 600
MAX_FREQUENCY = 50

_SECOND_UNITS = {"", "s", "sec", "secs", "second", "seconds", "seconde", "secondes"}
_MINUTE_UNITS = {"m", "min", "mins", "minute", "minutes"}
# A number as people type it: 3, 7.5, 7,5 (a decimal comma), 7½; a cell's unit may follow it.
_FRACTIONS = {"\u00bd": Decimal("0.5"), "\u00bc": Decimal("0.25"), "\u00be": Decimal("0.75")}
_NUMBER = r"(\d{1,6})(?:[.,](\d{1,3})|\s?([\u00bd\u00bc\u00be]))?|([\u00bd\u00bc\u00be])"
_DECIMAL = re.compile(rf"^\s*(?:{_NUMBER})\s*([a-z]*)\s*$", re.IGNORECASE)
_DURATION_PART = re.compile(rf"\s*(?:{_NUMBER})\s*([a-z]*)\s*", re.IGNORECASE)

# The words for "day" and "week" that clinics type, in the languages of the bundled library
# and catalogs (en, fr, de, es, it, pt, nl): nouns need a "per" ("2/Tag", "2 veces al día");
# adverbs stand alone ("2x täglich"), while "2 day" could as well mean "for two days".
_DAY_NOUNS = "day days d jour jours j tag tage día dia giorno dag"
_DAY_ADVERBS = "daily quotidien täglich taeglich diario diaria giornaliero diário diariamente dagelijks"
_WEEK_NOUNS = "week weeks w wk semaine semaines sem woche wochen semana settimana"
_WEEK_ADVERBS = "weekly hebdomadaire wöchentlich semanal settimanale wekelijks"
_PER_WORDS: dict[str, Per] = {
    **{word: "day" for word in f"{_DAY_NOUNS} {_DAY_ADVERBS}".split()},
    **{word: "week" for word in f"{_WEEK_NOUNS} {_WEEK_ADVERBS}".split()},
}
_ADVERBS = frozenset(f"{_DAY_ADVERBS} {_WEEK_ADVERBS}".split())
_FREQUENCY = re.compile(
    r"^\s*(\d{1,3})\s*(?:x|times?|fois|mal|veces|vez|volte|volta|vezes|keer)?\s*"
    r"(/|per|a|an|par|pro|am|al|por|ao|à|in de)?\s*([^\W\d_]+)\s*$",
    re.IGNORECASE,
)

DURATION_EXAMPLES = "30, 7.5, 30s, 1m, 1 min 30 s"
FREQUENCY_EXAMPLES = "2/day, 3/week, 2 per day"


class QuantityError(ValueError):
    """Raised when a duration or frequency cannot be understood; the message says what is valid."""


def parse_duration(value: str | float) -> float:
    """Return the seconds in ``value`` (``30``, ``7.5``, ``"7,5 s"``, ``"1m"``, ``"1 min 30 s"``).

    Fractions are kept as written (a 7.5 s hold is not 7 or 8 s); a whole number of seconds is
    an ``int``, so that it prints without a fraction.
    """
    if isinstance(value, bool):
        raise QuantityError(f"expected a duration such as {DURATION_EXAMPLES}")
    seconds = Decimal(str(value)) if isinstance(value, int | float) else _parse_duration_text(value)
    if seconds <= 0:
        raise QuantityError("a duration must be longer than zero")
    if seconds > MAX_HOLD_SECONDS:
        raise QuantityError(f"{seconds} s is more than the {MAX_HOLD_SECONDS // 60} minutes allowed")
    return plain_number(seconds)


def plain_number(value: Decimal) -> float:
    """``value`` as an ``int`` when whole, else as a float (``7.5``): what the model holds."""
    return int(value) if value == value.to_integral_value() else float(value)


def _number(match: re.Match[str]) -> Decimal:
    """The number in groups 1-4 of a match of ``_NUMBER``: 7, 7.5, 7,5, 7½ or ½."""
    whole, decimals, fraction, alone = match.group(1, 2, 3, 4)
    if alone:
        return _FRACTIONS[alone]
    number = Decimal(f"{whole}.{decimals}") if decimals else Decimal(whole)
    return number + _FRACTIONS[fraction] if fraction else number


def _parse_duration_text(text: str) -> Decimal:
    position, total, parts, seen_units = 0, Decimal(0), 0, set()
    invalid = QuantityError(f'"{text}" is not a duration; write it like {DURATION_EXAMPLES}')
    while position < len(text):
        match = _DURATION_PART.match(text, position)
        if match is None or match.end() == position:
            raise invalid
        number, unit = _number(match), match.group(5).lower()
        if unit in _MINUTE_UNITS:
            kind, factor = "minutes", 60
        elif unit in _SECOND_UNITS:
            kind, factor = "seconds", 1
        else:
            raise invalid
        # "30 1" or "1 min 2 min" are ambiguous: each unit at most once, a bare number only last.
        if kind in seen_units or (unit == "" and match.end() < len(text)):
            raise invalid
        seen_units.add(kind)
        total += number * factor
        parts += 1
        position = match.end()
    if parts == 0:
        raise invalid
    return total


def parse_frequency(value: str) -> Frequency:
    """Return the frequency in ``value``: ``2/day``, ``3/week``, ``2 per day``, ``2x/day``."""
    match = _FREQUENCY.match(value) if isinstance(value, str) else None
    word = match.group(3).lower() if match else ""
    per = _PER_WORDS.get(word) if match and (match.group(2) or word in _ADVERBS) else None
    if match is None or per is None:
        raise QuantityError(f'"{value}" is not a frequency; write it like {FREQUENCY_EXAMPLES}')
    count = int(match.group(1))
    if not 1 <= count <= MAX_FREQUENCY:
        raise QuantityError(f"the number of times must be between 1 and {MAX_FREQUENCY}")
    return Frequency(count=count, per=per)


def cell_number(value: Any, written: str, *, decimal_comma: bool) -> tuple[Decimal, str]:
    """A cell's number and the unit after it; ``written`` is the cell as shown in messages."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Decimal(str(value)), ""  # a typed spreadsheet cell: 7.5 is 7.5 whatever the locale
    text = written
    if not decimal_comma and "," in text:
        raise QuantityError(
            f'"{text}" is not a number: write 1.5 for a decimal, or set decimal_comma: true in '
            "a --map file; separate one value per exercise with ; or |"
        )
    match = _DECIMAL.match(text)
    if match is None:
        hint = "; separate one value per exercise with ; or |" if decimal_comma and "," in text else ""
        raise QuantityError(f'"{text}" is not a number{hint}')
    return _number(match), match.group(5).lower()


def cell_count(value: Any, written: str, maximum: int, *, decimal_comma: bool) -> int:
    """A cell's sets or repetitions: a whole number from 1 to ``maximum``."""
    number, unit = cell_number(value, written, decimal_comma=decimal_comma)
    if unit or number != int(number) or number < 1:
        raise QuantityError(f'"{written}" is not a whole number of at least 1')
    if number > maximum:
        # As in prescription files: beyond this a value is a typo, not a dosage.
        raise QuantityError(f'"{written}" is more than {maximum}')
    return int(number)


def cell_hold(value: Any, written: str, *, decimal_comma: bool) -> float:
    """A cell's hold in seconds: 30, 7.5, 0.5 min, "7,5" with a decimal comma, or "1 min 30 s"."""
    try:
        number, unit = cell_number(value, written, decimal_comma=decimal_comma)
    except QuantityError as not_a_number:
        if "," in written and not decimal_comma:
            raise  # "7,5" must not be read as 7 s by the looser duration syntax
        try:
            return parse_duration(written)  # "1 min 30 s"
        except QuantityError:
            if "," in written:
                raise not_a_number from None  # says how to separate values ("30, 45")
            raise
    seconds = number * 60 if unit in _MINUTE_UNITS else number
    if unit and unit not in _MINUTE_UNITS and not unit.startswith("s"):
        raise QuantityError(f'"{written}" is not a duration')
    return parse_duration(plain_number(seconds))
