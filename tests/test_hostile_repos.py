"""Odd repositories, odd dates, odd caches: each is a message and an exit code, never a
traceback, and never a number that is silently wrong. Real git, real permissions."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
import subprocess
import sys

import pytest

from conftest import (
    BASE,
    COMPANY,
    index_body,
    index_payload,
    run_cli,
    write_index_payload,
    write_repo,
)
from gitrepo import GitRepo
from okrctl.store.cache import history_index
from okrctl.store.history import read_history

COMPANY_FILE = "goals/company.yaml"
REF = "acme/grow/deposits"


def company(current):
    return COMPANY.replace("current: 12", f"current: {current}")


def history_values(root, ref=REF):
    """The check-ins `history` shows, after a `check` has read (and indexed) the history."""
    run_cli("check", "--repo", root)
    result = run_cli("history", ref, "--format", "json", "--repo", root)
    assert result.exit_code == 0, result.stderr
    return [(c["date"][:10], c["value"]) for c in result.json()["checkins"]]


def okrctl(*args, env=None, restricted=False, cwd=None):
    """okrctl in its own process; `restricted` takes away root's power to ignore file
    permissions (CAP_DAC_OVERRIDE), so a read-only folder is read-only for the test too."""
    command = [sys.executable, "-m", "okrctl", *map(str, args)]
    if restricted and os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv (util-linux): cannot drop DAC override")
        command = [setpriv, "--bounding-set", "-dac_override,-dac_read_search", *command]
    return subprocess.run(
        command, capture_output=True, text=True, env=env, cwd=cwd, timeout=120, check=False
    )


# --- the history index after the history changed underneath ------------------------------


def test_a_deepened_shallow_clone_reads_the_new_history(tmp_path):
    repo = GitRepo(tmp_path / "origin")
    for day, value in (("2026-10-01", 12), ("2026-10-08", 13), ("2026-10-15", 14)):
        repo.commit({**BASE, COMPANY_FILE: company(value)}, day, f"value {value}")
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{repo.root}", str(clone)], check=True
    )
    assert history_values(clone) == [("2026-10-15", 14)]  # warm from here on
    subprocess.run(["git", "fetch", "-q", "--deepen=1"], cwd=clone, check=True)
    assert history_values(clone) == [("2026-10-08", 13), ("2026-10-15", 14)]


def test_merging_older_check_ins_keeps_history_oldest_first(tmp_path):
    repo = GitRepo(tmp_path / "repo")
    repo.commit(BASE, "2026-10-01", "goals")
    repo.git("branch", "side")
    repo.commit({COMPANY_FILE: company(14)}, "2026-10-10", "value 14")
    warm_before = history_values(repo.root)  # the index now runs up to 2026-10-10
    assert warm_before == [("2026-10-01", 12), ("2026-10-10", 14)]
    repo.git("checkout", "-q", "side")
    repo.git(
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "confirm",
        "-m",
        f"Okr-Checkin: {REF}",
        date="2026-10-05",
    )
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-edit", "side", date="2026-10-12")
    warm = history_values(repo.root)
    shutil.rmtree(repo.root / ".git/okrctl")
    cold = [
        (c.date.date().isoformat(), c.value)
        for c in read_history(repo.root, "goals").refs[REF].checkins
    ]
    assert warm == cold
    assert [day for day, _ in warm] == sorted(day for day, _ in warm)


# --- caches of the wrong shape are rebuilt, never trusted -------------------------------


def _index(repo):
    [index] = (repo.root / ".git/okrctl").glob("history-*")
    return index


def _ref_row(payload, change):
    """Change a ref's (created, check-ins, timeline); its target timeline stays as it was."""
    created, checkins, timeline, targets = payload["refs"][REF]
    payload["refs"][REF] = (*change(created, list(checkins), list(timeline)), targets)


