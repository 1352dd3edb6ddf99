"""`okrctl checkin`: only the value (and confidence) lines change, writes are atomic, commits
hold just that file, and parallel check-ins never lose an update. All against real git."""

from __future__ import annotations

import difflib
import os
import signal
import subprocess
import sys
import time

import pytest

import okrctl
from conftest import BASE, TEAM, TEAM_HEAD, copy_demo, run_cli, typed
from gitrepo import GitRepo
from okrctl.core.graph import build_graph

TEAM_FILE = "goals/teams/signups.yaml"


def demo_repo(tmp_path):
    repo = GitRepo(tmp_path / "demo")
    copy_demo(repo.root)
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "demo", date="2026-10-01")
    return repo


def changed_lines(before: str, after: str) -> list[str]:
    return [
        line for line in difflib.ndiff(before.splitlines(), after.splitlines()) if line[:1] in "+-"
    ]


@pytest.mark.slow
def test_every_key_result_and_kpi_of_the_demo_changes_only_its_own_lines(tmp_path):
    repo = demo_repo(tmp_path)
    graph = build_graph(okrctl.load_repo(repo.root))
    refs = [
        (ref, node.owner.path, node.key_result.milestone, node.key_result.done)
        for ref, node in graph.key_results.items()
        if node.key_result.derived_from is None  # derived numbers are refused (test_derive.py)
    ]
    refs += [(ref, node.owner.path, False, None) for ref, node in graph.kpis.items()]
    assert len(refs) > 30
    for ref, path, milestone, done in refs:
        before = (repo.root / path).read_text()
        new_value = ("undone" if done else "done") if milestone else "123.25"
        args = ["checkin", ref, new_value, "--no-commit", "--force", "--repo", repo.root]
        if ref in graph.key_results:
            args += ["--confidence", "0.55"]
        result = run_cli(*args)
        assert result.exit_code == 0, (ref, result.stderr)
        after = (repo.root / path).read_text()
        diff = changed_lines(before, after)
        removed = [line[2:] for line in diff if line.startswith("- ")]
        added = [line[2:] for line in diff if line.startswith("+ ")]
        key = "done:" if milestone else "current:"
        assert all(line.strip().startswith((key, "confidence:")) for line in removed + added), (
            ref,
            diff,
        )
        landed = "false" if done else "true" if milestone else "123.25"
        assert any(key in line and landed in line for line in added), ref
        assert len(added) <= 2 and len(removed) <= 2
        repo.git("checkout", "--", path)  # next ref starts from the committed file


OTHER_STYLE = (
    "# Signups squad: written in another style than the demo's\r\n"
    "kind:   team\r\n"
    "parent: growth   # the growth pillar\r\n"
    "objectives:\r\n"
    "- id: funding\r\n"
    "  title: 'Effortless funding'\r\n"
    '  why: "Funding is where people drop off."\r\n'
    "  aligns_to: [ growth/convert ]\r\n"
    "  key_results:\r\n"
    "  - {id: rate, title: Rate, baseline: 1, target: 2, current: 1.50, source: x}\r\n"
    "  - {id: band, title: Band, keep: {max: 3}, source: y}\r\n"
    "  - id: ach\r\n"
    "    title: Ship it\r\n"
    "    milestone: true   # a yes/no result\r\n"
    "\r\n"
    "    source: release notes\r\n"
)


def test_other_styles_crlf_and_bom_are_kept_byte_for_byte(tmp_path):
    repo = GitRepo(tmp_path / "okrs")
    repo.commit({**BASE, TEAM_FILE: None}, "2026-10-01")
    path = repo.root / TEAM_FILE
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\xef\xbb\xbf" + OTHER_STYLE.encode())
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "other style", date="2026-10-02")

    def checkin(*args):
        result = run_cli("checkin", *args, "--repo", repo.root)
        assert result.exit_code == 0, result.stderr
        return path.read_bytes()

    raw = checkin("signups/funding/rate", "1.75")
    assert raw == b"\xef\xbb\xbf" + OTHER_STYLE.replace("current: 1.50", "current: 1.75").encode()
    raw = checkin("signups/funding/band", "2.5", "--confidence", "0.9")
    assert (
        b"{id: band, title: Band, keep: {max: 3}, source: y, current: 2.5, confidence: 0.9}" in raw
    )
    raw = checkin("signups/funding/ach", "done")
    expected = (
        OTHER_STYLE.replace("current: 1.50", "current: 1.75")
        .replace(
            "keep: {max: 3}, source: y}",
            "keep: {max: 3}, source: y, current: 2.5, confidence: 0.9}",
        )
        .replace(
            "    milestone: true   # a yes/no result\r\n",
            "    milestone: true   # a yes/no result\r\n    done: true\r\n",
        )
    )
    assert raw == b"\xef\xbb\xbf" + expected.encode()
    assert okrctl.check_repo(repo.root).errors == 0


