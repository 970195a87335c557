"""Need-to-know: protective markings, who may read what, and the reader a signed-in user is.

Every import (and so every finding and report it brought) carries a protective **marking**, one
of an ordered list (``OFFICIAL`` < ``OFFICIAL-SENSITIVE`` < ``SECRET`` by default), and optionally
the **groups** allowed to read it. A :class:`Reader` may read an item when their clearance is at
least its marking and, if the item names groups, they belong to one of them. The bundled report
and its findings are public: the lowest marking, no groups.

A reader's clearance and groups come from claims of their ID token, named in the configuration
(:class:`AccessPolicy`, the ``[access]`` section of ``.streamlit/secrets.toml``). A claim that is
missing or names no known marking gives the lowest clearance: nothing is shown that the token does
not allow. Without sign-in the one local analyst reads everything.

Nothing here imports Streamlit; :mod:`dashboard.query.index` applies a reader's mask to every
query.
"""

from __future__ import annotations

import getpass
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

#: The settings of the ``[access]`` table.
SETTINGS = frozenset({"markings", "clearance_claim", "groups_claim", "admin_group"})
#: The markings when the configuration names none, lowest first.
DEFAULT_MARKINGS = ("OFFICIAL", "OFFICIAL-SENSITIVE", "SECRET")


class AccessError(ValueError):
    """A marking or a group list that cannot be used; ``str()`` says why and what to do."""


@dataclass(frozen=True)
class Reader:
    """Who is reading: their name for the page and the audit log, their clearance (a marking of
    the policy) and groups; ``everything`` for the local analyst when sign-in is off."""

    name: str
    clearance: str
    groups: frozenset[str] = frozenset()
    subject: str = ""
    signed_in: bool = False
    everything: bool = False
    admin: bool = False

    @property
    def label(self) -> str:
        """The reader as the audit log names them: name, and the subject when it differs."""
        if self.subject and self.subject != self.name:
            return f"{self.name} ({self.subject})"
        return self.name

    @property
    def key(self) -> str:
        """What a reader's masks are cached by: readers with the same key see the same things."""
        if self.everything:
            return "*"
        return json.dumps([self.clearance, sorted(self.groups)], ensure_ascii=False)


@dataclass(frozen=True)
class AccessPolicy:
    """The markings in use and the ID-token claims that carry a user's clearance and groups."""

    markings: tuple[str, ...] = DEFAULT_MARKINGS
    clearance_claim: str = "clearance"
    groups_claim: str = "groups"
    #: Members of this group see the audit log.
    admin_group: str = "dashboard-admins"
    _rank: dict[str, int] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        markings = tuple(normal_marking(m) for m in self.markings)
        if not markings or any(not m for m in markings) or len(set(markings)) != len(markings):
            raise AccessError(
                "The [access] markings must be a list of distinct names, lowest first, e.g. "
                f"{list(DEFAULT_MARKINGS)}."
            )
        object.__setattr__(self, "markings", markings)
        self._rank.update({m: i for i, m in enumerate(markings)})

    @classmethod
    def from_config(cls, config: Mapping[str, Any] | None) -> AccessPolicy:
        """The policy of an ``[access]`` table (``markings``, ``clearance_claim``,
        ``groups_claim``, ``admin_group``); the defaults for what it leaves out."""
        config = dict(config or {})
        unknown = sorted(
            set(config) - {"markings", "clearance_claim", "groups_claim", "admin_group"}
        )
        if unknown:
            raise AccessError(
                f"[access] has unknown settings {unknown}: use markings, clearance_claim, "
                f"groups_claim and admin_group."
            )
        markings = config.get("markings", DEFAULT_MARKINGS)
        if isinstance(markings, str) or not isinstance(markings, Sequence):
            raise AccessError(
                f"[access] markings must be a list, e.g. {list(DEFAULT_MARKINGS)}, "
                f"not {markings!r}."
            )
        return cls(
            markings=tuple(str(m) for m in markings),
            clearance_claim=str(config.get("clearance_claim", "clearance")),
            groups_claim=str(config.get("groups_claim", "groups")),
            admin_group=str(config.get("admin_group", "dashboard-admins")),
        )

    @property
    def lowest(self) -> str:
        return self.markings[0]

    @property
    def highest(self) -> str:
        return self.markings[-1]

    def rank(self, marking: str) -> int:
        """The marking's place, lowest 0; a marking not (or no longer) in the policy ranks above
        every one, so that only the local analyst reads it."""
        return self._rank.get(normal_marking(marking), len(self.markings))

    def check(self, marking: str) -> str:
        """*marking* as stored (upper case), or :class:`AccessError` naming the known ones."""
        normal = normal_marking(marking)
        if normal not in self._rank:
            raise AccessError(
                f"{marking!r} is not a protective marking in use here; choose one of "
                f"{', '.join(self.markings)}."
            )
        return normal

    def everyone(self, name: str | None = None) -> Reader:
        """The local analyst when sign-in is off: reads everything."""
        return Reader(
            name=name or _login_name(), clearance=self.highest, everything=True, admin=True
        )

    def reader(self, claims: Mapping[str, Any]) -> Reader:
        """The signed-in user of these ID-token claims."""
        raw = claims.get(self.clearance_claim)
        clearance = normal_marking(raw) if isinstance(raw, str) else ""
        if clearance not in self._rank:
            clearance = self.lowest
        groups = frozenset(group_list(claims.get(self.groups_claim)))
        subject = str(claims.get("sub") or claims.get("email") or "")
        name = str(claims.get("name") or claims.get("email") or subject or "signed-in user")
        return Reader(
            name=name,
            clearance=clearance,
            groups=groups,
            subject=subject,
            signed_in=True,
            admin=self.admin_group in groups,
        )

    def may_read(self, reader: Reader, marking: str, groups: Iterable[str] = ()) -> bool:
        if reader.everything:
            return True
        if self.rank(marking) > self.rank(reader.clearance):
            return False
        wanted = set(groups)
        return not wanted or bool(wanted & reader.groups)


