"""Each language's review status: shown by `locales`, required with --require-review, and
promoted by a clinic in its own library folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from rxstretch.api import build_handout, load_library
from rxstretch.errors import LanguageFallbackError, ValidationError
from rxstretch.model import Library, Patient, PrescribedExercise, Prescription

from .conftest import FIXED_DATE


def _rx(language: str) -> Prescription:
    return Prescription(
        patient=Patient("Ana"), exercises=(PrescribedExercise("knees-to-chest"),), language=language
    )


def test_bundled_statuses_claim_no_review_that_did_not_happen(library: Library) -> None:
    assert library.reviews["en"].status == "reviewed"
    for language in ("fr", "de", "es", "it", "pt", "nl", "pl", "ar", "he", "el", "ru", "tr"):
        assert library.reviews[language].status == "draft", language
        assert library.reviews[language].note


def test_required_review_refuses_draft_content(library: Library) -> None:
    assert build_handout(_rx("en"), library, today=FIXED_DATE, require_review="reviewed").language == "en"
    with pytest.raises(LanguageFallbackError, match="fr-CA content is draft, and checked was required"):
        build_handout(_rx("fr-CA"), library, today=FIXED_DATE, require_review="checked")


def test_a_clinic_promotes_a_language_in_its_own_folder(tmp_path: Path) -> None:
    (tmp_path / "languages.yaml").write_text(
        "fr:\n  status: checked\n  note: Read in full by our physiotherapist, 2026-12.\n", encoding="utf-8"
    )
    library = load_library([tmp_path], use_env=False)
    assert library.reviews["fr"].status == "checked"
    assert build_handout(_rx("fr"), library, today=FIXED_DATE, require_review="checked").language == "fr"
    with pytest.raises(LanguageFallbackError):
        build_handout(_rx("fr"), library, today=FIXED_DATE, require_review="reviewed")


def test_a_misspelt_status_is_a_located_error(tmp_path: Path) -> None:
    (tmp_path / "languages.yaml").write_text("fr:\n  status: reviewd\n", encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        load_library([tmp_path], use_env=False)
    problem = caught.value.problems[0]
    assert (problem.line, problem.field) == (2, "fr.status")
    assert 'unknown review status "reviewd" (did you mean "reviewed"?)' in problem.message


def test_locales_shows_the_review_column(run_cli: Callable[..., object]) -> None:
    result = run_cli("locales")
    lines = result.stdout.splitlines()  # type: ignore[attr-defined]
    assert "REVIEW" in lines[0]
    rows = {line.split()[0]: line.split() for line in lines[1:]}
    assert "reviewed" in rows["en"] and "draft" in rows["ar"] and "draft" in rows["ja"]


def test_cli_require_review_exits_1_and_writes_nothing(
    run_cli: Callable[..., object], tmp_path: Path
) -> None:
    out = tmp_path / "a.pdf"
    result = run_cli(
        "generate",
        "-e",
        "cat-cow",
        "--patient",
        "A",
        "--lang",
        "de",
        "--require-review",
        "checked",
        "-o",
        out,
    )
    assert result.exit_code == 1, result.output  # type: ignore[attr-defined]
    assert "de content is draft" in result.stderr  # type: ignore[attr-defined]
    assert not out.exists()
