"""`okrctl status`: the JSON of docs/scoring.md against hand-computed numbers, and golden views
of the demo."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import okrctl
from conftest import assert_golden, demo_copy, run_cli, status_json, write_repo
from okrctl.core.graph import build_graph

GOLDEN = Path(__file__).parent / "golden"

# The example unit of docs/scoring.md's JSON, verbatim in its numbers, plus an aspirational
# objective with a falling, weighted key result and one never checked in, and an objective with
# no key results.
SIGNUPS = """\
kind: team
id: signups
name: Signups squad
parent: growth
lead: maria
period: 2026-Q4

objectives:
  - id: effortless-funding
    title: Make funding a new account effortless
    why: Half of signups never fund; net deposits is our top growth signal.
    type: committed
    aligns_to: [company/grow-deposits]
    owner: maria
    key_results:
      - id: funded-rate
        title: Raise funded conversion from 38% to 45%
        unit: "%"
        baseline: 38
        target: 45
        current: 40.5
        confidence: 0.7
        source: "Looker: Funnel dashboard"
        owner: dev
      - id: instant-ach
        title: Ship instant ACH verification
        milestone: true
        done: false
        source: release notes
      - id: unsubscribe
        title: Keep the unsubscribe rate below 1%
        unit: "%"
        keep: {max: 1.0}
        current: 0.8
        source: email platform
  - id: calmer-support
    title: Fewer funding questions
    why: Every question is a customer stuck.
    aligns_to: [signups/effortless-funding]
    key_results:
      - id: tickets
        title: Funding tickets a week from 20 to 10
        baseline: 20
        target: 10
        current: 16
        weight: 3
        source: Zendesk
      - id: self-serve
        title: Self-serve answers from 0 to 100
        baseline: 0
        target: 100
        source: help centre
  - id: someday
    title: An idea with no measure yet
    why: Placeholder.
    aligns_to: [company/grow-deposits]

kpis:
  - id: ltv-cac
    title: LTV / CAC
    why: Keeps growth and efficiency balanced.
    unit: ratio
    current: 3.4
    healthy: {min: 3.0}
    warning: {min: 2.5}
    source: Finance monthly model
"""

COMPANY = """\
kind: company
name: Example Invest
mission: Help families save.
objectives:
  - id: grow-deposits
    title: Grow deposits
    why: Deposits are growth.
    key_results:
      - id: deposits
        title: Deposits from 10 to 20
        baseline: 10
        target: 20
        current: 12
        source: finance
