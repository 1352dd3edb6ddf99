"""`okrctl report`: golden reports of the demo's scripted quarter, overrides, the sandbox, HTML."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest

from conftest import (
    BASE,
    PROJECT_ROOT,
    TEAM_HEAD,
    assert_golden,
    demo_copy,
    mermaid_charts,
    run_cli,
    squad,
    squads_in_need,
)
from gitrepo import GitRepo
from okrctl.commands.demo import Q3_SCRIPT, steps

AS_OF = "2026-11-15"


@pytest.fixture
def own_copy(quarter, tmp_path):
    """A copy of the quarter a test may add templates to."""
    root = tmp_path / "copy"
    shutil.copytree(quarter, root)
    return root


def report(root, *args):
    result = run_cli("report", *args, "--repo", root, "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_replay_ends_at_the_demo_files(quarter):
    for path in (PROJECT_ROOT / "goals").rglob("*.yaml"):
        assert (quarter / path.relative_to(PROJECT_ROOT)).read_bytes() == path.read_bytes()
    log = subprocess.run(
        ["git", "log", "--format=%s"], cwd=quarter, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    # Q3: its goals, its check-ins and the roll; Q4: its goals, the goal-post move, the late
    # priority and the scripted check-ins
    assert len(log) == 1 + len(steps(Q3_SCRIPT)) + 1 + 3 + len(steps())
    assert log[-1] == "Q3 goals" and log[-len(steps(Q3_SCRIPT)) - 2] == "Roll to 2026-Q4"
    assert "Lower the invite target to 0.8: the Q3 baseline was measured wrongly" in log


@pytest.mark.parametrize(
    ("args", "golden"),
    [
        ((), "report-company.md"),
        (("signups",), "report-team.md"),
        (("tom", "--since", "2026-11-01"), "report-one-on-one.md"),
        (("--template", "wall"), "report-wall.md"),
    ],
    ids=["company", "team", "one-on-one", "wall"],
)
def test_built_in_templates_are_golden(quarter, args, golden):
    assert_golden(golden, report(quarter, *args))


@pytest.mark.parametrize(
    ("scope", "heading"),
    [
        ("chloe", "# 1:1 with Chloé Martin"),
        ("payments", "# Payments — 2026-Q4"),
        ("growth", "# Growth — 2026-Q4"),
        (None, "# Harbor Invest — 2026-Q4 digest"),
    ],
)
def test_the_template_follows_the_scope(quarter, scope, heading):
    args = (scope,) if scope else ()
    assert report(quarter, *args).startswith(heading)


def test_the_digest_says_who_could_use_help(quarter):
    text = report(quarter)
    helping = text.split("## Who could use help")[1].split("## What changed")[0]
    assert "- **Platform** (lead ben)" in helping
    assert "🔴 Every engineer is ready for on-call: 0.00 against 0.35 expected" in helping
    assert "- **Risk and fraud** (lead raj)" in helping
    assert "⏳ Fraud losses from 12 to 8 basis points: no check-in for 37 days" in helping


def test_one_on_one_shows_the_deltas_since_the_last_one(quarter):
    text = report(quarter, "tom", "--since", "2026-11-01")
    since = text.split("## Since last time (Sun 1 Nov)")[1].split("## To talk about")[0]
    assert (
        "- **Flaky tests I fixed from 0 to 12**"
        " (`tom/fix-flaky-tests/my-flaky-fixes`): 5 tests → 8 tests (+3)\n"
    ) in since
    assert (
        "- **Finish the experimentation course and review 5 test designs**"
        " (`tom/learn-experimentation/course`): 0 reviews → 2 reviews (+2)\n"
    ) in since
    assert "Net deposits" not in since  # only Tom's own goals
    assert "## Growing and keeping things healthy (learning, tech debt)" in text


def test_a_number_gone_quiet_says_so_where_it_is_shown(quarter):
    """A team page showed "Now: $0.36" for a number last checked in 18 days before: the cell
    says how long it has been quiet once it is stale, and not before."""
    late = run_cli("report", "payments", "--repo", quarter, "--as-of", "2026-11-20").stdout
    assert (
        "| 🟢 | Processing cost per transfer from $0.42 to $0.30"
        " | $0.36 ⏳ no check-in for 18 days | $0.30 | █▆▁ | 0.50 | chloe |\n"
    ) in late
    fresh = run_cli("report", "payments", "--repo", quarter, "--as-of", "2026-11-10").stdout
    assert "| $0.36 | $0.30 |" in fresh
    summed = run_cli("report", "harbor", "--repo", quarter, "--as-of", "2026-11-30").stdout
    assert (  # a derived number: the source whose silence it is
        " ⏳ no check-in for 27 days of its source `platform/cheaper-infrastructure/infra-cost`"
        " | $6.00/month |"
    ) in summed


def test_the_prompts_count_in_each_numbers_unit(quarter):
    """A 1:1 asked about 54,041 accounts as "heading for 5.404e+04 against a target of 55000":
    the prompts say numbers as the tables do, in their unit."""
    args = ("report", "harbor", "--template", "one-on-one", "--repo", quarter)
    text = run_cli(*args, "--as-of", "2026-11-30").stdout
    prompts = text.split("## To talk about\n\n")[1].split("\n## ")[0]
    assert (
        "1. “Funded accounts from 41k to 55k” is heading for 54,041 accounts against a target"
        " of 55,000 accounts: change the approach, or the expectation?\n"
    ) in prompts
    assert (
        "1. “Funded accounts from 41k to 55k” has not been checked in for 19 days: is the"
        " number still the right one to watch?\n"
    ) in prompts
    assert (  # a number derived from others names its source, as `check` does
        "1. “Cost to serve an account from $8.20 to $6.00 a month” is derived from "
        "`platform/cheaper-infrastructure/infra-cost`, not checked in for 27 days: is the number "
        "still the right one to watch?\n"
    ) in prompts


def test_since_a_period_start_shows_the_goalpost_move_and_the_new_priority(quarter):
    text = report(quarter, "--since", "2026-10-05")
    moved = "`referrals/invite-loop/invites-per-funder` target 1 invites → 0.8 invites"
    assert f"- Goal-post moved: {moved}" in text
    assert (
        "- Added: **Give Signups the ACH verification they need** "
        "(`payments/help-instant-ach`)" in text
    )


def test_a_mermaid_chart_of_checkins_against_the_target(quarter):
    text = report(quarter, "signups")
    chart = mermaid_charts(text)[0]
    assert chart[:4] == [
        "xychart-beta",
        '    title "Raise funded conversion from 38% to 45%"',
        # check-ins on Oct 1, 8, 22 and Nov 6; as of Nov 15, past the last
        '    x-axis "days since 2026-10-01, to its last check-in (as of 11-15: day 45)" 0 --> 36',
        '    y-axis "%" 37.3 --> 45.7',
    ]
    values = chart[4].removeprefix("    line [").removesuffix("]").split(", ")
    assert [values[day] for day in (0, 7, 14, 21, 36)] == ["38", "38.9", "39.35", "39.8", "40.5"]
    assert len(values) == 37 and chart[5] == "    line [" + ", ".join(["45"] * 37) + "]"


def test_html_is_one_standalone_page_with_no_outside_assets(quarter, tmp_path):
    target = tmp_path / "digest.html"
    result = run_cli(
        "report", "--repo", quarter, "--as-of", AS_OF, "--format", "html", "-o", target
    )
    assert result.exit_code == 0
    page = target.read_text()
    assert page.startswith("<!DOCTYPE html>")
    assert not re.search(r"<script|<link|<style|src=\"http|href=\"http", page)
    assert '<table style="border-collapse: collapse;' in page
    assert '<th style="border: 1px solid #d0d7de;' in page
    assert page.count("<svg") == 4  # the company key results with two check-ins or more
    team = tmp_path / "team.html"
    run_cli(
        "report", "signups", "--repo", quarter, "--as-of", AS_OF, "--format", "html", "-o", team
    )
    team_page = team.read_text()  # each chart: its check-ins and its target (or band) line
    assert team_page.count("<svg") == 2  # funded-rate, and unsubscribe's keep band
    assert team_page.count("<polyline") == 2 * 2


def test_the_html_page_draws_the_charts_the_report_made_and_leaves_other_mermaid_as_text(
    own_copy, tmp_path
):
    """The SVG comes from the chart's data; a chart a template writes by hand is shown as text,
    never parsed back from its Mermaid."""
    templates = own_copy / "templates"
    templates.mkdir()
    (templates / "charts.md.j2").write_text(
        "# Charts\n\n"
        "{% for kr in units[0].objectives[0].key_results %}{{ kr|chart('<b>' ~ kr.title) }}\n"
        "{% endfor %}\n"
        '```mermaid\nxychart-beta\n    title "by hand"\n    line [1, 2]\n```\n'
    )
    target = tmp_path / "charts.html"
    result = run_cli(
        "report",
        "signups",
        "--template",
        "charts",
        "--repo",
        own_copy,
        "--as-of",
        AS_OF,
        "--format",
        "html",
        "-o",
        target,
    )
    assert result.exit_code == 0, result.stderr
    page = target.read_text()
    assert page.count("<svg") == 2  # funded-rate, and unsubscribe's keep band
    assert ">&lt;b&gt;Raise funded conversion from 38% to 45%</text>" in page  # text, not a tag
    assert '<pre style="' in page and '    title "by hand"\n' in page


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


@pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium is not installed here (.ci/run installs "
    "Debian's chromium; elsewhere: apt-get install chromium)",
)
@pytest.mark.slow
def test_the_html_page_renders_tables_and_charts_in_a_browser(quarter, tmp_path):
    page = tmp_path / "team.html"
    run_cli(
        "report", "signups", "--repo", quarter, "--as-of", AS_OF, "--format", "html", "-o", page
    )
    common = [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run(
        [*common, "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    assert dom.count("<table") == 4  # two key-result tables, the units below, the owners
    assert "<svg" in dom and "<polyline" in dom
    assert "Raise funded conversion from 38% to 45%" in dom
    shot = tmp_path / "team.png"
    subprocess.run(
        [*common, "--window-size=1000,1600", f"--screenshot={shot}", page.as_uri()],
        capture_output=True,
        timeout=120,
        check=True,
    )
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG")
    assert len(data) > 50_000  # a page of text, tables and a chart, not a blank one


def test_an_override_wins_and_can_extend_the_built_in(own_copy):
    (own_copy / "templates").mkdir()
    (own_copy / "templates" / "company.md.j2").write_text(
        '{% extends "default:company.md.j2" %}\n'
        "{% block footer %}\nQuestions? Ask in #okrs.\n{% endblock %}\n"
    )
    (own_copy / "templates" / "standup.md.j2").write_text(
        "# Standup {{ as_of }}\n{% for o in attention.off_track %}- {{ o.ref }}\n{% endfor %}"
    )
    text = report(own_copy)
    assert text.startswith("# Harbor Invest — 2026-Q4 digest")
    assert text.endswith("Questions? Ask in #okrs.\n")
    assert report(own_copy, "--template", "standup") == (
        "# Standup 2026-11-15\n- platform/on-call-skills\n- sam/ship-instant-ach\n"
        "- trust/safe-money\n"
    )


def test_a_summary_read_only_by_an_included_template_is_there(own_copy):
    """What a template never mentions is not built (a company report's one-on-one prompts):
    whatever an extended, included or imported template mentions, or one included by an
    expression, is."""
    (own_copy / "templates" / "parts").mkdir(parents=True)
    (own_copy / "templates" / "parts" / "who.md.j2").write_text(
        "{% for o in owners %}{{ o.owner }} {% endfor %}\n"
    )
    (own_copy / "templates" / "parts" / "ask.md.j2").write_text("{{ prompts | length }} prompts\n")
    (own_copy / "templates" / "both.md.j2").write_text(
        '{% include "parts/who.md.j2" %}{% set part = "parts/ask.md.j2" %}{% include part %}'
    )
    (own_copy / "templates" / "named.md.j2").write_text('{% include "parts/ask.md.j2" %}')
    both = report(own_copy, "--template", "both")
    assert both.startswith("ana ben chloe dev ") and both.endswith(" yuki 24 prompts\n")
    assert report(own_copy, "--template", "named") == "24 prompts\n"


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "not allowed in a template"),
        ("{{ company.name.__class__.__init__.__globals__ }}", "not allowed in a template"),
        ('{% include "/etc/passwd" %}', "includes a template that does not exist: /etc/passwd"),
        ('{% include "../okrctl.yaml" %}', "includes a template that does not exist"),
    ],
)
def test_a_hostile_template_is_refused_without_a_traceback(own_copy, template, message):
    (own_copy / "templates").mkdir()
    (own_copy / "templates" / "company.md.j2").write_text(template)
    result = run_cli("report", "--repo", own_copy, "--as-of", AS_OF)
    assert result.exit_code == 1
    assert message in result.stderr
    assert result.stderr.startswith("okrctl: templates/company.md.j2")
    assert "root:" not in result.stdout


def test_a_typo_names_the_template_and_line(own_copy):
    (own_copy / "templates").mkdir()
    (own_copy / "templates" / "company.md.j2").write_text("# {{ title }}\n\n{{ compnay.name }}\n")
    result = run_cli("report", "--repo", own_copy, "--as-of", AS_OF)
    assert result.exit_code == 1
    assert "okrctl: templates/company.md.j2:3: error: 'compnay' is undefined" in result.stderr


def test_a_syntax_error_names_the_template_and_line(own_copy):
    (own_copy / "templates").mkdir()
    (own_copy / "templates" / "team.md.j2").write_text("# ok\n{% for x in units %}\n")
    result = run_cli("report", "signups", "--repo", own_copy, "--as-of", AS_OF)
    assert result.exit_code == 1
    assert "templates/team.md.j2:2: template syntax error" in result.stderr


def test_an_unknown_template_is_a_usage_error(quarter):
    result = run_cli("report", "--repo", quarter, "--template", "weekly")
    assert result.exit_code == 2
    assert "no template 'weekly': use one of company, one-on-one, team, wall" in result.stderr


def test_a_built_in_template_missing_from_the_installation_says_so(quarter, tmp_path, monkeypatch):
    """Not "no template 'company': use one of company, ...": okrctl's own folder lacks it."""
    from okrctl.render import markdown

    monkeypatch.setattr(markdown, "BUILTIN", tmp_path / "templates")
    result = run_cli("report", "--repo", quarter, "--template", "company")
    assert result.exit_code == 1
    assert result.stderr == (
        f"okrctl: okrctl's own template company.md.j2 is missing from {tmp_path / 'templates'}: "
        "this installation of okrctl is incomplete; reinstall it\n"
    )


def documented(section: str) -> set[str]:
    text = (PROJECT_ROOT / "docs/templates.md").read_text()
    body = text.split(f"## {section}\n")[1].split("\n## ")[0]
    names = set()
    for row in re.findall(r"^(?:\| (`[^|]+`) \||- (`[a-z_]+`):)", body, re.M):
        row = "".join(row)
        names |= set(re.findall(r"`([a-z_]+)`", row))
    return names


def test_every_context_name_is_documented_and_every_documented_name_exists(quarter):
    from datetime import date

    from okrctl.render.report_context import CONTEXT_NAMES, build_context
    from okrctl.store.snapshot import take_snapshot
    from okrctl.views.report import report_of

    snapshot = take_snapshot(quarter, as_of=date(2026, 11, 15))
    context = build_context(report_of(snapshot, None, "14d"))
    assert set(CONTEXT_NAMES) == set(context)  # (the site decides from it what a child can give)
    unit = context["units"][0]
    objective = unit["all_objectives"][0]
    key_result = objective["key_results"][0]
    kpi = unit["kpis"][0]
    for section, data in [
        ("Top level", context),
        ("Unit", unit),
        ("Objective", objective),
        ("Key result", key_result),
        ("KPI", kpi),
    ]:
        assert documented(section) == set(data), section
    from okrctl.render.markdown import FILTER_NAMES

    assert documented("Filters") == set(FILTER_NAMES)


@pytest.mark.parametrize("template", ["company", "team", "one-on-one", "wall"])
def test_every_template_renders_on_the_demo_without_history(tmp_path, template):

    root = demo_copy(tmp_path)
    scope = {"company": (), "team": ("payments",), "one-on-one": ("chloe",), "wall": ()}[template]
    result = run_cli("report", *scope, "--template", template, "--repo", root, "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    assert "trends, check-in dates and changes need history and were skipped" in result.stderr
    if template != "wall":
        assert "_Not a git repository: there is no history to compare with._" in result.stdout
    if template == "one-on-one":
        assert "## Accomplishments\n\n- Shipped the verification API Signups needed" in (
            result.stdout
        )


def test_report_at_a_revision_shows_the_numbers_known_then(quarter):
    log = subprocess.run(
        ["git", "log", "--format=%H %s"], cwd=quarter, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    sha = next(
        line.split()[0]
        for line in log
        if line.endswith("checkin(signups/effortless-funding/funded-rate): 38.9")
    )
    text = run_cli(
        "report", "signups", "--repo", quarter, "--at", sha, "--as-of", "2026-10-10"
    ).stdout
    assert "| Raise funded conversion from 38% to 45% | 38.9% | 45% |" in text
    assert "40.5%" not in text


@pytest.mark.parametrize(
    ("template", "scope"),
    [("company", []), ("team", ["signups"]), ("one-on-one", ["tom"]), ("wall", [])],
)
def test_the_built_in_reports_are_the_same_through_the_sandbox(quarter, own_copy, template, scope):
    trusted = report(quarter, *scope, "--template", template)
    (own_copy / "templates").mkdir()  # a folder of its own: every template sandboxed
    (own_copy / "templates/notes.txt").write_text("not a template\n")
    assert report(own_copy, *scope, "--template", template) == trusted


@pytest.mark.parametrize(
    ("template", "scope"),
    [("company", ()), ("team", ("signups",)), ("one-on-one", ("sam",)), ("wall", ())],
)
def test_html_in_goals_text_never_reaches_the_markdown_as_html(own_copy, template, scope):
    team = own_copy / "goals/teams/signups.yaml"
    text = team.read_text()
    text = text.replace(
        "title: Raise funded conversion from 38% to 45%",
        "title: <script>alert(1)</script> funded conversion < 45% <!-- hidden -->",
    )
    text = text.replace('        unit: "%"\n', "        unit: 'p\"ts'\n", 1)
    text = text.replace(
        "why: Half of signups never fund; net deposits is our top growth signal.",
        "why: <img src=x onerror=alert(1)> Half never fund.",
    )
    team.write_text(text)
    stamp = dict.fromkeys(("GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE"), "2026-11-14T12:00:00+00:00")
    git = ["git", "-C", str(own_copy), "-c", "user.name=T", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "commit", "-qam", "hostile"], env={**os.environ, **stamp}, check=True)
    out = report(own_copy, *scope, "--template", template)
    assert not re.search(r"<(script|img|!--)", out, re.IGNORECASE), out
    if template == "team":
        assert "&lt;script>alert(1)&lt;/script> funded conversion < 45% &lt;!-- hidden -->" in out
        assert "&lt;img src=x onerror=alert(1)> Half never fund." in out
        chart = mermaid_charts(out)[0]
        title = "<script>alert(1)</script> funded conversion < 45% <!-- hidden -->"
        title = title.replace("<", "\u2039")  # a single left angle quote
        assert chart[1] == f'    title "{title}"'
        assert chart[3] == "    y-axis \"p'ts\" 37.3 --> 45.7"


def test_a_first_check_in_and_a_first_confidence_read_as_firsts(tmp_path):
    """A number nobody had checked in read "none → 33": it is the first check-in."""
    from conftest import BASE, pillar_with
    from gitrepo import GitRepo

    repo = GitRepo(tmp_path / "okrs")
    repo.commit({**BASE, "goals/pillars/growth.yaml": pillar_with(None)}, "2026-10-01")
    repo.commit({"goals/pillars/growth.yaml": pillar_with(33, 0.6)}, "2026-11-01")
    repo.commit({"goals/pillars/growth.yaml": pillar_with(35, 0.7)}, "2026-11-08")
    text = report(repo.root, "growth", "--since", "2026-10-15")
    assert "- **Conversion from 30 to 40** (`growth/convert/rate`): first check-in, 35\n" in text
    confidence = "- Confidence in **Conversion from 30 to 40** (`growth/convert/rate`): "
    assert confidence + "first given, 0.7\n" in text
    later = report(repo.root, "growth", "--since", "2026-11-05")
    assert "- **Conversion from 30 to 40** (`growth/convert/rate`): 33 → 35 (+2)\n" in later
    assert confidence + "0.6 → 0.7\n" in later


def test_since_a_day_includes_the_check_ins_made_that_day_in_their_own_time_zone(tmp_path):
    from conftest import BASE, pillar_with
    from gitrepo import GitRepo

    repo = GitRepo(tmp_path / "okrs")
    repo.commit({**BASE, "goals/pillars/growth.yaml": pillar_with(30)}, "2026-10-01")
    # 00:30 in Berlin on Nov 1 is Oct 31 in UTC: its author made it on Nov 1
    repo.commit({"goals/pillars/growth.yaml": pillar_with(31)}, "2026-11-01T00:30:00+01:00")
    repo.commit({"goals/pillars/growth.yaml": pillar_with(33)}, "2026-11-01T18:00:00+00:00")
    text = report(repo.root, "growth", "--since", "2026-11-01")
    assert "## What changed since Sun 1 Nov\n" in text
    assert "- **Conversion from 30 to 40** (`growth/convert/rate`): 30 → 33 (+3)" in text
    days = report(repo.root, "growth", "--since", "14d")  # as of Nov 15: Nov 1, whole day
    assert "## What changed since Sun 1 Nov\n" in days and "30 → 33 (+3)" in days
    revision = report(repo.root, "growth", "--since", "HEAD~1")
    assert "## What changed since HEAD~1 (Sun 1 Nov)\n" in revision
    assert "31 → 33 (+2)" in revision


def test_what_changed_names_each_key_result_by_its_ref_where_titles_repeat(tmp_path):
    """Two teams often measure a number of the same name: the company digest's "What changed"
    says whose moved (by ref, as its "Added" lines do), not the title twice."""
    from conftest import BASE, PILLAR, pillar_with
    from gitrepo import GitRepo

    twin = PILLAR.replace("kind: pillar\nparent: acme", "kind: team\nparent: growth").replace(
        "aligns_to: [acme/grow]", "aligns_to: [growth/convert]"
    )

    def twin_at(current: float) -> str:
        return twin.replace("target: 40\n", f"target: 40\n        current: {current}\n")

    repo = GitRepo(tmp_path / "okrs")
    started = {"goals/pillars/growth.yaml": pillar_with(30), "goals/teams/twin.yaml": twin_at(29)}
    repo.commit({**BASE, **started}, "2026-10-01")
    repo.commit(
        {"goals/pillars/growth.yaml": pillar_with(33), "goals/teams/twin.yaml": twin_at(31)},
        "2026-11-03",
    )
    changed = report(repo.root, "--since", "2026-11-01").split("## What changed since Sun 1 Nov")[1]
    assert changed.splitlines()[2:4] == [
        "- **Conversion from 30 to 40** (`growth/convert/rate`): 30 → 33 (+3)",
        "- **Conversion from 30 to 40** (`twin/convert/rate`): 29 → 31 (+2)",
    ]


def test_since_a_day_counts_days_in_the_configured_time_zone(tmp_path):
    """`timezone:` in okrctl.yaml: 06:00 UTC on Nov 2 is the evening of Nov 1 in Los Angeles,
    so a check-in committed then is not "since Nov 2" there (it is by its own offset)."""
    from conftest import BASE, CONFIG, pillar_with
    from gitrepo import GitRepo

    repo = GitRepo(tmp_path / "okrs")
    repo.commit({**BASE, "goals/pillars/growth.yaml": pillar_with(30)}, "2026-10-01")
    repo.commit({"goals/pillars/growth.yaml": pillar_with(31)}, "2026-11-02T06:00:00+00:00")
    repo.commit({"goals/pillars/growth.yaml": pillar_with(33)}, "2026-11-03T18:00:00+00:00")
    own_offset = report(repo.root, "growth", "--since", "2026-11-02")
    assert "- **Conversion from 30 to 40** (`growth/convert/rate`): 30 → 33 (+3)" in own_offset
    repo.commit({"okrctl.yaml": CONFIG + "timezone: America/Los_Angeles\n"}, "2026-11-04")
    configured = report(repo.root, "growth", "--since", "2026-11-02")
    assert "## What changed since Mon 2 Nov\n" in configured
    assert "- **Conversion from 30 to 40** (`growth/convert/rate`): 31 → 33 (+2)" in configured
    revision = report(repo.root, "growth", "--since", "HEAD~2")  # made Nov 2, 06:00 UTC
    assert "## What changed since HEAD~2 (Sun 1 Nov)\n" in revision


def test_an_unknown_time_zone_is_a_configuration_error_at_its_line(tmp_path):
    from conftest import BASE, CONFIG, run_cli, write_repo

    root = write_repo(tmp_path, {**BASE, "okrctl.yaml": CONFIG + "timezone: Europe/Berln\n"})
    result = run_cli("check", "--repo", root)
    assert result.exit_code == 2
    assert "okrctl.yaml:3:" in result.stderr
    assert "unknown time zone 'Europe/Berln': use an IANA name" in result.stderr


@pytest.mark.parametrize("scope", ["trust", "signups", "tom", "payments"])
def test_a_report_of_a_unit_scores_only_what_it_shows_and_shows_the_same(quarter, scope):
    """A report of one unit scores its units, the company and the units whose objectives
    support theirs (the company's pillars and platform, signups' payments), and compares only its
    units with `--since`: its context equals the one made from every unit's scores and the
    whole comparison."""
    from dataclasses import replace
    from datetime import date

    from okrctl.commands.report import report as gather
    from okrctl.core.scorecard import cascade_order, evaluate
    from okrctl.render.report_context import build_context
    from okrctl.views.report import Scoring, changes_since

    request = gather(quarter, scope, since="2026-11-01", as_of=date.fromisoformat(AS_OF))
    snapshot = request.snapshot
    whole = evaluate(snapshot.graph, snapshot.period, snapshot.moment, history=request.history)
    scored = [unit.id for unit in request.card.units]
    assert scored == [unit.id for unit in whole.units if unit.id in scored]  # order kept
    in_scope = {unit_id for unit_id, _ in cascade_order(snapshot.graph, scope)}
    assert in_scope | {"harbor"} <= set(scored) < {unit.id for unit in whole.units}
    supporters = set(scored) - in_scope - {"harbor"}
    assert {"growth", "efficiency", "platform"} <= supporters | in_scope
    assert ("payments" in supporters) == (scope == "signups")
    everything = replace(  # (scoring every unit, as a report of the whole company does)
        request,
        scoring=Scoring(snapshot, request.history, None),
        changes=lambda: changes_since(snapshot, "2026-11-01"),
    )
    assert build_context(request) == build_context(everything)


def test_built_in_templates_are_compiled_once_and_a_repository_s_never(own_copy):
    """okrctl's own templates are kept compiled under `.git/okrctl/templates/` and a second
    report reads them from there, the same report; a repository's own templates (run in the
    sandbox) are never kept, nor is that folder made for them, and a link in its place is
    never written through."""
    kept = own_copy / ".git/okrctl/templates"
    shutil.rmtree(kept, ignore_errors=True)  # (the copied quarter's other reports')
    first = report(own_copy, "signups")
    names = sorted(path.name for path in kept.iterdir())
    assert len(names) == 2 and all(name.endswith(".report") for name in names)  # team, macros
    stamps = {path.name: path.stat().st_mtime_ns for path in kept.iterdir()}
    assert report(own_copy, "signups") == first
    assert {path.name: path.stat().st_mtime_ns for path in kept.iterdir()} == stamps
    shutil.rmtree(kept)
    (own_copy / "templates").mkdir()
    (own_copy / "templates/notes.txt").write_text("not a template\n")
    assert report(own_copy, "signups") == first
    assert not kept.exists()
    shutil.rmtree(own_copy / "templates")
    elsewhere = own_copy / "elsewhere"
    elsewhere.mkdir()
    kept.symlink_to(elsewhere)  # a link in its place: nothing is written through it
    assert report(own_copy, "signups") == first
    assert not any(elsewhere.iterdir())


def test_a_damaged_compiled_template_is_compiled_again_never_an_error(own_copy):
    """A kept template that is damaged, or a FIFO in its place, is compiled again: the same
    report, and the entry written anew (reading the FIFO would hang the report)."""
    kept = own_copy / ".git/okrctl/templates"
    shutil.rmtree(kept, ignore_errors=True)
    first = report(own_copy, "signups")
    damaged, blocked = sorted(kept.iterdir())
    damaged.write_bytes(damaged.read_bytes()[:12] + b"not a pickle, not code")
    blocked.unlink()
    os.mkfifo(blocked)
    again = subprocess.run(  # in a process of its own: a hang fails the test, not the suite
        [sys.executable, "-m", "okrctl", "report", "signups", "--repo", own_copy, "--as-of", AS_OF],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (again.returncode, again.stderr, again.stdout) == (0, "", first)
    assert blocked.is_file() and damaged.stat().st_size > 100
    stamps = {path.name: path.stat().st_mtime_ns for path in kept.iterdir()}
    assert report(own_copy, "signups") == first
    assert {path.name: path.stat().st_mtime_ns for path in kept.iterdir()} == stamps


def test_since_stops_reading_a_long_history_at_the_commit_it_finds(tmp_path):
    """`--since DAY` and a past `--as-of` read the first-parent log newest first and stop at
    the commit they look for, 2,000 commits above the start: the same commit a whole log
    gives, and the git left with most of its log unwritten is ended, none left running."""
    from datetime import UTC, date, datetime
    from pathlib import Path

    from conftest import BASE, pillar_with
    from gitrepo import GitRepo
    from okrctl.store.git import log as git_log

    repo = GitRepo(tmp_path / "okrs")
    repo.commit({**BASE, "goals/pillars/growth.yaml": pillar_with(30)}, "2026-10-01")
    start = int(datetime(2026, 11, 1, tzinfo=UTC).timestamp())
    stream = []
    for index in range(2000):  # one every ten minutes, each 66 bytes of log: 130 KB in all
        stamp, note = start + 600 * index, f"check-in {index}\n"
        stream.append(
            f"commit refs/heads/main\nauthor A <a@example.com> {stamp} +0100\n"
            f"committer A <a@example.com> {stamp} +0100\ndata 3\nci\n"
            + ("from refs/heads/main^0\n" if index == 0 else "")
            + f"M 100644 inline notes.txt\ndata {len(note)}\n{note}\n"
        )
    subprocess.run(
        ["git", "fast-import", "--quiet"], cwd=repo.root, input="".join(stream).encode(), check=True
    )
    lines = repo.git("log", "--first-parent", "--format=%H %aI").splitlines()
    whole = [(sha, datetime.fromisoformat(stamp)) for sha, stamp in map(str.split, lines)]
    children = Path(f"/proc/self/task/{os.getpid()}/children")

    def gits() -> set[str]:  # this process's git children (the session's own ones included)
        pids = children.read_text().split() if children.exists() else []
        return {pid for pid in pids if Path(f"/proc/{pid}/comm").read_text().strip() == "git"}

    before = gits()
    day = date(2026, 11, 14)
    found = git_log.last_commit_before_day(repo.root, day)
    assert found is not None and found.sha == next(s for s, d in whole if d.date() < day)
    instant = datetime(2026, 11, 13, 8, 0, tzinfo=UTC)
    found = git_log.commit_at_or_before(repo.root, instant)
    assert found is not None and found.sha == next(s for s, d in whole if d <= instant)
    assert git_log.last_commit_before_day(repo.root, date(2026, 10, 1)) is None  # read to the end
    assert gits() <= before


def test_the_units_supporting_others_are_read_from_the_alignments_as_each_objective_says(
    quarter, tmp_path
):
    """`Graph.units_supporting` reads the alignments once where each objective was asked for
    its supporters (`supported_by`): the same units for the company, every unit, every pair of
    units and all of them, in the demo, the quarter and goals with a duplicated objective and
    alignments to what does not exist (a key result, an objective, a unit)."""
    from itertools import pairwise

    from conftest import BASE, PILLAR, TEAM, write_repo
    from okrctl.core.graph import build_graph
    from okrctl.model.names import unit_of
    from okrctl.store.load import load_repo

    twice = PILLAR[PILLAR.index("  - id: convert") :].replace("id: rate", "id: rate2")
    odd = {  # (the team aligns only to what `supported_by` never counts)
        "goals/teams/signups.yaml": TEAM.replace(
            "aligns_to: [growth/convert]",
            "aligns_to: [growth/convert/nope, growth/gone, nowhere/x, growth/convert/rate2]",
        ),
        "goals/pillars/growth.yaml": PILLAR + twice,  # a second `convert`, its key result rate2
    }
    for root in (PROJECT_ROOT, quarter, write_repo(tmp_path / "odd", {**BASE, **odd})):
        graph = build_graph(load_repo(root))
        units = sorted(graph.units)
        pairs = [{a, b} for a, b in pairwise(units)]
        scopes = [{u} for u in units] + [set(units)] + pairs
        for scope in scopes:
            asked = {
                unit_of(ref)
                for unit_id in scope
                for objective in graph.units[unit_id].unit.objectives
                for ref in graph.supported_by(f"{unit_id}/{objective.id}")
            }
            assert graph.units_supporting(scope) == asked, scope
        assert any(graph.units_supporting({u}) for u in units)


def test_past_twenty_flagged_units_the_digest_names_those_most_in_need(tmp_path):
    """At 2,000 teams the digest listed every flagged unit, 25,000 lines: past 20 it names the 20
    with the most objectives off track, then the most numbers quiet, in cascade order, and says
    how many more there are."""
    repo = squads_in_need(tmp_path / "okrs")
    text = report(repo.root)
    helping = text.split("## Who could use help\n\n")[1].split("## What changed")[0]
    intro, listed = helping.split("\n\n", 1)
    assert intro == (
        "Offer a hand where you can: 28 units have objectives off track, KPIs in the red, or"
        " numbers nobody has checked in 14 days. These 20 have the most off track and in the"
        " red, then the most numbers gone quiet:"
    )
    # Squads 04, 17 and 23 have two objectives off track; the pillar, the base team and the
    # other squads one each, so the first of them in cascade order make up the 20; the
    # company (its objective at risk, its number quiet) is among the 8 left out
    named = re.findall(r"^- \*\*(.+?)\*\*", listed, re.M)
    assert named == [
        "growth",
        "signups",
        *(f"Squad {n:02}" for n in range(16)),
        "Squad 17",
        "Squad 23",
    ]
    assert "  - 🔴 Ship part 1 of Squad 23: 0.00 against 0.35 expected\n" in listed
    assert listed.rstrip("\n").endswith(
        "\n- …and 8 more: `okrctl report UNIT` shows what any one of them could use help with,"
        " and `okrctl site` lists them all."
    )


def test_the_digest_lists_forty_changes_of_each_kind_and_counts_the_rest(tmp_path):
    """A digest sent a week into a quarter at 2,000 teams listed 26,000 goals "Added": the
    company digest lists 40 of each kind of change, nearest the top of the cascade first, and
    says how many more; a goal-post moved is always listed."""
    squads = {f"goals/teams/squad-{n:02}.yaml": squad(f"Squad {n:02}", 1) for n in range(45)}
    repo = GitRepo(tmp_path / "okrs")
    repo.commit({**BASE, **squads}, "2026-10-01")
    shipped = {path: text.replace("done: false", "done: true") for path, text in squads.items()}
    newcomers = {f"goals/teams/squad-{n:02}.yaml": squad(f"Squad {n:02}", 1) for n in range(45, 95)}
    pillar = BASE["goals/pillars/growth.yaml"].replace("target: 40", "target: 38")
    repo.commit({**shipped, **newcomers, "goals/pillars/growth.yaml": pillar}, "2026-11-01")
    text = report(repo.root, "--since", "2026-10-15")
    changes = text.split("## What changed since Thu 15 Oct\n\n")[1].split("\n## ")[0]
    lines = changes.splitlines()
    moved = [line for line in lines if line.startswith("- **Part 0 of Squad")]
    assert moved[0] == "- **Part 0 of Squad 00 live** (`squad-00/ship-0/done`): not done → done"
    assert len(moved) == 40 and moved[-1].startswith("- **Part 0 of Squad 39 live**")
    added = [line for line in lines if line.startswith("- Added: ")]
    first = lines.index(added[0])
    assert lines[first : first + 3] == [  # a new objective's key results under it, not beside it
        "- Added: **Ship part 0 of Squad 45** (`squad-45/ship-0`), with its key results:",
        "  - **Part 0 of Squad 45 live** (`squad-45/ship-0/done`)",
        "- Added: **Ship part 0 of Squad 46** (`squad-46/ship-0`), with its key results:",
    ]
    assert len(added) == 40 and added[-1] == (
        "- Added: **Ship part 0 of Squad 84** (`squad-84/ship-0`), with its key results:"
    )
    assert [line for line in lines if line.startswith(("- …", "- Goal-post"))] == [
        "- …and 5 more numbers moved (`okrctl report UNIT` lists a unit's own)",
        "- Goal-post moved: `growth/convert/rate` target 40 → 38",
        "- …and 10 more added (`okrctl report UNIT` lists a unit's own)",
    ]
    team = report(repo.root, "squad-40", "--since", "2026-10-15")
    assert "- **Part 0 of Squad 40 live** (`squad-40/ship-0/done`): not done → done" in team


def measured(rate: float, hours: float) -> str:
    """A team with two numbers as a measure writes them, unrounded."""
    return TEAM_HEAD + f"""\
      - id: rate
        title: Funded rate from 0.3 to 0.5
        baseline: 0.3
        target: 0.5
        current: {rate}
        source: warehouse
      - id: hours
        title: Hours to fund from 48 to 24
        unit: hours
        baseline: 48
        target: 24
        current: {hours}
        source: warehouse
"""


def test_a_change_is_the_difference_of_the_values_shown(tmp_path):
    """A measured 0.41234 → 0.41567 read "0.41 → 0.42 (+0)": the change is now that of the two
    numbers shown, and a move too small to show has none."""
    repo = GitRepo(tmp_path / "okrs")
    team = "goals/teams/signups.yaml"
    repo.commit({**BASE, team: measured(0.41234, 40.001)}, "2026-11-02")
    repo.commit({team: measured(0.41567, 40.004)}, "2026-11-09")
    text = report(repo.root, "signups", "--since", "2026-11-05")
    changes = text.split("## What changed since Thu 5 Nov\n\n")[1].split("\n## ")[0]
    assert changes.strip().splitlines() == [
        "- **Funded rate from 0.3 to 0.5** (`signups/funding/rate`): 0.41 → 0.42 (+0.01)",
        "- **Hours to fund from 48 to 24** (`signups/funding/hours`): 40 hours → 40 hours",
    ]


def test_one_day_left_is_said_so(quarter):
    """The digest's heading read "1 days left" on the period's second-to-last day."""
    result = run_cli("report", "--repo", quarter, "--as-of", "2026-12-30")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[2].endswith(" · 1 day left_")
    wall = run_cli("report", "--template", "wall", "--repo", quarter, "--as-of", "2026-12-30")
    assert "## 2026-Q4 · 99% gone · 1 day left\n" in wall.stdout


def test_a_number_never_checked_in_reads_none_yet_then_how_long(quarter):
    """Its cell read "no check-in ⏳ no check-in for 45 days"."""
    text = report(quarter, "platform")
    row = next(line for line in text.splitlines() if "Engineers who ran a game day" in line)
    assert "| none yet ⏳ no check-in for 45 days | 10 engineers |" in row  # since Oct 1


def test_a_report_s_context_is_kept_only_by_a_process_that_ends_with_its_command(
    quarter, monkeypatch
):
    """`okrctl`'s own process exits without freeing what it made, so the context it rendered a
    report from is kept rather than freed (22 ms at 2,000 teams); a library caller's process
    goes on, and keeps nothing: the same text either way."""
    from datetime import date

    from okrctl.commands.report import report
    from okrctl.render.markdown import render_report
    from okrctl.store import lifetime

    monkeypatch.setattr(lifetime, "_KEPT", None)
    as_library = render_report(report(quarter, None, as_of=date(2026, 11, 15)))
    assert lifetime._KEPT is None
    lifetime.ends_with_its_command()
    as_command = render_report(report(quarter, None, as_of=date(2026, 11, 15)))
    assert as_command == as_library
    [kept] = lifetime._KEPT
    assert kept["company"]["name"] in as_command and len(kept["units"]) == 14


def test_what_a_child_sends_of_a_key_result_is_what_is_known_of_it(quarter):
    """A site's child sends what is known of each key result (`as_known`): the fields, and the
    values, a report's context holds of one before it is built whole, in the same order; and
    each KPI but its check-ins."""
    from datetime import date

    from okrctl.commands.report import report
    from okrctl.render.report_context import KNOWN, KPI_HISTORY, ContextBuilder, as_known

    request = report(quarter, None, as_of=date(2026, 11, 15))
    builder = ContextBuilder(request.snapshot, request.card, request.history)
    units = request.card.units
    builder.ask(units)
    built = [builder.unit(unit) for unit in units]
    sent = as_known(built)
    scores = {kr.ref: kr for u in units for o in u.objectives for kr in o.key_results}
    for unit, whole in zip(sent, built, strict=True):
        shared = {id(o) for o in unit["all_objectives"]}  # (the same objects, as built)
        assert {id(o) for o in [*unit["objectives"], *unit["functional_objectives"]]} == shared
        for objective, whole_objective in zip(
            unit["all_objectives"], whole["all_objectives"], strict=True
        ):
            for known, kr in zip(
                objective["key_results"], whole_objective["key_results"], strict=True
            ):
                assert tuple(known) == KNOWN
                before = builder.key_result_known(scores[kr["ref"]])
                assert known == {**before, "owner": kr["owner"]}  # (the objective's owner)
                assert known == {name: kr[name] for name in KNOWN}
        for kpi, whole_kpi in zip(unit["kpis"], whole["kpis"], strict=True):
            assert kpi == {name: whole_kpi[name] for name in whole_kpi if name not in KPI_HISTORY}
    assert sum(len(o["key_results"]) for u in sent for o in u["all_objectives"]) >= 20
    assert sum(len(u["kpis"]) for u in sent) >= 3
