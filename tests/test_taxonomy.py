"""Contract of the taxonomy: every theme has a label, a definition and its own colour."""

from __future__ import annotations

import pytest

from dashboard.core.taxonomy import Taxonomy, Term

REQUIRED_THEMES = (
    "propaganda",
    "recruitment",
    "refugees",
    "ideology",
    "violence",
    "rival-groups",
    "state-response",
    "international-policy",
    "online-radicalisation",
)


def test_required_themes_are_present(taxonomy):
    assert set(REQUIRED_THEMES) <= set(taxonomy.theme_keys)


def test_themes_have_label_definition_and_distinct_colour(taxonomy):
    colours = [t.colour.upper() for t in taxonomy.themes]
    assert len(set(colours)) == len(colours)
    for theme in taxonomy.themes:
        assert theme.label and len(theme.definition) > 20


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("propaganda", "propaganda"),
        ("Propaganda", "propaganda"),
        ("Violence & attacks", "violence"),
        ("violence and attacks", "violence"),
        ("Online radicalisation", "online-radicalisation"),
        ("rival groups", "rival-groups"),
        ("", None),
        ("nonsense", None),
    ],
)
def test_resolve_theme(taxonomy, text, key):
    assert taxonomy.resolve_theme(text) == key


@pytest.mark.parametrize(
    ("text", "key"),
    [("propoganda", "propaganda"), ("refugee", "refugees"), ("recruitement", "recruitment")],
)
def test_suggest_theme(taxonomy, text, key):
    assert taxonomy.suggest_theme(text) == key


@pytest.mark.parametrize(
    "terms",
    [
        dict(themes=(Term("a", "A", "def", "#000000"), Term("a", "B", "def", "#111111"))),
        dict(themes=(Term("a", "A", "def", "red"),)),
        dict(themes=(Term("a", "", "def", "#000000"),)),
        dict(themes=(Term("A b", "A", "def", "#000000"),)),
    ],
)
def test_bad_taxonomy_is_refused(terms):
    with pytest.raises(ValueError):
        Taxonomy(themes=terms["themes"], kinds=())
