"""Clinic branding, layouts, images, QR codes, the adherence diary and ``rxstretch init``."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from pypdf import PdfReader

from rxstretch.render.header import widen_to_fit

from .conftest import EXAMPLES, normalize, pdf_text


def _brand(tmp_path: Path, extra: str = "", *, logo: Path | None = None) -> Path:
    brand = tmp_path / "brand.yaml"
    text = (
        "name: Physio Nord\nphone: 01 23 45 67 89\nwebsite: physionord.example\n"
        'colors: {primary: "#7A1F5C"}\n'
    )
    if logo is not None:
        text += f"logo: {logo.name}\n"
    brand.write_text(text + extra, encoding="utf-8")
    return brand


def _content(pdf: bytes, page: int = 0) -> bytes:
    return PdfReader(io.BytesIO(pdf)).pages[page].get_contents().get_data()


def _generate(run_cli, tmp_path: Path, *args: object, name: str = "out.pdf") -> tuple[bytes, str]:
    output = tmp_path / name
    result = run_cli("generate", EXAMPLES / "low-back.yaml", "-o", output, "--force", *args)
    assert result.exit_code == 0, result.output
    return output.read_bytes(), result.stderr


def test_brand_name_colour_footer_and_qr_code(run_cli, tmp_path: Path) -> None:
    brand = _brand(tmp_path, "qr_code: true\nfooter: {en: Not a substitute for a consultation.}\n")
    pdf, _ = _generate(run_cli, tmp_path, "--brand", brand)
    text = normalize(pdf_text(pdf))
    assert "Physio Nord" in text and "Not a substitute for a consultation." in text
    # #7A1F5C as a fill colour: 122/255, 31/255, 92/255.
    assert re.search(rb"\.478\d* \.12\d* \.36\d* rg", _content(pdf))
    plain, _ = _generate(run_cli, tmp_path, "--brand", _brand(tmp_path), name="plain.pdf")
    # The QR code is drawn as many small filled squares in the header.
    assert _content(pdf).count(b" re") > _content(plain).count(b" re") + 100


def test_bad_brand_colour_names_the_field_and_line(run_cli, tmp_path: Path) -> None:
    brand = tmp_path / "brand.yaml"
    brand.write_text('name: X\ncolors:\n  primary: "#GGG"\n  accnt: "#fff"\n', encoding="utf-8")
    result = run_cli("generate", EXAMPLES / "low-back.yaml", "-o", tmp_path / "x.pdf", "--brand", brand)
    assert result.exit_code == 1
    assert f'{brand}:3: colors.primary: "#GGG" is not a colour' in result.stderr
    assert f'{brand}:4: colors.accnt: unknown key (did you mean "accent"?)' in result.stderr
    assert not (tmp_path / "x.pdf").exists()


@pytest.mark.parametrize("template", ["standard", "compact", "large-print"])
def test_each_template_renders_the_example(run_cli, tmp_path: Path, template: str) -> None:
    pdf, _ = _generate(run_cli, tmp_path, "--template", template)
    text = normalize(pdf_text(pdf))
    assert "Jeanne Dupont" in text and "Knees to chest" in text and "Hamstring stretch with a strap" in text


def test_compact_fits_four_exercises_on_one_page(run_cli, tmp_path: Path) -> None:
    pdf, _ = _generate(run_cli, tmp_path, "--template", "compact")
    first_page = normalize(PdfReader(io.BytesIO(pdf)).pages[0].extract_text())
    for name in (
        "1. Knees to chest",
        "2. Cat-cow",
        "3. Piriformis stretch",
        "4. Hamstring stretch with a strap",
    ):
        assert name in first_page


def test_large_print_uses_16_points_or_more_and_a_legible_font(run_cli, tmp_path: Path) -> None:
    pdf, _ = _generate(run_cli, tmp_path, "--template", "large-print")
    reader = PdfReader(io.BytesIO(pdf))
    sizes = [
        float(size)
        for page in reader.pages
        for size in re.findall(rb"/F\d+\+?\d* ([\d.]+) Tf", page.get_contents().get_data())
    ]
    assert sizes and min(sizes) >= 16
    fonts = {
        str(f.get_object()["/BaseFont"]) for p in reader.pages for f in p["/Resources"]["/Font"].values()
    }
    assert all("AtkinsonHyperlegible" in name for name in fonts), fonts
    # Cards share pages where they fit rather than each start a page of its own (that took six
    # pages, two of them under half filled); they come in order.
    titles = ["1. Knees to chest", "2. Cat-cow", "3. Piriformis stretch", "4. Hamstring stretch"]
    texts = [normalize(page.extract_text()) for page in reader.pages]
    starts = [next(i for i, text in enumerate(texts) if title in text) for title in titles]
    assert starts == sorted(starts) and len(texts) <= 5
    # A card taller than a page flows on from page one rather than leave it empty; every page
    # holds more than its running header and footer.
    assert starts[0] == 0
    for number, text in enumerate(texts, start=1):
        assert text.replace("Jeanne Dupont", "").replace(f"Page {number} of {len(texts)}", "").strip()
    # A heading is never the last line of a page: it is kept with the line after it.
    for text in texts:
        assert not text.removesuffix(f" Page {texts.index(text) + 1} of {len(texts)}").endswith(
            ("How to do it", "Safety tips", "Notes from your physiotherapist")
        )


def test_phone_photo_logo_keeps_the_pdf_small(run_cli, tmp_path: Path) -> None:
    photo = tmp_path / "logo.jpg"
    pixels = Image.effect_noise((4000, 3000), 60).convert("RGB")
    pixels.save(photo, quality=92)
    pdf, _ = _generate(run_cli, tmp_path, "--brand", _brand(tmp_path, logo=photo))
    assert len(pdf) < 400_000
    (image,) = [i for page in PdfReader(io.BytesIO(pdf)).pages for i in page.images]
    assert max(image.image.size) <= 600  # 45 mm at 300 dpi is 531 pixels


def _exif_rotated(path: Path) -> None:
    image = Image.new("RGB", (300, 100), "red")
    exif = image.getexif()
    exif[0x0112] = 6  # orientation: rotate 90°
    image.save(path, exif=exif)


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("cmyk.jpg", lambda p: Image.new("CMYK", (200, 100), (0, 255, 0, 0)).save(p)),
        ("palette.png", lambda p: Image.new("P", (200, 100), 3).save(p, transparency=0)),
        ("rotated.jpg", _exif_rotated),
        ("alpha.webp", lambda p: Image.new("RGBA", (200, 100), (0, 0, 255, 128)).save(p)),
    ],
)
def test_common_image_kinds_are_accepted(run_cli, tmp_path: Path, name: str, make) -> None:
    make(tmp_path / name)
    _generate(run_cli, tmp_path, "--brand", _brand(tmp_path, logo=tmp_path / name))


@pytest.mark.parametrize(
    ("name", "make", "phrase"),
    [
        ("notes.png", lambda p: p.write_text("not an image"), "not a usable image"),
        ("truncated.png", lambda p: p.write_bytes(_png_bytes()[:200]), "damaged or truncated"),
        ("bomb.png", lambda p: Image.new("1", (9000, 9000)).save(p), "more than the 40 megapixels"),
    ],
)
def test_bad_images_fail_cleanly_naming_the_file(
    run_cli, tmp_path: Path, name: str, make, phrase: str
) -> None:
    make(tmp_path / name)
    output = tmp_path / "out.pdf"
    brand = _brand(tmp_path, logo=tmp_path / name)
    result = run_cli("generate", EXAMPLES / "low-back.yaml", "-o", output, "--brand", brand)
    assert result.exit_code == 1
    assert str((tmp_path / name).resolve()) in result.stderr and phrase in result.stderr
    assert "Traceback" not in result.output and not output.exists()


def _png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.effect_noise((300, 300), 50).save(buffer, format="PNG")
    return buffer.getvalue()


def test_tracker_has_a_box_per_session_and_localized_days(run_cli, tmp_path: Path) -> None:
    output = tmp_path / "diary.pdf"
    result = run_cli("generate", EXAMPLES / "bas-du-dos.yaml", "-o", output, "--tracker", "2")
    assert result.exit_code == 0, result.output
    pages = PdfReader(io.BytesIO(output.read_bytes())).pages
    diary = normalize(pages[-1].extract_text() + " " + pages[-2].extract_text())
    assert "Journal d'exercices" in diary and "Semaine 1" in diary and "Semaine 2" in diary
    assert all(day in diary for day in ("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."))
    assert "Douleur (0–10)" in diary
    # Knees to chest is prescribed twice a day: two boxes a day, 7 days, 2 weeks.
    assert diary.count("☐☐ ") >= 14


def test_exercise_video_link_becomes_a_qr_code(scratch_library, run_cli, tmp_path: Path) -> None:
    from .conftest import bundled_exercise_text

    text = bundled_exercise_text("pelvic-tilt").replace("id: pelvic-tilt", "id: my-tilt")
    text = text.replace("tags:", "video: https://videos.example/pelvic-tilt\ntags:", 1)
    folder = scratch_library({"my-tilt.yaml": text})
    output = tmp_path / "video.pdf"
    result = run_cli("generate", "-e", "my-tilt", "--patient", "A", "--library", folder, "-o", output)
    assert result.exit_code == 0, result.output
    assert "Watch the video" in normalize(pdf_text(output.read_bytes()))
    bad = folder / "exercises" / "my-tilt.yaml"
    bad.write_text(text.replace("https://videos.example/pelvic-tilt", "not a link"), encoding="utf-8")
    refused = run_cli("validate", "--library", folder)
    assert refused.exit_code == 1 and 'video: "not a link" is not a link' in refused.stderr


def test_brand_chooses_template_and_paper(run_cli, tmp_path: Path) -> None:
    brand = _brand(tmp_path, "paper: letter\ntemplate: compact\n")
    pdf, _ = _generate(run_cli, tmp_path, "--brand", brand)
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)
    assert "4. Hamstring stretch with a strap" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


def test_init_creates_a_working_clinic_folder_and_never_overwrites(run_cli, tmp_path: Path) -> None:
    clinic = tmp_path / "clinic"
    result = run_cli("init", clinic)
    assert result.exit_code == 0, result.output
    for name in ("brand.yaml", "prescription.yaml", "library/exercises/seated-marching.yaml"):
        assert (clinic / name).is_file()
    assert "rxstretch generate" in result.stdout
    (clinic / "brand.yaml").write_text("name: Mine\n", encoding="utf-8")
    again = run_cli("init", clinic)
    assert again.exit_code == 0 and "kept" in again.stdout
    assert (clinic / "brand.yaml").read_text(encoding="utf-8") == "name: Mine\n"
    output = tmp_path / "h.pdf"
    library = clinic / "library"
    rendered = run_cli(
        "generate",
        clinic / "prescription.yaml",
        "--library",
        library,
        "--brand",
        clinic / "brand.yaml",
        "-o",
        output,
    )
    assert rendered.exit_code == 0, rendered.output
    assert "Seated marching" in pdf_text(output.read_bytes())


def test_prescription_line_photo_replaces_the_figure(run_cli, tmp_path: Path) -> None:
    Image.effect_noise((1600, 1200), 40).convert("RGB").save(tmp_path / "jeanne-knee.jpg")
    rx = tmp_path / "rx.yaml"
    rx.write_text(
        "patient: {name: A}\nexercises:\n  - {id: pelvic-tilt, image: jeanne-knee.jpg}\n", encoding="utf-8"
    )
    output = tmp_path / "photo.pdf"
    assert run_cli("generate", rx, "-o", output).exit_code == 0
    (image,) = [i for page in PdfReader(io.BytesIO(output.read_bytes())).pages for i in page.images]
    assert max(image.image.size) <= 800
    rx.write_text(
        "patient: {name: A}\nexercises:\n  - {id: pelvic-tilt, image: missing.jpg}\n", encoding="utf-8"
    )
    result = run_cli("generate", rx, "-o", tmp_path / "x.pdf")
    assert result.exit_code == 1 and f"{rx}:3: exercises[0].image: no image file" in result.stderr


@pytest.mark.parametrize(
    ("language", "words"),
    [("de", ["Patientennummer", "Physiotherapist"]), ("el", ["Θεραπευτής/τρια"]), ("ru", ["Специалист"])],
)
def test_large_print_patient_block_never_breaks_a_word(
    run_cli, tmp_path: Path, language: str, words: list[str]
) -> None:
    pdf, _ = _generate(run_cli, tmp_path, "--template", "large-print", "--lang", language)
    first_page = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    for word in words:
        assert word in first_page.split(), first_page[:300]


@settings(max_examples=200)
@given(columns=st.lists(st.tuples(st.floats(1, 200), st.floats(0, 300)), min_size=1, max_size=6))
def test_widened_columns_keep_the_total_and_fit_what_they_need(columns: list[tuple[float, float]]) -> None:
    preferred, needed = [p for p, _ in columns], [n for _, n in columns]
    widths = widen_to_fit(preferred, needed)
    assert sum(widths) == pytest.approx(sum(preferred), abs=1e-6)
    if sum(needed) <= sum(preferred) - 1e-6:
        assert all(w >= n - 1e-6 for w, n in zip(widths, needed, strict=True))
    elif sum(needed) > sum(preferred) + 1e-6:  # (between the two, rounding decides)
        assert widths == preferred
    if all(n <= p for p, n in columns):
        assert widths == preferred


@pytest.mark.parametrize("template", ["standard", "compact", "large-print"])
def test_every_bundled_exercise_lays_out_in_every_template(library, template: str) -> None:
    from rxstretch.api import render_handout
    from rxstretch.model import Patient, PrescribedExercise, Prescription

    from .conftest import FIXED_DATE

    # French: longer text than English, so the tallest cards.
    everything = Prescription(
        patient=Patient("Layout"),
        exercises=tuple(PrescribedExercise(e) for e in library.exercises),
        language="fr",
    )
    pdf = render_handout(everything, library=library, template=template, today=FIXED_DATE)
    pages = PdfReader(io.BytesIO(pdf)).pages
    text = normalize(pdf_text(pdf))
    assert all(e.text["fr"].name in text for e in library.exercises.values())
    assert "Layout" in pages[0].extract_text()


def test_diary_length_is_bounded_in_the_api_as_on_the_command_line(library, run_cli, tmp_path: Path) -> None:
    from rxstretch.api import build_handout, load_prescription
    from rxstretch.errors import RxStretchError

    prescription = load_prescription(EXAMPLES / "low-back.yaml", library)
    with pytest.raises(RxStretchError, match="1 to 12 weeks, not 13"):
        build_handout(prescription, library, tracker_weeks=13)
    assert (
        run_cli("generate", EXAMPLES / "low-back.yaml", "-o", tmp_path / "x.pdf", "--tracker", "13").exit_code
        == 2
    )


# ReportLab writes an image's dictionary on one line; pypdf does not keep its /Length.
_IMAGE_DICTIONARY = re.compile(rb"<<[^>]*/Subtype /Image[^>]*>>")


def _embedded_images(pdf: bytes) -> list[tuple[list[str], int]]:
    """Each image XObject of the PDF: its filters and its stream's length in the file."""
    found = []
    for entry in _IMAGE_DICTIONARY.findall(pdf):
        filters = re.search(rb"/Filter \[([^\]]*)\]", entry)
        length = re.search(rb"/Length (\d+)", entry)
        assert filters is not None and length is not None, entry
        found.append(([f.decode() for f in filters.group(1).split()], int(length.group(1))))
    return found


def test_a_flat_logo_stays_lossless_and_a_photo_becomes_jpeg(run_cli, tmp_path: Path) -> None:
    from PIL import ImageDraw

    flat = Image.new("RGB", (900, 300), "white")
    ImageDraw.Draw(flat).rectangle((60, 60, 840, 240), fill="#7A1F5C")
    flat.save(tmp_path / "flat.png")
    Image.effect_noise((900, 300), 60).convert("RGB").save(tmp_path / "photo.png")
    made, pixels = {}, {}
    for name in ("flat.png", "photo.png"):
        pdf, _ = _generate(run_cli, tmp_path, "--brand", _brand(tmp_path, logo=tmp_path / name))
        (made[name],) = _embedded_images(pdf)
        (pixels[name],) = [i.image for page in PdfReader(io.BytesIO(pdf)).pages for i in page.images]
    filters, length = made["flat.png"]
    assert filters == ["/FlateDecode"]
    as_jpeg = io.BytesIO()
    pixels["flat.png"].convert("RGB").save(as_jpeg, format="JPEG", quality=85, optimize=True)
    assert length < as_jpeg.tell()  # lossless and smaller than the JPEG it used to become
    assert made["photo.png"][0] == ["/DCTDecode"]
