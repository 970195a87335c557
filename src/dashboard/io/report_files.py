"""Report texts as analysts bring them: a .txt file in any of
:data:`~dashboard.io.delimited.ENCODINGS`, or a PDF's text layer."""

from __future__ import annotations

import io
import re

from dashboard.core.problems import Problem
from dashboard.core.text import nfc
from dashboard.io.delimited import decode_text
from dashboard.io.formats import MAX_UPLOAD_MB, suffix_of


def read_report_text(data: bytes, file: str) -> tuple[str | None, list[Problem]]:
    """The text of a report file: a .txt in any of :data:`~dashboard.io.delimited.ENCODINGS`,
    or a PDF's text layer."""
    text, _, problems = read_report_pages(data, file)
    return text, problems


def read_report_pages(data: bytes, file: str) -> tuple[str | None, tuple[int, ...], list[Problem]]:
    """The text of a report file in NFC, where each of its pages begins in that text, and the
    problems. A PDF's pages are its own, joined by a blank line; a .txt file's pages are
    separated by form feeds (as ``pdftotext`` writes them), kept in the text. No page
    boundaries: ``()``.

    >>> read_report_pages(b"one" + bytes([12]) + b"page two", "r.txt")[1]
    (0, 4)
    >>> read_report_pages(b"no pages", "r.txt")[:2]
    ('no pages', ())
    """
    suffix = suffix_of(file)
    if len(data) > MAX_UPLOAD_MB * 1024 * 1024:
        return _refused(file, f"the file is larger than {MAX_UPLOAD_MB} MB", "")
    if suffix == ".pdf":
        return _read_pdf(data, file)
    text, problems = _read_txt(data, file, suffix)
    if text is None:
        return None, (), problems
    text = nfc(text)
    breaks = [m.end() for m in re.finditer("\f", text) if m.end() < len(text)]
    return text, ((0, *breaks) if breaks else ()), problems


def _read_txt(data: bytes, file: str, suffix: str) -> tuple[str | None, list[Problem]]:
    if suffix != ".txt":
        return None, [
            Problem(
                file,
                None,
                None,
                f"cannot read {suffix or 'this'} files as a report",
                "use a .txt file (UTF-8) or a PDF with a text layer",
            )
        ]
    text, _, problems = decode_text(
        data, file, advice="a report is a .txt file (UTF-8) or a PDF with a text layer"
    )
    if text is not None and not text.strip():
        return None, [Problem(file, None, None, "the report text is empty", "")]
    return text, problems


def _read_pdf(data: bytes, file: str) -> tuple[str | None, tuple[int, ...], list[Problem]]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                unlocked = bool(reader.decrypt(""))
            except Exception:  # pypdf raises several types for unsupported encryption
                unlocked = False
            if not unlocked:
                return _refused(
                    file,
                    "the PDF is password-protected",
                    "save an unprotected copy, or export its text to .txt",
                )
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as err:
        return _refused(
            file,
            f"not a readable PDF ({err})",
            "save it again as PDF, or export its text to .txt",
        )
    texts = [nfc(p.strip("\n")) for p in pages]
    text = "\n\n".join(texts)
    starts, at = [], 0
    for page_text in texts:
        starts.append(at)
        at += len(page_text) + 2
    if not text.strip():
        return _refused(
            file,
            "the PDF has no text layer (it is a scan or an image)",
            "run it through OCR first, or paste its text into a .txt file",
        )
    return (
        text,
        tuple(starts),
        [
            Problem(
                file,
                None,
                None,
                f"text taken from {len(pages)} PDF page(s), page boundaries kept for citations",
                "check line breaks and hyphenation: excerpts must match this text",
                severity="warning",
            )
        ],
    )


def _refused(file: str, message: str, fix: str) -> tuple[None, tuple[int, ...], list[Problem]]:
    """What :func:`read_report_pages` gives for a file it cannot read: no text, the reason."""
    return None, (), [Problem(file, None, None, message, fix)]
