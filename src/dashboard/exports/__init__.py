"""Files that leave the app: CSV (formula-safe), JSON and GeoJSON of a view, and the briefing
(PNG slide and PDF)."""