@pytest.mark.parametrize(
    "damage",
    [
        lambda p: _ref_row(p, lambda c, ins, line: ("x", ins, line)),
        lambda p: _ref_row(p, lambda c, ins, line: (c, [ins[0][:-1]], line)),
        lambda p: _ref_row(p, lambda c, ins, line: (c, ins, [*line, (1,)])),
        lambda p: p.update(commits=(*p["commits"], ("abc",))),
        lambda p: p.update(latest=[]),
        lambda p: _ref_row(p, lambda c, ins, line: (10**30, ins, line)),
        lambda p: p["refs"].update({REF: (*p["refs"][REF][:3], [(1,)])}),  # a target timeline
    ],
)
def test_a_history_index_of_the_wrong_shape_is_rebuilt(tmp_path, damage):
    repo = GitRepo(tmp_path / "repo")
    repo.commit(BASE, "2026-10-01")
    repo.commit({COMPANY_FILE: company(13)}, "2026-10-08")
    cold = history_values(repo.root)
    index = _index(repo)
    digest = index.read_bytes().partition(b"\n")[0]
    payload = index_payload(index)
    damage(payload)
    write_index_payload(index, payload, digest)  # the old checksum
    assert history_values(repo.root) == cold
    check = run_cli("check", "--format", "json", "--repo", repo.root)
    assert check.exit_code == 0, check.stderr


def test_a_history_index_of_another_format_is_rebuilt_even_with_its_checksum(tmp_path):
    repo = GitRepo(tmp_path / "repo")
    repo.commit(BASE, "2026-10-01")
    repo.commit({COMPANY_FILE: company(13)}, "2026-10-08")
    cold = history_values(repo.root)
    index = _index(repo)
    payload = index_payload(index)
    payload["format"] = 4  # and a number the repository never had: must not be shown
    _ref_row(payload, lambda c, ins, line: (c, [(*ins[0][:3], 999, *ins[0][4:])], line))
    body = index_body(payload)
    digest = hashlib.blake2b(body, digest_size=16).hexdigest().encode()
    index.write_bytes(digest + b"\n" + body)
    assert history_values(repo.root) == cold
    assert index_payload(index)["format"] == history_index.FORMAT  # rewritten


def test_a_history_index_whose_last_values_are_of_the_wrong_shape_is_rebuilt(tmp_path):
    """The values a walk resumes from (`latest`, each ref's value, confidence, target and unit),
    hand-made with a valid checksum and a field short: the index is read again from git, and
    the commits after it are read as a walk from scratch reads them."""
    import shutil

    repo = GitRepo(tmp_path / "repo")
    repo.commit(BASE, "2026-10-01")
    repo.commit({COMPANY_FILE: company(13)}, "2026-10-08")
    history_values(repo.root)
    index = _index(repo)
    payload = index_payload(index)
    payload["latest"] = {ref: row[:3] for ref, row in payload["latest"].items()}
    body = index_body(payload)
    digest = hashlib.blake2b(body, digest_size=16).hexdigest().encode()
    index.write_bytes(digest + b"\n" + body)
    repo.commit({COMPANY_FILE: company(14)}, "2026-10-15")
    extended = history_values(repo.root)
    assert len(index_payload(_index(repo))["latest"][REF]) == 4  # (written again whole)
    shutil.rmtree(repo.root / ".git/okrctl")
    assert extended == history_values(repo.root) and extended[-1] == ("2026-10-15", 14)


def test_a_parse_cache_of_the_wrong_shape_is_rebuilt(tmp_path):
    repo = GitRepo(tmp_path / "repo")
    repo.commit(BASE, "2026-10-01")
    first = run_cli("check", "--format", "json", "--repo", repo.root)
    [pack] = (repo.root / ".git/okrctl").glob("parse-*.pickle")
    entries = pickle.loads(pack.read_bytes())
    assert len(entries) == 3
    pack.write_bytes(pickle.dumps(dict.fromkeys(entries, 7)))
    again = run_cli("check", "--format", "json", "--repo", repo.root)
    assert again.exit_code == first.exit_code == 0
    assert again.json() == first.json()
    assert len(pickle.loads(pack.read_bytes())) == 3  # rebuilt