def test_commit_holds_only_that_file_with_a_trailer_and_the_note(tmp_path):
    repo = GitRepo(tmp_path / "okrs")
    repo.commit(BASE, "2026-10-01")
    repo.write({"notes.txt": "staged, unrelated\n"})
    repo.git("add", "notes.txt")
    result = run_cli(
        "checkin", "growth/convert/rate", "33", "-m", "New landing page", "--repo", repo.root
    )
    assert result.exit_code == 0, result.stderr
    assert repo.git("show", "--name-only", "--format=", "HEAD") == "goals/pillars/growth.yaml"
    assert repo.git("diff", "--cached", "--name-only") == "notes.txt"  # still staged
    assert repo.git("log", "-1", "--format=%B") == (
        "checkin(growth/convert/rate): none → 33\n\nNew landing page\n\n"
        "Okr-Checkin: growth/convert/rate"
    )
    assert repo.git("log", "-1", "--format=%an <%ae>") == "Maria Lopez <maria@example.com>"
    assert repo.git("log", "-1", "--format=%(trailers:key=Okr-Checkin,valueonly)").strip() == (
        "growth/convert/rate"
    )


def test_an_unchanged_value_is_confirmed_by_an_empty_commit(tmp_path):
    repo = GitRepo(tmp_path / "okrs")
    repo.commit(BASE, "2026-10-01")
    before = repo.git("rev-parse", "HEAD")
    result = run_cli("checkin", "acme/ltv-cac", "3.2", "--repo", repo.root)
    assert result.exit_code == 0
    assert "(unchanged)" in result.stdout
    assert repo.git("rev-parse", "HEAD~1") == before
    assert repo.git("show", "--name-only", "--format=", "HEAD") == ""
    assert "Okr-Checkin: acme/ltv-cac" in repo.git("log", "-1", "--format=%B")


def test_no_commit_leaves_the_edit_uncommitted(tmp_path):
    repo = GitRepo(tmp_path / "okrs")
    head = repo.commit(BASE, "2026-10-01")
    assert (
        run_cli("checkin", "acme/grow/deposits", "14", "--no-commit", "--repo", repo.root).exit_code
        == 0
    )
    assert repo.git("rev-parse", "HEAD") == head
    assert repo.git("status", "--porcelain") == "M goals/company.yaml"


@pytest.mark.parametrize(
    ("ref", "value", "message"),
    [
        ("acme/grow/deposits", "fourteen", "'fourteen' is not a number"),
        ("acme/grow/deposits", "nan", "'nan' is not a number"),
        ("acme/grow/deposits", "40,5", "'40,5' is not a number"),  # (a decimal comma)
        ("acme/grow/deposits", "14%", "'14%' is in %, but this number has no unit: give it alone"),
        ("acme/grow/deposits", "--bogus", "no such option: --bogus (`okrctl checkin -h` lists"),
        ("-x", "5", "no such option: -x (`okrctl checkin -h` lists"),
        ("signups/funding/ach", "maybe", "use true/done or false/undone"),
        ("acme/grow", "3", "is an objective; check in a key result or a KPI"),
        ("acme/grow/deposit", "3", "did you mean acme/grow/deposits"),
    ],
)
def test_bad_values_and_refs_exit_2_and_leave_the_file(tmp_path, ref, value, message):
    repo = GitRepo(tmp_path / "okrs")
    repo.commit(BASE, "2026-10-01")
    result = run_cli("checkin", ref, value, "--repo", repo.root)
    assert result.exit_code == 2
    assert message in result.stderr
    assert repo.git("status", "--porcelain") == ""


