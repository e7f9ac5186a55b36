"""The rules table (tests/data/safety-rules.csv): condition as typed × exercise → outcome.

Each row goes through the real path: the condition parser of --condition and prescriptions, then
the safety review that generation runs. A second test makes the table complete: every avoid rule
and every red flag of the bundled library has a row, so changing a rule means changing the table.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from rxstretch.errors import ValidationError
from rxstretch.model import Library
from rxstretch.prescription import quick_prescription
from rxstretch.safety import implied_closure, review

from .conftest import FIXED_DATE

TABLE = Path(__file__).parent / "data" / "safety-rules.csv"
OUTCOMES = {"allowed", "caution", "avoid", "red-flag", "asks", "unknown"}


def _rows() -> list[dict[str, str]]:
    with TABLE.open(encoding="utf-8") as handle:
        return list(csv.DictReader(line for line in handle if not line.startswith("#")))


ROWS = _rows()


def outcome(library: Library, condition: str, exercise_id: str) -> tuple[str, str]:
    """(outcome, deciding condition) of prescribing ``exercise_id`` to a patient with ``condition``."""
    try:
        rx = quick_prescription(
            library, exercise_ids=[exercise_id], patient="T", conditions=[condition], date=FIXED_DATE
        )
    except ValidationError as exc:
        message = exc.problems[0].message
        return ("asks" if "could mean" in message else "unknown"), ""
    report = review(rx, library)
    if report.refusals:
        refused = report.refusals[0].condition
        flags = [c for c in implied_closure(refused, library.conditions) if library.conditions[c].red_flag]
        if flags:
            return "red-flag", flags[0]
        (decided,) = {rule.condition for (e, _), rule in report.rules.items() if e == exercise_id} or {
            refused
        }
        return "avoid", decided
    if report.cautions.get(exercise_id):
        return "caution", report.cautions[exercise_id][0]
    return "allowed", ""


def test_the_table_is_well_formed(library: Library) -> None:
    assert len(ROWS) >= 40
    for row in ROWS:
        assert row["expected"] in OUTCOMES, row
        assert row["exercise"] in library.exercises, row
        assert row["why"], row


@pytest.mark.parametrize("row", ROWS, ids=[f"{r['condition']}×{r['exercise']}" for r in ROWS])
def test_rule(library: Library, row: dict[str, str]) -> None:
    found, decided = outcome(library, row["condition"], row["exercise"])
    assert found == row["expected"], f"{row['condition']} × {row['exercise']}: {row['why']}"
    if row["decided_by"]:
        assert decided == row["decided_by"], row


def test_every_avoid_rule_and_red_flag_is_in_the_table(library: Library) -> None:
    # An avoid rule on a red-flag condition is listed with the outcome the patient gets: the red
    # flag refuses first; the rule's own text shows once a clinician overrides the flag.
    listed = {(r["condition"], r["exercise"]) for r in ROWS if r["expected"] in ("avoid", "red-flag")}
    missing = [
        f"{rule.key} × {exercise.id}"
        for exercise in library.exercises.values()
        for rule in exercise.contraindications
        if rule.level == "avoid" and (rule.key, exercise.id) not in listed
    ]
    assert not missing, f"add these avoid rules to {TABLE.name}: {missing}"
    flagged = {r["condition"] for r in ROWS if r["expected"] == "red-flag"}
    ids = {c.id for c in library.conditions.values() if c.red_flag}
    names = {r["condition"]: r["decided_by"] for r in ROWS if r["expected"] == "red-flag"}
    covered = {c for c in ids if c in flagged or c in names.values()}
    assert covered == ids, f"add rows for the red flags {sorted(ids - covered)}"


@pytest.mark.parametrize(
    "flag", ["suspected-dvt", "cervical-myelopathy", "chest-pain-breathlessness", "cauda-equina-syndrome"]
)
def test_a_red_flag_refuses_every_exercise(library: Library, flag: str) -> None:
    outcomes = {outcome(library, flag, exercise_id)[0] for exercise_id in library.exercises}
    assert outcomes == {"red-flag"}
