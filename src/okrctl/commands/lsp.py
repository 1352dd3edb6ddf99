"""`okrctl lsp`: the language server (stdio, on pygls) that gives every editor okrctl's own
understanding of the goals as they are typed (docs/editors.md): `check`'s findings on the
open buffers (cross-file ones too), completion of refs, units and people, hover with the
score and the why-ladder, go to definition, find references, "did you mean" and `why:` quick
fixes, `okrctl fmt` as formatting, and workspace symbols. It writes nothing to disk: caches
are read, never written.
"""

from __future__ import annotations

import asyncio
import gc
from pathlib import Path
from typing import TYPE_CHECKING, Any

from okrctl._version import __version__
from okrctl.model.errors import OkrctlError
from okrctl.store.forks import Later, elsewhere
from okrctl.store.root import CONFIG_NAME, find_root
from okrctl.store.workspace import Workspace
from okrctl.views.words import line_of, word_at

if TYPE_CHECKING:
    from okrctl.core.rules import UnitHits
    from okrctl.model.findings import Finding
    from okrctl.model.history import History
    from okrctl.views import editor
    from okrctl.views.editor import Analysis

# What a first diagnostic needs is imported up here; the rules, the models and the editor's
# views only by the checks and answers that use them (see `EarlyCheck`).

DEBOUNCE = 0.25
"""Seconds without a keystroke before the goals are checked again."""

Located = dict[str, list[tuple["Finding", str]]]
"""Each file's findings, each with the text of the line it points at (a diagnostic spans
the word there)."""


class Session:
    """One goals repository as an editor has it: the open buffers, and the last check."""

    def __init__(self, root: Path) -> None:
        self.workspace = Workspace(root, caching=True, read_only=True)
        self.buffers: dict[Path, bytes] = {}
        self.analysis: Analysis | None = None
        self.history: History | None = None
        self.history_read = False
        self.first = True
        """No check yet: the next one comes before history is read."""
        self.published: set[str] = set()
        self.generation = 0
        self.kept: UnitHits | None = None
        """The per-unit rules' hits of each unit, for the next check (made by the first)."""

    def check(self) -> Analysis:
        """Check the goals as the editor has them. The first check of a session runs before
        history is read (git, and on a fresh clone a walk of every commit): its findings
        come at once, and `stale` joins them with the next, which `publish` runs right away."""
        from okrctl.core.rules import UnitHits
        from okrctl.views import editor

        if self.kept is None:
            self.kept = UnitHits()
        if not self.history_read and not self.first:
            self.history = self._history()
            self.history_read = True
        if _grown(self.workspace):
            self.workspace.memo.clear()  # edits add parsed versions: start again from the pack
        collecting = gc.isenabled()
        gc.disable()  # collected once the diagnostics are out (`publish`), not while they wait
        try:
            self.analysis = editor.analyse(self.workspace, self.buffers, self.history, self.kept)
        finally:
            if collecting:
                gc.enable()
        self.first = False
        return self.analysis

    def _history(self) -> History | None:
        from okrctl.store.config import load_config
        from okrctl.store.history import read_history

        try:
            goals_dir = load_config(self.workspace.root, None).config.goals_dir
            return read_history(self.workspace, goals_dir)
        except OkrctlError:
            return None

    def path_of(self, relative: str) -> Path:
        return self.workspace.root / relative


def located(analysis: Analysis) -> Located:
    found: Located = {}
    for relative, findings in analysis.findings_by_file().items():
        lines = analysis.repository.texts.get(relative, "").split("\n")  # as checked
        found[relative] = [(finding, line_of(finding.line, lines)) for finding in findings]
    return found


def first_findings(root: Path) -> Located | None:
    """The findings of the goals as they are on disk, as an editor's first check finds them
    (before history); None when `okrctl.yaml` is broken (the server's own check says where)."""
    try:
        return located(Session(root).check())
    except OkrctlError:
        return None


class EarlyCheck:
    """The first check of the repository the editor starts the server in, made by a forked
    child while this process imports the protocol's library (lsprotocol makes hundreds of
    classes: a quarter of a second) and then okrctl's rules and models: an editor that opens
    a file as it is on disk gets its first diagnostics from it, at once. Where okrctl may not
    fork (`store/forks.py`), there is none: the server checks, as it always does."""

    def __init__(self, root: Path, later: Later[Located | None]) -> None:
        self.root = root
        self.later: Later[Located | None] | None = later

    @classmethod
    def start(cls, where: Path) -> EarlyCheck | None:
        try:
            root = find_root(where)
        except OkrctlError:
            return None  # started outside a goals repository: each file opened finds its own
        later = elsewhere(lambda: first_findings(root))
        return cls(root, later) if later.forked else None

    def take(self, session: Session) -> Located | None:
        """The child's findings, once: for its repository's first check, when every buffer
        open is its file as it is on disk (anything else: the session checks itself)."""
        later, self.later = self.later, None
        if later is None:
            return None
        if session.workspace.root != self.root or not session.first or not all(
            _as_on_disk(path, raw) for path, raw in session.buffers.items()
        ):
            later.abandon()
            return None
        return later()