@pytest.mark.parametrize(
    ("ref", "typed", "said"),
    [
        (
            "acme/grow/deposits",
            "0.13",
            "0.13 is 77 times smaller than any value acme/grow/deposits holds or aims for "
            "(10 → 20, now 12); did you mean 13? If 0.13 is right, check it in with "
            "`okrctl checkin acme/grow/deposits 0.13 --force`.",
        ),
        (
            "acme/grow/deposits",
            "1,300",
            "1,300 is 65 times larger than any value acme/grow/deposits holds or aims for "
            "(10 → 20, now 12); did you mean 13? If 1,300 is right, check it in with "
            "`okrctl checkin acme/grow/deposits 1,300 --force`.",
        ),
        (
            "acme/ltv-cac",
            "0.03",
            "0.03 is 100 times smaller than any value acme/ltv-cac holds or aims for (healthy ≥ "
            "3, now 3.2); did you mean 3? If 0.03 is right, check it in with `okrctl checkin "
            "acme/ltv-cac 0.03 --force`.",
        ),
    ],
)
def test_a_value_that_looks_like_a_slip_is_refused_until_forced(tmp_path, ref, typed, said):
    """A fraction typed for a percentage, digits lost or added: the score would reach every
    report. Refused, saying what was perhaps meant (when a power of ten lands it among the
    number's values) and the command that checks it in as it is; `--force` does."""
    repo = GitRepo(tmp_path / "okrs")
    head = repo.commit(BASE, "2026-10-01")
    result = run_cli("checkin", ref, typed, "--repo", repo.root)
    assert (result.exit_code, result.stderr) == (2, f"okrctl: {said}\n")
    assert repo.git("rev-parse", "HEAD") == head
    assert repo.git("status", "--porcelain") == ""
    forced = run_cli("checkin", ref, typed, "--force", "--repo", repo.root)
    assert forced.exit_code == 0, forced.stderr
    assert forced.stdout.startswith(f"{ref}: ")


def test_a_value_near_a_zero_mark_or_within_fifty_times_is_no_slip(tmp_path):
    """A number that runs from 0 may be small; one that moved tenfold is checked in."""
    repo = GitRepo(tmp_path / "okrs")
    from_zero = BASE["goals/company.yaml"].replace("baseline: 10", "baseline: 0")
    repo.commit({**BASE, "goals/company.yaml": from_zero}, "2026-10-01")
    for value in ("0.05", "200", "-3"):
        result = run_cli("checkin", "acme/grow/deposits", value, "--repo", repo.root)
        assert result.exit_code == 0, (value, result.stderr)
    too_big = run_cli("checkin", "acme/grow/deposits", "1001", "--repo", repo.root)
    assert too_big.exit_code == 2 and "50 times larger" in too_big.stderr


def test_confidence_must_be_between_0_and_1(tmp_path):
    repo = GitRepo(tmp_path / "okrs")
    repo.commit(BASE, "2026-10-01")
    result = run_cli(
        "checkin", "acme/grow/deposits", "13", "--confidence", "70", "--repo", repo.root
    )
    assert result.exit_code == 2
    assert "between 0 and 1" in result.stderr


def test_refuses_when_the_file_has_uncommitted_changes(tmp_path):
    repo = GitRepo(tmp_path / "okrs")
    repo.commit(BASE, "2026-10-01")
    repo.write({"goals/company.yaml": BASE["goals/company.yaml"] + "# draft\n"})
    result = run_cli("checkin", "acme/grow/deposits", "14", "--repo", repo.root)
    assert result.exit_code == 1
    assert "goals/company.yaml has uncommitted changes" in result.stderr
    assert (repo.root / "goals/company.yaml").read_text().endswith("# draft\n")
    # another file may be dirty: only the checked-in file matters
    assert run_cli("checkin", "growth/convert/rate", "31", "--repo", repo.root).exit_code == 0


