"""`okrctl checkin` with no ref: a guided round over "my" numbers (docs/commands.md, "A
guided check-in"). Who I am comes from `--as PERSON` or `git config user.email` matched to a
person file's `email:` or `emails:` in okrctl.yaml; my numbers are the key results and KPIs I
answer for (docs/behaviour.md, "Who owns a number"), stalest first. This module finds the
numbers and writes the round as one commit; `render/round_prompts.py` asks the questions (each
`Due` previews its new score)."""

from __future__ import annotations

from pathlib import Path

from okrctl.commands.checkin import refuse_trailers, same_value
from okrctl.core import score as arithmetic
from okrctl.core.graph import Graph
from okrctl.core.ownership import addresses, handles_at, key_result_owner, kpi_owner
from okrctl.core.staleness import silence_at
from okrctl.model.errors import UsageError
from okrctl.render.textformat import format_value
from okrctl.store.checkin import TRAILER, NewValue, checkin_batch
from okrctl.store.git import process as git_process
from okrctl.store.snapshot import take_snapshot
from okrctl.store.workspace import Workspace
from okrctl.store.yaml.splice import parse_confidence, parse_value
from okrctl.views.checkin_round import Answer, Due, Round


def whoami(graph: Graph, emails: dict[str, str], top: Path | None, person: str | None) -> str:
    """`person` when given (a handle the goals know), else the one whose address is
    `git config user.email`."""
    known = addresses(graph, emails)
    if person is not None:
        if person not in known:
            raise UsageError(f"no person {person!r} in the goals: --as takes a handle")
        return person
    address = ""
    if top is not None:
        address = git_process.config_value(top, "user.email")
    matches = handles_at(known, address)
    if len(matches) == 1:
        return matches[0]
    found = f"git config user.email is {address!r}" if address else "git has no user.email"
    raise UsageError(
        f"who is checking in? {found}, which no person file's `email:` nor `emails:` in "
        "okrctl.yaml names; run `okrctl checkin --as HANDLE`"
    )


def open_round(repo: Workspace | Path | str | None, person: str | None = None) -> Round:
    """My numbers, stalest first (never checked in before anything), each with its value, last
    check-in, confidence and score. Derived numbers are left out: their sources are asked."""
    snapshot = take_snapshot(repo)
    graph = snapshot.graph
    config = snapshot.repository.config.config
    me = whoami(graph, config.emails, snapshot.workspace.top, person)
    history = snapshot.read_history("the days since each check-in")
    card_moment = snapshot.moment.instant
    due: list[Due] = []
    for kr in graph.key_results.values():
        model = kr.key_result
        if key_result_owner(kr) != me or model.derived_from is not None:
            continue
        value = model.done if model.milestone else model.current
        due.append(
            Due(kr.ref, model.title, "key result", model.unit, model.milestone, value,
                model.confidence, None, None, arithmetic.key_result_score(model), kr)
        )  # fmt: skip
    for kpi in graph.kpis.values():
        if kpi_owner(kpi) != me or kpi.kpi.derived_from is not None:
            continue
        due.append(
            Due(kpi.ref, kpi.kpi.title, "KPI", kpi.kpi.unit, False, kpi.kpi.current, None,
                None, None, None, kpi)
        )  # fmt: skip
    if history is not None:
        for item in due:
            quiet = silence_at(history, item.ref, card_moment, snapshot.period)
            if quiet is not None:
                seen = quiet.last_seen(snapshot.moment.as_of)
                item.last, item.days_quiet = (
                    (None, quiet.day_count) if seen is None else (seen.day, seen.days_ago)
                )
    due.sort(key=lambda d: (-(d.days_quiet if d.days_quiet is not None else 10**6), d.ref))
    return Round(me, due)


def submit(repo: Workspace | Path | str | None, round_: Round, answers: list[Answer]) -> Round:
    """Every answer with a value, written as `checkin` writes one (same splice, validation and
    lock), in one commit with an `Okr-Checkin` trailer per ref; nothing when none has one."""
    by_ref = {item.ref: item for item in round_.due}
    values: list[NewValue] = []
    lines: list[str] = []
    for answer in answers:
        if answer.value is None:
            continue
        item = by_ref[answer.ref]
        refuse_trailers(answer.note)
        _, new = parse_value(answer.value, milestone=item.milestone, unit=item.node.model.unit)
        same = same_value(item.value, new)  # (46800 typed `46,800.0`: a confirmation)
        new = item.value if same else new
        confidence = None
        if answer.confidence is not None:
            if item.kind == "KPI":
                raise UsageError(f"{item.ref}: KPIs carry no confidence")
            _, confidence = parse_confidence(answer.confidence)
        values.append(NewValue(item.ref, new, confidence))
        line = f"{item.ref}: " + (
            f"{format_value(new)} (unchanged)"
            if same
            else f"{format_value(item.value)} → {format_value(new)}"
        )
        if confidence is not None and confidence != item.confidence:
            line += f", confidence {format_value(item.confidence)} → {format_value(confidence)}"
        if answer.note and answer.note.strip():
            line += f" — {' '.join(answer.note.split())}"
        lines.append(line)
    if not values:
        return round_
    count = f"{len(values)} value{'s' if len(values) != 1 else ''}"
    message = (
        f"checkin: {count} by {round_.person}\n\n"
        + "\n".join(lines)
        + "\n\n"
        + "\n".join(f"{TRAILER}: {v.ref}" for v in values)
        + "\n"
    )
    round_.commit = checkin_batch(repo, values, message)
    round_.checked_in = [v.ref for v in values]
    return round_
