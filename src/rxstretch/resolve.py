"""Turn a Prescription and the Library into a Handout: languages chosen, dosages merged, worded."""

from __future__ import annotations

import datetime

from rxstretch import DEFAULT_MAX_EXERCISES, MAX_TRACKER_WEEKS, REVIEW_LEVELS
from rxstretch.errors import RxStretchError
from rxstretch.i18n import Localizer, language_candidates, negotiate, parse_locale
from rxstretch.model import (
    Brand,
    DosageRange,
    Exercise,
    Library,
    PrescribedExercise,
    Prescription,
)
from rxstretch.model.handout import Card, Handout, Labels, Tracker, TrackerRow
from rxstretch.safety import SafetyReport, check_safety, implied_closure

# More boxes than this no longer fit a day's cell; such a schedule is noted in the frequency.
MAX_TRACKER_BOXES = 4


def resolve_handout(
    prescription: Prescription,
    library: Library,
    *,
    brand: Brand | None = None,
    language: str | None = None,
    today: datetime.date | None = None,
    max_exercises: int = DEFAULT_MAX_EXERCISES,
    tracker_weeks: int = 0,
) -> Handout:
    """Build the localized Handout for ``prescription``, after its safety checks.

    ``language`` (e.g. from ``--lang``) wins over the prescription's own; ``today`` is the date
    printed when the prescription has none (pass a fixed one for reproducible files). Raises
    ContraindicationError when an exercise must be avoided and is not overridden.
    """
    if not 0 <= tracker_weeks <= MAX_TRACKER_WEEKS:
        raise RxStretchError(f"the exercise diary covers 1 to {MAX_TRACKER_WEEKS} weeks, not {tracker_weeks}")
    locale = parse_locale(language or prescription.language or library.default_language)
    ui = Localizer(locale)
    safety = check_safety(prescription, library, max_exercises=max_exercises, today=today)
    brand = brand or Brand()
    cards, fallbacks = _cards(prescription, library, ui, safety)
    patient = prescription.patient
    return Handout(
        language=ui.tag,
        rtl=locale.character_order == "right-to-left",
        territory=locale.territory,
        title=ui.gettext("Your home exercises"),
        subject=ui.gettext("Home exercise programme for %(name)s", name=patient.name),
        intro=ui.gettext(
            "Do these exercises as shown, slowly and without forcing. A gentle stretch is "
            "normal; stop and contact us if you feel sharp pain, numbness or tingling."
        ),
        brand=brand,
        details=_details(prescription, ui, prescription.date or today or datetime.date.today()),
        cards=cards,
        labels=_labels(ui),
        page_label=lambda page, pages: ui.gettext(
            "Page %(page)s of %(pages)s", page=ui.number(page), pages=ui.number(pages)
        ),
        safety_advice=_safety_advice(ui, brand),
        general_notes=prescription.notes,
        follow_up=ui.date(prescription.follow_up) if prescription.follow_up else None,
        fallbacks=fallbacks,
        overrides=safety.overrides,
        # Cautions are on the sheet already; listed here too so the clinician (and a batch
        # manifest) sees which exercises carry one without opening the PDF.
        warnings=(
            *safety.warnings,
            *(
                f"{exercise_id}: caution with {condition}, explained on the sheet"
                + (
                    f" ({rule.reason})"
                    if (rule := safety.rules.get((exercise_id, condition))) and rule.reason
                    else ""
                )
                for exercise_id, conditions in safety.cautions.items()
                for condition in conditions
            ),
        ),
        disclaimer=brand.footer.get(negotiate(locale, brand.footer, library.default_language)),
        tracker=_tracker(prescription, library, ui, cards, tracker_weeks) if tracker_weeks else None,
    )


def _cards(
    prescription: Prescription, library: Library, ui: Localizer, safety: SafetyReport
) -> tuple[tuple[Card, ...], tuple[str, ...]]:
    """Return the cards, and what of them is not in the handout's language."""
    wanted = language_candidates(ui.locale)
    cards = []
    fallbacks = [] if ui.ui_language in wanted else [f"headings and labels shown in {ui.ui_language}"]
    for number, item in enumerate(prescription.exercises, start=1):
        exercise = library.exercises[item.exercise_id]
        content_language = negotiate(ui.locale, exercise.text, library.default_language)
        if content_language not in exercise.text:
            content_language = next(iter(exercise.text))
        text = exercise.text[content_language]
        if content_language not in wanted:
            fallbacks.append(f"{exercise.id}: all text shown in {content_language}")
        elif text.borrowed:
            fallbacks.append(f"{exercise.id}: {', '.join(text.borrowed)} shown in {text.borrowed_from}")
        missing_timing = [
            t for t in exercise.dosage.timing if ui.ui_language not in library.vocabulary.timing[t]
        ]
        if missing_timing:
            fallbacks.append(f"{exercise.id}: timing words ({', '.join(missing_timing)}) shown in English")
        cautions = _cautions(exercise, safety, library, content_language, ui)
        cards.append(_card(number, exercise, item, ui, library, content_language, cautions))
    return tuple(cards), tuple(fallbacks)


