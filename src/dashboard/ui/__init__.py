"""The Streamlit layer: the only part of the package that imports Streamlit. It places widgets;
what they show is computed in :mod:`dashboard.views`.

- :mod:`~dashboard.ui.pages`: the one list of pages;
- :mod:`~dashboard.ui.state`: every session-state key, and one-shot messages;
- :mod:`~dashboard.ui.data`: cached loading (corpus, store, index, map geometry and figures);
- :mod:`~dashboard.ui.frame`: the shared frame every page starts with (link in and out);
- :mod:`~dashboard.ui.sidebar`, :mod:`~dashboard.ui.filter_widgets`,
  :mod:`~dashboard.ui.saved_views`: the shared sidebar;
- :mod:`~dashboard.ui.actions`: running an action on the store with its message;
- one module per page for that page's callbacks: ``explorer``, ``table``, ``reader``,
  ``briefing``, ``imports``.

Pages import what they use from these modules; the few names below are the ones every page
needs.
"""

from dashboard.ui.data import store
from dashboard.ui.frame import frame
from dashboard.ui.state import show_message

__all__ = ["frame", "show_message", "store"]
