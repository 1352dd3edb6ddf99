"""`okrctl lsp` driven by a real LSP client over stdio (pytest-lsp): diagnostics that appear,
change and clear as buffers are edited (across files, unsaved), completion, hover, definition,
references, the quick fixes, formatting; and nothing written to disk."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from gitrepo import GitRepo

CONFIG = "company: Acme\nperiod: 2026-Q4\nstale_after_days: 365\n"
COMPANY = """\
kind: company
id: acme
mission: Make saving easy.
objectives:
  - id: grow
    title: Grow deposits
    why: Deposits fund plans.
    key_results:
      - id: deposits
        title: Deposits from 10 to 20
        baseline: 10
        target: 20
        current: 15
        source: finance
"""
TEAM = """\
kind: team
parent: acme
lead: tom
objectives:
  - id: funding
    title: Effortless funding
    why: Funding is where people drop off.
    aligns_to: [acme/grwo]
    key_results:
      - id: rate
        title: Funded rate from 30% to 50%
        unit: '%'
        baseline: 30
        target: 50
        current: 40
        source: funnel
"""

pytestmark = [pytest.mark.slow]


@pytest.fixture
def goals(tmp_path):
    repo = GitRepo(tmp_path / "okrs")
    repo.commit(
        {"okrctl.yaml": CONFIG, "goals/company.yaml": COMPANY, "goals/teams/signups.yaml": TEAM},
        "2026-10-01",
    )
    return repo.root


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[sys.executable, "-m", "okrctl", "lsp", "--stdio"])
)
async def client(lsp_client: LanguageClient):
    await lsp_client.initialize_session(
        types.InitializeParams(capabilities=types.ClientCapabilities())
    )
    yield
    await lsp_client.shutdown_session()


def uri(path: Path) -> str:
    return path.resolve().as_uri()


def open_file(client: LanguageClient, path: Path, text: str | None = None) -> None:
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            types.TextDocumentItem(
                uri=uri(path), language_id="yaml", version=1, text=text or path.read_text()
            )
        )
    )


def change(client: LanguageClient, path: Path, text: str, version: int) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri(path), version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


async def complete(client: LanguageClient, path: Path, line: int, character: int) -> list:
    """The completion items offered at `line`, `character` (0-based) of `path`'s buffer."""
    listed = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri(path)),
            position=types.Position(line=line, character=character),
        )
    )
    return list(listed.items)


async def diagnostics(client: LanguageClient, path: Path, until) -> list[types.Diagnostic]:
    """The file's diagnostics once `until(codes)` holds (they come after a short debounce)."""
    for _ in range(100):
        found = client.diagnostics.get(uri(path))
        if found is not None and until([d.code for d in found]):
            return list(found)
        await asyncio.sleep(0.1)
    raise AssertionError(f"never: {client.diagnostics.get(uri(path))}")


@pytest.mark.asyncio
async def test_diagnostics_appear_fix_and_clear_across_unsaved_buffers(client, goals):
    team, company = goals / "goals/teams/signups.yaml", goals / "goals/company.yaml"
    open_file(client, team)
    found = await diagnostics(client, team, lambda codes: "unknown-ref" in codes)
    [typo] = [d for d in found if d.code == "unknown-ref"]
    assert typo.range == types.Range(
        types.Position(line=7, character=16), types.Position(line=7, character=25)
    )  # acme/grwo
    assert typo.message == (
        "`acme/grwo` names no objective, key result or KPI (did you mean `acme/grow`?)"
    )
    assert typo.severity == types.DiagnosticSeverity.Error
    assert typo.code_description.href.endswith("docs/rules.md#unknown-ref")
    # the quick fix: the suggestion `check` gives, as an edit
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri(team)), range=typo.range,
            context=types.CodeActionContext(diagnostics=[typo]),
        )
    )  # fmt: skip
    [fix] = actions
    assert fix.title == "Replace `acme/grwo` with `acme/grow`"
    assert fix.edit.changes[uri(team)][0].new_text == "acme/grow"
    # the other door: an unsaved edit of the company file names `grwo`, and the team's clears
    open_file(client, company)
    change(client, company, COMPANY.replace("id: grow", "id: grwo"), 2)
    await diagnostics(client, team, lambda codes: "unknown-ref" not in codes)
    assert company.read_text() == COMPANY  # never saved, never written
    assert not (goals / ".git/okrctl").exists()  # and no cache written


@pytest.mark.asyncio
async def test_completion_hover_definition_and_references(client, goals):
    team, company = goals / "goals/teams/signups.yaml", goals / "goals/company.yaml"
    fixed = TEAM.replace("acme/grwo", "acme/grow")
    open_file(client, team, fixed)
    await diagnostics(client, team, lambda codes: "unknown-ref" not in codes)
    listed = await complete(client, team, 7, 16)
    items = {item.label: item.detail for item in listed}
    assert items["acme/grow"] == "Grow deposits · score 0.50"  # (15 - 10) / (20 - 10)
    assert items["acme/grow/deposits"] == "Deposits from 10 to 20 · score 0.50"
    assert items["mission"] == "the company's mission"
    parents = await complete(client, team, 1, 8)
    assert [item.label for item in parents] == ["acme", "signups"]
    shown = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri(team)),
            position=types.Position(line=9, character=12),
        )
    )  # on `- id: rate`
    ago = (datetime.now(UTC).date() - date(2026, 10, 1)).days  # (calendar days, as `show`)
    assert shown.contents.value.split("\n\n") == [
        "**signups/funding/rate** · key result",
        "Funded rate from 30% to 50%",
        # (40 - 30) / (50 - 30) = 0.5
        "score 0.50 · on track · 40% (30 → 50%) · owner tom · last check-in 2026-10-01"
        f" ({ago} days ago)",
        "Why: `signups/funding` (Effortless funding): Funding is where people drop off. → "
        "`acme/grow` (Grow deposits): Deposits fund plans. → `mission` (Make saving easy.)",
    ]
    jump = await client.text_document_definition_async(
        types.DefinitionParams(
            text_document=types.TextDocumentIdentifier(uri=uri(team)),
            position=types.Position(line=7, character=20),
        )
    )
    assert jump.uri == uri(company) and jump.range.start == types.Position(
        line=4, character=4
    )  # - id: grow
    backers = await client.text_document_references_async(
        types.ReferenceParams(
            text_document=types.TextDocumentIdentifier(uri=uri(company)),
            position=types.Position(line=4, character=10),
            context=types.ReferenceContext(include_declaration=False),
        )
    )  # fmt: skip
    assert [(b.uri, b.range.start.line) for b in backers] == [(uri(team), 7)]


@pytest.mark.asyncio
async def test_a_why_stub_and_formatting(client, goals):
    team = goals / "goals/teams/signups.yaml"
    no_why = TEAM.replace("acme/grwo", "acme/grow").replace(
        "    why: Funding is where people drop off.\n", ""
    )
    open_file(client, team, no_why)
    found = await diagnostics(client, team, lambda codes: "missing-why" in codes)
    [missing] = [d for d in found if d.code == "missing-why"]
    [stub] = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri(team)), range=missing.range,
            context=types.CodeActionContext(diagnostics=[missing]),
        )
    )  # fmt: skip
    [edit] = stub.edit.changes[uri(team)]
    assert edit.range.start == types.Position(line=6, character=0)  # under `title: Effortless …`
    assert edit.new_text == "    why: TODO say why this matters, and to whom\n"
    messy = no_why.replace("kind: team\nparent: acme\n", "parent: acme\nkind: team\n")
    change(client, team, messy, 2)
    edits = await client.text_document_formatting_async(
        types.DocumentFormattingParams(
            text_document=types.TextDocumentIdentifier(uri=uri(team)),
            options=types.FormattingOptions(tab_size=2, insert_spaces=True),
        )
    )
    assert edits[0].new_text.startswith("kind: team\nparent: acme\n")


def test_the_hover_of_a_derived_number_tells_its_sources_last_check_in(quarter):
    """A number taken `from:` others is never checked in itself: its hover said "never checked
    in" where `show` gives its source's last check-in; it says what `show` says."""
    from datetime import date

    from okrctl.render.editor import hover_markdown
    from okrctl.store.history import read_history
    from okrctl.store.workspace import Workspace
    from okrctl.views import editor

    workspace = Workspace(quarter.resolve(), read_only=True)
    analysis = editor.analyse(workspace, {}, read_history(workspace, "goals"))
    hover = hover_markdown(analysis, "harbor/healthy-margin/cost-per-account")
    assert hover is not None
    ago = (date.today() - date(2026, 11, 3)).days
    assert (
        f" · last check-in 2026-11-03 ({ago} days ago), of its source "
        "platform/cheaper-infrastructure/infra-cost\n"
    ) in hover
    plain = hover_markdown(analysis, "platform/cheaper-infrastructure/infra-cost")
    assert plain is not None and f"last check-in 2026-11-03 ({ago} days ago)\n" in plain


