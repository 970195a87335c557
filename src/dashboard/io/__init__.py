"""Files coming in and the analysts' store: reading tables and report texts in the formats and
encodings analysts' tools write, matching their columns, planning and committing imports, and
the SQLite store of imports and saved views."""
