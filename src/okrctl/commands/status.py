"""`okrctl status [SCOPE]`: every unit's scores, trends and forecasts as of a moment."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

from okrctl.core.scorecard import cascade_order, check_scope, evaluate
from okrctl.store.forks import elsewhere, split_off
from okrctl.store.snapshot import take_snapshot
from okrctl.store.workspace import Workspace
from okrctl.views.status import Scored, score_snapshot, units_json_text, units_json_texts


def status(
    repo: Workspace | Path | str | None = None,
    scope: str | None = None,
    *,
    at: str | None = None,
    as_of: date | None = None,
) -> Scored:
    """The cascade (or the units under `scope`) scored, with trends and forecasts from git."""
    with Workspace.of(repo).writing_beside() as workspace:  # (a fresh clone's caches)
        snapshot = take_snapshot(workspace, at=at, as_of=as_of, history_soon=True)
        scope = check_scope(snapshot.graph, scope)
        return score_snapshot(snapshot, scope, "trends and forecasts")


def status_json(
    repo: Workspace | Path | str | None = None,
    scope: str | None = None,
    *,
    at: str | None = None,
    as_of: date | None = None,
) -> tuple[Scored, Iterator[str]]:
    """`status --format json` piped: the scored snapshot (its card holds the units scored
    here, for the head and the exit code) and the units' JSON text, in order, in pieces to be
    joined by `, `. From `forks.WORTH_A_CHILD` units, where okrctl may fork, the last
    `forks.CHILD_SHARE` of them is scored and written by a forked child meanwhile: only text comes
    back (a warm `status` at 2,000 teams spends most of its time scoring and writing them).
    The text is the same either way."""
    with Workspace.of(repo).writing_beside() as workspace:
        snapshot = take_snapshot(workspace, at=at, as_of=as_of, history_soon=True)
        graph, period, moment = snapshot.graph, snapshot.period, snapshot.moment
        scope = check_scope(graph, scope)
        history = snapshot.read_history("trends and forecasts")
        mine, rest = split_off(cascade_order(graph, scope))
        theirs = None
        if rest:
            kept: list[object] = []

            def their_text() -> str:
                """In the child: its units' text. Their scores stay alive (`kept`) until it
                exits, which frees them at once: freed one by one they took 8 ms at 2,000
                teams, while this process waited."""
                card = evaluate(graph, period, moment, history=history, order=rest)
                kept.append(card)
                return units_json_text(card.units)

            theirs = elsewhere(
                their_text,
                pack=str.encode,
                unpack=bytes.decode,
                first_in_child=workspace.in_child,
            )
        card = evaluate(graph, period, moment, history=history, order=mine)

    def pieces() -> Iterator[str]:
        yield from units_json_texts(card.units)
        if theirs is not None:
            yield theirs()

    return Scored(card, snapshot), pieces()