def test_a_unit_whose_id_is_being_renamed_keeps_its_numbers_history(quarter):
    """Typing a new `id:` into a unit file took its numbers' history away as it was typed: the
    hover lost its last check-in and `stale` fell silent on numbers a month quiet."""
    from datetime import date

    from okrctl.render.editor import hover_markdown
    from okrctl.store.history import read_history
    from okrctl.store.workspace import Workspace
    from okrctl.views import editor

    workspace = Workspace(quarter.resolve(), read_only=True)
    path = quarter / "goals" / "teams" / "platform.yaml"
    renamed = path.read_bytes().replace(b"\nid: platform\n", b"\nid: infra\n")
    analysis = editor.analyse(workspace, {path: renamed}, read_history(workspace, "goals"))
    hover = hover_markdown(analysis, "infra/cheaper-infrastructure/infra-cost")
    ago = (date.today() - date(2026, 11, 3)).days
    assert hover is not None and f"last check-in 2026-11-03 ({ago} days ago)\n" in hover
    stale = [f.ref for f in analysis.findings if f.rule == "stale"]
    assert "infra/on-call-skills/game-days" in stale


def test_no_half_typed_file_breaks_the_analysis(tmp_path):
    """Every line-prefix of every demo file, and every character-prefix of a company, a team and
    a person file, as an unsaved buffer: the analysis answers (findings, hover, completion),
    never raises, writes nothing."""
    from conftest import PROJECT_ROOT, copy_demo
    from okrctl.render.editor import hover_markdown
    from okrctl.store.workspace import Workspace
    from okrctl.views import editor
    from okrctl.views.words import word_at

    root = copy_demo(tmp_path / "demo")
    GitRepo(root).commit({}, "2026-10-01", "demo")
    workspace = Workspace(root.resolve(), read_only=True)
    files = sorted((root / "goals").rglob("*.yaml"))
    assert len(files) >= 10
    checked = 0
    for path in files:
        text = path.read_text()
        cuts = {len("\n".join(text.split("\n")[:n])) for n in range(len(text.split("\n")) + 1)}
        if path.name in ("company.yaml", "signups.yaml", "sam.yaml"):  # one of each kind
            cuts |= set(range(len(text) + 1))
        for cut in sorted(cuts):
            buffer = text[:cut]
            analysis = editor.analyse(workspace, {path.resolve(): buffer.encode()}, None)
            lines = buffer.split("\n")
            editor.completions(analysis, editor.field_being_typed(lines, len(lines) - 1))
            word = word_at(lines[-1], len(lines[-1]))
            if word is not None:
                hover_markdown(analysis, word[0])
            checked += 1
    assert checked > 5500  # 5,512 characters, and every line of the other files
    assert not (root / ".git/okrctl").exists()
    assert (PROJECT_ROOT / "goals/teams/signups.yaml").read_text() == (
        root / "goals/teams/signups.yaml"
    ).read_text()  # the files on disk are as they were


@pytest.mark.asyncio
async def test_a_clean_file_gets_an_empty_list(client, goals):
    """An opened file with nothing to say gets its (empty) diagnostics too: editors clear what
    they showed, and know the server has looked."""
    team, company = goals / "goals/teams/signups.yaml", goals / "goals/company.yaml"
    open_file(client, team, TEAM.replace("acme/grwo", "acme/grow"))  # now grow is supported
    open_file(client, company)
    assert await diagnostics(client, company, lambda codes: not codes) == []
    assert await diagnostics(client, team, lambda codes: not codes) == []


@pytest.mark.asyncio
async def test_choices_and_workspace_symbols(client, goals):
    team = goals / "goals/teams/signups.yaml"
    typed = TEAM.replace("    why: Funding", "    type: \n    why: Funding")
    open_file(client, team, typed)
    await diagnostics(client, team, lambda codes: True)
    listed = await complete(client, team, 6, 10)  # on `type: `
    assert [item.label for item in listed] == ["committed", "aspirational"]
    change(client, team, typed.replace("type: ", "type: committed"), 2)  # chosen: valid again
    await diagnostics(client, team, lambda codes: "schema" not in codes)
    found = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="fund"))
    assert [(s.name, s.container_name) for s in found] == [
        ("signups/funding", "Effortless funding"),
        ("signups/funding/rate", "Funded rate from 30% to 50%"),
    ]
    assert found[0].location.range.start == types.Position(line=4, character=4)


