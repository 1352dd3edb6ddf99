"""`okrctl fmt`: one layout through ruamel's round-trip; comments, blank lines, quotes, flow
mappings, CRLF and a BOM kept; idempotent; the formatted file means exactly what it meant."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import BASE, PROJECT_ROOT, run_cli, write_repo
from okrctl.store.yaml.fmt import ORDER, format_text
from okrctl.store.yaml.read import read_document

ODD = """\
# the growth pillar
parent: acme
kind: pillar
lead: maria
objectives:
- title: Convert signups     # the big one (end-of-line comments keep their column)
  id: convert
  aligns_to: [acme/grow]
  why: Half never fund.

  key_results:
  -   target: 40
      title: Conversion from 30 to 40
      id: rate
      baseline: 30
      source: "funnel dashboard"
      keep_note_for_later: x
  -   id: band
      keep: {max: 1.0, min: 0.5}
      title: In band
      source: 'ops'
"""
FORMATTED = """\
# the growth pillar
kind: pillar
parent: acme
lead: maria
objectives:
  - id: convert
    title: Convert signups   # the big one (end-of-line comments keep their column)
    why: Half never fund.

    aligns_to: [acme/grow]
    key_results:
      - id: rate
        title: Conversion from 30 to 40
        baseline: 30
        target: 40
        source: "funnel dashboard"
        keep_note_for_later: x
      - id: band
        title: In band
        keep: {min: 0.5, max: 1.0}
        source: 'ops'
