"""Text that cannot act on the reader: the one way dynamic text reaches Markdown or HTML.

Anything that comes from a link, an imported file, a report's metadata or a finding is data, not
markup. Streamlit renders the body of ``st.markdown``, ``st.caption``, alerts, headings, widget
labels and help texts as Markdown (with links, images, ``$...$`` LaTeX, ``:red[...]`` colours,
``:material/...:`` icons and bare ``http://`` autolinks), and ``st.html`` as HTML. So:

- :func:`inert` escapes every character Markdown could read as syntax and makes control and
  bidirectional-override characters visible (``⟨U+202E⟩``), so ``[Log in](http://evil)``
  shows as those characters and a right-to-left override cannot reorder what is around it;
- escaping alone does not stop Streamlit's Markdown from turning ``http://...``, ``www....``
  and ``name@host`` into links (its autolinker reads the text after escapes), so :func:`inert`
  also puts an invisible WORD JOINER (U+2060) inside each ``://``, after ``www`` and before
  ``@``: the characters shown are the same, and no autolink is made;
- :func:`inert_html` does the same for HTML (``html.escape`` after making controls visible).

``tests/test_inert.py`` pushes a payload corpus through both, and an AST check fails when a
page or ``ui`` module hands dynamic text to a Markdown or HTML call without one of them.
"""

from __future__ import annotations

import html
import re
import unicodedata

#: Characters that Markdown (CommonMark, GFM, and Streamlit's own directives) can read as syntax.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>$~:&\"'=^%@/])")
#: Where an autolinker would start a link: a scheme's "://", "www.", and the "@" of an address.
_AUTOLINK = re.compile(r"(?<=:)(?=//)|(?<=www)(?=\.)|(?=@)", re.IGNORECASE)
WORD_JOINER = "\u2060"
#: The longest text shown whole; longer text ends in "…" (the full text stays in the data).
DEFAULT_LIMIT = 2_000


def _is_control(char: str) -> bool:
    if char in " ":
        return False
    category = unicodedata.category(char)
    # Cc: C0/C1 controls (tab, newline, NUL, ...); Cf: format characters, among them the bidi
    # embeddings, overrides and isolates and zero-width joiners; Zl/Zp: line and paragraph
    # separators; Co/Cs/Cn: private use, lone surrogates, unassigned.
    return category in ("Cc", "Cf", "Zl", "Zp", "Co", "Cs", "Cn")


def visible_controls(text: str) -> str:
    """*text* with every control, format or bidi character replaced by a visible ``⟨U+XXXX⟩``.

    >>> visible_controls("abc\\u202edef\\tx")
    'abc⟨U+202E⟩def⟨U+0009⟩x'
    """
    if text.isprintable():
        return text
    return "".join(f"⟨U+{ord(c):04X}⟩" if _is_control(c) else c for c in text)


def shorten(text: str, limit: int | None) -> str:
    if limit is not None and len(text) > limit:
        return text[: limit - 1] + "…"
    return text


def inert(value: object, *, limit: int | None = DEFAULT_LIMIT) -> str:
    """*value* as text that Markdown shows exactly as it is, never as a link, image or markup.

    >>> inert("[Log in](http://evil.example)").replace(WORD_JOINER, "+")
    '\\\\[Log in\\\\]\\\\(http\\\\:+\\\\/\\\\/evil\\\\.example\\\\)'
    >>> inert("$x$ <b>")
    '\\\\$x\\\\$ \\\\<b\\\\>'
    """
    text = shorten(visible_controls("" if value is None else str(value)), limit)
    return _MARKDOWN_SPECIAL.sub(r"\\\1", _AUTOLINK.sub(WORD_JOINER, text))


def inert_html(value: object, *, limit: int | None = None) -> str:
    """*value* escaped for HTML (quotes too), with controls made visible.

    >>> inert_html('<img src=x onerror="alert(1)">')
    '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;'
    """
    text = shorten(visible_controls("" if value is None else str(value)), limit)
    return html.escape(text, quote=True)
