"""Need-to-know: markings, readers from ID-token claims, and who may read which item."""

from __future__ import annotations

import numpy as np
import pytest

from dashboard.core.access import (
    DEFAULT_MARKINGS,
    AccessError,
    AccessPolicy,
    Reader,
    Rules,
    group_list,
    may_read_rule,
    normal_marking,
)

POLICY = AccessPolicy()


def reader(clearance: str, *groups: str) -> Reader:
    return Reader(name="r", clearance=clearance, groups=frozenset(groups), signed_in=True)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("official", "OFFICIAL"),
        (" Official Sensitive ", "OFFICIAL-SENSITIVE"),
        ("official_sensitive", "OFFICIAL-SENSITIVE"),
        ("OFFICIAL--SENSITIVE", "OFFICIAL-SENSITIVE"),
        ("secret", "SECRET"),
    ],
)
def test_markings_are_compared_as_written_in_capitals_with_hyphens(raw, expected):
    assert normal_marking(raw) == expected
    assert POLICY.check(raw) == expected


def test_an_unknown_marking_is_refused_naming_the_ones_in_use():
    with pytest.raises(AccessError, match="OFFICIAL, OFFICIAL-SENSITIVE, SECRET"):
        POLICY.check("TOP SECRET")
    assert POLICY.rank("TOP SECRET") > POLICY.rank("SECRET")  # ranks above all: nobody reads it


@pytest.mark.parametrize(
    "clearance, marking, allowed",
    [
        ("OFFICIAL", "OFFICIAL", True),
        ("OFFICIAL", "OFFICIAL-SENSITIVE", False),
        ("OFFICIAL", "SECRET", False),
        ("OFFICIAL-SENSITIVE", "OFFICIAL", True),
        ("OFFICIAL-SENSITIVE", "SECRET", False),
        ("SECRET", "OFFICIAL-SENSITIVE", True),
        ("SECRET", "SECRET", True),
        ("SECRET", "NO SUCH MARKING", False),
    ],
)
def test_clearance_reads_its_marking_and_below(clearance, marking, allowed):
    assert POLICY.may_read(reader(clearance), marking) is allowed


def test_groups_narrow_who_may_read():
    assert POLICY.may_read(reader("SECRET", "cell-a"), "OFFICIAL", ["cell-a", "cell-b"])
    assert not POLICY.may_read(reader("SECRET", "cell-c"), "OFFICIAL", ["cell-a"])
    assert not POLICY.may_read(reader("SECRET"), "OFFICIAL", ["cell-a"])
    # Groups never widen: the marking still applies.
    assert not POLICY.may_read(reader("OFFICIAL", "cell-a"), "SECRET", ["cell-a"])
    local = POLICY.everyone("me")
    assert POLICY.may_read(local, "NO SUCH MARKING", ["nobody"]) and local.everything


@pytest.mark.parametrize(
    "claims, clearance, groups",
    [
        ({"sub": "a", "clearance": "secret", "groups": ["x", "y"]}, "SECRET", {"x", "y"}),
        (
            {"sub": "a", "clearance": "Official Sensitive", "groups": "x; y"},
            "OFFICIAL-SENSITIVE",
            {"x", "y"},
        ),
        ({"sub": "a"}, "OFFICIAL", set()),  # no claim: the lowest clearance
        ({"sub": "a", "clearance": "COSMIC"}, "OFFICIAL", set()),  # unknown: the lowest
        ({"sub": "a", "clearance": ["SECRET"]}, "OFFICIAL", set()),  # not text: the lowest
        ({"sub": "a", "groups": 7}, "OFFICIAL", {"7"}),
    ],
)
def test_a_reader_from_id_token_claims(claims, clearance, groups):
    who = POLICY.reader(claims)
    assert (who.clearance, set(who.groups), who.signed_in, who.everything) == (
        clearance,
        groups,
        True,
        False,
    )


def test_claim_names_and_admins_come_from_the_configuration():
    policy = AccessPolicy.from_config(
        {
            "markings": ["PUBLIC", "RESTRICTED"],
            "clearance_claim": "level",
            "groups_claim": "teams",
            "admin_group": "leads",
        }
    )
    who = policy.reader({"sub": "s", "email": "e@x", "level": "restricted", "teams": ["leads"]})
    assert (who.clearance, who.admin, who.name, who.label) == ("RESTRICTED", True, "e@x", "e@x (s)")
    assert policy.lowest == "PUBLIC" and policy.highest == "RESTRICTED"
    assert AccessPolicy.from_config(None).markings == DEFAULT_MARKINGS


@pytest.mark.parametrize(
    "config, words",
    [
        ({"markings": "SECRET"}, "must be a list"),
        ({"markings": []}, "distinct names"),
        ({"markings": ["A", "a"]}, "distinct names"),
        ({"clearence_claim": "x"}, "unknown settings"),
    ],
)
def test_a_broken_access_configuration_says_what_to_write(config, words):
    with pytest.raises(AccessError, match=words):
        AccessPolicy.from_config(config)


def test_group_lists_from_forms_and_claims():
    assert group_list(" a, b;a ,, c ") == ["a", "b", "c"]
    assert group_list(["x", " y ", "", "x"]) == ["x", "y"]
    assert group_list(None) == [] and group_list("") == []


def test_rules_mask_rows_and_reports_per_reader():
    secret, cell = (("SECRET", ()),), (("OFFICIAL", ("cell-a",)),)
    both = (("OFFICIAL", ()), ("OFFICIAL-SENSITIVE", ()))  # a finding quoting a marked report
    legacy = (("", ()),)  # stored before markings: the lowest
    rules = Rules.of([(), secret, cell, both, legacy, ()], {"rep-s": secret, "rep-o": legacy})
    assert len(rules.values) == 5 and rules.codes.dtype == np.int32
    cases = {
        reader("OFFICIAL"): [True, False, False, False, True, True],
        reader("OFFICIAL-SENSITIVE"): [True, False, False, True, True, True],
        reader("SECRET", "cell-a"): [True, True, True, True, True, True],
    }
    for who, expected in cases.items():
        visible = rules.visible(POLICY, who)
        assert (visible is None) == all(expected)
        if visible is not None:
            assert list(visible) == expected
    assert rules.hidden_reports(POLICY, reader("OFFICIAL")) == {"rep-s"}
    assert rules.hidden_reports(POLICY, POLICY.everyone()) == set()
    assert may_read_rule(POLICY, reader("OFFICIAL"), ())
