"""Parsing the dosage values people type: durations and frequencies."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rxstretch.model import Frequency
from rxstretch.prescription.quantities import (
    DURATION_EXAMPLES,
    FREQUENCY_EXAMPLES,
    QuantityError,
    parse_duration,
    parse_frequency,
)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (30, 30),
        ("30", 30),
        ("30s", 30),
        ("30 s", 30),
        ("1m", 60),
        ("1 min", 60),
        ("1 min 30 s", 90),
        ("1m30s", 90),
        ("90 sec", 90),
        ("2 minutes", 120),
        ("45 secondes", 45),
        ("  20 S  ", 20),
        ("1 min 30", 90),
        ("10 min", 600),
        (1, 1),
        ("7.5", 7.5),
        ("7,5", 7.5),
        ("7½", 7.5),
        ("7 ½ s", 7.5),
        ("½ min", 30),
        ("1.5 min", 90),
        ("1 min 7,5 s", 67.5),
        (7.5, 7.5),
        (30.0, 30),
    ],
)
def test_parse_duration_accepts(value: str | float, seconds: float) -> None:
    assert parse_duration(value) == seconds
    assert isinstance(parse_duration(value), int) == (seconds == int(seconds))


@pytest.mark.parametrize(
    ("value", "phrase"),
    [
        ("", DURATION_EXAMPLES),
        ("abc", DURATION_EXAMPLES),
        ("-5", DURATION_EXAMPLES),
        ("30 1", DURATION_EXAMPLES),
        ("1 min 2 min", DURATION_EXAMPLES),
        ("30 s 1 s", DURATION_EXAMPLES),
        ("30 hours", DURATION_EXAMPLES),
        (True, DURATION_EXAMPLES),
        ("0", "longer than zero"),
        (0, "longer than zero"),
        ("0 min 0 s", "longer than zero"),
        ("700", "10 minutes"),
        ("601", "10 minutes"),
        ("10 min 1 s", "10 minutes"),
    ],
)
def test_parse_duration_rejects_with_helpful_message(value: str | int, phrase: str) -> None:
    with pytest.raises(QuantityError) as caught:
        parse_duration(value)
    assert phrase in str(caught.value)


def test_parse_duration_message_quotes_the_bad_text() -> None:
    with pytest.raises(QuantityError, match=r'"abc" is not a duration'):
        parse_duration("abc")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2/day", Frequency(2, "day")),
        ("3/week", Frequency(3, "week")),
        ("2 per day", Frequency(2, "day")),
        ("2x/day", Frequency(2, "day")),
        ("3 times a week", Frequency(3, "week")),
        ("1/jour", Frequency(1, "day")),
        ("2 fois par semaine", Frequency(2, "week")),
        ("50/day", Frequency(50, "day")),
        (" 4 / Week ", Frequency(4, "week")),
        ("2/Tag", Frequency(2, "day")),
        ("2 mal pro Woche", Frequency(2, "week")),
        ("2x täglich", Frequency(2, "day")),
        ("2x daily", Frequency(2, "day")),
        ("2 veces al día", Frequency(2, "day")),
        ("3 veces por semana", Frequency(3, "week")),
        ("2 volte al giorno", Frequency(2, "day")),
        ("2 vezes por dia", Frequency(2, "day")),
        ("2 keer per dag", Frequency(2, "day")),
    ],
)
def test_parse_frequency_accepts(value: str, expected: Frequency) -> None:
    assert parse_frequency(value) == expected


@pytest.mark.parametrize(
    ("value", "phrase"),
    [
        ("0/day", "between 1 and 50"),
        ("51/day", "between 1 and 50"),
        ("2/month", FREQUENCY_EXAMPLES),
        ("", FREQUENCY_EXAMPLES),
        ("day", FREQUENCY_EXAMPLES),
        ("2 day", FREQUENCY_EXAMPLES),
        ("2 Tag", FREQUENCY_EXAMPLES),
        ("2 apples", FREQUENCY_EXAMPLES),
        ("-1/day", FREQUENCY_EXAMPLES),
    ],
)
def test_parse_frequency_rejects_with_helpful_message(value: str, phrase: str) -> None:
    with pytest.raises(QuantityError) as caught:
        parse_frequency(value)
    assert phrase in str(caught.value)


def test_parse_frequency_rejects_non_text() -> None:
    with pytest.raises(QuantityError, match="not a frequency"):
        parse_frequency(2)  # type: ignore[arg-type]


@given(st.text())
def test_parse_duration_never_fails_unexpectedly(text: str) -> None:
    try:
        seconds = parse_duration(text)
    except QuantityError:
        return
    assert isinstance(seconds, int) or seconds != int(seconds)  # whole holds are ints
    assert 0 < seconds <= 600


@given(st.text())
def test_parse_frequency_never_fails_unexpectedly(text: str) -> None:
    try:
        frequency = parse_frequency(text)
    except QuantityError:
        return
    assert isinstance(frequency, Frequency)
    assert 1 <= frequency.count <= 50
    assert frequency.per in ("day", "week")


@given(st.integers(0, 9), st.integers(0, 59))
def test_minutes_and_seconds_round_trip(minutes: int, seconds: int) -> None:
    total = minutes * 60 + seconds
    if total == 0:
        with pytest.raises(QuantityError):
            parse_duration(f"{minutes} min {seconds} s")
        return
    assert parse_duration(f"{minutes} min {seconds} s") == total
    assert parse_duration(f"{minutes}m{seconds}s") == total


@given(st.integers(1, 50), st.sampled_from(["day", "week"]))
def test_count_per_period_round_trip(count: int, per: str) -> None:
    assert parse_frequency(f"{count}/{per}") == Frequency(count, per)  # type: ignore[arg-type]