"""

PILLAR = """\
kind: pillar
name: Growth
parent: company
lead: maria
"""


@pytest.fixture
def spec_repo(tmp_path):
    return write_repo(
        tmp_path,
        {
            "okrctl.yaml": "company: Example Invest\nperiod: 2026-Q4\n",
            "goals/company.yaml": COMPANY,
            "goals/pillars/growth.yaml": PILLAR,
            "goals/teams/signups.yaml": SIGNUPS,
        },
        base=False,
    )


def status(root, *args):
    return status_json(root, *args)


def test_spec_example_numbers(spec_repo):
    payload = status(spec_repo, "signups", "--as-of", "2026-11-15")
    assert (payload["period"], payload["as_of"], payload["elapsed"]) == (
        "2026-Q4",
        "2026-11-15",
        0.5,
    )
    [unit] = payload["units"]
    assert (unit["id"], unit["kind"], unit["name"], unit["parent"]) == (
        "signups",
        "team",
        "Signups squad",
        "growth",
    )
    funding, calmer, someday = unit["objectives"]
    assert funding["ref"] == "signups/effortless-funding"
    assert funding["type"] == "committed"
    assert funding["score"] == pytest.approx((2.5 / 7 + 0 + 1) / 3)  # 0.4524
    assert funding["expected"] == 0.5
    assert funding["pace"] == pytest.approx((2.5 / 7 + 1) / 3 - 0.5)  # -0.0476
    assert (funding["status"], funding["grade"]) == ("on_track", "yellow")
    funded, ach, unsubscribe = funding["key_results"]
    assert funded == {
        "ref": "signups/effortless-funding/funded-rate",
        "title": "Raise funded conversion from 38% to 45%",
        "shape": "numeric",
        "owner": "dev",
        "unit": "%",
        "baseline": 38,
        "target": 45,
        "current": 40.5,
        "progress": pytest.approx(2.5 / 7),
        "score": pytest.approx(2.5 / 7),
        "status": "at_risk",
        "confidence": 0.7,
        "weight": 1,
        "checked_in": True,
        "trend": [],
        "forecast": None,
    }
    assert (ach["shape"], ach["done"], ach["score"], ach["status"]) == (
        "milestone",
        False,
        0.0,
        "off_track",
    )  # pace -0.5
    assert (
        unsubscribe["shape"],
        unsubscribe["keep"],
        unsubscribe["score"],
        unsubscribe["status"],
    ) == ("keep", {"min": None, "max": 1.0}, 1.0, "on_track")
    # aspirational: expected 0.7 * 0.5 = 0.35; (0.4 * 3 + 0 * 1) / 4 = 0.3
    assert calmer["type"] == "aspirational"
    assert calmer["score"] == pytest.approx(0.3)
    assert calmer["expected"] == pytest.approx(0.35)
    assert calmer["pace"] == pytest.approx(-0.05)
    assert (calmer["status"], calmer["grade"]) == ("on_track", "red")
    tickets, self_serve = calmer["key_results"]
    assert (tickets["progress"], tickets["status"]) == (pytest.approx(0.4), "on_track")
    assert (
        self_serve["progress"],
        self_serve["score"],
        self_serve["status"],
        self_serve["checked_in"],
    ) == (None, 0.0, "off_track", False)
    assert someday["key_results"] == []
    assert (someday["score"], someday["pace"], someday["status"], someday["grade"]) == (
        None,
        None,
        None,
        None,
    )
    assert unit["score"] == pytest.approx(((2.5 / 7 + 1) / 3 + 0.3) / 2)  # nulls left out
    assert (unit["kpis"][0]["ref"], unit["kpis"][0]["current"], unit["kpis"][0]["health"]) == (
        "signups/ltv-cac",
        3.4,
        "healthy",
    )
    assert (unit["kpis"][0]["healthy"], unit["kpis"][0]["warning"]) == (
        {"min": 3.0, "max": None},
        {"min": 2.5, "max": None},
    )


def test_after_the_period_committed_objectives_below_one_are_missed(spec_repo):
    [unit] = status(spec_repo, "signups", "--as-of", "2027-01-05")["units"]
    funding, calmer, _ = unit["objectives"]
    assert funding["status"] == "missed"
    assert [k["status"] for k in funding["key_results"]] == ["missed", "missed", "on_track"]
    assert calmer["expected"] == pytest.approx(0.7)
    assert calmer["status"] == "off_track"  # aspirational: pace rule with elapsed 1
    assert [k["status"] for k in calmer["key_results"]] == ["off_track", "off_track"]


def test_the_last_day_is_inside_the_period(spec_repo):
    payload = status(spec_repo, "signups", "--as-of", "2026-12-31")
    assert payload["elapsed"] == 1.0
    assert payload["units"][0]["objectives"][0]["status"] == "off_track"  # not yet missed


def test_before_the_period_nothing_is_expected(spec_repo):
    payload = status(spec_repo, "signups", "--as-of", "2026-09-20")
    assert payload["elapsed"] == 0.0
    assert {o["status"] for o in payload["units"][0]["objectives"][:2]} == {"on_track"}


def test_scope_is_the_unit_and_everything_below_it(spec_repo):
    ids = [u["id"] for u in status(spec_repo, "--as-of", "2026-11-15")["units"]]
    assert ids == ["company", "growth", "signups"]
    ids = [u["id"] for u in status(spec_repo, "growth", "--as-of", "2026-11-15")["units"]]
    assert ids == ["growth", "signups"]


def test_unknown_scope_exits_2_with_the_closest_units(spec_repo):
    result = run_cli("status", "signup", "--repo", spec_repo)
    assert result.exit_code == 2
    assert "unknown unit 'signup'; did you mean signups?" in result.stderr


def test_unknown_scope_names_a_bounded_list_of_units_the_top_of_the_cascade_first(tmp_path):
    """With no close match the error lists units, but never 2,000 of them on one line: the
    company and pillars first, then how many more there are."""
    from conftest import TEAM

    teams = {f"goals/teams/squad-{n:02}.yaml": TEAM for n in range(30)}
    root = write_repo(tmp_path, teams)
    result = run_cli("status", "xyzzy", "--repo", root)
    assert result.exit_code == 2
    squads = ", ".join(f"squad-{n:02}" for n in range(17))
    assert result.stderr == (
        f"okrctl: unknown unit 'xyzzy'; units are: acme, growth, signups, {squads}"
        " and 13 more (`okrctl status` lists them all)\n"
    )


def test_bad_as_of_is_a_usage_error(spec_repo):
    result = run_cli("status", "--repo", spec_repo, "--as-of", "15/11/2026")
    assert result.exit_code == 2
    assert "is not a date: use YYYY-MM-DD" in result.stderr


def test_broken_files_still_show_what_loads_and_exit_1(spec_repo):
    (spec_repo / "goals/teams/broken.yaml").write_text("kind: team\nparent: growth\nlead: [\n")
    result = run_cli("status", "--repo", spec_repo, "--format", "json", "--as-of", "2026-11-15")
    assert result.exit_code == 1
    assert [u["id"] for u in result.json()["units"]] == ["company", "growth", "signups"]
    assert "goals/teams/broken.yaml:4:1: error schema:" in result.stderr


def test_tree_view_of_the_demo_is_golden(tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    result = run_cli("status", "--repo", demo_copy(tmp_path), "--as-of", "2026-11-15")
    assert result.exit_code == 0
    assert "not a git repository" in result.stderr
    assert "\x1b[" not in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    assert_golden("status-demo.txt", result.stdout)


def test_markdown_view_of_the_demo_is_golden(tmp_path):
    result = run_cli(
        "status", "--repo", demo_copy(tmp_path), "--as-of", "2026-11-15", "--format", "md"
    )
    assert result.exit_code == 0
    assert_golden("status-demo.md", result.stdout)


def test_colour_only_on_a_terminal_and_never_with_no_color(tmp_path, monkeypatch):
    root = demo_copy(tmp_path)
    monkeypatch.setenv("FORCE_COLOR", "1")  # rich then behaves as on a terminal
    coloured = run_cli("status", "--repo", root, "--as-of", "2026-11-15").stdout
    assert "\x1b[31m" in coloured or "\x1b[1;31m" in coloured  # off-track objectives in red
    monkeypatch.setenv("NO_COLOR", "1")
    plain = run_cli("status", "--repo", root, "--as-of", "2026-11-15").stdout
    assert "\x1b[31m" not in plain and "\x1b[32m" not in plain


@pytest.mark.parametrize("width", [60, 80])
def test_narrow_terminals_cut_titles_never_refs(tmp_path, monkeypatch, width):
    monkeypatch.setenv("COLUMNS", str(width))
    root = demo_copy(tmp_path)
    text = run_cli("status", "--repo", root, "--as-of", "2026-11-15").stdout
    graph = build_graph(okrctl.load_repo(root))
    lines = text.splitlines()
    for ref in graph.objectives:
        assert any(line.endswith(f"  {ref}") for line in lines), ref
    attention = lines[lines.index("Needs attention") + 1 :]
    assert attention and all(line.startswith("  ") for line in attention)  # wrapped under
    assert all(line == line.rstrip() for line in attention)  # (a table padded them out)
    assert max(len(line) for line in lines) <= width


def test_piped_json_is_written_a_unit_at_a_time_byte_for_byte_as_one_dump(tmp_path):
    """Piped, `status --format json` writes each unit as it goes (at 20,000 units the whole
    payload and its text would hold half a gigabyte at once); the bytes are json.dumps'."""
    import json
    from datetime import date

    from conftest import demo_copy
    from okrctl.commands.status import status

    root = demo_copy(tmp_path)
    piped = run_cli("status", "--repo", root, "--format", "json", "--as-of", "2026-11-14")
    whole = status(root, as_of=date(2026, 11, 14)).as_json()
    assert piped.stdout == json.dumps(whole, ensure_ascii=False) + "\n"
    assert len(whole["units"]) > 10


