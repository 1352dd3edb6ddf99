"""The language server reuses the per-unit rules' hits of every unit an edit did not change
(core/rules/unit_hits.py): after every edit, its findings are exactly those of a check from
scratch, whatever the edit changed (a unit, the settings, a file's place, a duplicate id)."""

from __future__ import annotations

import subprocess

from conftest import CONFIG, PILLAR, TEAM, write_repo
from okrctl.core.rules import REGISTRY, UnitHits
from okrctl.store.workspace import Workspace
from okrctl.views.editor import analyse

PILLAR_FILE = "goals/pillars/growth.yaml"
TEAM_FILE = "goals/teams/signups.yaml"
TWO_OBJECTIVES = TEAM + (
    "  - id: second\n    title: Second\n    why: Two is company.\n    key_results:\n"
    "      - id: k\n        title: K\n        milestone: true\n        done: false\n"
    "        source: notes\n"
)


def editor_session(tmp_path):
    """The base repository as the language server opens it, and an empty memory of hits."""
    root = write_repo(tmp_path, {})
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root, Workspace(root.resolve(), caching=True, read_only=True), UnitHits()


def findings(workspace, buffers, kept=None):
    found = analyse(workspace, buffers, None, kept).findings
    return [(f.rule, f.file, f.line, f.column, f.message) for f in found]


def test_per_unit_rules_are_those_that_read_one_unit():
    per_unit = {name for name, rule in REGISTRY.items() if rule.per_unit}
    assert per_unit == {
        "missing-why",
        "too-many-objectives",
        "too-many-key-results",
        "period-mismatch",
        "unmeasurable",
        "no-source",
        "title-numbers",
        "unlikely-value",
    }


def test_after_every_edit_the_findings_are_a_fresh_checks(tmp_path):
    root, workspace, kept = editor_session(tmp_path)
    pillar, team = root.resolve() / PILLAR_FILE, root.resolve() / TEAM_FILE
    settings = root.resolve() / "okrctl.yaml"
    steps = [
        ("as written", {}),
        ("a title that disagrees", {pillar: PILLAR.replace("from 30 to 40", "from 20 to 40")}),
        (
            "and a team without a why or a source",
            {
                pillar: PILLAR.replace("from 30 to 40", "from 20 to 40"),
                team: TEAM.replace("    why: Funding is where people drop off.\n", "").replace(
                    "        source: release notes\n", ""
                ),
            },
        ),
        ("the title fixed", {team: TEAM.replace("        source: release notes\n", "")}),
        ("a second objective", {team: TWO_OBJECTIVES}),
        (
            "a tighter limit in the settings",
            {team: TWO_OBJECTIVES, settings: CONFIG + "limits:\n  objectives_per_unit: 1\n"},
        ),
        (
            "another period on a unit",
            {team: ("period: 2026-Q3\n" + TEAM).encode(), settings: CONFIG.encode()},
        ),
        (
            "the same team twice",
            {team: TEAM, root.resolve() / "goals/teams/again.yaml": "id: signups\n" + TEAM},
        ),
        ("the first copy changed", {team: TEAM.replace("Effortless", "Easy")}),
        ("back as written", {}),
    ]
    seen: set[str] = set()
    for label, buffers in steps:
        buffers = {
            path: text.encode() if isinstance(text, str) else text
            for path, text in buffers.items()
        }
        fresh = findings(workspace, buffers)
        assert findings(workspace, buffers, kept) == fresh, label
        seen.update(rule for rule, *_ in fresh)
    # the same bytes in another folder: the same parsed unit, its hits in the other file
    no_source = TEAM.replace("        source: release notes\n", "").encode()
    assert findings(workspace, {team: no_source}, kept) == findings(workspace, {team: no_source})
    moved = root.resolve() / "goals" / "squads" / "signups.yaml"
    moved.parent.mkdir()
    team.rename(moved)
    fresh = findings(workspace, {moved: no_source})
    assert ("no-source", "goals/squads/signups.yaml") in {(r, f) for r, f, *_ in fresh}
    assert findings(workspace, {moved: no_source}, kept) == fresh
    # the steps find what each per-unit rule finds: they would pass with nothing to find
    assert seen >= {
        "title-numbers",
        "missing-why",
        "no-source",
        "too-many-objectives",
        "period-mismatch",
        "duplicate-id",
    }


def test_the_per_unit_rules_read_again_only_the_units_an_edit_changed(tmp_path):
    root, workspace, kept = editor_session(tmp_path)
    analyse(workspace, {}, None, kept)
    before = dict(kept.units)
    team = root.resolve() / TEAM_FILE
    analyse(workspace, {team: TEAM.replace("Effortless", "Easy").encode()}, None, kept)
    unchanged = {key for key in kept.units if key in before}
    assert len(before) == 3 and len(kept.units) == 3
    assert len(unchanged) == 2  # the company and the pillar: their hits were taken as kept
    [changed] = [entry for key, entry in kept.units.items() if key not in before]
    assert changed[1] == TEAM_FILE
