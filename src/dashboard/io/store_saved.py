"""What the store keeps besides imports: saved views (named filters) and the column mappings
remembered for files with the same headers."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from dashboard.core.text import nfc
from dashboard.io.store_file import StoreFile, utc_now
from dashboard.io.store_records import NotFound, SavedView, StoreError
from dashboard.query.filters import Filters

#: Longest name of a saved view, in characters.
MAX_VIEW_NAME = 80


class SavedViews(StoreFile):
    """Saved views and remembered mappings."""

    # --- remembered mappings -----------------------------------------------------------------

    def save_mapping(
        self,
        signature: str,
        columns: list[str],
        mapping: Mapping[str, str],
        defaults: Mapping[str, Any],
    ) -> None:
        """Remember the mapping and defaults confirmed for files with these headers."""
        with self._write() as con:
            self._execute(
                con,
                "INSERT INTO mappings (signature, columns, mapping, defaults, updated_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (signature) DO UPDATE SET "
                "columns = excluded.columns, mapping = excluded.mapping, "
                "defaults = excluded.defaults, updated_at = excluded.updated_at",
                (
                    str(signature),
                    json.dumps(list(columns), ensure_ascii=False),
                    json.dumps(dict(mapping), ensure_ascii=False, sort_keys=True),
                    json.dumps(dict(defaults), ensure_ascii=False, sort_keys=True),
                    utc_now(),
                ),
            )

    def mapping_for(self, signature: str) -> tuple[dict[str, str], dict[str, Any]] | None:
        """The mapping and defaults remembered for headers of this signature, or None."""
        with self._read() as con:
            row = self._execute(
                con, "SELECT mapping, defaults FROM mappings WHERE signature = ?", (signature,)
            ).fetchone()
        if row is None:
            return None
        mapping, defaults = json.loads(row[0]), json.loads(row[1])
        if not isinstance(mapping, dict) or not isinstance(defaults, dict):
            return None
        return {str(k): str(v) for k, v in mapping.items()}, defaults

    # --- saved views -------------------------------------------------------------------------

    def save_view(self, name: str, filters: Filters) -> SavedView:
        """Save *filters* under *name*, replacing a view of that name (its creation time kept)."""
        name = _view_name(name)
        if not isinstance(filters, Filters):
            raise TypeError(f"expected Filters, got {type(filters).__name__}")
        params = json.dumps(filters.to_query_params(), ensure_ascii=False, sort_keys=True)
        now = utc_now()
        with self._write() as con:
            self._execute(
                con,
                "INSERT INTO views (name, params, created_at, updated_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET "
                "params = excluded.params, updated_at = excluded.updated_at",
                (name, params, now, now),
            )
            return self._get_view(con, name)

    def views(self) -> list[SavedView]:
        """Every saved view, sorted by name ignoring case."""
        with self._read() as con:
            rows = self._execute(con, "SELECT name, params, created_at, updated_at FROM views")
            views = [
                SavedView(
                    name=name, params=json.loads(params), created_at=created, updated_at=updated
                )
                for name, params, created, updated in rows
            ]
        return sorted(views, key=lambda v: (v.name.casefold(), v.name))

    def rename_view(self, old: str, new: str) -> SavedView:
        """Rename a saved view. :class:`NotFound` if *old* is missing; :class:`StoreError` if
        another view is already called *new*."""
        old_name, new_name = nfc(str(old)).strip(), _view_name(new)
        with self._write() as con:
            self._get_view(con, old_name)
            if new_name != old_name:
                if self._execute(con, "SELECT 1 FROM views WHERE name = ?", (new_name,)).fetchone():
                    raise StoreError(
                        f"The view {old_name!r} was not renamed: a saved view called "
                        f"{new_name!r} already exists. Choose another name, or "
                        f"delete that view first."
                    )
                self._execute(
                    con,
                    "UPDATE views SET name = ?, updated_at = ? WHERE name = ?",
                    (new_name, utc_now(), old_name),
                )
            return self._get_view(con, new_name)

    def delete_view(self, name: str) -> None:
        """Delete a saved view; :class:`NotFound` if there is none of that name."""
        name = nfc(str(name)).strip()
        with self._write() as con:
            self._get_view(con, name)
            self._execute(con, "DELETE FROM views WHERE name = ?", (name,))

    def view_filters(self, name: str) -> dict[str, list[str]]:
        """The query parameters saved under *name*. Read them back with
        ``Filters.from_query_params`` so that values no longer known are dropped with a notice."""
        with self._read() as con:
            return self._get_view(con, nfc(str(name)).strip()).params

    def _get_view(self, con: Any, name: str) -> SavedView:
        row = self._execute(
            con, "SELECT name, params, created_at, updated_at FROM views WHERE name = ?", (name,)
        ).fetchone()
        if row is None:
            raise NotFound(
                f"There is no saved view called {name!r}; it may have been renamed or "
                f"deleted (perhaps in another window). Reload the page."
            )
        name, params, created, updated = row
        return SavedView(
            name=name, params=json.loads(params), created_at=created, updated_at=updated
        )


def _view_name(name: object) -> str:
    if not isinstance(name, str):
        raise ValueError("a view's name must be text")
    name = nfc(name).strip()
    if not name:
        raise ValueError("Give the view a name.")
    if len(name) > MAX_VIEW_NAME:
        raise ValueError(
            f"The view's name has {len(name)} characters; use at most {MAX_VIEW_NAME}."
        )
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        raise ValueError("The view's name may not contain line breaks or control characters.")
    return name