def normal_marking(value: object) -> str:
    """A marking as compared and stored: trimmed, upper case, inner spaces as hyphens.

    >>> normal_marking(" official sensitive ")
    'OFFICIAL-SENSITIVE'
    """
    return "-".join(str(value).strip().upper().replace("_", " ").replace("-", " ").split())


def group_list(value: object) -> list[str]:
    """Groups from a claim or a form: a list, or text separated by commas or semicolons; each
    trimmed, empties and repeats dropped, in order."""
    if value is None:
        return []
    items: Iterable[object]
    if isinstance(value, str):
        items = value.replace(";", ",").split(",")
    elif isinstance(value, Iterable):
        items = value
    else:
        items = [value]
    return list(dict.fromkeys(s for s in (str(i).strip() for i in items) if s))


def _login_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (a container without a user): say what it is
        return "local analyst"


#: Who may read an item: every (marking, groups) pair must allow the reader. ``()`` (a bundled
#: finding): everyone.
Rule = tuple[tuple[str, tuple[str, ...]], ...]


def may_read_rule(policy: AccessPolicy, reader: Reader, rule: Rule) -> bool:
    """Whether *reader* may read an item of *rule*; a marking of ``''`` (stored before markings)
    is the lowest."""
    return all(
        policy.may_read(reader, marking or policy.lowest, groups) for marking, groups in rule
    )


@dataclass(frozen=True)
class Rules:
    """The rule of every finding of a corpus, as a code per row into :attr:`values` (a corpus
    holds few distinct rules), and the rule of each stored report."""

    codes: Any  # np.ndarray of int32, one per finding row
    values: tuple[Rule, ...]
    reports: Mapping[str, Rule]

    @classmethod
    def of(cls, rows: Sequence[Rule], reports: Mapping[str, Rule]) -> Rules:
        import numpy as np

        values: dict[Rule, int] = {(): 0}
        codes = np.fromiter(
            (values.setdefault(rule, len(values)) for rule in rows), dtype=np.int32, count=len(rows)
        )
        return cls(codes=codes, values=tuple(values), reports=dict(reports))

    def visible(self, policy: AccessPolicy, reader: Reader) -> Any:
        """The rows *reader* may read, as a boolean array; ``None`` when they may read all."""
        import numpy as np

        if reader.everything:
            return None
        allowed = np.array([may_read_rule(policy, reader, rule) for rule in self.values])
        if allowed.all():
            return None
        return allowed[self.codes]

    def hidden_reports(self, policy: AccessPolicy, reader: Reader) -> set[str]:
        """The stored reports *reader* may not read; bundled reports have no rule: public."""
        if reader.everything:
            return set()
        return {r for r, rule in self.reports.items() if not may_read_rule(policy, reader, rule)}
