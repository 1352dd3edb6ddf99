"""The parse cache under .git/okrctl/: the same answers, faster, and never a stale one."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PROJECT_ROOT, cache_files, demo_copy, run_cli, status_json
from gitrepo import GitRepo

TEAM = "goals/teams/signups.yaml"


@pytest.fixture
def demo(tmp_path):
    root = demo_copy(tmp_path)
    repo = GitRepo(root)
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "demo", date="2026-10-01")
    return root


def packs(root):
    """The working tree's packs (not the side pack of past versions, nor a recent file)."""
    return [
        p
        for p in cache_files(root, "parse-*.pickle")
        if not p.stem.endswith(("-revisions", "-recent"))
    ]


def recent(root):
    """The recent file's entries: {file's unit id: unit}, or None when there is none."""
    found = cache_files(root, "parse-*-recent.pickle")
    if not found:
        return None
    [path] = found
    return {unit.id: unit for unit, _positions in pickle.loads(path.read_bytes()).values()}


def status(root):
    """The working tree, as of now (a past --as-of would read the goals from git)."""
    return status_json(root)


def numbers(payload):
    """What does not depend on the moment of the run: every score and value."""
    return [
        (
            u["id"],
            u["score"],
            [
                (
                    o["ref"],
                    o["score"],
                    [(k["ref"], k.get("current"), k["score"]) for k in o["key_results"]],
                )
                for o in u["objectives"]
            ],
            [(k["ref"], k["current"], k["health"]) for k in u["kpis"]],
        )
        for u in payload["units"]
    ]


def test_a_warm_run_answers_exactly_as_a_cold_one(demo):
    cold = numbers(status(demo))
    [pack] = packs(demo)
    assert len(pickle.loads(pack.read_bytes())) == 14  # one entry per unit file
    assert numbers(status(demo)) == cold
    check = run_cli("check", "--repo", demo, "--format", "json")
    assert check.json()["errors"] == 0


def test_an_edit_is_never_answered_from_the_cache(demo):
    status(demo)
    path = demo / TEAM
    original = path.read_text()
    path.write_text(original.replace("current: 40.5 ", "current: 44.5 "))
    [signups] = [u for u in status(demo)["units"] if u["id"] == "signups"]
    assert signups["objectives"][0]["key_results"][0]["current"] == 44.5
    path.write_text(original.replace("parent: growth", "parent: growht"))
    check = run_cli("check", "--repo", demo, "--format", "json")
    assert [
        (f["rule"], f["file"], f["line"]) for f in check.json()["findings"] if f["rule"] != "stale"
    ] == [("unknown-ref", TEAM, 5)]
    path.write_text(original)
    [signups] = [u for u in status(demo)["units"] if u["id"] == "signups"]
    assert signups["objectives"][0]["key_results"][0]["current"] == 40.5


def test_an_edit_goes_to_the_recent_file_and_the_pack_is_left_alone(demo, monkeypatch):
    """After a check-in the pack is not written again: the edited file's unit goes to the
    recent file beside it, and a warm run reads both, answering as a cold one. Undoing the
    edit drops the file (the pack holds that unit)."""
    cold = numbers(status(demo))
    [pack] = packs(demo)
    before = pack.read_bytes()
    assert recent(demo) is None  # a first run writes the pack whole
    path = demo / TEAM
    original = path.read_text()
    path.write_text(original.replace("current: 40.5 ", "current: 44.5 "))
    edited = numbers(status(demo))
    assert pack.read_bytes() == before
    kept = recent(demo)
    assert list(kept) == ["signups"]
    assert kept["signups"].objectives[0].key_results[0].current == 44.5
    from okrctl.store import load

    read = load.read_unit
    parsed = []
    monkeypatch.setattr(load, "read_unit", lambda *a, **k: parsed.append(a[0]) or read(*a, **k))
    assert (numbers(status(demo)), parsed) == (edited, [])  # read back from both files
    monkeypatch.setenv("OKRCTL_NO_CACHE", "1")
    assert numbers(status(demo)) == edited != cold
    monkeypatch.delenv("OKRCTL_NO_CACHE")
    path.write_text(original)
    assert numbers(status(demo)) == cold
    assert recent(demo) is None and pack.read_bytes() == before