def test_needs_attention_names_the_numbers_gone_quiet_ten_of_each_kind(quarter, monkeypatch):
    """"Needs attention" named numbers never checked in, not those nobody had looked at for
    weeks; and at 2,000 teams it listed 20,000 of them. It lists the numbers `check` finds
    stale, the longest quiet first, ten of each kind, and counts the rest; a number derived
    from others names the source to check in, as `check` does."""
    import json

    monkeypatch.setenv("COLUMNS", "200")
    args = ("--repo", quarter, "--as-of", "2026-11-20")
    lines = run_cli("status", *args).stdout.splitlines()
    attention = lines[lines.index("Needs attention") + 1 :]
    quiet = [line for line in attention if line.startswith("  quiet: ")]
    assert quiet[:2] == [
        "  quiet: trust/safe-money/teams-deliver (50 days without a check-in of its source "
        "platform/on-call-skills/game-days)",
        "  quiet: platform/on-call-skills/game-days (never checked in, 50 days)",
    ]
    assert not [line for line in attention if "never checked in: " in line]  # named once
    assert len(quiet) == 10 and quiet[-1].endswith("(18 days without a check-in)")
    assert attention[attention.index(quiet[-1]) + 1] == (
        "  …and 12 more (okrctl check lists every one)"
    )
    found = json.loads(run_cli("check", "--format", "json", *args).stdout)["findings"]
    assert sum(f["rule"] == "stale" for f in found) == 10 + 12
    scoped = run_cli("status", "risk", *args).stdout.splitlines()
    assert scoped[scoped.index("Needs attention") + 1 :] == [  # the scope's numbers only
        "  quiet: risk/stop-fraud-early/losses (42 days without a check-in)"
    ]
    forecasts = [line for line in attention if line.startswith("  forecast to miss: ")]
    assert len(forecasts) == 10
    assert attention[attention.index(forecasts[-1]) + 1] == (
        "  …and 2 more (okrctl status --format json lists every one)"
    )


