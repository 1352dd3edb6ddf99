"""`okrctl status [SCOPE]`: every unit's scores, trends and forecasts as of a moment."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from datetime import date
from pathlib import Path

from okrctl.core.scorecard import Scoring, cascade_order, check_scope
from okrctl.store.forks import FromBothEnds, elsewhere, processes_for
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


STRETCH = 16
"""Units `status --format json` scores and writes at a time, at most, of those shared out with
a child (`status_json`): small enough that the two processes end within a few milliseconds of
each other, large enough that taking the next stretch costs nothing to speak of; a fiftieth
of the units where that is fewer."""


def status_json(
    repo: Workspace | Path | str | None = None,
    scope: str | None = None,
    *,
    at: str | None = None,
    as_of: date | None = None,
) -> tuple[Scored, Iterator[str]]:
    """`status --format json` piped: the scored snapshot (its card holds no units: they are
    scored as their text is made) and the units' JSON text, in order, in pieces to be joined
    by `, `. From `forks.WORTH_A_CHILD` units, where okrctl may fork, they are shared out in
    stretches of `STRETCH` with a forked child: this process scores and writes them from the
    first on as the pieces are taken, the child from the last back, until the two meet
    (`forks.FromBothEnds`; only its text comes back). A warm `status` at 2,000 teams spends
    most of its time scoring and writing them. The text is the same either way. The command's
    cache writes are waited for once the last piece is taken."""
    finishing = ExitStack()
    workspace = finishing.enter_context(Workspace.of(repo).writing_beside())
    try:
        snapshot = take_snapshot(workspace, at=at, as_of=as_of, history_soon=True)
        graph = snapshot.graph
        scope = check_scope(graph, scope)
        history = snapshot.read_history("trends and forecasts")
        scoring = Scoring(graph, snapshot.period, snapshot.moment, history)
        order = cascade_order(graph, scope)
        size = max(1, min(STRETCH, len(order) // 50))
        stretches = [order[start : start + size] for start in range(0, len(order), size)]
        share = FromBothEnds(len(stretches), with_child=processes_for(len(order)) > 1)
        kept: list[object] = []

        def text_of(stretch: int) -> bytes:
            """A stretch's text, as UTF-8: each made so as it is written, not all of the
            child's at its end, while this process waited (4 ms at 2,000 teams). Its scores
            stay alive (`kept`): in the child, until it exits, which frees them at once (freed
            one by one they took 8 ms)."""
            card = scoring.card(stretches[stretch])
            kept.append(card)
            return units_json_text(card.units).encode()

        def their_text() -> bytes:
            return b", ".join(reversed([text_of(stretch) for stretch in share.last_to_first()]))

        theirs = None
        if share.shared:
            theirs = elsewhere(
                their_text,
                pack=bytes,
                unpack=bytes,
                first_in_child=workspace.in_child,
                here=lambda: b", ".join(text_of(stretch) for stretch in share.theirs()),
            )
    except BaseException:
        finishing.close()
        raise

    def pieces() -> Iterator[str]:
        with finishing:
            for stretch in share.first_to_last():
                card = scoring.card(stretches[stretch])
                yield from units_json_texts(card.units)
            if theirs is not None:
                text = theirs()
                if text:
                    yield text.decode()

    return Scored(scoring.card([]), snapshot), pieces()
