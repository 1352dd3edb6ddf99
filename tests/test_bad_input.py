"""Bad input: each a located `schema` finding with exit 1 (or exit 2 for configuration), and
never a traceback. Hostile files run in a subprocess with a timeout, so a hang fails the test."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import TEAM, findings, run_cli, write_repo

TEAM_FILE = "goals/teams/signups.yaml"


def only_finding(root):
    result = run_cli("check", "--repo", root, "--format", "json")
    assert result.exit_code == 1
    [finding] = [f for f in result.json()["findings"] if f["rule"] != "unsupported"]
    return finding["rule"], finding["file"], finding["line"], finding["column"], finding["message"]


def test_yaml_syntax_error(tmp_path):
    team = TEAM.replace("title: Effortless funding", "title: [Effortless funding")
    rule, file, line, _column, message = only_finding(write_repo(tmp_path, {TEAM_FILE: team}))
    assert (rule, file, line) == ("schema", TEAM_FILE, 7)
    assert message.startswith("YAML syntax error:")


def test_an_unclosed_quote_says_where_it_opened(tmp_path):
    """libyaml finds an unclosed quote only at the end of the file: the finding says which line
    opened it, where a long file's last line said nothing of where to look."""
    team = TEAM.replace("title: Effortless funding", 'title: "Effortless funding')
    assert only_finding(write_repo(tmp_path, {TEAM_FILE: team})) == (
        "schema",
        TEAM_FILE,
        15,
        1,
        "YAML syntax error: found unexpected end of stream while scanning a quoted scalar that"
        " starts at line 6, column 12",
    )


def test_tab_indentation(tmp_path):
    team = TEAM.replace("    why: Funding", "\twhy: Funding")
    assert only_finding(write_repo(tmp_path, {TEAM_FILE: team})) == (
        "schema",
        TEAM_FILE,
        7,
        1,
        "a tab character is used for indentation; YAML needs spaces",
    )


def test_duplicate_keys(tmp_path):
    team = TEAM.replace("lead: sam\n", "lead: sam\nlead: tom\n")
    assert only_finding(write_repo(tmp_path, {TEAM_FILE: team})) == (
        "schema",
        TEAM_FILE,
        4,
        1,
        "duplicate key 'lead' (first at line 3); keep one",
    )


@pytest.mark.parametrize(
    ("old", "new", "line", "column", "message"),
    [
        ("done: false", 'done: "false"', 13, 15, "`done` should be true or false"),
        ("done: false", "done: yes", 13, 15, "(in YAML 1.2, yes/no/on/off are text)"),
        ("milestone: true", "milestone: 1", 12, 20, "`milestone` should be true or false"),
        (
            "aligns_to: [growth/convert]",
            "aligns_to: growth/convert",
            8,
            16,
            "`aligns_to` should be a list",
        ),
        ("kind: team", "kind: squad", 1, 7, "`kind`: Input should be 'company', 'pillar', 'team'"),
    ],
)
def test_wrong_types(tmp_path, old, new, line, column, message):
    rule, file, found_line, found_column, found = only_finding(
        write_repo(tmp_path, {TEAM_FILE: TEAM.replace(old, new)})
    )
    assert (rule, file, found_line, found_column) == ("schema", TEAM_FILE, line, column)
    assert message in found


def test_a_number_given_as_text(tmp_path):
    team = TEAM.replace(
        "        milestone: true\n        done: false\n",
        '        baseline: "38"\n        target: 45\n',
    )
    assert only_finding(write_repo(tmp_path, {TEAM_FILE: team})) == (
        "schema",
        TEAM_FILE,
        12,
        19,
        "`baseline`: expected a number, got the text '38'",
    )


def test_empty_file(tmp_path):
    assert only_finding(write_repo(tmp_path, {TEAM_FILE: ""}))[:4] == ("schema", TEAM_FILE, 1, 1)


def test_a_list_where_a_mapping_belongs(tmp_path):
    rule, file, line, column, message = only_finding(
        write_repo(tmp_path, {TEAM_FILE: "- kind: team\n- id: x\n"})
    )
    assert (rule, file, line, column) == ("schema", TEAM_FILE, 1, 1)
    assert "a unit file is a mapping of fields" in message
    team = TEAM.replace("      - id: ach\n", "      - id\n").split("        title")[0]
    assert only_finding(write_repo(tmp_path, {TEAM_FILE: team}))[:4] == ("schema", TEAM_FILE, 10, 9)


