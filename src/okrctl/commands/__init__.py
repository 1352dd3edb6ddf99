"""What each command does, one module per command or family (docs/architecture.md): each takes a
`Workspace` (or a path, or None) and returns the typed result of `views/`, using the building
blocks of `store/` (disk, git, sources) and `render/` (text, pages, mail). The CLI parses,
calls one of these, prints, and exits."""
