"""Records exports in the code pages clinics use: read right, or refused naming the candidates.

Never exit 0 with mojibake: a Russian cp1251 export once printed "Èâàí Ïåòðîâ" for "Иван Петров".
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from rxstretch.errors import RxStretchError
from rxstretch.model import Library
from rxstretch.records import detect_encoding, iter_records
from rxstretch.records.mapping import ColumnMapping
from tests.conftest import normalize, pdf_text

HEADER = "patient_id,patient_name,exercises\r\n"
# Two names per code page, in the language it is used for (both in the bundled fonts).
NAMES = {
    "cp1250": ("Łukasz Żółć", "Zofia Wąsik"),  # Polish
    "cp1251": ("Иван Петров", "Мария Смирнова"),  # Russian
    "cp1253": ("Γιώργος Παπαδόπουλος", "Μαρία Κωνσταντίνου"),  # Greek
    "cp1254": ("Şükrü Çağlar", "Ayşe Yılmaz"),  # Turkish
    "cp1255": ("דוד כהן", "שרה לוי"),  # Hebrew
    "cp1256": ("محمد علي", "فاطمة حسن"),  # Arabic
    "iso8859_2": ("Łukasz Żółć", "Zofia Wąsik"),
    "mac_roman": ("Éloïse Lefèvre", "José Núñez"),
    "cp1252": ("Éloïse Lefèvre", "José Núñez"),
}


def export(tmp_path: Path, code_page: str) -> Path:
    path = tmp_path / f"{code_page}.csv"
    rows = "".join(f"P{n},{name},cat-cow\r\n" for n, name in enumerate(NAMES[code_page], start=1))
    path.write_bytes((HEADER + rows).encode(code_page))
    return path


@pytest.mark.parametrize("code_page", sorted(NAMES))
def test_a_code_page_is_read_right_or_refused_with_it_among_the_candidates(
    tmp_path: Path, library: Library, code_page: str
) -> None:
    path = export(tmp_path, code_page)
    try:
        detected = detect_encoding(path)
    except RxStretchError as exc:
        message = str(exc)
        assert message.startswith(f"{path}: cannot tell the file's encoding for sure: it reads as ")
        assert f"{code_page} (" in message and "--encoding" in message
        detected = code_page
    found = list(iter_records(path, library, ColumnMapping(), encoding=detected))
    assert tuple(r.patient_name for r in found) == NAMES[code_page]


@pytest.mark.parametrize(
    ("code_page", "expected"),
    [
        ("cp1250", "cp1250"),
        ("cp1251", "cp1251"),
        ("cp1252", "cp1252"),
        ("cp1254", "cp1254"),
        ("mac_roman", "mac_roman"),
    ],
)
def test_unambiguous_code_pages_are_detected(tmp_path: Path, code_page: str, expected: str) -> None:
    assert detect_encoding(export(tmp_path, code_page)) == expected


@pytest.mark.parametrize("code_page", ["cp1253", "cp1255", "cp1256"])
def test_readings_that_could_be_mojibake_are_refused_with_a_sample_of_each(
    tmp_path: Path, code_page: str
) -> None:
    with pytest.raises(RxStretchError) as caught:
        detect_encoding(export(tmp_path, code_page))
    right = NAMES[code_page][0].split()[0]
    assert f'{code_page} ("{right}")' in str(caught.value)


def test_hebrew_read_as_accented_latin_is_not_western(tmp_path: Path) -> None:
    path = tmp_path / "he.csv"
    path.write_bytes((HEADER + "P1,דוד כהן,cat-cow\r\n").encode("cp1255"))  # "ãåã ëäï" in cp1252
    with pytest.raises(RxStretchError, match="cannot tell"):
        detect_encoding(path)


def test_polish_symbols_read_as_cp1252_are_not_western(tmp_path: Path) -> None:
    path = tmp_path / "pl.csv"
    path.write_bytes((HEADER + "P1,Łukasz Żółć,cat-cow\r\n").encode("cp1250"))  # "£ukasz ¯ó³æ"
    # Only cp1250 (and ISO-8859-2, the same text here) reads it in one language's letters.
    assert detect_encoding(path) == "cp1250"


@pytest.mark.parametrize("code_page", ["cp1250", "cp1251", "cp1253", "cp1254", "cp1255", "cp1256"])
def test_batch_renders_the_names_of_each_code_page(
    tmp_path: Path, run_cli: Callable[..., Result], code_page: str
) -> None:
    path = export(tmp_path, code_page)
    out = tmp_path / "out"
    args = ["batch", path, "-o", out, "-j", "1", "--date", "2026-11-26"]
    result = run_cli(*args)
    if result.exit_code != 0:  # refused, naming the code page: never handouts in mojibake
        assert result.exit_code == 1 and "--encoding" in result.stderr, result.output
        assert not out.exists() or not any(out.glob("*.pdf"))
        result = run_cli(*args, "--encoding", code_page)
    assert result.exit_code == 0, result.output
    pdfs = sorted(out.glob("*.pdf"))
    assert len(pdfs) == 2
    text = " ".join(pdf_text(pdf.read_bytes()) for pdf in pdfs)
    for name in NAMES[code_page]:
        if code_page not in ("cp1255", "cp1256"):  # right-to-left text is extracted reordered
            assert name in text, (name, text[:300])


def test_cyrillic_file_names_are_transliterated(tmp_path: Path, run_cli: Callable[..., Result]) -> None:
    out = tmp_path / "out"
    result = run_cli("batch", export(tmp_path, "cp1251"), "-o", out, "-j", "1", "--date", "2026-11-26")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.glob("*.pdf")) == ["p1-ivan-petrov.pdf", "p2-mariya-smirnova.pdf"]


# Names in each code page clinics' exports come in, in languages they are used for. Each file
# is either read right or refused naming the candidates: never read as something else.
EVERY_CODE_PAGE = [
    ("cp1250", "pl", ("Łukasz Żółć", "Małgorzata Świątek")),
    ("cp1250", "cs", ("Jiří Dvořák", "Kateřina Černá")),
    ("cp1250", "hu", ("Erdős Pál", "Szőke Ödön")),
    ("cp1251", "ru", ("Иван Петров", "Мария Смирнова")),
    ("cp1252", "fr", ("Éloïse Lefèvre", "José Núñez")),
    ("cp1253", "el", ("Γιώργος Παπαδόπουλος", "Μαρία Κωνσταντίνου")),
    ("cp1254", "tr", ("Şükrü Çağlar", "Ayşe Yılmaz")),
    ("cp1255", "he", ("דוד כהן", "שרה לוי")),
    ("cp1256", "ar", ("محمد علي", "فاطمة حسن")),
    ("cp1257", "lt", ("Jonas Žemaitis", "Ona Šimkūnienė")),
    ("cp1258", "vi", ("Lê Văn Đông", "Trương Văn Ân")),
    ("iso8859_2", "pl", ("Łukasz Żółć", "Zofia Wąsik")),
    ("iso8859_4", "lv", ("Jānis Bērziņš", "Anna Kalniņa")),
    ("iso8859_5", "ru", ("Иван Петров", "Мария Смирнова")),
    ("iso8859_7", "el", ("Γιώργος Παπαδόπουλος", "Μαρία Κωνσταντίνου")),
    ("iso8859_9", "tr", ("Şükrü Çağlar", "Ayşe Yılmaz")),
    ("iso8859_13", "lt", ("Jonas Žemaitis", "Ona Šimkūnienė")),
    ("iso8859_15", "fr", ("Chloé Cœur", "Noël Lefèvre")),
    ("mac_roman", "fr", ("Éloïse Lefèvre", "José Núñez")),
    ("utf-16", "ru", ("Иван Петров", "Łukasz Żółć")),  # with its byte order mark
]


@pytest.mark.parametrize(("code_page", "language", "names"), EVERY_CODE_PAGE, ids=lambda v: str(v)[:12])
def test_every_code_page_renders_right_or_is_refused_never_mojibake(
    tmp_path: Path, run_cli: Callable[..., Result], code_page: str, language: str, names: tuple[str, ...]
) -> None:
    path = tmp_path / f"{language}-{code_page}.csv"
    rows = "".join(f"P{n},{name},cat-cow\r\n" for n, name in enumerate(names, start=1))
    path.write_bytes((HEADER + rows).encode(code_page))
    out = tmp_path / "out"
    args = ["batch", path, "-o", out, "-j", "1", "--date", "2026-11-26"]
    result = run_cli(*args)
    if result.exit_code != 0:
        assert result.exit_code == 1, result.output
        assert "cannot tell the file's encoding" in result.stderr
        # Among the candidates, one reads the names right (cp1253 for ISO-8859-7 Greek: the
        # same letters).
        candidates = re.findall(r"(\w+) \(\"", result.stderr)
        assert any(path.read_bytes().decode(c, errors="replace") == HEADER + rows for c in candidates)
        assert not any(out.glob("*.pdf"))
        result = run_cli(*args, "--encoding", code_page)
    assert result.exit_code == 0, result.output
    with (out / "manifest.csv").open(encoding="utf-8-sig", newline="") as stream:
        made = [row["file"] for row in csv.DictReader(stream)]
    assert len(made) == 2
    if language not in ("he", "ar"):  # right-to-left text is extracted reordered
        for name, file in zip(names, made, strict=True):
            assert name in normalize(pdf_text((out / file).read_bytes())), name
