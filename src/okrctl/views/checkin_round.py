"""A guided check-in round as data: my numbers as the round shows them, what someone answered,
and what was written (`commands/checkin_round.py` makes it, `render/round_prompts.py` asks)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from okrctl.core import score as arithmetic
from okrctl.core.graph import KeyResultNode, KpiNode
from okrctl.core.slips import Slip, slip_of
from okrctl.store.yaml.splice import parse_value


@dataclass(slots=True)
class Due:
    """One of my numbers, as the round shows it before asking."""

    ref: str
    title: str
    kind: str
    """`key result` or `KPI`."""
    unit: str | None
    milestone: bool
    value: Any
    confidence: float | None
    last: date | None
    """The day of its last check-in (None: never, or no git history)."""
    days_quiet: int | None
    """Days since `last` on the calendar; never checked in, the days since it could have been
    (None: no git history). The round asks the quietest first."""
    score: float | None
    """A key result's score now; None for a KPI."""
    node: KeyResultNode | KpiNode = field(repr=False)

    def preview(self, value_text: str) -> tuple[Any, float | None]:
        """The value typed, read as `checkin REF VALUE` reads it (a `UsageError` if it is not
        one), and the score it would give."""
        _, value = parse_value(value_text, milestone=self.milestone, unit=self.node.model.unit)
        if not isinstance(self.node, KeyResultNode):
            return value, None
        key = "done" if self.milestone else "current"
        changed = self.node.key_result.model_copy(update={key: value})
        return value, arithmetic.key_result_score(changed)

    def slip(self, value: Any) -> Slip | None:
        """Whether `value` (as `preview` read it) looks like a slip of the hand or the unit."""
        return slip_of(self.node.model, value)


@dataclass(frozen=True, slots=True)
class Answer:
    """What someone said about one number: a value (None keeps it: no check-in), a
    confidence, a note."""

    ref: str
    value: str | None = None
    confidence: str | None = None
    note: str | None = None


@dataclass(slots=True)
class Round:
    person: str
    due: list[Due]
    commit: str | None = None
    checked_in: list[str] = field(default_factory=list)