def test_refuses_during_a_merge_and_on_a_detached_head(tmp_path):
    repo = GitRepo(tmp_path / "okrs")
    repo.commit({**BASE, "notes.txt": "a\n"}, "2026-10-01")
    repo.git("checkout", "-q", "-b", "side")
    repo.commit({"notes.txt": "side\n"}, "2026-10-02")
    repo.git("checkout", "-q", "main")
    repo.commit({"notes.txt": "main\n"}, "2026-10-03")
    subprocess.run(["git", "merge", "side"], cwd=repo.root, capture_output=True, check=False)
    result = run_cli("checkin", "acme/grow/deposits", "14", "--repo", repo.root)
    assert result.exit_code == 1
    assert "a merge is in progress" in result.stderr
    repo.git("merge", "--abort")
    repo.git("checkout", "-q", "--detach")
    result = run_cli("checkin", "acme/grow/deposits", "14", "--repo", repo.root)
    assert result.exit_code == 1
    assert "HEAD is detached" in result.stderr
    assert (
        run_cli("checkin", "acme/grow/deposits", "14", "--no-commit", "--repo", repo.root).exit_code
        == 0
    )


def test_an_infinite_value_is_refused_before_anything_is_written(tmp_path):
    repo = GitRepo(tmp_path / "okrs")
    bad_band = TEAM.replace(
        "        milestone: true\n        done: false\n", "        keep: {min: 1}\n"
    )
    repo.commit({**BASE, TEAM_FILE: bad_band}, "2026-10-01")
    before = (repo.root / TEAM_FILE).read_bytes()
    result = run_cli("checkin", "signups/funding/ach", "1e400", "--repo", repo.root)
    assert result.exit_code == 2
    assert (repo.root / TEAM_FILE).read_bytes() == before


def test_outside_git_the_file_is_written_and_not_committed(tmp_path):
    from conftest import write_repo

    root = write_repo(tmp_path, {})
    result = run_cli("checkin", "acme/grow/deposits", "15", "--repo", root)
    assert result.exit_code == 0
    assert "not committed" in result.stdout
    assert "current: 15" in (root / "goals/company.yaml").read_text()


WRITER = """
import sys
from pathlib import Path
from okrctl.store.writefile import write_atomically
target, a, b = Path(sys.argv[1]), Path(sys.argv[2]).read_bytes(), Path(sys.argv[3]).read_bytes()
print("ready", flush=True)
while True:
    write_atomically(target, a)
    write_atomically(target, b)
"""


@pytest.mark.slow
def test_a_write_killed_at_any_moment_leaves_the_old_file_or_the_new_one(tmp_path):
    old = b"kind: team\n" + b"# old\n" * 300_000
    new = b"kind: team\n" + b"# new!\n" * 250_000
    (tmp_path / "a").write_bytes(old)
    (tmp_path / "b").write_bytes(new)
    target = tmp_path / "unit.yaml"
    target.write_bytes(old)
    for attempt in range(12):
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(target), str(tmp_path / "a"), str(tmp_path / "b")],
            stdout=subprocess.PIPE,
        )
        assert writer.stdout is not None
        writer.stdout.readline()
        time.sleep(0.01 + attempt * 0.013)
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait()
        assert target.read_bytes() in (old, new)
    # a killed writer may leave its temp file behind, never a torn target or anything else
    others = {p.name for p in tmp_path.iterdir()} - {"a", "b", "unit.yaml"}
    assert all(name.startswith(".unit.yaml.") for name in others), others


PARALLEL = 8


