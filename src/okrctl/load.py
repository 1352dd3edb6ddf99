"""Load a goals repository: find the files, read each safely, build the model.

Every problem a single file can have becomes a `schema` finding located at file:line:col;
a file with such a finding drops out of the model (SPEC §7) but its unit id is remembered so
that references into it are not reported again as unknown.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from okrctl.config import RepoConfig, load_config, resolve_root
from okrctl.diagnostics import START, Finding, Position, Severity
from okrctl.model import OBJECTIVE_ONLY_IN, ONLY_IN, SLUG_PATTERN, Kind, Unit
from okrctl.validation_messages import describe_errors
from okrctl.yamlread import MAX_FILE_BYTES, SourceMap, YamlProblem, decode, parse_text

YAML_SUFFIXES = (".yaml", ".yml")
_SLUG = re.compile(SLUG_PATTERN)


@dataclass(frozen=True, slots=True)
class UnitFile:
    """A unit that validated, with its file (relative to the repo root) and source map."""

    path: str
    unit: Unit
    source: SourceMap


@dataclass(slots=True)
class Repository:
    """Everything `check`, `status` and `report` read: config, valid units, schema findings."""

    config: RepoConfig
    units: list[UnitFile] = field(default_factory=list)
    broken_unit_ids: set[str] = field(default_factory=set)
    broken_aligns_to: set[str] = field(default_factory=set)
    """Refs that files failing `schema` align to, read best-effort, so that what they support
    is not reported as unsupported while they are being fixed."""
    findings: list[Finding] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)
    files_read: int = 0

    @property
    def root(self) -> Path:
        return self.config.root


def load_repo(repo: Path | str | None = None) -> Repository:
    """Find `okrctl.yaml` (at `repo`, or upward from cwd); load every unit file in goals_dir."""
    root = resolve_root(Path(repo) if repo is not None else None)
    config = load_config(root)
    repository = Repository(config=config)
    for relative, real, problem in _unit_files(root, config.goals_path):
        repository.files_read += 1
        if problem is not None:
            repository.findings.append(_schema(relative, START, problem))
            continue
        assert real is not None
        _load_file(repository, relative, real)
    _check_single_company(repository)
    return repository


def _schema(path: str, position: Position, message: str, ref: str | None = None) -> Finding:
    return Finding("schema", Severity.ERROR, message, path, position.line, position.column, ref)


def _unit_files(root: Path, goals: Path) -> Iterator[tuple[str, Path | None, str | None]]:
    """(relative path, real path, problem) for each YAML file, sorted; links must stay inside."""
    real_root = root.resolve()
    seen_dirs: set[Path] = set()
    pending = [goals]
    found: list[tuple[str, Path | None, str | None]] = []
    while pending:
        folder = pending.pop()
        real_folder = folder.resolve()
        if real_folder in seen_dirs:
            continue
        seen_dirs.add(real_folder)
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                path = Path(entry.path)
                relative = path.relative_to(root).as_posix()
                is_yaml = entry.name.endswith(YAML_SUFFIXES)
                if entry.is_symlink():
                    target = path.resolve()
                    if not target.is_relative_to(real_root):
                        if is_yaml or target.is_dir():
                            found.append(
                                (
                                    relative,
                                    None,
                                    "symbolic link leads outside the repository; "
                                    "copy the file in or remove the link",
                                )
                            )
                        continue
                if entry.is_dir():
                    pending.append(path)
                elif is_yaml and entry.is_file():
                    found.append((relative, path, None))
    yield from sorted(found, key=lambda item: item[0])


def _load_file(repository: Repository, relative: str, path: Path) -> None:
    stem_id = path.name.rsplit(".", 1)[0]
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise YamlProblem(
                f"the file is over the {MAX_FILE_BYTES:,}-byte limit; split it into several units"
            )
        text = decode(path.read_bytes())
        repository.texts[relative] = text
        document = parse_text(text)
    except YamlProblem as problem:
        repository.findings.append(_schema(relative, problem.position, problem.message))
        repository.broken_unit_ids.add(stem_id)
        return
    except OSError as exc:
        repository.findings.append(
            _schema(relative, START, f"cannot read the file: {exc.strerror}")
        )
        repository.broken_unit_ids.add(stem_id)
        return
    data, source = document.data, document.source
    unit_id = data.get("id") if isinstance(data, dict) else None
    broken_id = unit_id if isinstance(unit_id, str) else stem_id
    problems = list(_shape_problems(data, source, stem_id))
    if not problems:
        if "id" not in data:
            data = {**data, "id": stem_id}
        try:
            unit = Unit.model_validate(data)
        except ValidationError as exc:
            problems = list(describe_errors(exc, source, Unit))
        else:
            problems = list(_kind_problems(unit, source))
            if not problems:
                repository.units.append(UnitFile(relative, unit, source))
                return
    repository.broken_unit_ids.add(broken_id)
    repository.broken_aligns_to.update(_raw_aligns_to(data))
    for position, message in problems:
        repository.findings.append(_schema(relative, position, message))


def _raw_aligns_to(data: object) -> Iterator[str]:
    objectives = data.get("objectives") if isinstance(data, dict) else None
    for objective in objectives if isinstance(objectives, list) else ():
        targets = objective.get("aligns_to") if isinstance(objective, dict) else None
        for target in targets if isinstance(targets, list) else ():
            if isinstance(target, str):
                yield target


def _shape_problems(
    data: object, source: SourceMap, stem_id: str
) -> Iterator[tuple[Position, str]]:
    if data is None:
        yield START, "the file is empty: a unit needs at least `kind`, `name` and its objectives"
        return
    if not isinstance(data, dict):
        found = "a list" if isinstance(data, list) else "a single value"
        yield START, f"a unit file is a mapping of fields (kind, id, name, ...); found {found}"
        return
    if "id" not in data and not _SLUG.match(stem_id):
        yield (
            START,
            (
                f"the file name {stem_id!r} is not a valid id (lower-case letters, digits, "
                f"dashes); rename the file or set `id:`"
            ),
        )


def _kind_problems(unit: Unit, source: SourceMap) -> Iterator[tuple[Position, str]]:
    """Fields that exist but belong to another kind of unit (SPEC §7)."""
    for name, kinds in ONLY_IN.items():
        if unit.kind not in kinds and name in unit.model_fields_set:
            yield source.key_at(name), _misplaced(name, unit.kind, kinds)
    if unit.kind is Kind.COMPANY and unit.mission is None:
        yield source.at(), "the company file needs `mission`: the why every goal ladders up to"
    for index, objective in enumerate(unit.objectives):
        for name, kinds in OBJECTIVE_ONLY_IN.items():
            if unit.kind not in kinds and name in objective.model_fields_set:
                yield source.key_at("objectives", index, name), _misplaced(name, unit.kind, kinds)


def _misplaced(name: str, kind: Kind, kinds: tuple[Kind, ...]) -> str:
    where = " and ".join(f"{k} files" for k in kinds)
    return f"`{name}` does not belong in a {kind} file (only in {where}); remove it"


def _check_single_company(repository: Repository) -> None:
    companies = [u for u in repository.units if u.unit.kind is Kind.COMPANY]
    if not companies and not repository.broken_unit_ids:
        repository.findings.append(
            _schema(
                repository.config.config.goals_dir,
                START,
                "no company unit: add one file with `kind: company` and the `mission`",
            )
        )
    for extra in companies[1:]:
        first = companies[0]
        repository.findings.append(
            _schema(
                extra.path,
                extra.source.at("kind"),
                f"a second company unit (the first is {first.path}); a repository has exactly one",
            )
        )
        repository.units.remove(extra)
        repository.broken_unit_ids.add(extra.unit.id)
