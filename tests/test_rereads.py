"""The language server's memory of files read (store/rereads.py): an unchanged file is not read
again, and no change on disk is ever missed."""

from __future__ import annotations

import os
import subprocess

from conftest import PILLAR, TEAM, pillar_with, write_repo
from okrctl.store.load import BUFFERS_CACHED_FROM, load_buffers
from okrctl.store.rereads import SETTLED, Rereads
from okrctl.store.workspace import Workspace

PILLAR_FILE = "goals/pillars/growth.yaml"
HOUR = 3600 * 1_000_000_000


def settle(root, *, ago: int = HOUR):
    """Date every goals file an hour back, as files are between two edits."""
    stamp = os.stat(root / "okrctl.yaml").st_mtime_ns - ago
    for path in (root / "goals").rglob("*.yaml"):
        os.utime(path, ns=(stamp, stamp))


def session(tmp_path):
    root = write_repo(tmp_path, {})
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    settle(root)
    return Workspace(root.resolve(), caching=True, read_only=True)


def current_of(repository):
    [pillar] = [u.unit for u in repository.units if u.path == PILLAR_FILE]
    return pillar.objectives[0].key_results[0].current


def test_an_unchanged_file_is_not_read_again(tmp_path):
    workspace = session(tmp_path)
    first = load_buffers(workspace, {})
    second = load_buffers(workspace, {})
    [before] = [u for u in first.units if u.path == PILLAR_FILE]
    [after] = [u for u in second.units if u.path == PILLAR_FILE]
    assert after.unit is before.unit  # the same bytes, the same key, the same parsed unit
    assert len(workspace.memo[Rereads].files) == len(first.units)


def test_a_rewrite_of_the_same_size_dated_back_is_still_seen(tmp_path):
    """Size and modification time kept as they were (as a tool restoring times does): the
    change time still tells the rewrite apart."""
    workspace = session(tmp_path)
    path = workspace.root / PILLAR_FILE
    assert current_of(load_buffers(workspace, {})) is None
    before = os.stat(path)
    text = pillar_with(31)
    path.write_text(text)
    assert len(text.encode()) != before.st_size  # grows by the new line: now keep the size
    same_size = PILLAR.replace("target: 40", "target: 41")
    path.write_text(same_size)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert os.stat(path).st_size == before.st_size
    assert os.stat(path).st_mtime_ns == before.st_mtime_ns
    [pillar] = [u.unit for u in load_buffers(workspace, {}).units if u.path == PILLAR_FILE]
    assert pillar.objectives[0].key_results[0].target == 41


def test_a_file_written_in_the_moment_it_was_read_is_read_again_every_time(tmp_path):
    """A write in the same tick as a read may leave every field of `stat` as it was: a file
    that fresh is never taken from memory."""
    workspace = session(tmp_path)
    path = workspace.root / PILLAR_FILE
    path.write_text(pillar_with(31))  # now: fresher than SETTLED
    assert current_of(load_buffers(workspace, {})) == 31
    assert str(path) not in workspace.memo[Rereads].files
    settle(workspace.root, ago=SETTLED * 2)
    assert current_of(load_buffers(workspace, {})) == 31
    assert str(path) in workspace.memo[Rereads].files


def test_a_removed_file_is_gone_and_one_put_back_is_read_anew(tmp_path):
    workspace = session(tmp_path)
    load_buffers(workspace, {})
    path = workspace.root / PILLAR_FILE
    kept = path.read_text()
    path.unlink()
    assert all(u.path != PILLAR_FILE for u in load_buffers(workspace, {}).units)
    path.write_text(kept.replace("target: 40", "target: 41"))
    settle(workspace.root)
    [pillar] = [u.unit for u in load_buffers(workspace, {}).units if u.path == PILLAR_FILE]
    assert pillar.objectives[0].key_results[0].target == 41


def read_a_pack(workspace) -> bool:
    return any(str(key).endswith(".pickle") for key in workspace.memo)


def test_a_first_check_of_a_few_files_asks_git_nothing_and_then_reads_the_cache(tmp_path):
    """An editor waits for its first diagnostics: a handful of files is composed before git is
    asked where their parse cache is (GitPython's import costs more); once it was asked, the
    cache is read, and the goals are the same either way."""
    workspace = session(tmp_path)
    first = load_buffers(workspace, {})
    assert not workspace.git_asked and not read_a_pack(workspace)
    assert workspace.top is not None  # the session reads history next: git is asked
    second = load_buffers(workspace, {})
    assert read_a_pack(workspace)
    assert [u.unit for u in second.units] == [u.unit for u in first.units]


def test_many_files_are_looked_up_in_the_cache_from_the_first_check(tmp_path):
    workspace = session(tmp_path)
    for number in range(BUFFERS_CACHED_FROM):
        (workspace.root / f"goals/teams/team-{number}.yaml").write_text(TEAM)
    load_buffers(workspace, {})
    assert workspace.git_asked and read_a_pack(workspace)


def test_a_kept_source_map_answers_its_positions_again_and_only_for_its_own_index():
    from okrctl.store.yaml.read import parse_text

    text = "kind: team\nobjectives:\n  - id: funding\n    title: Effortless funding\n"
    index = parse_text(text).source.pack()
    rereads = Rereads()
    first = rereads.source_map("key-1", index)
    assert first.at("objectives", 0, "title") == (4, 12)
    assert first.known == {("objectives", 0, "title"): (4, 12)}
    assert rereads.source_map("key-1", index) is first  # the next command's: the same map
    reread = index.encode().decode()  # the pack read again: the same text, another string
    other = rereads.source_map("key-1", reread)
    assert other is not first and other.known == {}
    assert other.at("objectives", 0, "title") == (4, 12)
    assert rereads.source_map("key-2", reread) is not other
