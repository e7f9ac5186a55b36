"""Plain, frozen data passed between the pipeline's stages (load → resolve → render).

Owns: the types (exercise, figure, template, brand, prescription, handout), and the decorator
that makes value types (frozen). Imports nothing but itself and errors: never anything that
reads files, never ReportLab or Click.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import field
from pathlib import Path
from typing import Literal

from rxstretch.model.figure import Figure
from rxstretch.model.frozen import frozen

Per = Literal["day", "week"]
Side = Literal["left", "right", "both", "alternate"]
Level = Literal["avoid", "caution"]

PERIODS: tuple[Per, ...] = ("day", "week")
# The language every bundled text is complete in; others may borrow fields from it.
DEFAULT_LANGUAGE = "en"
SIDES: tuple[Side, ...] = ("left", "right", "both", "alternate")
LEVELS: tuple[Level, ...] = ("avoid", "caution")


@frozen
class Range:
    """An inclusive range of whole numbers (seconds for holds)."""

    min: int
    max: int


@frozen
class Frequency:
    """How often: ``count`` times per day or per week."""

    count: int
    per: Per


@frozen
class FrequencyRange:
    """The usual range of how often, e.g. 1 to 3 times per day."""

    min: int
    max: int
    per: Per


@frozen
class DosageRange:
    """The usual dosage of an exercise, from the library."""

    sets: Range
    frequency: FrequencyRange
    reps: Range | None = None
    hold: Range | None = None
    timing: tuple[str, ...] = ()


@frozen
class Step:
    """One numbered instruction."""

    title: str
    text: str


@frozen
class ExerciseText:
    """Everything a patient reads about an exercise, in one language."""

    name: str
    summary: str
    purpose: str
    steps: tuple[Step, ...]
    tips: tuple[str, ...]
    suitable_for: str
    muscles_note: Mapping[str, str] = field(default_factory=dict)
    contraindications: Mapping[str, str] = field(default_factory=dict)
    # Fields this language lacks and shows from ``borrowed_from`` instead.
    borrowed: tuple[str, ...] = ()
    borrowed_from: str | None = None


@frozen
class Contraindication:
    """A condition under which the exercise must be avoided or done with caution.

    ``when`` narrows the rule to patients whose condition has these qualifier values
    (``{approach: posterior}``); a patient whose value is not known gets every such rule.
    ``reason`` is the clinician's explanation (English is fine); the patient reads the text.
    """

    condition: str
    level: Level
    when: Mapping[str, str] = field(default_factory=dict)
    reason: str | None = None

    @property
    def key(self) -> str:
        """The key of the rule's patient text: the condition id, then its ``when`` values
        (``recent-hip-replacement:posterior``), as a clinician would type it."""
        return ":".join((self.condition, *self.when.values()))


@frozen
class Source:
    """A reference the exercise's facts come from."""

    title: str
    url: str | None = None
    licence: str | None = None


@frozen
class Exercise:
    """One exercise of the library, with its text in every language it has."""

    id: str
    regions: tuple[str, ...]
    position: str
    equipment: tuple[str, ...]
    muscles: tuple[str, ...]
    dosage: DosageRange
    text: Mapping[str, ExerciseText]
    licence: str
    sources: tuple[Source, ...]
    contraindications: tuple[Contraindication, ...] = ()
    tags: tuple[str, ...] = ()
    image: Path | None = None
    video: str | None = None  # a link to a demonstration video, printed as a QR code
    origin: str = ""
    # A drawn figure (library/figures/<id>.yaml); ``image``, when given, is shown instead.
    figure: Figure | None = None
    # Text describing the illustration, per language (for the PDF's alternative text).
    alt: Mapping[str, str] = field(default_factory=dict)
    # SNOMED CT concept ids of the exercise's type (regime/therapy), for FHIR export and import.
    codes: tuple[str, ...] = ()

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages this exercise is written in."""
        return tuple(self.text)


@frozen
class Condition:
    """A health condition that contraindications refer to."""

    id: str
    names: Mapping[str, str]
    synonyms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Codes as listed; an ICD-10 category also names its subcodes (M17 → M17.1).
    icd10: tuple[str, ...] = ()
    snomed: tuple[str, ...] = ()
    red_flag: bool = False
    # Conditions whose rules apply too (bppv implies vertigo); the strictest rule wins.
    implies: tuple[str, ...] = ()
    # Qualifier → value → phrases per language that say it ("posterior", "voie postérieure").
    qualifiers: Mapping[str, Mapping[str, Mapping[str, tuple[str, ...]]]] = field(default_factory=dict)
    # The protected period: from this many weeks after onset or surgery the rules no longer apply.
    recent_weeks: int | None = None
    # Phrases per language naming the condition after that period ("history of hip replacement").
    past: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    origin: str = ""
    line: int | None = None


@frozen
class PatientCondition:
    """A patient's condition as the clinician qualified it.

    ``values`` holds the qualifiers given (``approach: posterior``); a qualifier left out is
    unknown, and every rule for any of its values applies. ``weeks`` is the time since onset or
    surgery when known (from ``weeks=`` or ``since=``); ``past`` says the clinician wrote it as
    history, beyond the condition's protected period.
    """

    condition: str
    values: Mapping[str, str] = field(default_factory=dict)
    weeks: int | None = None
    since: datetime.date | None = None
    past: bool = False


@frozen
class Vocabulary:
    """Controlled ids used by exercises, each with its name per language."""

    regions: Mapping[str, Mapping[str, str]]
    positions: Mapping[str, Mapping[str, str]]
    equipment: Mapping[str, Mapping[str, str]]
    timing: Mapping[str, Mapping[str, str]]
    muscles: Mapping[str, Mapping[str, str]]

    def name(self, kind: str, entry_id: str, language: str, default: str = "en") -> str:
        """Return the name of ``entry_id`` in ``language``, else ``default``, else any."""
        names: Mapping[str, str] = getattr(self, kind).get(entry_id, {})
        return names.get(language) or names.get(default) or next(iter(names.values()), entry_id)


@frozen
class ProgramText:
    """A program's title and introduction in one language."""

    title: str
    intro: str