def test_a_fifo_in_place_of_a_cache_does_not_hang(tmp_path):
    repo = GitRepo(tmp_path / "repo")
    repo.commit(BASE, "2026-10-01")
    run_cli("check", "--repo", repo.root)
    folder = repo.root / ".git/okrctl"
    for cache in folder.iterdir():
        cache.unlink()
        os.mkfifo(cache)
    [pack] = folder.glob("parse-*.pickle")
    os.mkfifo(pack.with_name(f"{pack.stem}-recent.pickle"))  # (what a few edits add)
    result = okrctl("check", "--format", "json", "--repo", repo.root)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["errors"] == 0


# --- repositories git refuses, odd encodings ---------------------------------------------


def _isolated_git_env(home):
    return {**os.environ, "HOME": str(home), "GIT_CONFIG_NOSYSTEM": "1"}


@pytest.mark.skipif(os.geteuid() != 0, reason="giving the repository to another owner needs root")
def test_a_repository_git_refuses_is_an_error_not_a_folder_without_git(tmp_path):
    repo = GitRepo(tmp_path / "repo")
    repo.commit(BASE, "2026-10-01")
    before = (repo.root / COMPANY_FILE).read_bytes()
    subprocess.run(["chown", "-R", "12345:12345", str(repo.root)], check=True)
    env = _isolated_git_env(tmp_path)
    check = okrctl("check", "--repo", repo.root, env=env)
    assert check.returncode == 2
    assert "dubious ownership" in check.stderr
    assert "Traceback" not in check.stderr
    checkin = okrctl("checkin", REF, "15", "--repo", repo.root, env=env)
    assert checkin.returncode == 2
    assert "dubious ownership" in checkin.stderr
    assert (repo.root / COMPANY_FILE).read_bytes() == before


def test_author_names_read_right_whatever_the_log_output_encoding(tmp_path):
    repo = GitRepo(tmp_path / "repo")
    repo.git("config", "user.name", "José Müller")
    repo.git("config", "i18n.logOutputEncoding", "ISO-8859-1")
    repo.commit(BASE, "2026-10-01")
    result = run_cli("history", REF, "--format", "json", "--repo", repo.root)
    assert [c["author"] for c in result.json()["checkins"]] == ["José Müller"]


# --- the file system: loops, names, permissions, suffixes, dangling links ---------------


def test_a_link_loop_in_goals_is_a_finding(repo):
    os.symlink("loop.yaml", repo / "goals/loop.yaml")
    result = run_cli("check", "--format", "json", "--repo", repo)
    assert result.exit_code == 1
    [finding] = result.json()["findings"]
    assert (finding["rule"], finding["file"]) == ("schema", "goals/loop.yaml")
    assert "loops" in finding["message"]


def test_a_file_name_that_is_not_utf8_is_a_finding(tmp_path):
    repo = GitRepo(tmp_path / "repo")
    repo.commit(BASE, "2026-10-01")
    os.close(os.open(os.fsencode(repo.root / "goals") + b"/caf\xe9.yaml", os.O_CREAT, 0o644))
    for command in ("check", "status"):
        result = run_cli(command, "--format", "json", "--repo", repo.root)
        assert result.exit_code == 1
        assert "goals/caf\ufffd.yaml" in result.stdout + result.stderr
        assert "not valid UTF-8" in result.stdout + result.stderr


def test_upper_case_suffixes_and_dangling_links_are_findings(repo):
    (repo / "goals/teams/ops.YAML").write_text("kind: team\n")
    os.symlink("gone.yaml", repo / "goals/teams/missing.yaml")
    code, found = 0, run_cli("check", "--format", "json", "--repo", repo)
    code = found.exit_code
    messages = {f["file"]: f["message"] for f in found.json()["findings"]}
    assert code == 1
    assert "lower case" in messages["goals/teams/ops.YAML"]
    assert "leads nowhere" in messages["goals/teams/missing.yaml"]


def _open_tree(tmp_path):
    """A repository the restricted process can read: its own folder, not pytest's 0700 one."""
    repo = GitRepo(tmp_path / "open")
    repo.commit(BASE, "2026-10-01")
    return repo