@pytest.mark.asyncio
async def test_field_names_with_what_they_mean(client, goals):
    """On a line with no `:` yet: the fields of the mapping the cursor is in, less those it
    has, each with its description (from the model `check` validates with)."""
    team = goals / "goals/teams/signups.yaml"
    typing = TEAM.replace("        current: 40\n", "        current: 40\n        con\n")
    open_file(client, team, typing)
    await diagnostics(client, team, lambda codes: True)
    # in key result `rate`, which has id, title, unit, baseline, target and current
    listed = await complete(client, team, 15, 11)
    fields = {item.label: item.detail for item in listed}
    assert "confidence" in fields and "from" in fields and "milestone" in fields
    assert not {"id", "title", "unit", "baseline", "target", "current"} & set(fields)
    assert fields["confidence"] == "How sure the owner is of reaching the target, 0 to 1."
    assert listed[0].insert_text == listed[0].label + ": "


@pytest.mark.asyncio
async def test_a_broken_okrctl_yaml_is_shown_on_its_line_and_cleared_once_fixed(client, goals):
    config = goals / "okrctl.yaml"
    open_file(client, config, "company: Acme\nperiod: 2026-Q9\n")
    found = await diagnostics(client, config, lambda codes: "config" in codes)
    [problem] = found
    assert problem.range.start == types.Position(line=1, character=8)
    assert problem.message.startswith("`period` is not valid: a period is YYYY-Qn")
    change(client, config, CONFIG, 2)
    assert await diagnostics(client, config, lambda codes: not codes) == []


def resident_kb(client: LanguageClient) -> int:
    server = client._server
    assert server is not None
    status = Path(f"/proc/{server.pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS")))


@pytest.mark.asyncio
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc (Linux)")
async def test_a_server_edited_all_day_does_not_grow(client: LanguageClient, tmp_path):
    """Each check builds a new graph (its nodes point at their parents): a server that kept
    every one would grow by each keystroke's pause. After warming up, 30 more checks of a
    200-team org leave its memory where it was."""
    teams = {
        f"goals/teams/team-{n}.yaml": TEAM.replace("acme/grwo", "acme/grow").replace(
            "tom", f"lead{n}"
        )
        for n in range(200)
    }
    repo = GitRepo(tmp_path / "big")
    repo.commit({"okrctl.yaml": CONFIG, "goals/company.yaml": COMPANY, **teams}, "2026-10-01")
    path = repo.root / "goals" / "teams" / "team-0.yaml"
    text = path.read_text()
    open_file(client, path)
    await diagnostics(client, path, lambda codes: True)

    async def edits(first: int, count: int) -> None:
        for version in range(first, first + count):
            client.diagnostics.pop(uri(path), None)
            change(client, path, text + "\n" * (version % 3), version)
            await diagnostics(client, path, lambda codes: True)

    await edits(2, 10)
    before = resident_kb(client)
    await edits(12, 30)
    grown = resident_kb(client) - before
    assert grown < 1_500, f"grew by {grown} kB over 30 checks"  # kept, it grew by ~3,600


def stale_repo(tmp_path) -> Path:
    """The goals committed on October 1st, stale after 14 days: `stale` has something to say."""
    repo = GitRepo(tmp_path / "okrs")
    repo.commit(
        {
            "okrctl.yaml": CONFIG.replace("365", "14"),
            "goals/company.yaml": COMPANY,
            "goals/teams/signups.yaml": TEAM,
        },
        "2026-10-01",
    )
    return repo.root


def test_a_sessions_first_check_answers_before_history_is_read(tmp_path):
    from okrctl.commands.lsp import Session

    session = Session(stale_repo(tmp_path).resolve())
    first = {f.rule for f in session.check().findings}
    assert "unknown-ref" in first and "stale" not in first
    assert not session.history_read
    second = {f.rule for f in session.check().findings}
    assert session.history_read and "stale" in second


