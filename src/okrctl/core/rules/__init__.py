"""Built-in rules (docs/rules.md), registered on import, and the runner that applies severities."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping

from okrctl.core.graph import build_graph
from okrctl.core.rules import focus, freshness, measurement, structure  # noqa: F401  (registration)
from okrctl.core.rules.registry import REGISTRY, Context, Hit, Rule
from okrctl.core.rules.unit_hits import UnitHits
from okrctl.model.errors import ConfigError
from okrctl.model.findings import Finding, Severity, sort_key
from okrctl.model.units import Repository

__all__ = [
    "REGISTRY",
    "Context",
    "Hit",
    "Rule",
    "UnitHits",
    "levels_of",
    "per_unit_rules",
    "run_rules",
    "severities",
]


def levels_of(configured: Mapping[str, str]) -> dict[str, Severity]:
    """Each rule's severity: its default, unless `configured` (okrctl.yaml's `rules:`) names
    it. The one place `check`, the editor schemas and the docs agree on."""
    return {name: Severity(configured.get(name, rule.severity)) for name, rule in REGISTRY.items()}


def severities(repository: Repository) -> dict[str, Severity]:
    """Each rule's severity: its default, overridden by `rules:` in okrctl.yaml."""
    configured = repository.config.config.rules
    for name in configured:
        if name not in REGISTRY:
            where = repository.config.source.key_at("rules", name)
            close = difflib.get_close_matches(name, list(REGISTRY), n=1)
            hint = (
                f" (did you mean `{close[0]}`?)" if close else f"; rules are: {', '.join(REGISTRY)}"
            )
            raise ConfigError(
                f"okrctl.yaml:{where.line}:{where.column}: unknown rule `{name}`{hint}"
            )
    return levels_of(configured)


def per_unit_rules(levels: Mapping[str, Severity]) -> list[Rule]:
    """The enabled rules that read one unit at a time, whose hits `UnitHits` keeps."""
    return [r for name, r in REGISTRY.items() if r.per_unit and levels[name] is not Severity.OFF]


def run_rules(
    repository: Repository,
    context: Context | None = None,
    kept: UnitHits | None = None,
    *,
    reading_history: bool | None = None,
    names: Iterable[str] | None = None,
) -> list[Finding]:
    """Every finding of every enabled rule, in one run, sorted by file, line and column. With
    `kept`, the rules that read one unit at a time read only the units changed since the last
    run given the same `kept` (core/rules/unit_hits.py). With `reading_history`, only the
    rules that read history (True), or only the others (False). With `names`, only those
    rules, each asked for once the one before is done (another process may be taking the
    others meanwhile)."""
    levels = severities(repository)
    context = context or Context(repository, build_graph(repository))
    per_unit: dict[str, list[Hit]] = {}
    if kept is not None:
        per_unit = kept.hits(context, per_unit_rules(levels))
    findings = []
    chosen = REGISTRY.items() if names is None else ((name, REGISTRY[name]) for name in names)
    for name, rule in chosen:
        severity = levels[name]
        if severity is Severity.OFF:
            continue
        if reading_history is not None and rule.reads_history is not reading_history:
            continue
        hits = per_unit[name] if name in per_unit else rule.check(context)
        for found in hits:
            findings.append(
                Finding(
                    name,
                    severity,
                    found.message,
                    found.path,
                    found.position.line,
                    found.position.column,
                    found.ref,
                )
            )
    findings.sort(key=sort_key)
    return findings