@pytest.mark.slow
def test_parallel_checkins_never_lose_an_update(tmp_path):
    repo = GitRepo(tmp_path / "okrs")
    kpis = "".join(
        f"  - id: k{i}\n    title: K{i}\n    why: w\n    current: 0\n    healthy: {{min: 0}}\n"
        f"    source: s\n"
        for i in range(PARALLEL // 2)
    )
    company = BASE["goals/company.yaml"] + kpis
    repo.commit({**BASE, "goals/company.yaml": company}, "2026-10-01")
    refs = [f"acme/k{i}" for i in range(PARALLEL // 2)]  # same file, several refs
    refs += ["growth/convert/rate"] * (PARALLEL // 2)  # and one ref, many times
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "okrctl",
                "checkin",
                ref,
                str(100 + n),
                "--repo",
                str(repo.root),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for n, ref in enumerate(refs)
    ]
    for process in processes:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
    assert repo.git("status", "--porcelain") == ""
    assert len(repo.git("log", "--format=%H").splitlines()) == 1 + PARALLEL
    text = (repo.root / "goals/company.yaml").read_text()
    for n, ref in enumerate(refs[: PARALLEL // 2]):
        assert f"    current: {100 + n}\n" in text, ref
    landed = repo.git("log", "--format=%s", "--", "goals/pillars/growth.yaml").splitlines()
    assert len([s for s in landed if s.startswith("checkin(growth/convert/rate)")]) == PARALLEL // 2


UNITS_TEAM = TEAM_HEAD + """\
      - id: rate
        title: Funded rate from 30% to 40%
        unit: "%"
        baseline: 30
        target: 40
        source: funnel
      - id: cost
        title: Cost per signup from $12 to $8
        unit: $
        baseline: 12
        target: 8
        source: finance
      - id: accounts
        title: Funded accounts from 40k to 50k
        unit: accounts
        baseline: 40000
        target: 50000
        source: warehouse
      - id: margin
        title: Net margin from -5 to 5
        baseline: -5
        target: 5
        source: finance
      - id: deposits
        title: Deposits from $80M to $120M
        unit: $M
        baseline: 80
        target: 120
        source: finance
      - id: serve
        title: Cost to serve from $8.20 to $6 a month
        unit: $/month
        baseline: 8.2
        target: 6
        source: finance
      - id: arr
        title: ARR from $1M to $1.5M
        unit: $ARR
        baseline: 1000000
        target: 1500000
        source: finance
"""


@pytest.mark.parametrize(
    ("ref", "typed", "written"),
    [
        ("signups/funding/rate", "36.5%", "36.5"),
        ("signups/funding/cost", "$9.75", "9.75"),
        ("signups/funding/accounts", "46,800", "46800"),
        ("signups/funding/accounts", "1,046,800.5 accounts", "1046800.5"),
        ("signups/funding/margin", "-2.5", "-2.5"),  # a negative value, not an option
        ("signups/funding/rate", "-2.5%", "-2.5"),  # (was taken for an unknown option)
        ("signups/funding/deposits", "$97.5M", "97.5"),  # money, its symbol in front
        ("signups/funding/deposits", "97.5 $M", "97.5"),  # or the unit as it is spelled
        ("signups/funding/serve", "$7.35/month", "7.35"),
        ("signups/funding/cost", "-$1,250.50", "-1250.50"),
        ("signups/funding/arr", "$1,250,000.5 ARR", "1250000.5"),
        ("signups/funding/accounts", "47k", "47000"),  # as the title writes it: 40k to 50k
        ("signups/funding/accounts", "47.25k accounts", "47250"),
        ("signups/funding/deposits", "$97,500k", "97.5"),  # another magnitude of its money
        ("signups/funding/deposits", "$0.1B", "100"),
        ("signups/funding/deposits", "$0.1Bn", "100"),  # (as finance writes billions too)
        ("signups/funding/serve", "$7.35k/month", "7350"),
    ],
)
def test_a_value_is_taken_as_okrctl_shows_it(tmp_path, ref, typed, written):
    """Numbers typed back as status and reports show them: in their own unit, thousands
    grouped; and a negative value before the options that follow it."""
    repo = GitRepo(tmp_path / "okrs")
    repo.commit({**BASE, TEAM_FILE: UNITS_TEAM}, "2026-10-01")
    # (--force: some are far from the number's range, to try long spellings)
    result = run_cli("checkin", ref, typed, "-m", "typed by hand", "--force", "--repo", repo.root)
    assert result.exit_code == 0, result.stderr
    after = (repo.root / TEAM_FILE).read_text()
    assert changed_lines(UNITS_TEAM, after) == [f"+         current: {written}"]
    lines = after.splitlines()
    above = lines[: lines.index(f"        current: {written}")]
    assert [x for x in above if "- id: " in x][-1] == f"      - id: {ref.rsplit('/', 1)[1]}"
    assert repo.git("log", "-1", "--format=%b").startswith("typed by hand")
    other_unit = run_cli("checkin", "signups/funding/rate", "$5", "--repo", repo.root)
    assert other_unit.exit_code == 2
    assert other_unit.stderr == (
        "okrctl: '$5' is in $, but this number counts in %: give it alone, like 42\n"
    )
    no_millions = run_cli("checkin", "signups/funding/deposits", "$97.5", "--repo", repo.root)
    assert no_millions.stderr == (
        "okrctl: '$97.5' is not in $M: give it alone, like 42, or as okrctl shows it, like $42M\n"
    )
    unit_alone = run_cli("checkin", "signups/funding/rate", "%", "--repo", repo.root)
    assert unit_alone.stderr == "okrctl: '%' is not a number; give the value like 42 or 40.5\n"


def test_money_is_shown_with_its_symbol_in_front_and_typed_back_as_shown(tmp_path):
    """`97.5 $M` and `$-1.5` read as no one writes money; what `show` prints checks in again,
    as a confirmation of the same number (`$7.50/month` for 7.5 was "7.5 → 7.5", the file's
    `7.5` rewritten `7.50`), an empty commit."""
    repo = GitRepo(tmp_path / "okrs")
    repo.commit({**BASE, TEAM_FILE: UNITS_TEAM}, "2026-10-01")
    expected = {
        "deposits": ("97.5", "value: $97.5M ($80M → $120M)"),
        "serve": ("7.5", "value: $7.50/month ($8.20/month → $6.00/month)"),
        "cost": ("-1.5", "value: -$1.50 ($12.00 → $8.00)"),
        "arr": ("1250000", "value: $1,250,000 ARR ($1,000,000 ARR → $1,500,000 ARR)"),
    }
    for name, (written, line) in expected.items():
        ref = f"signups/funding/{name}"
        assert run_cli("checkin", ref, written, "--repo", repo.root).exit_code == 0
        shown = run_cli("show", ref, "--repo", repo.root).stdout.splitlines()
        assert line in shown, shown
        typed_back = line.split("value: ")[1].split(" (")[0]
        again = run_cli("checkin", ref, typed_back, "--repo", repo.root)
        assert again.exit_code == 0, again.stderr
        # said in its unit, as typed back
        assert again.stdout.startswith(f"{ref}: {typed_back} (unchanged)"), again.stdout
        assert repo.git("show", "--format=%B", "--stat", "HEAD").endswith(f"Okr-Checkin: {ref}")


def test_a_value_as_shown_checks_in_from_a_subfolder_through_the_installed_okrctl(tmp_path):
    """As a user types it: the installed entry point, in a subfolder of the goals, piped."""
    repo = GitRepo(tmp_path / "okrs")
    repo.commit({**BASE, TEAM_FILE: UNITS_TEAM}, "2026-10-01")
    teams = repo.root / "goals" / "teams"
    done = typed("checkin", "signups/funding/rate", "-2.5%", "-m", "typed", cwd=teams)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(
        "signups/funding/rate: none → -2.5% in goals/teams/signups.yaml; committed "
    )
    typo = typed("checkin", "signups/funding/rate", "36", "--confidnce", "0.5", cwd=teams)
    assert typo.returncode == 2  # an unknown option after VALUE is still click's usage error
    assert typo.stderr.endswith("Error: Got unexpected extra argument(s) (--confidnce 0.5)\n")
    money = typed("checkin", "signups/funding/deposits", "$97.5M", cwd=teams)
    assert money.stdout.startswith("signups/funding/deposits: none → $97.5M in "), money.stderr
    again = typed("checkin", "signups/funding/deposits", "97.50 $M", cwd=teams)
    assert again.stdout.startswith("signups/funding/deposits: $97.5M (unchanged) in "), again.stderr
    shown = typed("show", "signups/funding/deposits", cwd=teams).stdout
    assert "\nvalue: $97.5M ($80M → $120M)\n" in shown


def test_what_a_slip_perhaps_meant_is_written_exactly():
    """0.57 x 100 is 57, not 56.99999999999999; no power of ten lands 0.0054 among 1.5 to 2.1."""
    from okrctl.core.slips import slip

    assert slip(0.57, [30, 50, 34]) == (30 / 0.57, False, 57.0)
    assert slip(-0.2, [-30, -50]) == (150.0, False, -20.0)
    assert slip(0.0054, [2.1, 1.5, 1.95]) == (1.5 / 0.0054, False, None)
    assert slip(0.054, [2.1, 1.5, 1.95]) is None  # 28 times: a cost may truly fall that far
    assert slip(5, [None, 0]) is None  # nothing to size it against
    assert slip(0, [30, 50]) is None  # zero is a value, never a slip of a digit
