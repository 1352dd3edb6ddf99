"""`okrctl checkin --from-event FILE`: a check-in made in the browser, through the
repository's own host (docs/checkin.md). A workflow hands okrctl the event that started it (an
issue opened from the check-in form, or the "Run workflow" button's inputs); okrctl checks who
may check in, writes the check-in as the issue's author, and writes a Markdown reply the
workflow posts. okrctl itself makes no call to the host."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from okrctl.core.graph import Graph, build_graph
from okrctl.core.ownership import answerable
from okrctl.model.errors import OkrctlError, UsageError
from okrctl.model.goals import Kind
from okrctl.render.textformat import score_text, values_in_unit, words
from okrctl.store.bounded import read_bounded
from okrctl.store.load import load_repo
from okrctl.store.revisions import TAG_PREFIX, is_closed
from okrctl.store.workspace import Workspace

MAX_EVENT_BYTES = 1 << 20
"""An event payload is a few kilobytes; a larger file is not one."""
ALLOWED = {"OWNER", "MEMBER", "COLLABORATOR"}
"""An issue author's `author_association` that may check in."""
FORM = {"key result or kpi": "ref", "value": "value", "confidence": "confidence", "note": "note"}
"""The check-in form's field labels (`.github/ISSUE_TEMPLATE/okr-checkin.yml`), lower case."""
NO_RESPONSE = "_No response_"


class Refused(OkrctlError):
    """A check-in the event may not make: the reply says why, nothing is written."""


@dataclass(frozen=True, slots=True)
class Request:
    """A check-in as the event asks for it."""

    ref: str
    value: str
    confidence: str | None
    note: str | None
    login: str
    user_id: int | None
    association: str | None
    """None for the "Run workflow" button: whoever can press it can write to the repository."""
    source: str
    """Where the request came from, for the commit message (the issue's address)."""


@dataclass(frozen=True, slots=True)
class EventResult:
    ok: bool
    reply: str
    """Markdown for the issue."""
    commit: str | None = None


def read_request(path: Path) -> Request:
    """The check-in an event file asks for; a file that is not one is `Refused`."""
    try:
        raw = read_bounded(path, MAX_EVENT_BYTES, "event")
    except UsageError as error:
        raise Refused(str(error)) from None
    try:
        event = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise Refused(f"the event {path} is not JSON") from None
    if not isinstance(event, dict):
        raise Refused(f"the event {path} is not a JSON object")
    if isinstance(event.get("issue"), dict):
        issue = event["issue"]
        fields = form_fields(str(issue.get("body") or ""))
        user = issue.get("user") or {}
        association = str(issue.get("author_association") or "NONE")
        source = str(issue.get("html_url") or f"issue #{issue.get('number')}")
    elif isinstance(event.get("inputs"), dict):
        fields = {k: str(v).strip() for k, v in event["inputs"].items() if v is not None}
        user = event.get("sender") or {}
        association = None
        source = "the check-in workflow"
    else:
        raise Refused("the event is neither an issue nor a workflow run with inputs")
    ref, value = fields.get("ref", "").strip(), fields.get("value", "").strip()
    if not ref or not value:
        raise Refused("the check-in needs a key result (or KPI) and a value")
    login = str(user.get("login") or "")
    if not login:
        raise Refused("the event names no author")
    user_id = user.get("id") if isinstance(user.get("id"), int) else None
    return Request(
        ref,
        value,
        fields.get("confidence") or None,
        fields.get("note") or None,
        login,
        user_id,
        association,
        source,
    )


def form_fields(body: str) -> dict[str, str]:
    """The fields of an issue written from an issue form: `### Label`, a blank line, the
    answer (`_No response_` for none)."""
    found: dict[str, str] = {}
    label: str | None = None
    lines: list[str] = []
    for line in [*body.replace("\r\n", "\n").split("\n"), "### "]:
        if line.startswith("### "):
            if label is not None and label in FORM:
                answer = "\n".join(lines).strip()
                found[FORM[label]] = "" if answer == NO_RESPONSE else answer
            label, lines = line[4:].strip().lower(), []
        else:
            lines.append(line)
    return found


