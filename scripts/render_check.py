#!/usr/bin/env python3
"""Render the briefing deck and note with LibreOffice, to look at them as an office would.

``make render-check`` runs this (and installs LibreOffice first when it is missing; it is not
part of ``make test``). For a few views of the bundled data (all findings; propaganda and
recruitment; Pakistan; one with hostile words: 2,000 characters, markup, right-to-left text,
emoji), it makes the PowerPoint deck and the Word note exactly as the briefing page does,
converts each to PDF with ``soffice --headless --convert-to pdf`` and draws every page to PNG
with poppler's ``pdftoppm``. It then checks what a reader would: as many pages as slides (the
deck), every page inked, and the marking on every page's text. The PNGs are written to
``test-output/render-check/`` to be looked at.

Usage::

    python scripts/render_check.py [--out DIR]
"""

from __future__ import annotations

import argparse
import io
import shutil
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402
from pptx import Presentation  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from dashboard.core.corpus import load_corpus  # noqa: E402
from dashboard.core.region_geometry import load_context, load_geometry  # noqa: E402
from dashboard.exports import briefing, office  # noqa: E402
from dashboard.exports.png import to_png  # noqa: E402
from dashboard.query.filters import Filters  # noqa: E402
from dashboard.views.map_data import prepare  # noqa: E402

MARKING = "OFFICIAL-SENSITIVE"
HOSTILE_TITLE = "د داعش خراسان ولایت · داعش خراسان کی موجودگی 🚩 <b>bold</b> **md** " + "x" * 1900


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        sys.exit("LibreOffice (soffice) is missing: run `make render-check`, which installs it.")
    return found


def views(corpus):
    yield "all", Filters(), {}
    yield "propaganda-recruitment", Filters(themes=("propaganda", "recruitment")), {}
    yield "pakistan", Filters(region="PK"), {}
    yield "hostile", Filters(), {"title": HOSTILE_TITLE, "subtitle": HOSTILE_TITLE}


def compose(corpus, filters: Filters, **words) -> briefing.Briefing:
    return briefing.compose_view(
        corpus,
        filters,
        base_url="https://dashboard.example/",
        exported=date.today(),
        **{
            "subtitle": "From the publisher's summary page",
            "note": "For the minister's office: read with the March assessment.",
            "marking": MARKING,
            **words,
        },
    )


def to_pdf(program: str, source: Path, folder: Path) -> Path:
    subprocess.run(
        [
            program,
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{folder / 'profile'}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return folder / (source.stem + ".pdf")


def check(pdf: Path, pages_wanted: int | None, out: Path, stem: str) -> list[str]:
    """Problems of the rendered *pdf* (none: ``[]``), its pages drawn to ``out/stem-N.png``."""
    problems = []
    reader = PdfReader(pdf)
    if pages_wanted is not None and len(reader.pages) != pages_wanted:
        problems.append(f"{stem}: {len(reader.pages)} pages, the deck has {pages_wanted} slides")
    for number, page in enumerate(reader.pages, start=1):
        if MARKING not in (page.extract_text() or ""):
            problems.append(f"{stem}: page {number} lacks the marking {MARKING}")
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", str(pdf), str(out / stem)], check=True, timeout=300
    )
    for path in sorted(out.glob(f"{stem}-*.png")):
        inked = (np.asarray(Image.open(path).convert("L")) < 100).mean()
        if inked < 0.001:
            problems.append(f"{path.name}: next to nothing drawn")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "test-output" / "render-check")
    args = parser.parse_args(argv)
    program = soffice()
    if not shutil.which("pdftoppm"):
        sys.exit("pdftoppm is missing: install Debian's poppler-utils (make render-check does).")
    args.out.mkdir(parents=True, exist_ok=True)
    for old in args.out.glob("*.png"):
        old.unlink()
    corpus = load_corpus()
    data = prepare(load_geometry(), load_context(), corpus.gazetteer)
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="render-check-") as tmp:
        folder = Path(tmp)
        for name, filters, words in views(corpus):
            item = compose(corpus, filters, **words)
            png = to_png(item, data, corpus.gazetteer, filters.region)
            deck = office.to_pptx(item, png)
            note = office.to_docx(item, png)
            (folder / f"{name}-deck.pptx").write_bytes(deck)
            (folder / f"{name}-note.docx").write_bytes(note)
            slides = len(Presentation(io.BytesIO(deck)).slides)
            for stem, wanted in ((f"{name}-deck", slides), (f"{name}-note", None)):
                suffix = "pptx" if stem.endswith("deck") else "docx"
                pdf = to_pdf(program, folder / f"{stem}.{suffix}", folder)
                problems += check(pdf, wanted, args.out, stem)
                shutil.copy(pdf, args.out / pdf.name)
            print(f"{name}: {slides} slides; pages in {args.out.relative_to(ROOT)}/{name}-*.png")
    for problem in problems:
        print("PROBLEM:", problem)
    print(f"{len(problems)} problem(s). Look at the pages: {args.out}")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
