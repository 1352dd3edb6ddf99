"""`check` keeps the hits of the rules that read one unit at a time under `.git/okrctl/`
(store/cache/unit_hits.py): after every edit, a warm run's findings are exactly those of a
check with caching off, whether the rules ran in one process or were shared with a child, and
what is kept is what a warm run reports until the settings or the code change."""

from __future__ import annotations

import marshal
import subprocess

import pytest

from conftest import CONFIG, PILLAR, TEAM, cache_files, run_cli, typed, write_repo
from okrctl.store import forks
from test_unit_hits import TWO_OBJECTIVES

TEAM_FILE = "goals/teams/signups.yaml"
PILLAR_FILE = "goals/pillars/growth.yaml"

STEPS: list[tuple[str, dict[str, str | None]]] = [
    ("as written", {}),
    ("a title that disagrees", {PILLAR_FILE: PILLAR.replace("from 30 to 40", "from 20 to 40")}),
    (
        "a team without a why or a source",
        {
            TEAM_FILE: TEAM.replace("    why: Funding is where people drop off.\n", "").replace(
                "        source: release notes\n", ""
            )
        },
    ),
    ("a second objective", {TEAM_FILE: TWO_OBJECTIVES}),
    ("a tighter limit", {"okrctl.yaml": CONFIG + "limits:\n  objectives_per_unit: 1\n"}),
    ("another period on a unit", {"okrctl.yaml": CONFIG, TEAM_FILE: "period: 2026-Q3\n" + TEAM}),
    ("the same team twice", {TEAM_FILE: TEAM, "goals/teams/again.yaml": "id: signups\n" + TEAM}),
    ("the first copy changed", {TEAM_FILE: TEAM.replace("Effortless", "Easy")}),
    ("a file moved", {TEAM_FILE: None, "goals/squads/signups.yaml": TEAM}),
]  # fmt: skip


def check(root, monkeypatch, *, caching: bool = True):
    monkeypatch.setenv("OKRCTL_NO_CACHE", "0" if caching else "1")
    result = run_cli("check", "--repo", root, "--format", "json")
    assert result.exit_code in (0, 1), result.stderr
    return result.json()


@pytest.mark.parametrize("shared", [False, True], ids=["one-process", "shared-with-a-child"])
def test_after_every_edit_a_warm_check_finds_what_one_without_caches_finds(
    tmp_path, monkeypatch, shared
):
    if shared:  # a first run's rules shared with a child, as from 200 units
        monkeypatch.setattr(forks, "WORTH_A_CHILD", 1)
    root = write_repo(tmp_path, {})
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    files: dict[str, str | None] = {}
    seen: set[str] = set()
    for label, edits in STEPS:
        files.update(edits)
        write_repo(root, files)
        uncached = check(root, monkeypatch, caching=False)
        assert check(root, monkeypatch) == uncached, f"{label}, first run"
        assert check(root, monkeypatch) == uncached, f"{label}, warm"
        seen.update(f["rule"] for f in uncached["findings"])
    assert cache_files(root, "unit-hits-*.marshal")
    # the steps find what each per-unit rule finds: they would pass with nothing to find
    assert seen >= {"title-numbers", "missing-why", "no-source", "too-many-objectives"}
    assert seen >= {"period-mismatch", "duplicate-id"}


def test_a_long_lived_process_checks_after_every_edit_as_a_run_alone(tmp_path, monkeypatch):
    """`okrctl serve` keeps the kept hits it made again for the next command on the same
    file: after every edit, each check (twice) finds what one without caches finds."""
    from okrctl.store.cache.kept_reads import forget_reads, keep_reads

    root = write_repo(tmp_path, {})
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    files: dict[str, str | None] = {}
    for label, edits in STEPS:
        files.update(edits)
        write_repo(root, files)
        uncached = check(root, monkeypatch, caching=False)
        check(root, monkeypatch)  # (the hits written, to be read by the next)
        keep_reads()
        try:
            assert check(root, monkeypatch) == uncached, f"{label}, first kept"
            assert check(root, monkeypatch) == uncached, f"{label}, made again once"
        finally:
            forget_reads()


