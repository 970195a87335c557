"""What a page shows, computed without Streamlit: the view (filters and the findings they pass),
the sidebar's labels and counts, the table and matrix, cards, the report with its highlights, the
map figure, and the one function that makes dynamic text inert (``inert``)."""
