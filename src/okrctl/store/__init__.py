"""The only door to disk and git: YAML with positions, the parse cache, history and its index,
check-in write-back, commits and tags, all through a `Workspace` opened once per command."""