def test_a_recent_file_that_is_a_link_is_replaced_never_written_through(demo, tmp_path):
    status(demo)
    [pack] = packs(demo)
    outside = tmp_path / "outside.bin"
    outside.write_bytes(b"not okrctl's")
    link = pack.with_name(f"{pack.stem}-recent.pickle")
    link.symlink_to(outside)
    path = demo / TEAM
    path.write_text(path.read_text().replace("current: 40.5 ", "current: 44.5 "))
    [signups] = [u for u in status(demo)["units"] if u["id"] == "signups"]
    assert signups["objectives"][0]["key_results"][0]["current"] == 44.5
    assert outside.read_bytes() == b"not okrctl's"
    assert not link.is_symlink() and list(recent(demo)) == ["signups"]


def test_the_pack_is_written_whole_once_edits_outweigh_its_slack(demo, monkeypatch):
    """The recent file's entries and the pack's unused ones (of files changed or gone) may
    add up to `slack`; past it, the pack holds exactly what the working tree uses again."""
    from okrctl.store.cache import parse_cache

    monkeypatch.setattr(parse_cache, "slack", lambda used: 1)
    status(demo)
    [pack] = packs(demo)
    before = pack.read_bytes()
    (demo / "goals/people/tom.yaml").unlink()
    status(demo)  # one unused entry: within the slack
    assert (pack.read_bytes(), recent(demo)) == (before, None)
    assert len(pickle.loads(pack.read_bytes())) == 14
    (demo / TEAM).write_text((demo / TEAM).read_text().replace("40.5 ", "44.5 "))
    status(demo)  # and one in the recent file: two, past it
    assert recent(demo) is None
    entries = pickle.loads(pack.read_bytes())
    assert len(entries) == 13
    [signups] = [unit for unit, _ in entries.values() if unit.id == "signups"]
    assert signups.objectives[0].key_results[0].current == 44.5


@pytest.fixture
def checked_in(demo):
    """The demo with one check-in committed (signups' 40.5 -> 44.5), its pack written; the
    pack and its bytes."""
    repo = GitRepo(demo)
    path = demo / TEAM
    path.write_text(path.read_text().replace("current: 40.5 ", "current: 44.5 "))
    repo.git("commit", "-q", "-am", "checkin", date="2026-11-01")
    status(demo)
    [pack] = packs(demo)
    return pack, pack.read_bytes()


def test_a_revision_reads_the_pack_and_leaves_it_as_the_working_tree_keeps_it(
    demo, checked_in, monkeypatch
):
    """`--at REV` (and `review`'s base) reuse what the working tree parsed, content for
    content, but never rewrite the pack: it stays what the working tree uses."""
    pack, before = checked_in
    warm = run_cli("check", "--repo", demo, "--at", "HEAD~1", "--format", "json").json()
    at = run_cli("status", "--repo", demo, "--at", "HEAD~1", "--format", "json").json()
    assert pack.read_bytes() == before
    monkeypatch.setenv("OKRCTL_NO_CACHE", "1")
    assert run_cli("check", "--repo", demo, "--at", "HEAD~1", "--format", "json").json() == warm
    cold = run_cli("status", "--repo", demo, "--at", "HEAD~1", "--format", "json").json()
    assert numbers(cold) == numbers(at)
    [signups] = [u for u in at["units"] if u["id"] == "signups"]
    assert signups["objectives"][0]["key_results"][0]["current"] == 40.5  # HEAD~1's, not 44.5


def test_what_only_a_past_revision_holds_is_kept_in_a_side_pack(demo, checked_in, monkeypatch):
    """A past version read for `--at` (a report's `--since`, `review`) is kept in a side pack,
    and read again from it: nothing is parsed; the side pack holds only what the working tree's
    pack does not, and the working tree's pack is left as it was."""
    from okrctl.store import load

    pack, before = checked_in
    first = run_cli("status", "--repo", demo, "--at", "HEAD~1", "--format", "json").json()
    [side] = cache_files(demo, "parse-*-revisions.pickle")
    [(unit, _positions)] = pickle.loads(side.read_bytes()).values()
    assert unit.id == "signups" and unit.objectives[0].key_results[0].current == 40.5
    read = load.read_unit
    parsed = []
    monkeypatch.setattr(load, "read_unit", lambda *a, **k: parsed.append(a[0]) or read(*a, **k))
    again = run_cli("status", "--repo", demo, "--at", "HEAD~1", "--format", "json").json()
    assert (parsed, numbers(again)) == ([], numbers(first))
    run_cli("status", "--repo", demo, "--at", "HEAD", "--format", "json")
    assert (pickle.loads(side.read_bytes()), parsed) == ({}, [])  # HEAD is the working tree
    assert pack.read_bytes() == before