def checkin_from_event(repo: Workspace | Path | str | None, path: Path) -> EventResult:
    """Check the event's request in, as its author; a refusal is a reply, not a traceback."""
    from okrctl.commands.checkin import checkin

    try:
        request = read_request(path)
        workspace = Workspace.of(repo)
        repository = load_repo(workspace)  # `checkin` reads the goals again, under the lock
        _authorize(build_graph(repository), request)
        period = repository.config.config.period
        if is_closed(workspace, period):  # its grades are in the tag: a check-in would move one
            raise Refused(
                f"{period} is closed ({TAG_PREFIX}{period}): start the next period first"
            )
        done = checkin(
            workspace,
            request.ref,
            request.value,
            confidence=request.confidence,
            note=_note(request),
            author=_author(request),
        )
    except OkrctlError as error:
        return EventResult(False, f"Could not check in: {error}\n\nNothing was written.\n")
    old, new = values_in_unit([done.old, done.new], done.unit)
    reply = _reply(workspace, done.ref, old, new, done.commit)
    return EventResult(True, reply, done.commit)


def _authorize(graph: Graph, request: Request) -> None:
    if request.association is not None and request.association not in ALLOWED:
        raise Refused(
            f"@{request.login} is not a member or collaborator of this repository "
            f"({request.association.lower()}): ask one to check in"
        )
    logins = {
        (unit.unit.github or "").lower(): unit_id
        for unit_id, unit in graph.units.items()
        if unit.unit.kind is Kind.PERSON and unit.unit.github
    }
    if not logins:
        return  # no person file names a login: every member may check in
    person = logins.get(request.login.lower())
    if person is None:
        raise Refused(
            f"@{request.login} is no person file's `github:`: only the number's owner or a "
            "lead above it may check it in"
        )
    allowed = answerable(graph, request.ref)
    if person not in allowed:
        raise Refused(
            f"@{request.login} ({person}) is not {request.ref}'s owner or a lead above it "
            f"({', '.join(sorted(a for a in allowed if a))})"
        )


def _author(request: Request) -> str:
    """The issue's author as git's author: the address GitHub keeps private for them."""
    local = f"{request.user_id}+{request.login}" if request.user_id else request.login
    return f"{request.login} <{local}@users.noreply.github.com>"


def _note(request: Request) -> str:
    note = (request.note or "").strip()
    origin = f"From {request.source} by @{request.login}."
    return f"{note}\n\n{origin}" if note else origin


def _reply(workspace: Workspace, ref: str, old: str, new: str, commit: str | None) -> str:
    """What the issue is told: the new value, the score and status it gives, and the commit
    (a link when the workflow's environment names the repository)."""
    import os

    from okrctl.core.scorecard import evaluate
    from okrctl.store.snapshot import take_snapshot

    snapshot = take_snapshot(workspace)
    card = evaluate(snapshot.graph, snapshot.period, snapshot.moment)
    lines = [f"Checked in **{ref}**: {old} → {new}."]
    scored = card.key_results.get(ref)
    if scored is not None:
        lines.append(f"Score {score_text(scored.score)}, {words(scored.status)}.")
    kpi = card.kpis.get(ref)
    if kpi is not None:
        lines.append(f"Health: {words(kpi.health)}.")
    if commit:
        server, repository = (
            os.environ.get("GITHUB_SERVER_URL"),
            os.environ.get("GITHUB_REPOSITORY"),
        )
        short = commit[:10]
        link = (
            f"[{short}]({server}/{repository}/commit/{commit})" if server and repository else short
        )
        lines.append(f"Commit {link}.")
    return " ".join(lines) + "\n"