@pytest.mark.asyncio
async def test_the_first_findings_come_at_once_and_stale_joins_them(client, tmp_path):
    """The first check of a session runs before git history is read (a walk of every commit
    on a fresh clone): its findings come at once, and the next, with history, adds `stale`
    without any edit."""
    team = stale_repo(tmp_path) / "goals" / "teams" / "signups.yaml"
    open_file(client, team)
    found = await diagnostics(client, team, lambda codes: "stale" in codes)
    assert {"unknown-ref", "stale"} <= {d.code for d in found}
    [stale] = [d for d in found if d.code == "stale"]
    assert "`signups/funding/rate` has not been checked in for" in stale.message


EARLY_CHECK = """
import sys
from pathlib import Path
from okrctl.commands.lsp import EarlyCheck, Session, located
from okrctl.store.forks import cores_to_fork

if cores_to_fork() < 2:
    sys.exit(77)
root, edited = Path(sys.argv[1]), sys.argv[2].encode()
team = root / "goals" / "teams" / "signups.yaml"
expected = located(Session(root).check())
assert "unknown-ref" in {f.rule for f, _ in expected["goals/teams/signups.yaml"]}

early = EarlyCheck.start(root / "goals" / "teams")  # (started in a folder inside)
assert early is not None and early.later.forked
session = Session(root)
session.buffers[team] = team.read_bytes()
assert early.take(session) == expected, early
assert early.take(session) is None  # once

early = EarlyCheck.start(root)
assert early is not None
session.buffers[team] = edited  # an unsaved edit
assert early.take(session) is None
assert EarlyCheck.start(root.parent) is None  # no goals repository there
"""


def test_the_check_made_at_start_serves_only_files_opened_as_they_are_on_disk(tmp_path):
    """The server checks the repository it starts in from a forked child while it loads the
    protocol's library: its findings are the first check's, taken once, for that repository,
    and only when every open buffer is its file on disk. (In a process of its own, as the
    server is: this one may have threads left by other tests, beside which okrctl forks
    nothing.)"""
    import subprocess

    root = stale_repo(tmp_path).resolve()
    edited = TEAM.replace("acme/grwo", "acme/grow")
    done = subprocess.run(
        [sys.executable, "-c", EARLY_CHECK, str(root), edited],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode == 77:
        pytest.skip("okrctl forks only on Linux: the server makes its first check itself")
    assert done.returncode == 0, done.stderr


async def first_diagnostics(where: Path, path: Path, text: str) -> list[types.Diagnostic]:
    """The first diagnostics of `path`, opened with `text`, from the installed `okrctl lsp`
    started in the folder `where`, as an editor starts it."""
    import shutil

    from pygls.lsp.client import LanguageClient as Client

    okrctl = shutil.which("okrctl", path=str(Path(sys.executable).parent))
    assert okrctl is not None

    client = Client("test", "1")
    first: list[list[types.Diagnostic]] = []
    arrived = asyncio.Event()

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def published(params: types.PublishDiagnosticsParams) -> None:
        if params.uri == uri(path):
            first.append(list(params.diagnostics))
            arrived.set()

    await client.start_io(okrctl, "lsp", "--stdio", cwd=str(where))
    await client.initialize_async(types.InitializeParams(capabilities=types.ClientCapabilities()))
    client.initialized(types.InitializedParams())
    open_file(client, path, text)
    await asyncio.wait_for(arrived.wait(), 30)
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return first[0]


@pytest.mark.asyncio
async def test_an_editor_started_in_the_repository_gets_its_buffer_checked_first(tmp_path):
    """Started inside the goals (here in `goals/teams`, as an editor opened on that folder
    starts it): a file opened as it is on disk gets the findings of the check made at start;
    one opened with an unsaved edit gets its own buffer's findings from the very first
    diagnostics on."""
    root = stale_repo(tmp_path).resolve()
    team = root / "goals" / "teams" / "signups.yaml"
    as_on_disk = await first_diagnostics(team.parent, team, team.read_text())
    [typo] = [d for d in as_on_disk if d.code == "unknown-ref"]
    assert typo.range.start == types.Position(line=7, character=16)
    assert "stale" not in {d.code for d in as_on_disk}  # (history comes with the next)
    edited = await first_diagnostics(root, team, TEAM.replace("acme/grwo", "acme/grow"))
    assert not {d.code for d in edited} & {"unknown-ref", "stale"}