def test_non_utf8_bytes(tmp_path):
    team = TEAM.replace("Effortless", "Effortl\udcffess").encode("utf-8", "surrogateescape")
    assert only_finding(write_repo(tmp_path, {TEAM_FILE: team})) == (
        "schema",
        TEAM_FILE,
        6,
        19,
        "the file is not valid UTF-8 (byte 0xff); save it as UTF-8",
    )


def test_bom_and_crlf_are_fine(tmp_path):
    team = b"\xef\xbb\xbf" + TEAM.replace("\n", "\r\n").encode()
    write_repo(tmp_path, {TEAM_FILE: team})
    assert findings(tmp_path) == (0, [])
    broken = b"\xef\xbb\xbf" + TEAM.replace("lead: sam", "leed: sam").replace("\n", "\r\n").encode()
    write_repo(tmp_path, {TEAM_FILE: broken})
    assert only_finding(tmp_path)[:4] == ("schema", TEAM_FILE, 3, 1)


def test_two_company_files(tmp_path):
    from conftest import COMPANY

    write_repo(tmp_path, {"goals/zz-company.yaml": COMPANY.replace("id: acme", "id: acme-two")})
    rule, file, line, column, message = only_finding(tmp_path)
    assert (rule, file, line, column) == ("schema", "goals/zz-company.yaml", 1, 7)
    assert "a second company unit (the first is goals/company.yaml)" in message


def test_no_company_file(tmp_path):
    write_repo(tmp_path, {"goals/company.yaml": None})
    code, found = findings(tmp_path)
    assert code == 1
    assert ("schema", "goals", 1, 1) in found


@pytest.mark.parametrize(
    ("old", "new", "line", "column"),
    [
        ("lead: sam\n", "id: ../../etc/passwd\nlead: sam\n", 3, 5),
        ("id: funding", "id: ../funding", 5, 9),
        ("id: funding", "id: mission", 5, 9),
        ("aligns_to: [growth/convert]", "aligns_to: [../growth/convert]", 8, 17),
        ("lead: sam", "lead: Sam Okafor", 3, 7),
    ],
)
def test_bad_ids(tmp_path, old, new, line, column):
    assert only_finding(write_repo(tmp_path, {TEAM_FILE: TEAM.replace(old, new)}))[:4] == (
        "schema",
        TEAM_FILE,
        line,
        column,
    )


def test_file_name_that_is_not_an_id(tmp_path):
    write_repo(tmp_path, {TEAM_FILE: None, "goals/teams/Sign Ups.yaml": TEAM})
    rule, file, line, column, message = only_finding(tmp_path)
    assert (rule, file, line, column) == ("schema", "goals/teams/Sign Ups.yaml", 1, 1)
    assert "rename the file or set `id:`" in message


