"""The one reader of goals files as git stored them: each version read leniently, by ref, for
check-in history (values and confidences) and the retro (goal-post moves)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from okrctl.model.bounds import MAX_MAGNITUDE
from okrctl.store.yaml.read import SourceMap, YamlProblem, read_document

Values = dict[str, tuple[Any, Any, Any, Any]]
"""ref -> (value, confidence, target, unit) in one version of a unit file (a KPI has no
target): the unit, so that history can count a number moved to another magnitude (`$M` to
`$k`) in the one it has now."""

class Known(dict[tuple[str, str], "Values | str"]):
    """(git object id, file name) -> what history reads from that version, or why it cannot;
    and, in `bases`, the versions the loader composed with their positions, from which
    history reads their neighbours by the lines that changed (`store/version_patch.py`)."""

    __slots__ = ("bases",)

    def __init__(self) -> None:
        super().__init__()
        self.bases: dict[tuple[str, str], Any] = {}


class UnreadableVersion(Exception):
    """One version of a unit file that history cannot use; the message says why."""


@dataclass(frozen=True, slots=True)
class Version:
    """The goals in one version of a unit file from git, read leniently, by ref: the mappings as
    written, so each reader takes the fields it needs. A version that does not parse holds
    nothing (it was broken, and fixed later). The one reader of raw versions: check-in history
    and the retro's goal-post moves both read through it."""

    objectives: dict[str, dict[str, Any]] = field(default_factory=dict)
    key_results: dict[str, dict[str, Any]] = field(default_factory=dict)
    kpis: dict[str, dict[str, Any]] = field(default_factory=dict)


def read_version(raw: bytes, stem: str) -> Version:
    try:
        data = read_document(raw, positions=False).data
    except YamlProblem:
        return Version()
    return version_of(data, stem)


def version_of(data: object, stem: str) -> Version:
    """The goals in a version already composed (the loader's, for the working tree)."""
    if not isinstance(data, dict):
        return Version()
    unit_id = data.get("id") if isinstance(data.get("id"), str) else stem
    version = Version()
    for objective in _dicts(data.get("objectives")):
        ref = f"{unit_id}/{objective.get('id')}"
        version.objectives[ref] = objective
        for key_result in _dicts(objective.get("key_results")):
            version.key_results[f"{ref}/{key_result.get('id')}"] = key_result
    for kpi in _dicts(data.get("kpis")):
        version.kpis[f"{unit_id}/{kpi.get('id')}"] = kpi
    return version


def values_in(raw: bytes, stem: str) -> Values:
    """The value, confidence, target and unit of every key result and KPI in one version of a
    unit file (the target: charts draw a moved one as a step); one
    whose numbers no goal can hold (over 10^15, not finite) is an `UnreadableVersion`."""
    return _values(read_version(raw, stem))


def read_whole(raw: bytes, stem: str) -> tuple[Values, object, SourceMap | None]:
    """One version read whole, with its nodes' positions: its values, its data and positions
    (from which `store/version_patch.py` reads its neighbours). Unreadable:
    `UnreadableVersion`."""
    try:
        document = read_document(raw, positions=True)
    except YamlProblem:
        return {}, None, None  # broken then, fixed later: it holds nothing
    return _values(version_of(document.data, stem)), document.data, document.source


def known_values(raw: bytes, data: object, stem: str) -> tuple[tuple[str, str], Values | str]:
    """What history would read from a version the loader has already composed, under the key
    history looks it up by (git's id of the bytes, the file name): the working tree's files are
    most of a cold history's versions, and need not be parsed twice."""
    from okrctl.store.git.objects import blob_id

    sha = blob_id(raw)
    try:
        return (sha, stem), _values(version_of(data, stem))
    except UnreadableVersion as exc:
        return (sha, stem), str(exc)


def _values(version: Version) -> Values:
    found: Values = {}
    for ref, key_result in version.key_results.items():
        milestone = key_result.get("milestone") is True
        value = key_result.get("done") if milestone else key_result.get("current")
        found[ref] = (
            usable(value),
            usable(key_result.get("confidence")),
            usable(key_result.get("target")),
            _unit(key_result.get("unit")),
        )
    for ref, kpi in version.kpis.items():
        found[ref] = (usable(kpi.get("current")), None, None, _unit(kpi.get("unit")))
    return found


def usable(value: Any) -> Any:
    """A value as history keeps it; a number no goal can hold is an `UnreadableVersion`."""
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if number and (value != value or abs(value) > MAX_MAGNITUDE):
        raise UnreadableVersion("it holds a number over 10^15 or not finite")
    return value


def _unit(unit: Any) -> str | None:
    return unit if isinstance(unit, str) else None


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []
