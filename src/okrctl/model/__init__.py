"""The model: goals, configuration, findings, history records and errors as plain data.

No I/O, no git, no YAML: every other layer builds on these types."""
