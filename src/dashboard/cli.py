"""The command line: ``python -m dashboard import FILE ...``, ``imports``, ``remove ID``,
``restore ID``, for data managers who load sheets in bulk; ``serve`` (the app, warmed at
start: :mod:`dashboard.ui.serve`); ``store-setup`` for a team's PostgreSQL store
(:mod:`dashboard.io.store_roles`); and ``team``, the team set-up on one machine
(:mod:`dashboard.team.demo`, ``make team``).

A thin layer over :mod:`dashboard.io.importer` and :mod:`dashboard.io.store`, the same functions
as the import page; it uses the store named by ``DASHBOARD_STORE`` like the app.

Exit status of ``import``: 0 when every row imports (or would, with ``--dry-run``); 1 when any
row is refused (nothing is written unless ``--only-valid``, which writes the valid rows); 2 when
the file cannot be read, or the command is wrong.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from dashboard.core.problems import errors

EXIT_OK, EXIT_REFUSED, EXIT_UNREADABLE = 0, 1, 2


class UsageError(Exception):
    """A command that cannot be carried out as given (exit 2)."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m dashboard",
        description="Import analysts' findings into the dashboard's store, list and remove them.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    imp = commands.add_parser("import", help="check a findings file and import it")
    imp.add_argument("file", help="CSV, TSV, JSON, Excel (.xlsx) or LibreOffice (.ods)")
    imp.add_argument(
        "--sheet", help="the workbook's sheet to read (default: the first of findings)"
    )
    imp.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="COLUMN=FIELD",
        help="map a column to a field, to 'extra' (kept with each finding) or 'ignore'",
    )
    imp.add_argument(
        "--default",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help="kind=..., report=... for rows without them; title=derive (default) or title=none; "
        "dates=day-first or dates=month-first for slashed dates such as 03/04/2017",
    )
    imp.add_argument("--only-valid", action="store_true", help="import the valid rows only")
    imp.add_argument("--dry-run", action="store_true", help="check only; write nothing")
    imp.add_argument("--json", action="store_true", help="print one JSON object")
    listing = commands.add_parser("imports", help="list the imports in the store")
    listing.add_argument("--json", action="store_true", help="print a JSON list")
    remove = commands.add_parser("remove", help="remove an import and all it brought")
    remove.add_argument("id", type=int)
    restore = commands.add_parser("restore", help="make an earlier version of an import current")
    restore.add_argument("id", type=int)
    setup = commands.add_parser(
        "store-setup",
        help="create or upgrade a team's PostgreSQL store as its owner, and set up the app's "
        "role (no UPDATE or DELETE on the audit log)",
    )
    setup.add_argument("owner_url", help="postgresql://OWNER@HOST:PORT/DATABASE")
    setup.add_argument(
        "--app-role", required=True, help="the role the dashboard connects as, e.g. dashboard_app"
    )
    setup.add_argument(
        "--app-password-env",
        metavar="VAR",
        help="set the app role's password from this environment variable (never on the "
        "command line, where other users of the machine could read it)",
    )
    serve = commands.add_parser(
        "serve", help="serve the app (streamlit run app.py, with its caches warmed at start)"
    )
    serve.add_argument(
        "options", nargs=argparse.REMAINDER, help="streamlit run's options, e.g. --server.port 8600"
    )
    team = commands.add_parser(
        "team",
        help="the team set-up on this machine, for a demonstration: PostgreSQL, two replicas, "
        "HAProxy and an OpenID Connect test provider (make team)",
    )
    team.add_argument("--port", type=int, default=8600, help="HAProxy's port (default 8600)")
    team.add_argument(
        "--provider-port", type=int, default=8610, help="the test provider's port (default 8610)"
    )
    team.add_argument(
        "--folder",
        type=Path,
        help="keep the cluster and logs here (default: a temporary folder, removed at the end)",
    )
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run one command; returns the exit status."""
    out = out or sys.stdout
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["serve"]:
        # Everything after "serve" is streamlit run's, options included.
        from dashboard.ui.serve import serve

        return serve(argv[1:])
    args = _parser().parse_args(argv)
    if args.command == "team":
        from dashboard.team import demo

        return demo.main(args.port, args.provider_port, args.folder)
    from dashboard.io.store import Store
    from dashboard.io.store_file import default_store
    from dashboard.io.store_records import StoreError

    try:
        if args.command == "store-setup":
            return _store_setup(args, out)
        store = Store(default_store())
        if args.command == "import":
            return _import(args, store, out)
        if args.command == "imports":
            return _list(args, store, out)
        if args.command == "remove":
            record = store.remove_import(args.id)
            print(f"Removed import #{record.id} ({record.file_name}) and all it brought.", file=out)
            return EXIT_OK
        record = store.restore_import(args.id)
        print(f"Import #{record.id} ({record.file_name}) is the current version again.", file=out)
        return EXIT_OK
    except UsageError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_UNREADABLE
    except StoreError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_REFUSED


def _store_setup(args: argparse.Namespace, out: TextIO) -> int:
    import os

    from dashboard.io.store_roles import set_up

    password = None
    if args.app_password_env:
        password = os.environ.get(args.app_password_env)
        if not password:
            raise UsageError(f"--app-password-env {args.app_password_env}: that variable is empty")
    done = set_up(args.owner_url, args.app_role, password=password)
    for line in done.lines():
        print(line, file=out)
    return EXIT_OK


def _pairs(values: Sequence[str], what: str) -> list[tuple[str, str]]:
    pairs = []
    for value in values:
        left, sep, right = value.rpartition("=")
        if not sep or not left.strip():
            raise UsageError(f"--{what} {value!r}: write {what.upper()}=VALUE")
        pairs.append((left.strip(), right.strip()))
    return pairs


def _import(args: argparse.Namespace, store, out: TextIO) -> int:
    from dashboard.core.corpus import load_corpus, merge
    from dashboard.io import importer
    from dashboard.io.columns import TARGETS, parse_target, resolve_column
    from dashboard.io.formats import read_table

    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise UsageError(f"cannot read {str(path)!r}: {err.strerror or err}") from err
    defaults: dict[str, str | None] = {}
    for key, value in _pairs(args.default, "default"):
        field = {"report": "report_id", "report id": "report_id"}.get(key.lower(), key.lower())
        if field not in importer.DEFAULT_FIELDS:
            raise UsageError(
                f"--default {key}: only kind, report, title and dates can have defaults"
            )
        if field == "dates" and value.lower() not in importer.DAY_ORDERS:
            raise UsageError("--default dates= takes 'day-first' or 'month-first'")
        if field == "title":
            if value.lower() not in (importer.DERIVE, "none", ""):
                raise UsageError("--default title= takes 'derive' or 'none'")
            value = importer.DERIVE if value.lower() == importer.DERIVE else ""
        defaults[field] = value
    column_map: dict[str, str] = {}
    if args.map:
        columns = read_table(data, path.name, sheet=args.sheet).columns
        for column, target in _pairs(args.map, "map"):
            found = resolve_column(column, columns)
            if found is None:
                raise UsageError(
                    f"--map {column!r}: the file has no such column (columns: "
                    + ", ".join(repr(c) for c in columns)
                    + ")"
                )
            chosen = parse_target(target)
            if chosen is None:
                raise UsageError(f"--map {column}={target}: fields are " + ", ".join(TARGETS))
            column_map[found] = chosen
    corpus = load_corpus()
    corpus = merge(corpus, store.findings(), store.reports())
    plan = importer.plan_findings(
        data,
        path.name,
        corpus,
        store,
        column_map=column_map or None,
        defaults=defaults,
        sheet=args.sheet,
    )
    unreadable = plan.rows_total == 0 and bool(errors(plan.problems))
    complete = plan.can_import_all
    record = None
    failure = None
    wanted = complete or (args.only_valid and plan.can_import_valid)
    if not args.dry_run and not unreadable and wanted:
        from dashboard.io.store_records import StoreError

        try:
            record = importer.commit_findings(plan, store, only_valid=not complete)
        except StoreError as err:
            failure = str(err)
    status = (
        EXIT_UNREADABLE if unreadable else EXIT_OK if complete and failure is None else EXIT_REFUSED
    )
    if args.json:
        report = plan.to_json()
        report["imported"] = record.id if record else None
        report["written"] = record is not None
        report["error"] = failure
        json.dump(report, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return status
    _print_plan(plan, out)
    if failure:
        print(f"Nothing was imported: {failure}", file=out)
    elif record is not None:
        print(
            f"Imported {record.rows_imported} finding(s) as import #{record.id}"
            + (f", replacing import #{plan.previous.id}" if plan.previous else "")
            + ".",
            file=out,
        )
    elif args.dry_run:
        print("Dry run: nothing was written.", file=out)
    elif not unreadable:
        print(
            "Nothing was written: fix the rows above, or use --only-valid to import the "
            f"{plan.rows_valid} valid row(s).",
            file=out,
        )
    return status


def _print_plan(plan, out: TextIO) -> None:
    if plan.read_as is not None:
        print(f"{plan.file_name}: read as {plan.read_as.describe()}", file=out)
    for column in plan.columns:
        target = plan.mapping.get(column, "")
        print(f"  {column!r} -> {target}", file=out)
    if plan.defaults:
        print(
            "  defaults: " + ", ".join(f"{k}={v}" for k, v in sorted(plan.defaults.items())),
            file=out,
        )
    if plan.diff is not None and plan.previous is not None:
        print(f"  new version of import #{plan.previous.id}: {plan.diff.describe()}", file=out)
    for problem in plan.problems:
        value = plan.value_at(problem.row, problem.column)
        shown = f" [{value!r}]" if value else ""
        print(f"  {problem.severity}: {problem}{shown}", file=out)
    print(
        f"{plan.rows_total} row(s): {plan.rows_valid} can be imported, "
        f"{plan.rows_rejected} cannot.",
        file=out,
    )


def _list(args: argparse.Namespace, store, out: TextIO) -> int:
    records = store.imports()
    if args.json:
        json.dump(
            [
                {
                    "id": r.id,
                    "file": r.file_name,
                    "kind": r.kind,
                    "sha256": r.sha256,
                    "imported_at": r.imported_at,
                    "rows": r.rows_total,
                    "imported": r.rows_imported,
                    "rejected": r.rows_rejected,
                    "current": r.current,
                    "replaces": r.replaces,
                    "superseded_by": r.superseded_by,
                    "settings": r.settings_dict(),
                }
                for r in records
            ],
            out,
            ensure_ascii=False,
            indent=2,
        )
        out.write("\n")
        return EXIT_OK
    if not records:
        print("Nothing imported yet.", file=out)
    for r in records:
        state = "" if r.current else f" (earlier version, replaced by #{r.superseded_by})"
        print(
            f"#{r.id}  {r.kind}  {r.file_name}  {r.imported_at}  {r.rows_imported} imported, "
            f"{r.rows_rejected} rejected of {r.rows_total}{state}",
            file=out,
        )
    return EXIT_OK