def test_the_side_pack_keeps_what_every_revision_a_command_read_holds(demo, monkeypatch):
    """`diff A B` reads two past revisions: the side pack keeps both one's and the other's own
    versions, and the same diff again parses nothing."""
    from okrctl.store import load

    repo = GitRepo(demo)
    path = demo / TEAM
    for value in ("41.5", "42.5", "43.5"):
        text = path.read_text()
        path.write_text(text.replace(text[text.index("current: 4") :].split()[1], value, 1))
        repo.git("commit", "-q", "-am", f"checkin {value}", date="2026-11-01")
    status(demo)
    first = run_cli("diff", "HEAD~2", "HEAD~1", "--repo", demo).stdout
    [side] = cache_files(demo, "parse-*-revisions.pickle")
    kept = pickle.loads(side.read_bytes()).values()
    assert sorted(u.objectives[0].key_results[0].current for u, _ in kept) == [41.5, 42.5]
    read = load.read_unit
    parsed = []
    monkeypatch.setattr(load, "read_unit", lambda *a, **k: parsed.append(a[0]) or read(*a, **k))
    assert (run_cli("diff", "HEAD~2", "HEAD~1", "--repo", demo).stdout, parsed) == (first, [])
    assert "signups/effortless-funding  0.50 → 0.57" in first  # (the two check-ins apart)


def test_a_corrupt_pack_is_ignored_and_rebuilt(demo):
    cold = numbers(status(demo))
    [pack] = packs(demo)
    pack.write_bytes(b"not a pickle")
    assert numbers(status(demo)) == cold
    assert len(pickle.loads(pack.read_bytes())) == 14


def test_findings_still_point_at_lines_when_units_come_from_the_cache(demo):
    status(demo)
    path = demo / "goals/teams/platform.yaml"
    # an edit elsewhere: platform.yaml comes from the cache, its finding still needs a position
    config = demo / "okrctl.yaml"
    config.write_text(
        config.read_text().replace(
            "  key_results_per_objective: 5",
            "  key_results_per_objective: 5\n  objectives_per_unit: 1",
        )
    )
    check = run_cli("check", "--repo", demo, "--format", "json")
    assert check.exit_code == 2  # the limits mapping now has a duplicate key
    config.write_text(
        config.read_text()
        .replace("  objectives_per_unit: 1\n", "")
        .replace("  objectives_per_unit: 3", "  objectives_per_unit: 1")
    )
    check = run_cli("check", "--repo", demo, "--format", "json")
    platform = [
        f
        for f in check.json()["findings"]
        if f["file"] == "goals/teams/platform.yaml" and f["rule"] != "stale"
    ]
    assert [(f["rule"], f["line"], f["column"]) for f in platform] == [
        ("too-many-objectives", 8, 1)
    ]
    assert path.exists()


def test_outside_git_nothing_is_written(tmp_path):
    root = demo_copy(tmp_path)
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    status(root)
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before


def test_concurrent_runs_share_the_cache_safely(demo):
    runs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "okrctl",
                "status",
                "--repo",
                str(demo),
                "--format",
                "json",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(6)
    ]
    outputs = []
    for run in runs:
        out, err = run.communicate(timeout=120)
        assert run.returncode == 0, err
        outputs.append(numbers(json.loads(out)))
    assert all(output == outputs[0] for output in outputs)
    [pack] = packs(demo)
    assert len(pickle.loads(pack.read_bytes())) == 14


def test_the_key_is_the_bytes_and_the_name(tmp_path):
    """The same bytes under the same name, the same key; another name gives another default id,
    so another key. (What the code adds to it: the test of every cache key below.)"""
    from okrctl.store.cache import parse_cache

    cache = parse_cache.ParseCache(None)
    before = cache.key(b"kind: team\n", "signups")
    assert parse_cache.ParseCache(None).key(b"kind: team\n", "signups") == before
    assert cache.key(b"kind: team\n", "other") != before


