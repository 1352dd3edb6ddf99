"""How results look: the terminal (rich), Markdown and HTML through Jinja, GitHub annotations."""