def test_an_unreadable_folder_is_a_finding(tmp_path):
    repo = _open_tree(tmp_path)
    locked = repo.root / "goals/teams"
    locked.chmod(0)
    try:
        result = okrctl("check", "--format", "json", "--repo", repo.root, restricted=True)
    finally:
        locked.chmod(0o755)
    assert result.returncode == 1, result.stderr
    [finding] = [f for f in json.loads(result.stdout)["findings"] if f["rule"] == "schema"]
    assert finding["file"] == "goals/teams"
    assert "Permission denied" in finding["message"]


def test_a_read_only_git_folder(tmp_path):
    repo = _open_tree(tmp_path)
    subprocess.run(["chmod", "-R", "a-w", str(repo.root / ".git")], check=True)
    try:
        edit = okrctl("checkin", REF, "15", "--no-commit", "--repo", repo.root, restricted=True)
        assert edit.returncode == 0, edit.stderr
        assert "current: 15" in (repo.root / COMPANY_FILE).read_text()
        repo.git("checkout", "--", COMPANY_FILE)
        commit = okrctl("checkin", REF, "16", "--repo", repo.root, restricted=True)
        assert commit.returncode == 1
        assert "Traceback" not in commit.stderr
        assert "current: 12" in (repo.root / COMPANY_FILE).read_text()
        status = okrctl("status", "--format", "json", "--repo", repo.root, restricted=True)
        assert status.returncode == 0, status.stderr
    finally:
        subprocess.run(["chmod", "-R", "u+w", str(repo.root / ".git")], check=True)


# --- dates and periods out of range --------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("status", "--as-of", "9999-12-31"),
        ("check", "--as-of", "0001-01-01"),
        ("report", "--since", "9999-12-31"),
        ("report", "--since", "99999999d"),
        ("roll", "9999-Q4"),
        ("roll", "0000"),
        ("retro", "9999-Q4"),
        ("close", "0000"),
    ],
)
def test_dates_and_periods_out_of_range_are_usage_errors(tmp_path, args):
    repo = GitRepo(tmp_path / "repo")
    repo.commit(BASE, "2026-10-01")
    result = run_cli(*args, "--repo", repo.root)
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert "range" in result.stderr or "too far back" in result.stderr


def test_a_period_out_of_range_in_a_file_is_a_located_finding(tmp_path):
    config = write_repo(tmp_path / "a", {"okrctl.yaml": "company: Acme\nperiod: 9999-Q4\n"})
    result = run_cli("status", "--repo", config)
    assert result.exit_code == 2
    assert "okrctl.yaml:2" in result.stderr
    unit = write_repo(tmp_path / "b", {COMPANY_FILE: COMPANY + "period: 9999-Q4\n"})
    found = run_cli("check", "--format", "json", "--repo", unit).json()["findings"]
    assert [(f["rule"], f["line"]) for f in found] == [("schema", COMPANY.count("\n") + 1)]


@pytest.mark.parametrize(
    "command",
    [
        ["close", "2026-Q4"],
        ["retro", "2026-Q4"],
        ["diff", "HEAD"],
        ["status", "--at", "HEAD"],
        ["check", "--at", "HEAD"],
        ["export", "EXPORT", "--at", "HEAD"],
    ],
)
def test_a_committed_file_named_in_another_encoding_is_reported_not_a_crash(tmp_path, command):
    repo = GitRepo(tmp_path / "okrs")
    repo.write(BASE)
    (repo.root / os.fsdecode(b"goals/teams/pl\xe9tform.yaml")).write_text(
        "kind: team\nparent: acme\n"
    )
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "goals", date="2026-10-01")
    args = [str(tmp_path / "out.csv") if word == "EXPORT" else word for word in command]
    result = run_cli(*args, "--repo", repo.root)
    if command[0] in ("status", "check"):
        assert result.exit_code == 1
        assert (
            "goals/teams/pl\ufffdtform.yaml:1:1: error schema: the name is not valid UTF-8;"
            " rename it" in result.stdout + result.stderr
        )
    else:
        assert result.exit_code == 0, result.stderr
