"""Text from outside that reaches a terminal: a control character in a commit's author or
message (`\\e]0;…\\a` sets a window's title, `\\e]52;…` the clipboard, `\\e[8m` hides what
follows) is shown as what it is, never obeyed (docs/behaviour.md, "Text that reaches a
terminal")."""

from __future__ import annotations

import re

CONTROL_RANGES = ((0x00, 0x08), (0x0B, 0x1F), (0x7F, 0x9F))
"""Every control character but the line break and the tab: C0, DEL and C1."""


def control_class(prefix: str, digits: int) -> str:
    """The inside of a regular expression's character class that holds `CONTROL_RANGES`, each
    code written as `prefix` and `digits` hex digits (Python's `\\x1b`, JSON Schema's
    `\\u001b`)."""

    def code(number: int) -> str:
        return f"{prefix}{number:0{digits}x}"

    return "".join(f"{code(low)}-{code(high)}" for low, high in CONTROL_RANGES)


_CONTROL = re.compile("[" + control_class("\\x", 2) + "]")


def _picture(found: re.Match[str]) -> str:
    code = ord(found.group())
    if code < 0x20:
        return chr(0x2400 + code)  # ␛ for an escape, ␇ for a bell
    return "\u2421" if code == 0x7F else "\ufffd"  # ␡; a C1 control has no picture


def visible(text: str) -> str:
    """`text` with each control character but the line break and the tab as its picture."""
    return _CONTROL.sub(_picture, text) if _CONTROL.search(text) else text


def has_control(text: str) -> bool:
    """Whether `text` holds a control character other than the line break and the tab."""
    return _CONTROL.search(text) is not None


def visible_line(text: str) -> str:
    """`text` as one line that shows what it holds: its control characters and its line
    breaks as their pictures (a YAML key `"a\\n::error::…"`, quoted in a finding, would start
    a line that GitHub Actions runs as a workflow command)."""
    return visible(text).replace("\n", "\u240a")
