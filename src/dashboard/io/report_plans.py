"""Planning the import of a report text (.txt, or a PDF's text layer): the report it would
become and the problems found, before anything is stored."""

from __future__ import annotations

import re
from collections.abc import Mapping

from dashboard.core.corpus import Corpus
from dashboard.core.problems import Problem, errors
from dashboard.core.reports import Report
from dashboard.core.text import nfc
from dashboard.io.importer import sha256
from dashboard.io.report_files import read_report_pages
from dashboard.io.store import Store

TEXT_KINDS = ("full text", "publisher's summary page", "executive summary", "excerpt")
_REPORT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def plan_report(
    data: bytes, file_name: str, meta: Mapping[str, object], corpus: Corpus, store: Store
) -> tuple[Report | None, list[Problem]]:
    """A report from an uploaded text and the metadata typed in the form, or the problems."""
    text, page_starts, problems = read_report_pages(data, file_name)
    where = "report details"

    def need(key: str, label: str) -> str:
        value = str(meta.get(key) or "").strip()
        if not value:
            problems.append(Problem(where, None, key, f"{label} is empty", f"fill in the {label}"))
        return value

    report_id, title, author = need("id", "id"), need("title", "title"), need("author", "author")
    if report_id and not _REPORT_ID.match(report_id):
        problems.append(
            Problem(
                where,
                None,
                "id",
                f"id {report_id!r} cannot go in a link",
                "use letters, digits, '.', '_' or '-' (at most 64)",
            )
        )
    elif report_id in corpus.reports:
        problems.append(
            Problem(
                where,
                None,
                "id",
                f"a report with id {report_id!r} is already loaded",
                "choose another id",
            )
        )
    text_kind = str(meta.get("text_kind") or "full text")
    if text_kind not in TEXT_KINDS:
        problems.append(
            Problem(
                where,
                None,
                "text_kind",
                f"unknown text kind {text_kind!r}",
                "use one of: " + ", ".join(TEXT_KINDS),
            )
        )
    year = meta.get("year")
    if year not in (None, "", 0):
        try:
            year = int(str(year).strip())
            if not 1900 <= year <= 2100:
                raise ValueError
        except (TypeError, ValueError):
            problems.append(
                Problem(
                    where,
                    None,
                    "year",
                    f"year {meta.get('year')!r} is not a year",
                    "write four digits, e.g. 2017, or leave it blank",
                )
            )
            year = None
    else:
        year = None
    digest = sha256(data)
    earlier = next((r for r in store.imports() if r.kind == "report" and r.sha256 == digest), None)
    if earlier is not None:
        problems.insert(
            0,
            Problem(
                file_name,
                None,
                None,
                f"this text was already imported (import #{earlier.id}, {earlier.file_name})",
                "nothing to do",
            ),
        )
    if text is None or errors(problems):
        return None, problems
    return Report(
        id=report_id,
        title=title,
        author=author,
        text=nfc(text),
        text_kind=text_kind,
        publisher=str(meta.get("publisher") or "").strip(),
        year=year,
        text_note=str(meta.get("text_note") or "").strip(),
        sha256=digest,
        source=f"import: {file_name}",
        page_starts=page_starts,
    ), problems