def _details(prescription: Prescription, ui: Localizer, date: datetime.date) -> tuple[tuple[str, str], ...]:
    """The patient block: (label, value) pairs."""
    patient = prescription.patient
    details = [(ui.gettext("Patient"), patient.name)]
    if patient.id:
        details.append((ui.gettext("Patient ID"), patient.id))
    details.append((ui.gettext("Date"), ui.date(date)))
    if prescription.clinician:
        clinician = prescription.clinician
        who = f"{clinician.name}, {clinician.title}" if clinician.title else clinician.name
        details.append((ui.gettext("Clinician"), who))
    return tuple(details)


def _labels(ui: Localizer) -> Labels:
    return Labels(
        steps=ui.gettext("How to do it"),
        dosage=ui.gettext("Your dosage"),
        tips=ui.gettext("Safety tips"),
        notes=ui.gettext("Notes from your physiotherapist"),
        general_notes=ui.gettext("General notes"),
        follow_up=ui.gettext("Next appointment"),
        caution=ui.gettext("Caution"),
        safety=ui.gettext("When to stop and get help"),
        video=ui.gettext("Watch the video"),
        continued=ui.gettext("%(name)s (continued)"),
    )


def _safety_advice(ui: Localizer, brand: Brand) -> tuple[str, ...]:
    """The general safety section printed on every handout."""
    advice = [
        ui.gettext("Stop and contact us if pain is sharp, gets worse, or lasts over two hours afterwards."),
        ui.gettext("Stop and contact us if you feel numbness, tingling, weakness, dizziness or faintness."),
        ui.gettext(
            "Get urgent medical help if you have chest pain or sudden breathlessness, a painful, "
            "swollen or warm calf, new weakness or numbness in an arm or leg, or dizziness with "
            "double vision, slurred speech or trouble swallowing."
        ),
        ui.gettext(
            "Get urgent medical help if you lose control of your bladder or bowels, "
            "or feel numb between your legs."
        ),
    ]
    if brand.phone:
        advice.append(ui.gettext("Clinic phone: %(phone)s", phone=brand.phone))
    return tuple(advice)


def _cautions(
    exercise: Exercise, safety: SafetyReport, library: Library, language: str, ui: Localizer
) -> tuple[str, ...]:
    """The boxes on a card: each caution rule's text, and for a red flag the clinician chose to
    override, the urgent-care text (the patient must still know when to get help)."""
    text = exercise.text[language]

    def name(condition_id: str) -> str:
        names = library.conditions[condition_id].names
        return names.get(language) or names.get(library.default_language) or condition_id

    found = []
    for condition_id in safety.cautions.get(exercise.id, ()):
        rule = safety.rules.get((exercise.id, condition_id))
        why = text.contraindications.get(rule.key if rule else condition_id)
        found.append(f"{name(condition_id)}. {why}" if why else name(condition_id))
    for override in safety.overrides:
        closure = implied_closure(override.condition, library.conditions)
        flag = next((c for c in closure if library.conditions[c].red_flag), None)
        if override.exercise == exercise.id and flag is not None:
            urgent = ui.gettext(
                "This is a warning sign that needs a doctor. Do this exercise only as agreed with "
                "your physiotherapist, and get urgent medical help if it comes back or gets worse."
            )
            found.append(f"{name(flag)}. {urgent}")
    return tuple(found)


def _card(
    number: int,
    exercise: Exercise,
    item: PrescribedExercise,
    ui: Localizer,
    library: Library,
    content_language: str,
    cautions: tuple[str, ...],
) -> Card:
    text = exercise.text[content_language]
    return Card(
        number=number,
        exercise_id=exercise.id,
        name=text.name,
        summary=text.summary,
        steps=text.steps,
        dosage=dosage_rows(exercise.dosage, item, ui, library),
        tips=text.tips,
        notes=item.notes,
        cautions=cautions,
        image=item.image or exercise.image,
        language=content_language,
        video=exercise.video,
        figure=exercise.figure,
        alt=exercise.alt.get(negotiate(ui.locale, exercise.alt, library.default_language))
        if exercise.alt
        else None,
    )


