"""Report texts as analysts bring them: a .txt file in any of
:data:`~dashboard.io.delimited.ENCODINGS`, or a PDF's text layer."""

from __future__ import annotations

import io

from dashboard.core.problems import Problem
from dashboard.io.delimited import decode_text
from dashboard.io.formats import MAX_UPLOAD_MB, suffix_of


def read_report_text(data: bytes, file: str) -> tuple[str | None, list[Problem]]:
    """The text of a report file: a .txt in any of :data:`~dashboard.io.delimited.ENCODINGS`,
    or a PDF's text layer."""
    suffix = suffix_of(file)
    if len(data) > MAX_UPLOAD_MB * 1024 * 1024:
        return None, [Problem(file, None, None, f"the file is larger than {MAX_UPLOAD_MB} MB", "")]
    if suffix == ".pdf":
        return _read_pdf(data, file)
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


def _read_pdf(data: bytes, file: str) -> tuple[str | None, list[Problem]]:
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
                return None, [
                    Problem(
                        file,
                        None,
                        None,
                        "the PDF is password-protected",
                        "save an unprotected copy, or export its text to .txt",
                    )
                ]
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as err:
        return None, [
            Problem(
                file,
                None,
                None,
                f"not a readable PDF ({err})",
                "save it again as PDF, or export its text to .txt",
            )
        ]
    text = "\n\n".join(p.strip("\n") for p in pages)
    if not text.strip():
        return None, [
            Problem(
                file,
                None,
                None,
                "the PDF has no text layer (it is a scan or an image)",
                "run it through OCR first, or paste its text into a .txt file",
            )
        ]
    return text, [
        Problem(
            file,
            None,
            None,
            f"text taken from {len(pages)} PDF page(s)",
            "check line breaks and hyphenation: excerpts must match this text",
            severity="warning",
        )
    ]