def test_symlink_out_of_the_repository(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_text(TEAM)
    root = write_repo(tmp_path / "repo", {})
    os.symlink(outside / "secret.yaml", root / "goals/teams/secret.yaml")
    os.symlink(outside, root / "goals/elsewhere")
    result = run_cli("check", "--repo", root, "--format", "json")
    assert result.exit_code == 1
    got = [(f["rule"], f["file"], f["line"]) for f in result.json()["findings"]]
    assert got == [("schema", "goals/elsewhere", 1), ("schema", "goals/teams/secret.yaml", 1)]
    assert "leads outside the repository" in result.json()["findings"][0]["message"]


def test_symlink_inside_the_repository_is_followed(tmp_path):
    root = write_repo(tmp_path, {TEAM_FILE: None, "shared/signups.yaml": TEAM})
    os.symlink(root / "shared/signups.yaml", root / "goals/signups.yaml")
    assert findings(root) == (0, [])


def run_subprocess(root, timeout=30):
    return subprocess.run(
        [sys.executable, "-m", "okrctl", "check", "--repo", str(root), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


BOMB = (
    "\n".join(
        [
            "kind: team",
            "parent: growth",
            'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
        ]
        + [f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]" for i in range(8)]
    )
    + "\n"
)


def test_alias_bomb_is_refused_at_the_first_anchor(tmp_path):
    root = write_repo(tmp_path, {TEAM_FILE: BOMB})
    done = run_subprocess(root)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    [finding] = [f for f in json.loads(done.stdout)["findings"] if f["rule"] == "schema"]
    assert (finding["line"], finding["column"]) == (3, 4)
    assert "anchors (&a) are not supported" in finding["message"]


def test_alias_alone_is_refused(tmp_path):
    team = TEAM.replace("lead: sam", "lead: *someone")
    rule, _file, line, column, message = only_finding(write_repo(tmp_path, {TEAM_FILE: team}))
    assert (rule, line, column) == ("schema", 3, 7)
    assert "aliases (*someone) are not supported" in message


def test_merge_keys_are_refused(tmp_path):
    team = TEAM.replace("lead: sam", "<<: {lead: sam}")
    rule, _file, line, column, message = only_finding(write_repo(tmp_path, {TEAM_FILE: team}))
    assert (rule, line, column) == ("schema", 3, 1)
    assert "merge keys" in message


@pytest.mark.parametrize(
    "payload",
    [
        "objectives: " + "[" * 100_000 + "]" * 100_000 + "\n",
        "objectives:\n" + "- " * 100_000 + "x\n",
        "objectives: " + "{a: " * 60_000 + "1" + "}" * 60_000 + "\n",
    ],
    ids=["flow-sequences", "block-sequences", "flow-mappings"],
)
def test_absurdly_deep_nesting(tmp_path, payload):
    root = write_repo(tmp_path, {TEAM_FILE: "kind: team\nparent: growth\n" + payload})
    done = run_subprocess(root)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert "nesting deeper than 32 levels" in done.stdout


def test_nesting_of_exactly_32_levels_is_read(tmp_path):
    deep = "x: " + "[" * 31 + "]" * 31 + "\n"  # the root mapping is level 1
    rule, _, line, column, message = only_finding(write_repo(tmp_path, {TEAM_FILE: TEAM + deep}))
    assert (rule, line, column) == ("schema", 15, 1)
    assert message.startswith("unknown field `x`")


def test_file_over_two_megabytes(tmp_path):
    big = TEAM + "# " + "x" * (2 * 1024 * 1024) + "\n"
    rule, _file, line, column, message = only_finding(write_repo(tmp_path, {TEAM_FILE: big}))
    assert (rule, line, column) == ("schema", 1, 1)
    assert "limit" in message


def test_more_than_one_document(tmp_path):
    assert only_finding(write_repo(tmp_path, {TEAM_FILE: TEAM + "---\nkind: team\n"}))[:4] == (
        "schema",
        TEAM_FILE,
        15,
        1,
    )


def test_unsupported_tags(tmp_path):
    team = TEAM.replace("lead: sam", "lead: !!python/name:os.system sam")
    rule, _, line, column, message = only_finding(write_repo(tmp_path, {TEAM_FILE: team}))
    assert (rule, line, column) == ("schema", 3, 7)
    assert "is not supported" in message


def test_misplaced_fields_say_where_they_belong(tmp_path):
    team = TEAM.replace("lead: sam\n", "lead: sam\nmission: Win\n").replace(
        "    aligns_to:", "    origin: self\n    aligns_to:"
    )
    result = run_cli("check", "--repo", write_repo(tmp_path, {TEAM_FILE: team}), "--format", "json")
    messages = {(f["line"], f["message"]) for f in result.json()["findings"]}
    assert messages == {
        (4, "`mission` does not belong in a team file (only in company files); remove it"),
        (9, "`origin` does not belong in a team file (only in person files); remove it"),
    }


def test_yaml_12_core_schema(tmp_path):
    team = TEAM.replace("lead: sam\n", "lead: sam\nperiod: 2026\n")
    result = run_cli("check", "--repo", write_repo(tmp_path, {TEAM_FILE: team}), "--format", "json")
    [finding] = result.json()["findings"]
    assert finding["rule"] == "period-mismatch"
    assert finding["message"].startswith("period 2026 is not the current period 2026-Q4")


def test_no_config_found(tmp_path):
    result = run_cli("check", "--repo", tmp_path)
    assert result.exit_code == 2
    assert "no okrctl.yaml" in result.stderr and "okrctl init" in result.stderr


def test_no_config_found_searching_upward(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_cli("check")
    assert result.exit_code == 2
    assert "Run `okrctl init`" in result.stderr


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ("company: Acme\nperiod: 2026-Q5\n", "okrctl.yaml:2:9: `period` is not valid: a period is"),
        ("company: Acme\n", "okrctl.yaml:1:1: missing required field `period`"),
        ("period: 2026-Q4\nfiscal_year_start: 13\n", "okrctl.yaml:2:20: `fiscal_year_start`"),
        ("period: 2026-Q4\ngoals_dir: ../elsewhere\n", "okrctl.yaml:2:12: goals_dir must stay"),
        ("period: 2026-Q4\nperiods: 2\n", "okrctl.yaml:2:1: unknown field `periods` (did you mean"),
        ("period: [2026-Q4\n", "okrctl.yaml:2:1: YAML syntax error"),
        ("- period\n", "okrctl.yaml:1:1: expected a mapping of settings"),
    ],
)
def test_bad_configuration_exits_2_with_a_location(tmp_path, config, expected):
    write_repo(tmp_path, {"okrctl.yaml": config})
    result = run_cli("check", "--repo", tmp_path)
    assert result.exit_code == 2
    assert expected in result.stderr


def test_settings_too_large_are_refused_unread(tmp_path):
    root = write_repo(tmp_path, {})
    padding = "# " + "x" * 78 + "\n"
    with open(root / "okrctl.yaml", "a", encoding="utf-8") as settings:
        settings.write(padding * (2 * 1024 * 1024 // len(padding) + 1))
    result = run_cli("check", "--repo", root)
    assert result.exit_code == 2
    assert result.stderr == (
        "okrctl: okrctl.yaml: the file is over the 2,097,152-byte limit; it holds a few "
        "settings (the goals go in their own files under goals_dir)\n"
    )


def test_a_goals_file_grown_past_the_limit_since_it_was_loaded_is_not_edited(tmp_path):
    """An edit reads its file again, bounded: one that grew past a goals file's limit since
    the goals were loaded (another program writing it) is refused by name, and left as is."""
    from okrctl.model.errors import OkrctlError
    from okrctl.store.edits import read_for_edit

    grown = tmp_path / "team.yaml"
    padding = "# " + "x" * 78 + "\n"
    grown.write_text("unit: {id: t, kind: team}\n" + padding * 30_000, encoding="utf-8")
    before = grown.read_bytes()
    with pytest.raises(OkrctlError) as refused:
        read_for_edit(grown)
    assert str(refused.value) == (
        f"{grown}: the file is over the 2,097,152-byte limit; split it into several units"
    )
    assert grown.read_bytes() == before


@pytest.mark.parametrize("size", [2 * 1024 * 1024, 2 * 1024 * 1024 + 1])
def test_a_goals_file_is_read_whole_up_to_the_limit_and_refused_past_it(tmp_path, size):
    """Read in one go at its size: a file of exactly the limit is read to its last byte (its
    numbers at the end count), one byte more is a located finding, never half a file."""
    padding = "# " + "x" * 77 + "\n"
    comments = padding * ((size - len(TEAM.encode())) // len(padding))
    comments += "#" * (size - len(comments) - len(TEAM.encode()) - 1) + "\n"
    body = comments + TEAM  # the unit itself at the very end
    root = write_repo(tmp_path / "okrs", {"goals/teams/signups.yaml": body})
    assert (root / "goals/teams/signups.yaml").stat().st_size == size
    result = run_cli("check", "--repo", root, "--format", "json")
    found = [f for f in result.json()["findings"] if f["file"] == "goals/teams/signups.yaml"]
    if size == 2 * 1024 * 1024:
        assert [f["message"] for f in found if f["rule"] == "schema"] == []
    else:
        assert result.exit_code == 1
        assert [(f["rule"], f["line"], f["column"], f["message"]) for f in found] == [
            (
                "schema",
                1,
                1,
                "the file is over the 2,097,152-byte limit; split it into several units",
            )
        ]
