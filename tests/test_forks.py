"""Work done in a forked child (store/forks.py `elsewhere`): its result is the one this process
would have made, and nothing that goes wrong there changes it. A report compares with the goals
`--since` in a second process while it scores: the same report, and the same errors."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

import pytest

from conftest import children_started, run_cli
from okrctl.store import forks
from okrctl.store.forks import cores_to_fork, elsewhere

may_fork = pytest.mark.skipif(cores_to_fork() < 2, reason="okrctl does not fork here")


@may_fork
def test_the_work_runs_in_a_child_and_its_result_comes_back():
    assert elsewhere(os.getpid)() != os.getpid()
    assert elsewhere(lambda: {"refs": ["a/b"], "n": 3})() == {"refs": ["a/b"], "n": 3}


@may_fork
def test_what_fails_in_the_child_is_done_here_with_the_same_result_or_error():
    here = os.getpid()
    assert elsewhere(os.getpid, unpack=lambda data: 1 / 0)() == here  # a refused message

    def fails_there() -> int:
        if os.getpid() != here:
            raise RuntimeError("only in the child")
        return 42

    assert elsewhere(fails_there)() == 42

    def always_fails() -> int:
        raise ValueError("--since 9x: not a date")

    with pytest.raises(ValueError, match="not a date"):
        elsewhere(always_fails)()


@may_fork
def test_first_in_child_runs_there_only():
    marks: list[int] = []
    assert elsewhere(lambda: len(marks), first_in_child=lambda: marks.append(1))() == 1
    assert marks == []


@may_fork
def test_a_big_result_comes_back_whole_and_its_child_is_not_waited_for_while_it_exits():
    """A result of megabytes comes back byte for byte (through a file in memory). A child that
    sent its result is left to exit: here its exit takes 3 s (a finalizer `multiprocessing`
    runs as it exits), and neither the result nor a command's last `end_children` waits for
    it; `okrctl serve`, between commands, ends it."""
    import multiprocessing
    import multiprocessing.util
    import time

    big = "ünïcode " * 500_000
    here = os.getpid()

    def slow_to_exit() -> str:
        assert os.getpid() != here  # (done here, it would find nothing to wait for)
        multiprocessing.util.Finalize(None, time.sleep, args=(3,), exitpriority=0)
        return big

    start = time.monotonic()
    later = elsewhere(slow_to_exit, here=lambda: "done here")
    assert later() == big
    forks.end_children(wait_for_exiting=False)
    assert time.monotonic() - start < 2.5
    assert len(multiprocessing.active_children()) == 1  # (still exiting)
    forks.end_children()  # (ends it: it has nothing left to do)
    assert multiprocessing.active_children() == []


@may_fork
def test_items_shared_from_both_ends_are_each_done_once_this_process_taking_the_first(
    monkeypatch,
):
    """`FromBothEnds`: this process takes items first to last, a child last to first, until
    they meet: this process's are a first stretch, the child's the rest, each item once. A
    child that fails after taking some leaves them all to this process (`theirs`); where no
    lock can be had (no /dev/shm), this process takes them all."""
    import time

    def slowly(items):
        for item in items:
            time.sleep(0.002)
            yield item

    share = forks.FromBothEnds(60)
    later = elsewhere(lambda: list(slowly(share.last_to_first())), here=lambda: ["here"])
    mine = list(slowly(share.first_to_last()))
    theirs = later()
    assert 0 < share.met < 60  # (both took some)
    assert mine == list(range(share.met))
    assert theirs == list(reversed(range(share.met, 60)))

    share = forks.FromBothEnds(60)

    def fails_midway() -> list[int]:
        taken = list(zip(range(3), slowly(share.last_to_first()), strict=False))
        raise RuntimeError(f"failed after taking {len(taken)}")

    later = elsewhere(fails_midway, here=lambda: list(share.theirs()))
    mine = list(slowly(share.first_to_last()))
    assert share.met <= 57 and mine + later() == list(range(60))

    alone = forks.FromBothEnds(60, with_child=False)
    assert not alone.shared and list(alone.first_to_last()) == list(range(60))
    assert list(alone.last_to_first()) == [] and list(alone.theirs()) == []

    import multiprocessing.context

    def no_semaphore(self):
        raise OSError(38, "Function not implemented")

    monkeypatch.setattr(multiprocessing.context.BaseContext, "Lock", no_semaphore)
    unshared = forks.FromBothEnds(60)
    assert not unshared.shared and list(unshared.first_to_last()) == list(range(60))


def test_beside_another_thread_or_refused_a_process_the_work_runs_here(monkeypatch):
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert elsewhere(os.getpid)() == os.getpid()
    finally:
        stop.set()
        other.join()
    import multiprocessing.process

    def refused(self):
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(multiprocessing.process.BaseProcess, "start", refused)
    assert elsewhere(os.getpid)() == os.getpid()


def _taking(claims, slow: float = 0.0) -> list[int]:
    import time

    taken = []
    for item in claims.take():
        time.sleep(slow)
        taken.append(item)
    return taken


@may_fork
def test_items_shared_out_are_each_done_once_by_whichever_process_is_free():
    from okrctl.store.forks import Claims

    claims = Claims(40)
    theirs = elsewhere(lambda: _taking(claims, 0.002))
    mine = _taking(claims, 0.002)
    done = theirs()
    assert mine and done  # both took some
    assert sorted(mine + done) == list(range(40))
    assert claims.taken_here == mine and claims.not_taken_here() == done


@may_fork
def test_the_items_a_failed_child_took_are_done_here():
    from okrctl.store.forks import Claims

    here = os.getpid()
    claims = Claims(30)

    def takes_then_fails() -> list[int]:
        taken = _taking(claims, 0.002)
        if os.getpid() != here:
            raise RuntimeError("the child fails once it has taken its share")
        return taken

    theirs = elsewhere(takes_then_fails, here=claims.not_taken_here)
    mine = _taking(claims, 0.002)
    done = theirs()  # done here: what the child took
    assert done and sorted(mine + done) == list(range(30))


@may_fork
def test_without_a_pipe_to_share_them_every_item_is_taken_here(monkeypatch):
    from okrctl.store.forks import Claims

    def no_descriptor_left():
        raise OSError(24, "Too many open files")

    with monkeypatch.context() as patched:
        patched.setattr(os, "pipe", no_descriptor_left)
        claims = Claims(6)
    theirs = elsewhere(lambda: list(claims.take()))
    assert list(claims.take()) == [0, 1, 2, 3, 4, 5]
    assert theirs() == []


def test_a_report_s_child_takes_its_share_of_what_the_units_cost(monkeypatch):
    """A company whose people (a key result each) come first and teams (nine) last: cut by
    the count of units, the child took half the work and more; by their cost, the last
    units whose cost is its share of the whole, this process keeping at least one."""
    monkeypatch.setattr(forks, "cores_to_fork", lambda: 2)
    monkeypatch.setattr(forks, "WORTH_A_CHILD", 1)
    units = [("person", 2)] * 500 + [("team", 10)] * 500
    mine, theirs = forks.split_off(units, lambda unit: unit[1])
    assert mine + theirs == units
    share = forks.CHILD_SHARE * sum(cost for _, cost in units)
    assert sum(cost for _, cost in theirs) <= share < sum(cost for _, cost in theirs) + 10
    assert {kind for kind, _ in theirs} == {"team"} and len(theirs) < 500
    assert len(theirs) < len(units) * forks.CHILD_SHARE  # (by their count, it took more)
    assert forks.split_off([("company", 1), ("team", 10)], lambda unit: unit[1]) == (
        [("company", 1), ("team", 10)],
        [],
    )


def test_where_okrctl_does_not_fork_the_items_are_taken_here_in_order(monkeypatch):
    from okrctl.store.forks import Claims

    monkeypatch.setattr(forks, "cores_to_fork", lambda: 1)
    claims = Claims(5)
    assert list(claims.take()) == [0, 1, 2, 3, 4] and list(claims.take()) == []
    assert claims.not_taken_here() == []
    with pytest.raises(ValueError):
        Claims(257)


def _marking(marker) -> tuple:
    """A prepare that says where it ran, and a commit that writes `marker` (as a page would be
    written) and says where it ran."""

    def commit(prepared_in: int) -> tuple[int, int]:
        marker.write_text(str(os.getpid()))
        return prepared_in, os.getpid()

    return os.getpid, commit


@may_fork
def test_a_child_in_two_steps_commits_only_once_told_to(tmp_path):
    prepare, commit = _marking(tmp_path / "written")
    step = forks.elsewhere_in_two_steps(prepare, commit)
    step.prepare_here_unless_done()  # the child has prepared, and waits
    assert not (tmp_path / "written").exists()
    step.go()
    prepared_in, committed_in = step()
    assert prepared_in == committed_in != os.getpid()
    assert (tmp_path / "written").read_text() == str(committed_in)


@may_fork
def test_a_child_ended_before_go_commits_nothing(tmp_path):
    prepare, commit = _marking(tmp_path / "written")
    step = forks.elsewhere_in_two_steps(prepare, commit)
    step.prepare_here_unless_done()
    step.abandon()  # (this process failed meanwhile)
    assert not (tmp_path / "written").exists()


@may_fork
def test_what_the_child_fails_to_prepare_is_prepared_here_before_anything_is_written(tmp_path):
    here = os.getpid()
    _, commit = _marking(tmp_path / "written")

    def prepare_here_only() -> int:
        if os.getpid() != here:
            raise RuntimeError("a template error, only in the child")
        return os.getpid()

    step = forks.elsewhere_in_two_steps(prepare_here_only, commit)
    step.prepare_here_unless_done()
    assert step() == (here, here)

    def never_prepared() -> int:
        raise ValueError("unit.html.j2:2: 'dict object' has no attribute 'nickname'")

    step = forks.elsewhere_in_two_steps(never_prepared, commit)
    (tmp_path / "written").unlink()
    with pytest.raises(ValueError, match="nickname"):
        step.prepare_here_unless_done()  # raised here, before this process writes anything
    step.abandon()
    assert not (tmp_path / "written").exists()


@may_fork
def test_what_the_child_fails_to_commit_is_done_here(tmp_path):
    here = os.getpid()

    def commit_here_only(prepared_in: int) -> tuple[int, int]:
        if os.getpid() != here:
            raise OSError(28, "No space left on device")
        return prepared_in, os.getpid()

    step = forks.elsewhere_in_two_steps(os.getpid, commit_here_only)
    step.prepare_here_unless_done()
    assert step() == (here, here)


def test_where_okrctl_does_not_fork_both_steps_run_here(tmp_path, monkeypatch):
    monkeypatch.setattr(forks, "cores_to_fork", lambda: 1)
    prepare, commit = _marking(tmp_path / "written")
    step = forks.elsewhere_in_two_steps(prepare, commit)
    step.prepare_here_unless_done()
    step.go()
    assert step() == (os.getpid(), os.getpid())


@may_fork
def test_what_a_child_sends_early_waits_for_no_one():
    early: forks.Early[list[dict[str, int]]] = forks.Early()
    units = [{"unit": n, "score": n * 10} for n in range(20_000)]  # megabytes: never a wait

    def work() -> int:
        early.send(units)
        return os.getpid()

    later = elsewhere(work, first_in_child=early.in_child)
    early.forked()
    assert later() != os.getpid()  # it went on, and ended, before anything was read here
    assert early.receive() == units


@may_fork
def test_where_linux_has_no_memfd_the_early_data_goes_through_a_temporary_file(monkeypatch):
    monkeypatch.delattr(os, "memfd_create")
    early: forks.Early[list[int]] = forks.Early()
    later = elsewhere(lambda: early.send(list(range(100_000))), first_in_child=early.in_child)
    early.forked()
    later()
    assert early.receive() == list(range(100_000))


@may_fork
def test_a_child_that_dies_before_sending_early_sends_nothing():
    early: forks.Early[int] = forks.Early()
    later = elsewhere(lambda: os._exit(3), first_in_child=early.in_child)
    early.forked()
    assert early.receive() is None
    later.abandon()

    unforked: forks.Early[int] = forks.Early()  # (where no child was started)
    unforked.forked()
    assert unforked.receive() is None


def counting_children(monkeypatch) -> Callable[[], int]:
    """How many forked children were started since, but those asking git where the goals are
    (each of `check`, `status` and `show` starts one: tests/test_git_ahead.py)."""
    from okrctl.store.git.whereabouts import whereabouts

    started = children_started(monkeypatch)
    return lambda: sum(getattr(work, "func", None) is not whereabouts for work in started)


@may_fork
@pytest.mark.parametrize("since", ["2026-10-05", "14d", "HEAD~3"])
def test_a_report_compared_in_a_second_process_is_the_one_made_alone(quarter, monkeypatch, since):
    args = ("report", "--repo", quarter, "--as-of", "2026-11-15", "--since", since)
    run_cli(*args)  # (the caches written, so that the one child counted is the comparison's)
    children = counting_children(monkeypatch)
    together = run_cli(*args)
    assert together.exit_code == 0, together.stderr
    assert children() == 1
    monkeypatch.setattr(forks, "cores_to_fork", lambda: 1)
    alone = run_cli(*args)
    assert together.stdout == alone.stdout
    assert "## What changed since" in together.stdout


@may_fork
def test_a_bad_since_is_the_same_error_either_way(quarter, monkeypatch):
    args = ("report", "--repo", quarter, "--as-of", "2026-11-15", "--since", "no-such-rev")
    run_cli("report", "--repo", quarter, "--as-of", "2026-11-15")  # (the caches written)
    children = counting_children(monkeypatch)
    together = run_cli(*args)
    assert children() == 1
    monkeypatch.setattr(forks, "cores_to_fork", lambda: 1)
    alone = run_cli(*args)
    assert together.exit_code == alone.exit_code == 2
    assert together.stderr == alone.stderr and "no-such-rev" in together.stderr


@may_fork
@pytest.mark.parametrize("command", ["check", "status", "report"])
def test_the_caches_a_command_writes_beside_its_work_are_those_written_alone(
    quarter, tmp_path, monkeypatch, command
):
    """A fresh clone's parse cache and history index are written by children beside the
    command's work (`check`'s rules, `status`'s scoring, a report's): the same output, and
    the same files, byte for byte, as one process writes."""
    import shutil

    def fresh(name: str) -> tuple[str, dict[str, bytes]]:
        root = tmp_path / name
        shutil.copytree(quarter, root)
        shutil.rmtree(root / ".git" / "okrctl", ignore_errors=True)
        output = run_cli(command, "--repo", root, "--as-of", "2026-12-31").stdout  # (the tree)
        folder = root / ".git" / "okrctl"
        caches = {
            p.relative_to(folder).as_posix(): p.read_bytes()
            for p in folder.rglob("*")
            if p.is_file()
        }
        return output, caches

    from okrctl.store import compose_elsewhere

    monkeypatch.setattr(forks, "WORTH_A_CHILD", 1)  # (the demo is small: children from 1)
    # composed here either way: units a second process composed are equal, but pickled again
    # they share fewer objects, so the pack's bytes differ (tests/test_compose_elsewhere.py)
    monkeypatch.setattr(compose_elsewhere, "can_fork", lambda files: False)
    children = counting_children(monkeypatch)
    together = fresh("together")
    assert children() >= 1  # (the writes, at least)
    assert {name.split("-")[0] for name in together[1]} >= {"parse", "history"}
    monkeypatch.setattr(forks, "cores_to_fork", lambda: 1)
    assert together == fresh("alone")


@may_fork
def test_the_rules_a_child_runs_beside_history_find_what_one_process_finds(
    quarter, tmp_path, monkeypatch
):
    """`check` runs the rules that do not read history in a forked child while it reads
    history and runs `stale` (warm, the child runs `stale` on the last files too): the same
    findings, in the same order, warm and on a fresh clone, as one process finds."""
    import shutil

    root = tmp_path / "okrs"
    shutil.copytree(quarter, root)
    (root / "goals/teams/signups.yaml").write_text(
        (root / "goals/teams/signups.yaml").read_text().replace("why:", "wy:", 1)
    )  # a schema error too, beside the quarter's stale numbers
    args = ("check", "--repo", root, "--format", "json", "--as-of", "2026-12-20")

    def fresh() -> dict:
        shutil.rmtree(root / ".git" / "okrctl", ignore_errors=True)
        return run_cli(*args).json()

    small = counting_children(monkeypatch)
    alone_small = run_cli(*args).json()
    assert small() == 0  # a small repository's rules run here, its caches written at once
    monkeypatch.setattr(forks, "WORTH_A_CHILD", 1)
    children = counting_children(monkeypatch)
    cold, warm = fresh(), run_cli(*args).json()
    assert children() >= 2  # the rules' child, both times
    rules = {f["rule"] for f in cold["findings"]}
    assert {"stale", "schema"} <= rules  # one rule reads history, the other not
    # Should the child fail, the rules it took are run here: `stale` here is slowed so that
    # the child takes the rules first (saying which in a file), and fails at `schema`, the
    # rule that finds the typo, once it has taken others.
    import dataclasses
    import time

    from okrctl.core.rules import REGISTRY

    parent, taken_there = os.getpid(), tmp_path / "taken-in-the-child"

    def failing_in_the_child(name, rule):
        def check(context):
            if os.getpid() != parent:
                with taken_there.open("a") as said:
                    said.write(f"{name}\n")
                if name == "schema":
                    raise RuntimeError(f"{name} fails in the child")
            return rule.check(context)

        return dataclasses.replace(rule, check=check)

    def slow_here(rule):
        def check(context):
            if os.getpid() == parent:
                time.sleep(0.3)
            return rule.check(context)

        return dataclasses.replace(rule, check=check)

    for name, rule in list(REGISTRY.items()):
        patched = slow_here(rule) if rule.reads_history else failing_in_the_child(name, rule)
        monkeypatch.setitem(REGISTRY, name, patched)
    assert run_cli(*args).json() == warm
    taken = taken_there.read_text().split()
    assert "schema" in taken and len(taken) > 1  # the child took rules, failed; they ran here
    monkeypatch.setattr(forks, "cores_to_fork", lambda: 1)
    assert cold == warm == fresh() == run_cli(*args).json() == alone_small


@may_fork
@pytest.mark.parametrize("scope", [(), ("growth",)])
def test_status_json_scored_in_two_processes_is_the_one_made_alone(
    quarter, tmp_path, monkeypatch, scope
):
    """`status --format json` piped has a forked child score and write units from the last
    back, while this process does from the first: the same bytes, notes and exit code as one
    process makes, and as when the child fails midway."""
    args = ("status", *scope, "--repo", quarter, "--format", "json", "--as-of", "2026-11-15")
    run_cli(*args)  # (the caches written, so that the one child counted is the scoring's)
    monkeypatch.setattr(forks, "WORTH_A_CHILD", 1)
    children = counting_children(monkeypatch)
    together = run_cli(*args)
    assert children() == 1
    monkeypatch.setattr(forks, "cores_to_fork", lambda: 1)
    alone = run_cli(*args)
    assert (together.stdout, together.stderr, together.exit_code) == (
        alone.stdout,
        alone.stderr,
        alone.exit_code,
    )
    units = [unit["id"] for unit in together.json()["units"]]
    assert len(units) == (6 if scope else 14) and units[0] == (scope or ("harbor",))[0]
    # A child that fails once it has written some of its units (this process slowed, so that
    # it takes several) leaves them all to this process: the same bytes.
    import time

    from okrctl.commands import status as command

    monkeypatch.setattr(forks, "cores_to_fork", cores_to_fork)
    parent, failed_there = os.getpid(), tmp_path / "failed-in-the-child"
    written, written_here = command.units_json_text, command.units_json_texts

    def failing_there(units):
        failing_there.calls = getattr(failing_there, "calls", 0) + 1
        if os.getpid() != parent and failing_there.calls > 2:
            failed_there.write_text(f"after {failing_there.calls - 1} stretches")
            raise RuntimeError("the child fails midway")
        return written(units)

    def slowly_here(units):
        time.sleep(0.05)
        return written_here(units)

    monkeypatch.setattr(command, "units_json_text", failing_there)
    monkeypatch.setattr(command, "units_json_texts", slowly_here)
    failed = run_cli(*args)
    assert failed_there.read_text() == "after 2 stretches"
    assert (failed.stdout, failed.exit_code) == (alone.stdout, alone.exit_code)


@may_fork
@pytest.mark.parametrize("on_demand", [False, True])
@pytest.mark.parametrize("scope", [None, "growth"])
def test_a_report_s_units_built_in_a_child_are_those_built_alone(
    quarter, monkeypatch, scope, on_demand
):
    """A large report has a forked child score and build the context of its last units, and
    the supporters it scored filled in here from its contexts: the context, every summary
    and every objective's supporters included, equals the one a single process builds, with
    key results built at once or on demand."""
    from contextlib import ExitStack
    from datetime import date

    from okrctl.commands.report import report
    from okrctl.render.report_context import SUMMARIES, build_context

    request = report(quarter, scope, as_of=date(2026, 11, 15), since="2026-11-01")
    request.changes()  # (the comparison's child done with)
    needed = {"help_wanted", "owners"} if on_demand else set(SUMMARIES)
    monkeypatch.setattr(forks, "WORTH_A_CHILD", 1)
    children = counting_children(monkeypatch)
    with ExitStack() as rendering:
        together = build_context(request, needed, rendering)
        assert children() == 1
        monkeypatch.setattr(forks, "cores_to_fork", lambda: 1)
        alone = build_context(request, needed, rendering)
        assert together == alone
    assert len(together["units"]) == (14 if scope is None else 6)
    assert together["help_wanted"] and together["units"][-1]["objectives"]
    supported = [o for u in together["units"] for o in u["all_objectives"] if o["supporters"]]
    assert len(supported) >= 3  # (supporters were filled in, and compared)
    assert together["company"]["unit"]["all_objectives"][0]["supporters"]


EVERY_NUMBER = """\
{% for unit in units %}{% for objective in unit.all_objectives %}\
{% for kr in objective.key_results %}
{{ kr.ref }} {{ kr.owner }} {{ kr.stale }} {{ kr.checkins|length }} {{ kr.trend }} \
{{ kr.forecast }} {{ kr.target_moves }} {{ kr.timeline }} {{ kr|tojson }}
{% for name, value in kr.items() %}{{ name }}={{ value }};{% endfor %}
{% endfor %}{% endfor %}{% endfor %}
"""


@pytest.mark.slow
@may_fork
@pytest.mark.parametrize("template", ["company", "team", "wall", "every-number"])
def test_a_report_built_on_demand_is_the_one_built_at_once(quarter, monkeypatch, template):
    """A report whose template reads no summary of every number's forecast has each key
    result built when the template first reads it (a child building the last units; once the
    template reads one of theirs whole, a second building them all whole, each built here
    until it answers): the text is the one a context built at once renders, and the one a
    single process renders, and no child outlives the rendering, read or not, but to exit once
    it has sent what it made."""
    import multiprocessing
    from datetime import date

    from okrctl.commands.report import report
    from okrctl.render.markdown import render, render_report
    from okrctl.render.report_context import build_context

    own = quarter / "templates" / "every-number.md.j2"
    own.parent.mkdir(exist_ok=True)
    own.write_text(EVERY_NUMBER, encoding="utf-8")
    try:
        request = report(quarter, None, template=template, as_of=date(2026, 11, 15))
        request.changes()  # (the comparison's child done with)
        monkeypatch.setattr(forks, "WORTH_A_CHILD", 1)
        children = counting_children(monkeypatch)
        on_demand = render_report(request)
        reads_theirs_whole = template == "every-number"  # (the others read what is known)
        assert children() == (2 if reads_theirs_whole else 1)
        left = multiprocessing.active_children()  # (but those that sent and are exiting)
        assert {child.pid for child in left} <= forks._EXITING
        at_once = render(
            request.template,
            lambda needed: build_context(request, needed),
            request.user_templates,
            as_of=request.running_as_of,  # (its charts' axes say it, as the report's do)
        )
        assert children() == (3 if reads_theirs_whole else 2)  # (at once: one child more)
        monkeypatch.setattr(forks, "cores_to_fork", lambda: 1)
        alone = render_report(request)  # (every unit scored and built here)
    finally:
        own.unlink()
    assert on_demand == at_once == alone
    if template == "every-number":
        assert on_demand.count('"checkins": [{') > 5  # (check-ins of key results, shown whole)


def test_what_is_known_of_a_key_result_is_what_its_whole_says(quarter, monkeypatch):
    """A template reading only what is known of a key result (its title, owner, silence...)
    reads the values the whole key result holds."""
    from contextlib import ExitStack
    from datetime import date

    from okrctl.commands.report import report
    from okrctl.render.on_demand import FilledOnDemand
    from okrctl.render.report_context import build_context

    monkeypatch.setattr(forks, "cores_to_fork", lambda: 1)
    request = report(quarter, None, template="company", as_of=date(2026, 11, 15))
    with ExitStack() as rendering:
        context = build_context(request, {"units", "help_wanted"}, rendering)
    key_results = [
        kr for unit in context["units"] for o in unit["all_objectives"] for kr in o["key_results"]
    ]
    assert len(key_results) > 20 and all(type(kr) is FilledOnDemand for kr in key_results)
    known = [dict(dict.items(kr)) for kr in key_results]  # (read without building)
    assert any(k["stale"] for k in known) and any(k["days_quiet"] for k in known)
    for before, kr in zip(known, key_results, strict=True):
        assert before.items() <= dict(kr).items(), kr["ref"]


SUPPORTERS = """\
{% for unit in units %}{% for o in unit.all_objectives %}{{ o.ref }} {{ o.score }}:\
{% for s in o.supporters %} {{ s.ref }}={{ s.score }}/{{ s.status_words }}{% endfor %}
{% endfor %}{% endfor %}{{ company.unit.all_objectives|length }} {{ changes["values"] }}
"""


@pytest.mark.slow
@may_fork
def test_a_large_report_typed_from_a_subfolder_is_the_one_a_single_core_makes(tmp_path):
    """`okrctl report` of 205 teams, typed from a team folder with a relative `--repo` and
    piped: its forked children score and build the last units and compare with `--since`,
    and every objective's supporters (the company's are every team) are the ones the same
    command prints where it may use one core only."""
    import subprocess
    import sys

    from conftest import CONFIG
    from gitrepo import GitRepo

    company = (
        "kind: company\nid: acme\nmission: Make saving easy.\nobjectives:\n"
        "  - id: grow\n    title: Grow deposits\n    why: Deposits fund plans.\n"
        "    key_results:\n      - {id: deposits, title: Deposits, baseline: 0, target: 10, "
        "current: 4, source: ledger}\n"
    )

    def team(index: int, current: int) -> str:
        return (
            f"kind: team\nparent: acme\nobjectives:\n  - id: ship\n    title: Ship {index}\n"
            "    why: Customers wait.\n    aligns_to: [acme/grow]\n    key_results:\n"
            f"      - {{id: done, title: Done, baseline: 0, target: 10, current: {current}, "
            "source: board}\n"
        )

    files = {"okrctl.yaml": CONFIG, "goals/company.yaml": company}
    files |= {f"goals/teams/t{i:03}.yaml": team(i, i % 11) for i in range(205)}
    files["templates/supporters.md.j2"] = SUPPORTERS
    repo = GitRepo(tmp_path / "okrs")
    repo.commit(files, "2026-10-05")
    repo.commit({"goals/teams/t007.yaml": team(7, 9)}, "2026-11-10")
    args = [
        sys.executable, "-m", "okrctl", "report", "--repo", "../..", "--template", "supporters",
        "--since", "2026-11-01", "--as-of", "2026-11-15",
    ]  # fmt: skip

    def run(**options: object) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            args, cwd=repo.root / "goals" / "teams", capture_output=True, text=True, **options
        )

    run()  # (the caches written: the runs below are warm)
    together = run()
    alone = run(preexec_fn=lambda: os.sched_setaffinity(0, {0}))  # (okrctl then never forks)
    assert (together.stdout, together.stderr, together.returncode) == (
        alone.stdout,
        alone.stderr,
        alone.returncode,
    )
    assert together.returncode == 0, together.stderr
    company_line = together.stdout.splitlines()[0]
    assert company_line.startswith("acme/grow ") and company_line.count("/ship=") == 205
    moved = "'ref': 't007/ship/done', 'title': 'Done', 'unit': None, 'old': 7, 'new': 9"
    assert moved in together.stdout