"""


def test_keys_in_order_indentation_normalised_comments_and_quotes_kept():
    assert format_text(ODD) == FORMATTED
    assert format_text(FORMATTED) == FORMATTED


def test_crlf_and_a_bom_are_kept():
    odd = "\ufeff" + ODD.replace("\n", "\r\n")
    assert format_text(odd) == "\ufeff" + FORMATTED.replace("\n", "\r\n")


def test_the_demo_and_the_scaffold_are_formatted():
    for path in [
        *(PROJECT_ROOT / "goals").rglob("*.yaml"),
        *(PROJECT_ROOT / "src/okrctl/commands/scaffold_files/goals-repo/goals").rglob("*.yaml"),
    ]:
        text = path.read_text(encoding="utf-8")
        assert format_text(text) == text, path


def test_check_lists_what_would_change_and_changes_nothing(tmp_path):
    root = write_repo(tmp_path, {"goals/pillars/growth.yaml": ODD})
    before = (root / "goals/pillars/growth.yaml").read_text()
    findings_before = run_cli("check", "--format", "json", "--repo", root).json()["findings"]
    result = run_cli("fmt", "--check", "--repo", root)
    assert result.exit_code == 1
    assert result.stdout == "would reformat goals/pillars/growth.yaml\n"
    assert (root / "goals/pillars/growth.yaml").read_text() == before
    done = run_cli("fmt", "--repo", root)
    assert done.exit_code == 0
    assert done.stdout == "formatted goals/pillars/growth.yaml\n"
    assert (root / "goals/pillars/growth.yaml").read_text() == FORMATTED
    again = run_cli("fmt", "--check", "--repo", root)
    assert again.exit_code == 0 and again.stdout == ""
    assert "0 files would be reformatted, 3 unchanged" in again.stderr
    findings_after = run_cli("check", "--format", "json", "--repo", root).json()["findings"]
    assert [(f["rule"], f["message"]) for f in findings_after] == [
        (f["rule"], f["message"]) for f in findings_before
    ]  # the unknown field is kept, and still reported


def test_a_file_that_does_not_parse_is_located_and_left_alone(tmp_path):
    broken = "kind: team\nobjectives:\n  - id: a\n    title: [unclosed\n"
    root = write_repo(tmp_path, {"goals/teams/signups.yaml": broken})
    result = run_cli("fmt", "--repo", root)
    assert result.exit_code == 1
    assert result.stderr.startswith("goals/teams/signups.yaml:5:1: error: YAML syntax error")
    assert (root / "goals/teams/signups.yaml").read_text() == broken


def test_named_files_only(tmp_path, monkeypatch):
    root = write_repo(tmp_path, {"goals/pillars/growth.yaml": ODD, "goals/teams/x.yaml": ODD})
    monkeypatch.chdir(root)
    result = run_cli("fmt", "goals/teams/x.yaml")
    assert result.stdout == "formatted goals/teams/x.yaml\n"
    assert (root / "goals/pillars/growth.yaml").read_text() == ODD


def test_the_hook_and_the_scaffold_offer_fmt(tmp_path):
    hooks = (PROJECT_ROOT / ".pre-commit-hooks.yaml").read_text()
    assert "- id: okrctl-fmt\n" in hooks and "entry: okrctl fmt --check" in hooks
    run_cli("init", tmp_path)
    config = (tmp_path / ".pre-commit-config.yaml").read_text()
    assert "- id: okrctl-fmt" in config


DEMO = sorted((PROJECT_ROOT / "goals").rglob("*.yaml"))


def _scramble(text: str, seed: int, mapping_indent: int, dash_offset: int) -> str:
    """The same document written differently: keys shuffled, another indentation."""
    from io import StringIO

    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap

    yaml = YAML()
    yaml.width = 1 << 16
    yaml.preserve_quotes = True
    yaml.indent(mapping=mapping_indent, sequence=mapping_indent + dash_offset, offset=dash_offset)
    data = yaml.load(text)
    rng = random.Random(seed)

    def shuffle(node):
        if isinstance(node, CommentedMap):
            keys = list(node)
            rng.shuffle(keys)
            for key in keys:
                node.move_to_end(key)
            for value in node.values():
                shuffle(value)
        elif isinstance(node, list):
            for item in node:
                shuffle(item)

    shuffle(data)
    out = StringIO()
    yaml.dump(data, out)
    return out.getvalue()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    path=st.sampled_from(DEMO),
    seed=st.integers(0, 10**6),
    mapping_indent=st.sampled_from([2, 3, 4]),
    dash_offset=st.sampled_from([0, 2]),
    crlf=st.booleans(),
)
def test_format_is_idempotent_and_keeps_the_meaning(path, seed, mapping_indent, dash_offset, crlf):
    text = _scramble(path.read_text(encoding="utf-8"), seed, mapping_indent, dash_offset)
    if crlf:
        text = text.replace("\n", "\r\n")
    once = format_text(text)
    assert format_text(once) == once
    assert read_document(once.encode()).data == read_document(text.encode()).data
    assert ("\r\n" in once) == crlf
    keys = [line.strip().split(":")[0] for line in once.splitlines() if line.startswith("kind")]
    assert keys == ["kind"]


@pytest.mark.parametrize("kind", sorted(ORDER))
def test_the_order_names_every_field_of_the_model(kind):
    from okrctl.model.goals import Bounds, KeyResult, Kpi, Objective, Unit
    from okrctl.model.measure import Measure

    model = {
        "unit": Unit,
        "objective": Objective,
        "key_result": KeyResult,
        "kpi": Kpi,
        "measure": Measure,
    }.get(kind, Bounds)
    names = [field.alias or name for name, field in model.model_fields.items()]
    assert sorted(ORDER[kind]) == sorted(names)


def test_fmt_runs_on_the_base_repo(tmp_path):
    root = write_repo(tmp_path, BASE)
    assert run_cli("fmt", "--check", "--repo", root).exit_code == 0


def test_fmt_finds_files_as_check_does_from_a_subfolder(tmp_path, monkeypatch):
    root = write_repo(tmp_path, {"goals/pillars/growth.yaml": ODD})
    (root / "goals/teams/ops.YAML").write_text("kind: team\n")
    monkeypatch.chdir(root / "goals" / "teams")  # no --repo: okrctl.yaml is found upward
    result = run_cli("fmt", "--check")
    assert result.exit_code == 1
    assert result.stdout == "would reformat goals/pillars/growth.yaml\n"
    assert "goals/teams/ops.YAML:1:1: error: goals files end in .yaml or .yml" in result.stderr


def test_tabs_that_check_reads_as_spaces_are_formatted_and_the_others_go_on(tmp_path):
    tabbed = (
        "kind: company\nid: acme\nname:\tAcme\nmission: Make saving easy.\nobjectives:\n"
        "  - id: grow\n    title: Grow deposits\n    why: Deposits fund plans.\t# the why\n"
        "    key_results:\n      - {id: d, title: D, baseline: 1, target: 2, source: s}\n"
    )
    root = write_repo(tmp_path, {"goals/company.yaml": tabbed, "goals/teams/signups.yaml": None})
    assert run_cli("check", "--repo", root).exit_code == 0  # check reads the tabs as spaces
    before = read_document(tabbed.encode()).data
    growth = root / "goals/pillars/growth.yaml"
    growth.write_text("kind: pillar\nparent:    acme\nlead: maria\n")
    result = run_cli("fmt", "--repo", root)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "formatted goals/company.yaml",
        "formatted goals/pillars/growth.yaml",
    ]
    formatted = (root / "goals/company.yaml").read_text()
    assert "name: Acme\n" in formatted and "why: Deposits fund plans. # the why\n" in formatted
    assert read_document(formatted.encode()).data == before
    assert growth.read_text() == "kind: pillar\nparent: acme\nlead: maria\n"