def tampered(root, message: str) -> None:
    """Every kept `title-numbers` hit's message replaced, under the head the file has."""
    [place] = cache_files(root, "unit-hits-*.marshal")
    head, stored = marshal.loads(place.read_bytes())
    changed = 0
    for hits in stored.values():
        kept = hits.get("title-numbers", [])
        hits["title-numbers"] = [(line, column, message, ref) for line, column, _, ref in kept]
        changed += len(kept)
    assert changed == 1
    place.write_bytes(marshal.dumps((head, stored)))


def test_what_is_kept_is_reported_until_the_settings_change(tmp_path, monkeypatch):
    root = write_repo(tmp_path, {PILLAR_FILE: PILLAR.replace("from 30 to 40", "from 20 to 40")})
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    found = check(root, monkeypatch)
    [numbers] = [f for f in found["findings"] if f["rule"] == "title-numbers"]
    assert numbers["file"] == PILLAR_FILE
    tampered(root, "kept, not found again")
    [warm] = [f for f in check(root, monkeypatch)["findings"] if f["rule"] == "title-numbers"]
    assert warm == {**numbers, "message": "kept, not found again"}  # the rule did not run
    # settings the hits were not found with: every file is read by the rules again
    write_repo(root, {PILLAR_FILE: PILLAR.replace("from 30 to 40", "from 20 to 40"),
                      "okrctl.yaml": CONFIG + "stale_after_days: 30\n"})  # fmt: skip
    assert check(root, monkeypatch) == check(root, monkeypatch, caching=False)
    assert numbers in check(root, monkeypatch)["findings"]


def test_a_kept_file_that_cannot_be_read_is_found_again_and_rewritten(tmp_path, monkeypatch):
    root = write_repo(tmp_path, {PILLAR_FILE: PILLAR.replace("from 30 to 40", "from 20 to 40")})
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    expected = check(root, monkeypatch)
    [place] = cache_files(root, "unit-hits-*.marshal")
    for garbage in (b"", b"not marshal", marshal.dumps(("another head", {})), marshal.dumps(3)):
        place.write_bytes(garbage)
        assert check(root, monkeypatch) == expected
        head, stored = marshal.loads(place.read_bytes())
        assert isinstance(head, bytes) and len(stored) == 3  # company, pillar, team


def test_typed_from_a_team_folder_a_warm_check_prints_what_it_kept(tmp_path):
    root = write_repo(tmp_path, {PILLAR_FILE: PILLAR.replace("from 30 to 40", "from 20 to 40")})
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    teams = root / "goals" / "teams"
    first = typed("check", cwd=teams, OKRCTL_NO_CACHE="0")
    assert first.returncode == 0, first.stderr
    assert f"{PILLAR_FILE}:" in first.stdout and "title-numbers" in first.stdout
    assert typed("check", cwd=teams, OKRCTL_NO_CACHE="0").stdout == first.stdout
    checked = ("check", "--repo", "../..", "--format", "json")
    uncached = typed(*checked, cwd=teams, OKRCTL_NO_CACHE="1")
    warm = typed(*checked, cwd=teams, OKRCTL_NO_CACHE="0")
    assert warm.stdout == uncached.stdout and warm.returncode == uncached.returncode == 0
    tampered(root, "kept, not found again")
    again = typed("check", cwd=teams, OKRCTL_NO_CACHE="0")
    assert "title-numbers: kept, not found again" in again.stdout
    assert again.stdout.replace("kept, not found again", "") != first.stdout  # (only that)


def test_a_check_of_a_revision_keeps_no_hits(tmp_path, monkeypatch):
    root = write_repo(tmp_path, {})
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
    subprocess.run(
        ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.com",
         "commit", "-qm", "goals"],
        check=True,
    )  # fmt: skip
    monkeypatch.setenv("OKRCTL_NO_CACHE", "0")
    result = run_cli("check", "--repo", root, "--at", "HEAD", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert cache_files(root, "parse-*.pickle") and not cache_files(root, "unit-hits-*")
    check(root, monkeypatch)
    assert cache_files(root, "unit-hits-*")