def test_a_long_attention_row_wraps_under_itself_unpadded(quarter, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    text = run_cli("status", "signups", "--repo", quarter, "--as-of", "2026-11-15").stdout
    lines = text.splitlines()
    attention = lines[lines.index("Needs attention") + 1 :]
    assert attention[-2:] == [
        "  forecast to miss: signups/effortless-funding/funded-rate (heading for 44.4%,",
        "                    target 45%)",
    ]


@pytest.mark.parametrize("width", [40, 60, 80, 200])
@pytest.mark.parametrize("terminal", ["colour", "plain", "ascii"])
def test_the_tree_is_the_one_rich_draws(quarter, width, terminal):
    """`status` lays its tree out itself (rich's `Tree` took 3.3 s at 2,000 teams): at every
    width, with and without colour, on an ASCII terminal, it draws what rich's tree draws."""
    import io
    from datetime import date

    from rich.console import Console, Group
    from rich.tree import Tree

    from okrctl.commands.status import status
    from okrctl.render import terminal as draw

    card = status(quarter, as_of=date(2026, 11, 20)).card

    def rich_tree() -> Group:
        roots: list[Tree] = []
        stack: list[Tree] = []
        for unit in card.units:
            node = Tree(draw._unit_label(unit), guide_style="dim")
            del stack[unit.depth :]
            (stack[-1].add(node) if stack else roots.append(node))
            stack.append(node)
            for objective in unit.objectives:
                branch = node.add(Group(*draw._objective_label(objective)))
                for key_result in objective.key_results:
                    branch.add(draw._key_result_label(key_result))
            for kpi in unit.kpis:
                node.add(draw._kpi_label(kpi))
        return Group(*roots)

    def printed(renderable: object) -> str:
        class Out(io.StringIO):
            encoding = "ascii" if terminal == "ascii" else "utf-8"

        out = Out()
        colour = terminal == "colour"
        system = "truecolor" if colour else None
        console = Console(file=out, width=width, force_terminal=colour, color_system=system)
        console.print(renderable)
        return out.getvalue()

    ours = printed(draw.status_tree(card, "Harbor Invest").renderables[3])
    assert ours == printed(rich_tree())
    assert ("└──" in ours) is (terminal != "ascii") and ("`--" in ours) is (terminal == "ascii")


def test_a_numbers_age_as_a_user_types_it_from_a_team_folder(quarter, tmp_path):
    """The installed `okrctl`, typed in a team's folder, its output piped: each view says how
    long a number has gone without a check-in, on the calendar from the date it shows, a
    derived one naming its source; the HTML page's and the site's charts mark the as-of day;
    the site and the sheet go to folders given relative to it."""
    import json
    import os

    from conftest import typed

    here, as_of = quarter / "goals" / "teams", ("--as-of", "2026-11-20")
    away = Path(os.path.relpath(tmp_path, here))  # (the shared demo's tree stays as it was)
    status = typed("status", "risk", *as_of, cwd=here, COLUMNS="200")
    assert status.returncode == 0, status.stderr
    assert status.stdout.endswith(
        "Needs attention\n  quiet: risk/stop-fraud-early/losses (42 days without a check-in)\n"
    )
    show = typed("show", "risk/stop-fraud-early/losses", *as_of, cwd=here, COLUMNS="200")
    assert "\nlast check-in: 2026-10-09 by Raj Mehta, 42 days ago · stale after 14 days\n" in (
        show.stdout
    )
    report = typed("report", "payments", *as_of, cwd=here)
    assert "| $0.36 ⏳ no check-in for 18 days | $0.30 |" in report.stdout
    retro = typed("retro", "2026-Q4", cwd=here)
    assert "| 1 invites → 0.8 invites |" in retro.stdout
    found = typed("check", "--format", "json", *as_of, cwd=here)
    message = next(
        f["message"] for f in json.loads(found.stdout)["findings"]
        if f["ref"] == "risk/stop-fraud-early/losses"
    )  # fmt: skip
    assert "for 42 days (last checked in on 2026-10-09 by Raj Mehta;" in message
    derived = typed("status", "trust", *as_of, cwd=here, COLUMNS="200")
    assert "  quiet: trust/safe-money/fraud-losses (42 days without a check-in of its source " in (
        derived.stdout
    )
    page = typed("report", "harbor", "--format", "html", *as_of, cwd=here).stdout
    assert 'fill="#57606a">as of 11-20</text>' in page and "target $120M</text>" in page
    assert typed("site", away / "public", *as_of, cwd=here).returncode == 0
    payments = (tmp_path / "public/units/payments.html").read_text()
    assert 'class="tick">as of 11-20</text>' in payments
    assert typed("export", away / "okrs.csv", cwd=here).returncode == 0
    assert (tmp_path / "okrs.csv").read_bytes().startswith(b"\xef\xbb\xbfkind,")


def test_a_title_with_a_line_break_keeps_to_its_line_in_the_tree(tmp_path):
    """Text may hold a line break (`why:` often does); a title's split the tree's row in two,
    its ref on the second line."""
    from conftest import TEAM

    team = TEAM.replace("title: Effortless funding", 'title: "Effortless\\nfunding"')
    root = write_repo(tmp_path, {"goals/teams/signups.yaml": team})
    tree = run_cli("status", "--repo", root).stdout
    assert "Effortless funding  signups/funding\n" in tree, tree


def test_units_numbered_in_their_ids_are_listed_as_people_count(tmp_path):
    """At 2,000 teams the site listed "Team 1, Team 10, Team 100, Team 1000, Team 1001…" and
    `status` the same: siblings come in the order of their ids' numbers, `squad-2` before
    `squad-10`, in the tree, its JSON, `show` and the site."""
    from conftest import TEAM

    teams = {f"goals/teams/squad-{n}.yaml": TEAM for n in (10, 2, 1, 21)}
    root = write_repo(tmp_path, {"goals/teams/signups.yaml": None, **teams})
    expected = ["squad-1", "squad-2", "squad-10", "squad-21"]
    payload = run_cli("status", "--repo", root, "--format", "json").json()
    assert [u["id"] for u in payload["units"]][2:] == expected
    shown = run_cli("show", "growth", "--repo", root, "--format", "json").json()
    assert [c["id"] for c in shown["children"]] == expected
    out = tmp_path / "site"
    assert run_cli("site", out, "--repo", root).exit_code == 0
    below = (out / "units/growth.html").read_text().split("Below it: ")[1].split("</p>")[0]
    assert re.findall(r'href="[^"]*/(squad-\d+)\.html"', below) == expected


def test_a_number_that_went_stale_today_is_quiet_for_more_than_the_limit(quarter, monkeypatch):
    """LTV / CAC, checked in at 09:30 on Oct 31, is 14.6 days quiet when Nov 14 ends: stale,
    though the calendar counts 14 days. It read "14 days without a check-in" beside "stale
    after 14 days"; every output says "more than 14 days" on that day."""
    monkeypatch.setenv("COLUMNS", "200")
    args = ("--repo", quarter, "--as-of", "2026-11-14")
    status = run_cli("status", *args).stdout
    assert "  quiet: harbor/ltv-cac (more than 14 days without a check-in)\n" in status
    assert "  quiet: lifecycle/nudge-to-fund/recovered-signups (15 days without a check-in)\n" in (
        status
    )
    report = run_cli("report", "harbor", *args).stdout
    assert "| 3.4 ratio ⏳ no check-in for more than 14 days |" in report
    found = run_cli("check", "--format", "json", *args).json()["findings"]
    message = next(f["message"] for f in found if f["ref"] == "harbor/ltv-cac")
    assert "has not been checked in for more than 14 days (last checked in on 2026-10-31" in (
        message
    )
