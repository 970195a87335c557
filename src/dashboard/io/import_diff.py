"""What a new version of an earlier import changes: findings added, changed (with the fields
that differ), removed and unchanged, by id."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from dashboard.core.findings import COLUMNS


@dataclass(frozen=True)
class Diff:
    """What a new version of an earlier import changes, by finding id."""

    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    #: For each changed id, the fields that differ.
    fields: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def describe(self) -> str:
        """The counts in words.

        >>> Diff(added=("a",), changed=("b", "c"), unchanged=("d",)).describe()
        '1 added, 2 changed, 0 removed, 1 unchanged'
        """
        return (
            f"{len(self.added)} added, {len(self.changed)} changed, {len(self.removed)} removed, "
            f"{len(self.unchanged)} unchanged"
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "added": list(self.added),
            "changed": {i: list(self.fields.get(i, ())) for i in self.changed},
            "removed": list(self.removed),
            "unchanged": len(self.unchanged),
        }


_COMPARED = tuple(c for c in COLUMNS if c not in ("source", "prefix", "suffix"))


def diff_findings(before: pd.DataFrame, after: pd.DataFrame) -> Diff:
    """Rows added, changed (with the fields that differ), removed and unchanged, by id."""
    old = {row["id"]: row for row in before.loc[:, list(_COMPARED)].to_dict("records")}
    new = {row["id"]: row for row in after.loc[:, list(_COMPARED)].to_dict("records")}
    added = tuple(i for i in new if i not in old)
    removed = tuple(i for i in old if i not in new)
    changed, unchanged, fields = [], [], {}
    for finding_id, row in new.items():
        if finding_id not in old:
            continue
        differ = tuple(c for c in _COMPARED if not _same(old[finding_id][c], row[c]))
        if differ:
            changed.append(finding_id)
            fields[finding_id] = differ
        else:
            unchanged.append(finding_id)
    return Diff(
        added=added,
        changed=tuple(changed),
        removed=removed,
        unchanged=tuple(unchanged),
        fields=fields,
    )


def _same(a: object, b: object) -> bool:
    if a is None or (isinstance(a, float) and a != a) or a is pd.NA:
        return b is None or (isinstance(b, float) and b != b) or b is pd.NA
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False