def _as_on_disk(path: Path, raw: bytes) -> bool:
    try:
        return path.stat().st_size == len(raw) and path.read_bytes() == raw
    except OSError:
        return False


def _grown(workspace: Workspace) -> bool:
    """Whether the parsed units kept between checks are many more than the files."""
    return any(isinstance(v, dict) and len(v) > 20_000 for v in workspace.memo.values())


def build_server(early: EarlyCheck | None = None) -> Any:
    """The pygls server with every feature registered (imported here: `okrctl --help` does not
    pay for pygls); `early`, the first check made at start."""
    from lsprotocol import types
    from pygls.lsp.server import LanguageServer
    from pygls.uris import from_fs_path, to_fs_path

    from okrctl.render import lsp_items as items

    server = LanguageServer("okrctl", __version__)
    sessions: dict[Path, Session] = {}

    def session_for(uri: str) -> Session | None:
        path = to_fs_path(uri)
        if path is None:
            return None
        try:
            root = find_root(Path(path).parent)
        except OkrctlError:
            return None
        if root not in sessions:
            sessions[root] = Session(root)
        return sessions[root]

    def uri_of(session: Session, relative: str) -> str:
        return from_fs_path(str(session.path_of(relative))) or ""

    def location(session: Session, place: editor.Place) -> types.Location:
        """A place in a goals file, as the protocol points at it (an empty range)."""
        at = types.Position(place.line, place.column)
        return types.Location(uri_of(session, place.path), types.Range(at, at))

    def relative_of(session: Session, uri: str) -> str | None:
        path = to_fs_path(uri)
        if path is None:
            return None
        try:
            return Path(path).resolve().relative_to(session.workspace.root).as_posix()
        except ValueError:
            return None

    def publish(ls: LanguageServer, session: Session) -> None:
        by_file = early.take(session) if early is not None else None
        if by_file is not None:
            session.first = False  # checked, before history: the next check reads it
        else:
            try:
                by_file = located(session.check())
            except OkrctlError as error:  # okrctl.yaml itself is broken: say so on it, where
                problems = [
                    items.config_diagnostic(line) for line in str(error).split("\n") if line
                ]
                ls.text_document_publish_diagnostics(
                    types.PublishDiagnosticsParams(
                        uri=uri_of(session, CONFIG_NAME), diagnostics=problems
                    )
                )
                session.published.add(CONFIG_NAME)
                return
        for relative, found in by_file.items():
            ls.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(
                    uri=uri_of(session, relative),
                    diagnostics=[items.diagnostic(f, text) for f, text in found],
                )
            )
        root = session.workspace.root
        opened = {p.relative_to(root).as_posix() for p in session.buffers if p.is_relative_to(root)}
        for relative in (session.published | opened) - set(by_file):  # clean now: say so
            ls.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri_of(session, relative), diagnostics=[])
            )
        session.published = set(by_file)
        gc.collect()  # the last check's graph, while the editor shows the new diagnostics
        if not session.history_read:  # the first check: again, with history (`stale`)
            asyncio.get_running_loop().call_soon(publish, ls, session)

    async def soon(ls: LanguageServer, session: Session) -> None:
        session.generation += 1
        mine = session.generation
        await asyncio.sleep(DEBOUNCE)
        if mine == session.generation:
            publish(ls, session)

    def remember(session: Session, uri: str) -> None:
        document = server.workspace.get_text_document(uri)
        path = to_fs_path(uri)
        if path is not None:
            session.buffers[Path(path).resolve()] = document.source.encode("utf-8")

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    async def did_open(ls: LanguageServer, params: types.DidOpenTextDocumentParams) -> None:
        session = session_for(params.text_document.uri)
        if session is not None:
            remember(session, params.text_document.uri)
            session.generation += 1  # opening is not typing: no debounce
            publish(ls, session)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    async def did_change(ls: LanguageServer, params: types.DidChangeTextDocumentParams) -> None:
        session = session_for(params.text_document.uri)
        if session is not None:
            remember(session, params.text_document.uri)
            await soon(ls, session)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    async def did_save(ls: LanguageServer, params: types.DidSaveTextDocumentParams) -> None:
        session = session_for(params.text_document.uri)
        if session is not None:
            session.history_read = False  # a commit may have come with the save
            await soon(ls, session)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    async def did_close(ls: LanguageServer, params: types.DidCloseTextDocumentParams) -> None:
        session = session_for(params.text_document.uri)
        path = to_fs_path(params.text_document.uri)
        if session is not None and path is not None:
            session.buffers.pop(Path(path).resolve(), None)  # the file on disk counts again
            await soon(ls, session)

    def current(uri: str) -> tuple[Session, Analysis, str] | None:
        session = session_for(uri)
        if session is None:
            return None
        relative = relative_of(session, uri)
        if relative is None:
            return None
        analysis = session.analysis or session.check()
        return session, analysis, relative

    def word_under(uri: str, position: Any) -> str | None:
        document = server.workspace.get_text_document(uri)
        lines = document.source.split("\n")
        line = lines[position.line] if position.line < len(lines) else ""
        found = word_at(line, position.character)
        return found[0] if found is not None else None

    def named(analysis: Analysis, relative: str, uri: str, position: Any) -> str | None:
        """The goal the cursor is on: a ref it names, else the one whose `id:` line it is."""
        from okrctl.views import editor

        word = word_under(uri, position)
        graph = analysis.graph
        if word is not None and (editor.node_of(graph, word) or word in graph.units):
            return word
        return editor.ref_on_line(analysis, relative, position.line)

    @server.feature(
        types.TEXT_DOCUMENT_COMPLETION,
        types.CompletionOptions(trigger_characters=["/", " ", "[", ","]),
    )
    def completion(ls: LanguageServer, params: types.CompletionParams) -> Any:
        from okrctl.views import editor

        found = current(params.text_document.uri)
        if found is None:
            return None
        _, analysis, _ = found
        lines = ls.workspace.get_text_document(params.text_document.uri).source.split("\n")
        keys = editor.key_being_typed(lines, params.position.line)
        if keys is not None:  # a field's name, not yet its value
            offered = [
                types.CompletionItem(
                    label=c.text,
                    detail=c.detail,
                    kind=types.CompletionItemKind.Field,
                    insert_text=f"{c.text}: ",
                )
                for c in keys
            ]
            return types.CompletionList(is_incomplete=False, items=offered)
        field_name = editor.field_being_typed(lines, params.position.line)
        offered = [
            types.CompletionItem(
                label=c.text, detail=c.detail, kind=types.CompletionItemKind.Reference
            )
            for c in editor.completions(analysis, field_name)
        ]
        return types.CompletionList(is_incomplete=False, items=offered)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: LanguageServer, params: types.HoverParams) -> Any:
        from okrctl.render.editor import hover_markdown

        found = current(params.text_document.uri)
        if found is None:
            return None
        _, analysis, relative = found
        ref = named(analysis, relative, params.text_document.uri, params.position)
        text = hover_markdown(analysis, ref) if ref is not None else None
        if text is None:
            return None
        return types.Hover(types.MarkupContent(types.MarkupKind.Markdown, text))

    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    def definition(ls: LanguageServer, params: types.DefinitionParams) -> Any:
        from okrctl.views import editor

        found = current(params.text_document.uri)
        if found is None:
            return None
        session, analysis, _ = found
        word = word_under(params.text_document.uri, params.position)
        place = editor.definition(analysis, word) if word is not None else None
        return None if place is None else location(session, place)

    @server.feature(types.TEXT_DOCUMENT_REFERENCES)
    def references(ls: LanguageServer, params: types.ReferenceParams) -> Any:
        from okrctl.views import editor

        found = current(params.text_document.uri)
        if found is None:
            return None
        session, analysis, relative = found
        ref = named(analysis, relative, params.text_document.uri, params.position)
        if ref is None:
            return []
        return [location(session, place) for place in editor.references(analysis, ref)]

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
    )
    def code_action(ls: LanguageServer, params: types.CodeActionParams) -> Any:
        found = current(params.text_document.uri)
        if found is None:
            return None
        _, analysis, _ = found
        uri = params.text_document.uri
        lines = ls.workspace.get_text_document(uri).source.split("\n")
        return [
            action
            for found_ in params.context.diagnostics
            for action in items.quick_fixes(analysis, uri, lines, found_)
        ]

    @server.feature(types.TEXT_DOCUMENT_FORMATTING)
    def formatting(ls: LanguageServer, params: types.DocumentFormattingParams) -> Any:
        from okrctl.store.yaml.fmt import format_text
        from okrctl.store.yaml.read import YamlProblem

        document = ls.workspace.get_text_document(params.text_document.uri)
        text = document.source
        try:
            formatted = format_text(text)
        except (YamlProblem, OkrctlError):
            return []
        if formatted == text:
            return []
        lines = text.split("\n")
        whole = types.Range(types.Position(0, 0), types.Position(len(lines), 0))
        return [types.TextEdit(whole, formatted)]

    @server.feature(types.WORKSPACE_SYMBOL)
    def symbols(ls: LanguageServer, params: types.WorkspaceSymbolParams) -> Any:
        from okrctl.views import editor

        found = []
        for session in sessions.values():
            analysis = session.analysis or session.check()
            for ref, title, place in editor.symbols(analysis, params.query):
                found.append(
                    types.SymbolInformation(
                        name=ref,
                        kind=types.SymbolKind.Object,
                        location=location(session, place),
                        container_name=title,
                    )
                )
        return found

    return server


def serve() -> None:
    """Answer an editor over stdin and stdout until it says goodbye. The cyclic collector,
    off for one-shot commands (okrctl/__main__.py), is on again: every check builds a graph
    whose nodes point at their parents, and a server that never collected them would grow by
    each one (5 MB a check at 2,000 teams), all day long. Not while the server is built:
    lsprotocol's hundreds of classes would be traversed again and again as they are made; once
    they are, they are frozen out of every later collection."""
    early = EarlyCheck.start(Path.cwd())  # before anything starts a thread
    server = build_server(early)
    gc.freeze()
    gc.enable()
    server.start_io()
