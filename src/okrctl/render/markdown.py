"""Render report templates: Jinja in its sandbox, the goals repository's `templates/` first.

A template from a pull request must not be able to run code or read files: templates run in
Jinja's SandboxedEnvironment, loaders only read their own folders, and StrictUndefined makes a
typo fail with the template's name and line instead of printing nothing. The built-in templates
stay reachable as `default:NAME.md.j2`, so an override can extend the original (as datasette
does).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from okrctl.core.score import Health, Status
from okrctl.core.trend import sparkline
from okrctl.model.errors import OkrctlError, UsageError
from okrctl.render.charts import Chart, chart_of, mermaid_body
from okrctl.render.help_wanted import most_in_need, stale_numbers
from okrctl.render.textformat import (
    NONE,
    bar,
    cell,
    cents_among,
    days,
    derived_note,
    number,
    score_text,
    value_in_unit,
    with_unit_among,
    words,
)
from okrctl.store.lifetime import keep_until_exit
from okrctl.views.report import ReportRequest


def _builtin_folder() -> Path:
    """The built-in templates: inside the wheel (`okrctl/templates`), or at the top of a source
    checkout (`templates/`, where the project keeps them)."""
    packaged = Path(__file__).parents[1] / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "templates"


BUILTIN = _builtin_folder()
BUILTIN_NAMES = ("one-on-one", "team", "company", "wall")
STATUS_ICON = {
    Status.DONE: "✅",
    Status.ON_TRACK: "🟢",
    Status.AT_RISK: "🟡",
    Status.OFF_TRACK: "🔴",
    Status.MISSED: "⛔",
}
HEALTH_ICON = {
    Health.HEALTHY: "🟢",
    Health.WARNING: "🟡",
    Health.CRITICAL: "🔴",
    Health.UNKNOWN: "⚪",
}


def percent(value: float | None, digits: int = 0) -> str:
    return NONE if value is None else f"{value * 100:.{digits}f}%"


def icon(status: str | None) -> str:
    if status is None:
        return "⚪"
    if status in HEALTH_ICON:
        return HEALTH_ICON[Health(status)]
    return STATUS_ICON[Status(status)]


def value(given: Any, unit: str | None = None, among: Any = ()) -> str:
    """A check-in value as people say it: done / not done, none, or the number (with cents
    when one of `among`, the number's other amounts shown beside it, has them)."""
    return value_in_unit(given, unit, cents=cents_among([given, *(among or ())], unit))


def measure(given: float | None, unit: str | None = None, among: Any = ()) -> str:
    """The `measure` filter: a number in its unit (`40.5%`, `$97.5M`); `among`, the number's
    other amounts shown beside it, gives it cents when one of them has them (`$6.00/month`
    in the column beside `$7.35/month`)."""
    return with_unit_among(given, unit, list(among or ()))


def chart_filter(charts: dict[str, Chart], as_of: str | None = None) -> Callable[..., str]:
    """The `chart` filter of one render: a Mermaid xychart of a key result's check-ins against
    its target, its axis saying `as_of` (ISO, while the period runs) where that is past the
    last check-in; each chart's data is kept in `charts`, by the fence's text, for the HTML
    page and the mail."""

    def chart(kr: dict[str, Any], title: str | None = None) -> str:
        found = chart_of(kr, title)
        if found is None:
            return ""
        body = mermaid_body(found, as_of)
        charts[body + "\n"] = found
        return f"```mermaid\n{body}\n```"

    return chart


FILTERS = {
    "derived": derived_note,
    "bar": bar,
    "spark": sparkline,
    "pct": percent,
    "num": number,
    "measure": measure,
    "score": score_text,
    "words": words,
    "icon": icon,
    "cell": cell,
    "value": value,
    "most_in_need": most_in_need,
    "stale_numbers": stale_numbers,
    "days": days,
}
FILTER_NAMES = frozenset({*FILTERS, "chart"})
"""Every filter a template can use (`chart` is made per render: it keeps its charts' data)."""


_HTML_START = re.compile(r"<(?=[A-Za-z/!?])")
"""A `<` that could open raw HTML in Markdown (a tag, a closing tag, a comment, a declaration,
a processing instruction, an autolink); `< 200 ms` and `<1%` cannot, and stay as written."""


def markdown_text(value: Any) -> Any:
    """Every `{{ … }}` of a Markdown report, as Jinja's `finalize`: text from goals files (a
    title, a why, a name) never becomes HTML a Markdown renderer would run (`<script>`,
    `<img onerror=…>`): such a `<` is written `&lt;`, which every renderer shows as `<`. Applying
    it twice changes nothing, so a macro's output may pass through it again."""
    if isinstance(value, str) and "<" in value:  # (most text has none: no pattern to run)
        return _HTML_START.sub("&lt;", value)
    return value


def environment(
    user_templates: Path | None,
    budget: Any = None,
    charts: dict[str, Chart] | None = None,
    compiled: Any = None,
    as_of: str | None = None,
) -> Any:
    """The reports' environment: Markdown, trailing newlines kept, and every expression's text
    kept from opening raw HTML (`markdown_text`); okrctl's own templates compiled once into
    `compiled` (`store/cache/template_cache.py`), when given; its charts' axes say `as_of`
    (`chart_filter`)."""
    filters = {**FILTERS, "chart": chart_filter({} if charts is None else charts, as_of)}
    return template_environment(
        BUILTIN,
        user_templates,
        filters,
        budget,
        compiled,
        autoescape=False,
        keep_trailing_newline=True,
        finalize=markdown_text,
    )


def template_environment(
    builtin_folder: Path,
    user_templates: Path | None,
    filters: Mapping[str, Any],
    budget: Any = None,
    compiled: Any = None,
    **options: Any,
) -> Any:
    """Templates from the goals repository's folder first, then okrctl's (also as
    `default:NAME`). A repository's own templates, or an explicit `budget`, run in the sandbox
    and budget (`template_budget`): they may come from a pull request. okrctl's alone run in a
    plain environment (`render.trusted`), as `render.commands` always has, their compiled code
    kept in `compiled` when given (never a sandbox's)."""
    from jinja2 import ChoiceLoader, PrefixLoader, StrictUndefined

    builtin = contained_loader(builtin_folder)
    own = _own_templates(user_templates, builtin_folder)
    loaders: list[Any] = [contained_loader(own)] if own is not None else []
    loaders += [PrefixLoader({"default": builtin}, delimiter=":"), builtin]
    settings = {
        "loader": ChoiceLoader(loaders),
        "undefined": StrictUndefined,
        "trim_blocks": True,
        "lstrip_blocks": True,
        # A run reads each template once: no file is looked at again each time a page is
        # drawn (a site at 2,000 teams asked the file system 6,000 times).
        "auto_reload": False,
        **options,
    }
    env: Any
    if own is None and budget is None:
        from okrctl.render.trusted import TrustedEnvironment

        env = TrustedEnvironment(**settings, bytecode_cache=compiled)
        env.filters.update(filters)
    else:
        from okrctl.render.template_budget import Budget, BudgetedEnvironment, bounded_range

        env = BudgetedEnvironment(budget or Budget(), **settings)
        env.filters.update(filters)
        env.filters = {name: env.bounded_filter(name, f) for name, f in env.filters.items()}
        env.globals["range"] = bounded_range(env)
    env.globals.pop("lipsum", None)  # generates text of any size on request; nothing needs it
    return env


def _own_templates(user_templates: Path | None, builtin_folder: Path) -> Path | None:
    """The goals repository's own templates folder, if it has one (in okrctl's own checkout
    that folder is the built-in one)."""
    if user_templates is None or not user_templates.is_dir():
        return None
    return None if user_templates.resolve() == builtin_folder.resolve() else user_templates


def contained_loader(folder: Path) -> Any:
    """A FileSystemLoader that reads only files inside its folder once links are resolved: a
    link in a repository's templates/ must not publish /etc/hostname or .git/config."""
    from jinja2 import FileSystemLoader, TemplateNotFound
    from jinja2.loaders import split_template_path

    class _Contained(FileSystemLoader):
        def get_source(self, environment: Any, template: str) -> Any:
            for searchpath in self.searchpath:
                candidate = Path(searchpath, *split_template_path(template))
                if candidate.exists() or candidate.is_symlink():
                    real_folder = Path(searchpath).resolve()
                    try:
                        real = candidate.resolve(strict=True)
                    except (OSError, RuntimeError):
                        raise TemplateNotFound(template) from None
                    if not real.is_relative_to(real_folder) or not real.is_file():
                        raise TemplateOutside(template, searchpath)
                    break
            return super().get_source(environment, template)

    return _Contained(folder)


class TemplateOutside(OkrctlError):
    """A template path that leads, through a link, outside its templates folder (an
    OkrctlError, so that a path that does not locate it still ends in a message, exit 1)."""

    def __init__(self, template: str, folder: str) -> None:
        super().__init__(
            f"{template} leads outside {Path(folder).name}/ (a symbolic link); templates are "
            "read only from files inside the templates folder"
        )


def render(
    name: str,
    context: dict[str, Any] | Callable[[frozenset[str] | None], dict[str, Any]],
    user_templates: Path | None,
    budget: Any = None,
    charts: dict[str, Chart] | None = None,
    compiled: Any = None,
    as_of: str | None = None,
) -> str:
    """Render `templates/NAME.md.j2` within its budget (see `template_budget`); every template
    problem is an OkrctlError naming the template and line (exit 1), an unknown template a usage
    error (exit 2)."""
    env = environment(user_templates, budget, charts, compiled, as_of)
    file_name = f"{name}.md.j2"

    def missing() -> OkrctlError:
        if name in BUILTIN_NAMES:  # one of okrctl's own, not found where it was installed
            return OkrctlError(
                f"okrctl's own template {file_name} is missing from {BUILTIN}: this "
                "installation of okrctl is incomplete; reinstall it"
            )
        available = sorted({*BUILTIN_NAMES, *_user_names(user_templates)})
        return UsageError(
            f"no template {name!r}: use one of {', '.join(available)}, or add "
            f"templates/{file_name}"
        )

    if callable(context):  # made knowing which names the template can reach
        needed = names_used(env, file_name)
        # Compiled first, while the context may still wait (a report's comparison); what
        # fails fails again below, and is reported there.
        with contextlib.suppress(Exception):
            env.get_template(file_name)
        context = context(needed)
    text = render_with(env, file_name, context, missing=missing)
    keep_until_exit(context)  # (freeing a large report's context took longer than its drawing)
    return text


Parsed = dict[str, "tuple[frozenset[str], tuple[str | None, ...]] | None"]
"""Templates already parsed by `names_used`: the names each mentions and the templates it
names (None: it could not be read or parsed)."""


def names_used(env: Any, file_name: str, parsed: Parsed | None = None) -> frozenset[str] | None:
    """Every name `file_name`, and every template it extends, includes or imports, mentions
    (from Jinja's own parse; a few more than the context names it reads, which is safe): what
    a report need not build when nothing can read it. None when any name may be read: a
    template named by an expression, or one that cannot be read or parsed (rendering then
    says what is wrong with it). With `parsed`, templates several pages share (the site's
    base page) are parsed once."""
    parsed = {} if parsed is None else parsed
    names: set[str] = set()
    seen: set[str] = set()
    pending = [file_name]
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        if name not in parsed:
            parsed[name] = _parsed(env, name)
        found = parsed[name]
        if found is None:
            return None
        mentioned, referenced = found
        names.update(mentioned)
        for included in referenced:
            if included is None:
                return None
            pending.append(included)
    return frozenset(names)


def _parsed(env: Any, name: str) -> tuple[frozenset[str], tuple[str | None, ...]] | None:
    from jinja2 import meta, nodes

    try:
        source, _, _ = env.loader.get_source(env, name)
        tree = env.parse(source, name)
    except Exception:  # missing, outside, unreadable, a syntax error: all reported later
        return None
    mentioned = frozenset(node.name for node in tree.find_all(nodes.Name))
    return mentioned, tuple(meta.find_referenced_templates(tree))


def render_with(
    env: Any,
    file_name: str,
    context: dict[str, Any],
    folder: str = "",
    missing: Callable[[], Exception] | None = None,
) -> str:
    """Render `file_name` in `env`; every template problem is an OkrctlError naming the
    template (as `templates/FOLDER/NAME`) and its line (exit 1); `missing` makes the error
    for a template that does not exist at all."""
    import jinja2
    from jinja2.exceptions import SecurityError

    from okrctl.render.template_budget import BudgetExceeded

    shown_name = f"{folder}/{file_name}" if folder else file_name
    try:
        template = env.get_template(file_name)
    except TemplateOutside as exc:
        raise OkrctlError(f"templates/{shown_name}: {exc}") from None
    except jinja2.TemplateNotFound as exc:
        if exc.name == file_name and missing is not None:
            raise missing() from None
        raise OkrctlError(
            f"{shown_name}: includes a template that does not exist: {exc.name}"
        ) from None
    except jinja2.TemplateSyntaxError as exc:
        raise OkrctlError(
            f"{_where(exc.filename, exc.name, exc.lineno, folder)}: template syntax error: "
            f"{exc.message}"
        ) from None
    except RecursionError:
        raise OkrctlError(f"templates/{shown_name}: the template includes itself") from None
    try:
        return env.render(template, context)  # type: ignore[no-any-return]
    except (
        jinja2.UndefinedError,
        SecurityError,
        jinja2.TemplateError,
        TemplateOutside,
        BudgetExceeded,
        TypeError,
        ValueError,
        ZeroDivisionError,
        KeyError,
        AttributeError,
        OverflowError,
        MemoryError,
        RecursionError,
    ) as exc:
        filename, line = _template_frame(exc)
        if line is None and isinstance(exc, BudgetExceeded):
            filename, line = template.filename, exc.line
        where = _where(filename or template.filename, file_name, line, folder)
        if isinstance(exc, jinja2.TemplateNotFound):
            raise OkrctlError(
                f"{where}: includes a template that does not exist: {exc.name} (templates "
                f"can only include others from templates/ or the built-ins)"
            ) from None
        raise OkrctlError(f"{where}: {_explain(exc)}") from None


def _explain(exc: BaseException) -> str:
    from jinja2.exceptions import SecurityError

    from okrctl.render.template_budget import BudgetExceeded

    if isinstance(exc, SecurityError):
        return f"not allowed in a template: {exc}"
    if isinstance(exc, BudgetExceeded):
        return f"over the rendering budget: {exc}"
    if isinstance(exc, MemoryError):
        return "over the rendering budget: the template needs more memory than allowed"
    if isinstance(exc, RecursionError):
        return "the template includes or calls itself without end"
    if isinstance(exc, OverflowError):
        return f"over the rendering budget: {exc}"
    return f"error: {exc}"


def _user_names(folder: Path | None) -> list[str]:
    if folder is None or not folder.is_dir():
        return []
    return [p.name.removesuffix(".md.j2") for p in folder.glob("*.md.j2")]


def _where(filename: str | None, name: str | None, line: int | None, folder: str = "") -> str:
    """`templates/NAME:LINE` (`templates/site/NAME:LINE` for the site's pages), or `built-in
    NAME:LINE` for okrctl's own."""
    shown = name or (Path(filename).name if filename else "template")
    inside = f"{folder}/" if folder else ""
    if filename and Path(filename).resolve().is_relative_to(BUILTIN.resolve()):
        shown = f"built-in {inside}{Path(filename).name}"
    elif filename:
        shown = f"templates/{inside}{Path(filename).name}"
    return f"{shown}:{line}" if line else shown


def _template_frame(exc: BaseException) -> tuple[str | None, int | None]:
    """The innermost frame that ran template code: Jinja maps it to the template's line."""
    found: tuple[str | None, int | None] = (None, None)
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            found = (filename, tb.tb_lineno)
        tb = tb.tb_next
    return found


def render_report(request: ReportRequest, *, html: bool = False) -> str:
    """A report's Markdown, or with `html` one self-contained page of it for browsers (mail
    gets PNG charts instead: render/mail.py)."""
    from okrctl.render.report_context import build_context
    from okrctl.store.cache.template_cache import compiled_reports

    charts: dict[str, Chart] = {}
    with contextlib.ExitStack() as rendering:  # (what the context's key results wait on)
        text = render(
            request.template,
            lambda needed: build_context(request, needed, rendering),
            request.user_templates,
            charts=charts,
            compiled=compiled_reports(request.snapshot.workspace),
            as_of=request.running_as_of,
        )
    if not html:
        return text
    from okrctl.render.charts import reaching
    from okrctl.render.html import to_html

    return to_html(text, request.page_title, reaching(charts, request.running_as_of))