def test_a_kept_unit_comes_back_exactly_as_validated():
    """Units are packed as (class, fields, fields set): every demo unit revives equal, with the
    same fields set (what `exclude_unset` dumps) and pydantic's extra and private slots; equal
    fields sets are written once, yet every model gets a mutable set of its own."""
    from okrctl.store.cache.parse_cache import pack_models
    from okrctl.store.load import load_repo

    repository = load_repo(PROJECT_ROOT)
    units = [unit_file.unit for unit_file in repository.units]
    assert units
    packed = pack_models(units)
    assert b"pydantic" not in packed  # pydantic's own pickled state is not what is written
    for unit, revived in zip(units, pickle.loads(packed), strict=True):
        assert revived == unit and revived is not unit
        assert revived.model_dump(exclude_unset=True) == unit.model_dump(exclude_unset=True)
        assert revived.model_fields_set == unit.model_fields_set
        assert type(revived.model_fields_set) is set
        assert (revived.__pydantic_extra__, revived.__pydantic_private__) == (None, None)
    key_results = [
        kr for unit in pickle.loads(packed) for o in unit.objectives for kr in o.key_results
    ]
    alike = [kr for kr in key_results if kr.model_fields_set == key_results[0].model_fields_set]
    assert len(alike) > 1  # (the demo has key results written alike)
    alike[0].model_fields_set.add("keep")
    assert "keep" not in alike[1].model_fields_set


def test_every_cache_key_follows_the_source_of_the_code_that_made_it(monkeypatch, tmp_path):
    """A cached entry is only as good as the code that made it: an edit to the YAML reader
    misses every cache; to a unit model module, the parse cache and the settings; to the
    history reader, the history index (store/cache/fingerprint.py)."""
    from okrctl.store.cache import config_cache, fingerprint, history_index, parse_cache

    def keys():
        fingerprint.fingerprint.cache_clear()
        return {
            "parse": parse_cache._format(),
            "config": config_cache._key(b"period: 2026-Q4\n"),
            "settings": config_cache._settings_key(config_cache._key(b"period: 2026-Q4\n")),
            "history": history_index._path(tmp_path, "goals").name,
        }

    before = keys()
    real = Path.read_bytes
    expected = {
        "store/yaml/read.py": {"parse", "config", "settings", "history"},
        "store/yaml/scalars.py": {"parse", "config", "settings", "history"},
        "model/goals.py": {"parse"},
        "model/fields.py": {"parse", "settings"},
        "model/measure.py": {"parse", "settings"},
        "model/config.py": {"settings"},
        "store/history.py": {"history"},
        "store/versions.py": {"history"},
    }
    for relative, misses in expected.items():
        source = fingerprint.PACKAGE / relative

        def edited(path, source=source):
            data = real(path)
            return data + b"\n# edited\n" if path == source else data

        monkeypatch.setattr(Path, "read_bytes", edited)
        after = keys()
        monkeypatch.setattr(Path, "read_bytes", real)
        changed = {name for name in before if after[name] != before[name]}
        assert changed == misses, relative
    fingerprint.fingerprint.cache_clear()


def test_a_pack_streamed_into_its_file_is_all_or_nothing(demo, monkeypatch):
    """The pack is pickled straight into its temp file (never held whole in memory): a write
    that fails midway leaves the old pack byte for byte, and no temp file beside it."""
    status(demo)
    [pack] = packs(demo)
    before = pack.read_bytes()
    (demo / "goals/teams/signups.yaml").write_text(
        (demo / "goals/teams/signups.yaml").read_text().replace("why:", "why: edited,", 1)
    )

    written = []

    def fails_midway(entries, into):
        written.append(len(entries))
        into.write(before[: len(before) // 2])
        raise OSError(28, "No space left on device")

    from okrctl.store.cache import parse_cache
    from okrctl.store.load import load_repo

    monkeypatch.setattr(parse_cache, "dump_models", fails_midway)
    monkeypatch.setattr(parse_cache, "slack", lambda used: 0)  # the pack written whole
    load_repo(demo)  # (the write's failure is no failure of the load: the next run parses)
    assert written == [14]
    assert pack.read_bytes() == before
    assert recent(demo) is None
    assert sorted(p.name for p in pack.parent.iterdir() if p.name.startswith(".")) == []