def dosage_rows(
    usual: DosageRange, item: PrescribedExercise, ui: Localizer, library: Library
) -> tuple[tuple[str, str], ...]:
    """Return (label, value) rows: the patient's own values, else the library's usual range."""
    rows = []
    if item.sets is not None:
        sets = ui.ngettext("%(num)s set", "%(num)s sets", item.sets)
    else:
        sets = ui.ngettext(
            "%(num)s set",
            "%(num)s sets",
            usual.sets.max,
            num=ui.number_range(usual.sets.min, usual.sets.max),
        )
    rows.append((ui.gettext("Sets"), sets))
    if item.reps is not None or usual.reps is not None:
        low, high = (item.reps, item.reps) if item.reps is not None else (usual.reps.min, usual.reps.max)  # type: ignore[union-attr]
        rows.append(
            (
                ui.gettext("Repetitions"),
                ui.ngettext(
                    "%(num)s repetition",
                    "%(num)s repetitions",
                    high,
                    num=ui.number_range(low, high),
                ),
            )
        )
    if item.hold is not None:
        rows.append((ui.gettext("Hold"), ui.duration(item.hold)))
    elif usual.hold is not None:
        rows.append((ui.gettext("Hold"), ui.duration_range(usual.hold.min, usual.hold.max)))
    if item.side is not None:
        rows.append((ui.gettext("Side"), _side(item.side, ui)))
    # How often comes last: the renderer gives the last item the widest cell.
    rows.append((ui.gettext("How often"), _frequency(usual, item, ui, library)))
    return tuple(rows)


def _frequency(usual: DosageRange, item: PrescribedExercise, ui: Localizer, library: Library) -> str:
    if item.frequency is not None:
        low = high = item.frequency.count
        per = item.frequency.per
    else:
        low, high, per = usual.frequency.min, usual.frequency.max, usual.frequency.per
    number = ui.number_range(low, high)
    if per == "day":
        phrase = ui.ngettext("%(num)s time a day", "%(num)s times a day", high, num=number)
    else:
        phrase = ui.ngettext("%(num)s time a week", "%(num)s times a week", high, num=number)
    timing = [library.vocabulary.name("timing", t, ui.ui_language) for t in usual.timing]
    if timing:
        phrase = ui.gettext("%(frequency)s, ideally %(when)s", frequency=phrase, when=ui.join(timing))
    return phrase


def _side(side: str, ui: Localizer) -> str:
    labels = {
        "left": ui.gettext("Left side"),
        "right": ui.gettext("Right side"),
        "both": ui.gettext("Both sides"),
        "alternate": ui.gettext("Alternate sides"),
    }
    return labels[side]


def _tracker(
    prescription: Prescription, library: Library, ui: Localizer, cards: tuple[Card, ...], weeks: int
) -> Tracker:
    """The adherence diary: one box per prescribed session, per day, for ``weeks`` weeks."""
    rows = []
    for card, item in zip(cards, prescription.exercises, strict=True):
        dosage = library.exercises[item.exercise_id].dosage
        usual = dosage.frequency
        count, per = (item.frequency.count, item.frequency.per) if item.frequency else (usual.max, usual.per)
        # Weekly sessions are spread over the week: one box a day to tick on the days it is done.
        boxes = count if per == "day" else 1
        rows.append(
            TrackerRow(card.name, min(boxes, MAX_TRACKER_BOXES), _frequency(dosage, item, ui, library))
        )
    return Tracker(
        title=ui.gettext("Exercise diary"),
        intro=ui.gettext(
            "Tick a box each time you do an exercise. At the end of each day, note your pain "
            "from 0 (no pain) to 10 (the worst pain you can imagine)."
        ),
        week_titles=tuple(
            ui.gettext("Week %(number)s", number=ui.number(week)) for week in range(1, weeks + 1)
        ),
        day_names=ui.day_names(),
        exercise_label=ui.gettext("Exercise"),
        pain_label=ui.gettext("Pain (0–10)"),
        rows=tuple(rows),
    )


def review_status(language: str, library: Library) -> str:
    """The review status of the library content shown for ``language`` (fr-CA reads fr's)."""
    available = library.reviews
    chosen = negotiate(parse_locale(language), available, "")
    return available[chosen].status if chosen else REVIEW_LEVELS[0]
