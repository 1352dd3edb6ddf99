"""Where `measure:` blocks read their numbers (SQL, CSV, JSON over HTTP), bounded in size and
time, read-only."""
