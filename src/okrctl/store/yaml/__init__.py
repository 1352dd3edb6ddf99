"""YAML, the one way goals files are read and written: C parser events with positions for
reads, ruamel.yaml's round-trip for edits, formatting and new files."""