@frozen
class Program:
    """A named preset of exercises with their dosage, that a clinic starts from."""

    id: str
    exercises: tuple[PrescribedExercise, ...]
    text: Mapping[str, ProgramText]
    tags: tuple[str, ...] = ()
    origin: str = ""


@frozen
class LanguageReview:
    """The review status of one language's library content, and who did what."""

    status: str
    note: str = ""


@frozen
class Library:
    """Every exercise, vocabulary and condition available to a run."""

    exercises: Mapping[str, Exercise]
    vocabulary: Vocabulary
    conditions: Mapping[str, Condition]
    default_language: str = DEFAULT_LANGUAGE
    # Folded id, name, synonym or code → condition ids (see conditions.condition_lookup).
    condition_keys: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    programs: Mapping[str, Program] = field(default_factory=dict)
    # Review status by language (languages.yaml; a clinic folder may promote a language).
    reviews: Mapping[str, LanguageReview] = field(default_factory=dict)


@frozen
class Patient:
    """Who the handout is for."""

    name: str
    id: str | None = None


@frozen
class Clinician:
    """Who prescribed the exercises."""

    name: str
    title: str | None = None


@frozen
class PrescribedExercise:
    """One exercise of a prescription with the patient's own dosage (None: library range)."""

    exercise_id: str
    sets: int | None = None
    reps: int | None = None
    hold: float | None = None  # seconds; 7.5 is kept as written, whole holds are ints
    frequency: Frequency | None = None
    side: Side | None = None
    notes: str | None = None
    line: int | None = None
    image: Path | None = None  # the patient's own photo or drawing, shown instead of the figure


@frozen
class Override:
    """A clinician's decision to prescribe an exercise despite an ``avoid`` contraindication."""

    exercise: str
    condition: str
    reason: str


@frozen
class Prescription:
    """A patient's prescription: who, which exercises, at what dosage."""

    patient: Patient
    exercises: tuple[PrescribedExercise, ...]
    language: str | None = None
    date: datetime.date | None = None
    clinician: Clinician | None = None
    conditions: tuple[str, ...] = ()
    overrides: tuple[Override, ...] = ()
    notes: str | None = None
    follow_up: datetime.date | None = None
    source: str = "<prescription>"
    # Qualifiers and recency of the conditions the clinician qualified (by condition id).
    condition_details: tuple[PatientCondition, ...] = ()

    def detail(self, condition_id: str) -> PatientCondition:
        """The patient's qualified ``condition_id``: unqualified unless the clinician said more."""
        for detail in self.condition_details:
            if detail.condition == condition_id:
                return detail
        return PatientCondition(condition_id)


@frozen
class Brand:
    """The clinic shown in the header and footer."""

    name: str | None = None
    address: str | None = None
    phone: str | None = None
    email: str | None = None
    website: str | None = None
    logo: Path | None = None
    # Colour overrides for the template: primary (titles, bars) and accent (dosage box).
    colors: Mapping[str, str] = field(default_factory=dict)
    # TrueType files by face: regular (required), bold, italic, bold_italic.
    font: Mapping[str, Path] = field(default_factory=dict)
    # TrueType files drawing what the family and the bundled fonts cannot, tried in order.
    fonts: tuple[Path, ...] = ()
    # A footer line (a disclaimer, opening hours...) per language.
    footer: Mapping[str, str] = field(default_factory=dict)
    paper: str | None = None
    template: str | None = None
    qr_code: bool = False
