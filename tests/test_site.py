"""`okrctl site`: the demo's quarter as a static dashboard; every link resolves, every title is
text, pages load in a real headless Chromium without a console error."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from conftest import BASE, PROJECT_ROOT, Run, copy_demo, run_cli, squads_in_need, write_repo
from gitrepo import GitRepo

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
MULTICORE = sys.platform.startswith("linux") and len(os.sched_getaffinity(0)) > 1
AS_OF = "2026-11-14"


class Page(HTMLParser):
    """The links, assets and ids of one page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(str(found["id"]))
        for name in ("href", "src"):
            if found.get(name):
                self.links.append(str(found[name]))
        if tag == "script":
            self.scripts += 1


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def broken_links(folder: Path) -> list[str]:
    """Every internal link and asset of every page that does not resolve to a file (and, with
    a fragment, to an element with that id)."""
    pages = {p: parse(p) for p in folder.rglob("*.html")}
    broken = []
    for path, page in pages.items():
        for link in page.links:
            parts = urlsplit(link)
            if parts.scheme or link.startswith("//"):
                broken.append(f"{path.relative_to(folder)}: external {link}")
                continue
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            if not target.is_file() or not target.is_relative_to(folder.resolve()):
                broken.append(f"{path.relative_to(folder)}: {link}")
            elif parts.fragment and parts.fragment not in pages.get(target, parse(target)).ids:
                broken.append(f"{path.relative_to(folder)}: {link} (no such id)")
    return broken


@pytest.fixture(scope="module")
def closed(quarter, tmp_path_factory) -> Path:
    """The demo's scripted quarter, closed (`okr/2026-Q4`), in a clone of its own."""
    root = tmp_path_factory.mktemp("closed") / "demo"
    subprocess.run(["git", "clone", "-q", str(quarter), str(root)], check=True)
    repo = GitRepo.__new__(GitRepo)
    repo.root = root
    repo.git("config", "user.name", "Maria Lopez")
    repo.git("config", "user.email", "maria@example.com")
    assert run_cli("close", "2026-Q4", "--repo", root).exit_code == 0
    return root


@pytest.fixture(scope="module")
def built(closed, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site") / "public"
    result = run_cli("site", out, "--repo", closed, "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"Wrote 20 files to {out}.\n"
    return out


def test_every_unit_has_a_page_and_every_link_resolves(built):
    pages = sorted(p.relative_to(built).as_posix() for p in built.rglob("*.html"))
    assert pages == [
        "alignment.html",
        "attention.html",
        "index.html",
        "periods/2026-Q3.html",  # the quarter before, closed by the demo's script
        "periods/2026-Q4.html",
        *[
            f"units/{u}.html"
            for u in sorted(
                [
                    "harbor",
                    "efficiency",
                    "growth",
                    "trust",
                    "payments",
                    "platform",
                    "support",
                    "lifecycle",
                    "referrals",
                    "signups",
                    "risk",
                    "chloe",
                    "sam",
                    "tom",
                ]
            )
        ],
    ]
    assert broken_links(built) == []


def test_past_twenty_units_in_need_the_index_names_twenty_and_links_every_one(tmp_path):
    """At 2,000 teams the index's "Needs attention" was a table of 2,001 rows, 1.3 MB: it names
    the 20 most in need (as the digest does) and links a page with every one of them."""
    repo = squads_in_need(tmp_path / "okrs")
    out = tmp_path / "public"
    assert run_cli("site", out, "--repo", repo.root, "--as-of", "2026-11-15").exit_code == 0
    index = (out / "index.html").read_text()
    attention = index.split('<h2 id="attention">')[1].split("<h2 ")[0]
    assert (
        "<p>28 units could use help: these 20 have the most objectives off track and KPIs"
        " critical, then the most numbers gone quiet."
        ' <a href="attention.html">Every unit that could use help</a>.</p>'
    ) in attention
    named = re.findall(r'<tr>\n<td><a href="units/([\w-]+)\.html">', attention)
    assert named == [
        "growth",
        "signups",
        *(f"squad-{n:02}" for n in range(16)),
        "squad-17",
        "squad-23",
    ]
    every = (out / "attention.html").read_text()
    listed = re.findall(r'<tr>\n<td><a href="units/([\w-]+)\.html">', every)
    assert listed == ["acme", "growth", "signups", *(f"squad-{n:02}" for n in range(25))]
    assert '<a href="units/squad-23.html#ship-1">Ship part 1 of Squad 23</a>' in every
    assert broken_links(out) == []


def test_the_index_pushes_the_company_wide_picture(built):
    index = (built / "index.html").read_text()
    for heading in (
        "Company objectives",
        "The wall: every KPI",
        "Needs attention",
        "Every pillar, team and person",
        "Closed periods",
    ):
        assert f">{heading}</h2>" in index
    assert "Help every family build savings that outlast them." in index
    assert (
        'href="units/platform.html#on-call-skills">Every engineer is ready for on-call</a>' in index
    )
    assert '<span class="badge off_track">off track</span>' in index  # words, not only colour


def test_a_unit_page_charts_each_key_result_from_history(built):
    page = (built / "units/signups.html").read_text()
    # the two numeric key results with check-ins, and the keep band (unsubscribe)
    assert page.count('<svg class="chart"') == 3
    assert "<title>keep max 1%</title>" in page
    assert "<title>2026-11-06: 40.5%, confidence 0.7 — Instant ACH beta on 20%</title>" in page
    assert 'class="target"' in page and 'class="pace"' in page and 'class="forecast"' in page
    assert "Why it matters, up to the mission:" in page
    assert "What aligns to it:" in page


def test_a_chart_marks_the_as_of_day_while_the_period_runs(built, closed, tmp_path):
    """A line that ended on its last check-in looked current however long ago that was: the
    as-of day stands on every chart, so the gap before it shows the silence."""
    page = (built / "units/payments.html").read_text()
    cost = page.split("Processing cost per transfer from $0.42 to $0.30</h4>")[1].split("</svg>")[0]
    # Nov 14 ends 45 days into the 92 of the quarter: 56 + 564 * 45 / 92 = 331.9
    assert '<line x1="331.9" y1="16" x2="331.9" y2="200" class="as-of">' in cost
    assert '<title>as of 2026-11-14</title>' in cost
    assert 'class="tick">as of 11-14</text>' in cost
    assert page.count('class="as-of"') == page.count('<svg class="chart"') == 2
    later = tmp_path / "later"
    assert run_cli("site", later, "--repo", closed, "--as-of", "2027-01-05").exit_code == 0
    over = (later / "units/payments.html").read_text()
    assert over.count('<svg class="chart"') == 2 and 'class="as-of"' not in over


def test_the_stale_list_says_its_limit_in_days(built):
    page = (built / "units/lifecycle.html").read_text()
    assert (
        "<li>Stalled signups who fund within 14 days from 6% to 12%: 15 days without a check-in "
        "(stale after 14 days)</li>"
    ) in page


def test_a_key_result_reads_as_a_sentence_with_money_written_in_front(built):
    """Its parts were glued ("to $120M· forecast", "the period's endstale"), and a chart's
    hovers wrote a number against its unit ("55,000accounts", "120$M")."""
    page = (built / "units/harbor.html").read_text()
    deposits = page.split("Net deposits from $80M to $120M</h4>")[1].split("</svg>")[0]
    line = re.sub(r"<[^>]+>", "", deposits.split("</p>")[0]).split()
    assert " ".join(line) == (
        "on track $97.5M from $80M to $120M · forecast $119.4M at the period's end · source:"
        " Finance: daily balances report, net deposits line"
    )
    hovers = re.findall(r"<title>([^<]*)</title>", deposits)
    assert hovers[:3] == ["as of 2026-11-14", "target $120M", "expected pace, baseline to target"]
    assert "2026-11-11: $97.5M, confidence 0.6 — Strong first half of November" in hovers
    accounts = page.split("Funded accounts from 41k to 55k</h4>")[1].split("</svg>")[0]
    assert "<title>target 55,000 accounts</title>" in accounts


def test_every_amount_of_a_number_keeps_cents_once_one_has_them(built):
    """A forecast of exactly $4 read `$4/month` beside `$5.40/month`, on the line and in its
    chart's hover."""
    page = (built / "units/efficiency.html").read_text()
    ops = page.split("Operations cost per account from $6.10 to $4.50 a month</h4>")[1]
    ops = ops.split("</svg>")[0]
    line = " ".join(re.sub(r"<[^>]+>", "", ops.split("</p>")[0]).split())
    assert line.startswith("on track $5.40/month from $6.10/month to $4.50/month · forecast ")
    assert "forecast $4.00/month at the period's end" in line
    hovers = re.findall(r"<title>([^<]*)</title>", ops)
    assert "forecast $4.00/month at the period's end" in hovers
    assert "target $4.50/month" in hovers


def test_the_closed_period_has_its_retro(built):
    page = (built / "periods/2026-Q4.html").read_text()
    assert "<h1>Retro 2026-Q4</h1>" in page or "Retro 2026-Q4" in page
    assert "<table>" in page


def test_no_page_needs_javascript_or_the_network(built):
    for path in built.rglob("*.html"):
        page = parse(path)
        assert page.scripts == (1 if path.name == "index.html" else 0), path
        text = path.read_text()
        assert "http://" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "")
        assert "https://" not in text


def test_hostile_titles_are_text(tmp_path):
    hostile = "<script>alert(1)</script>"
    company = BASE["goals/company.yaml"].replace(
        "    title: Grow deposits\n    why: Deposits fund plans.\n",
        f'    title: "{hostile}"\n    why: "<img src=x onerror=alert(2)>"\n',
    )
    root = write_repo(tmp_path / "okrs", {"goals/company.yaml": company})
    out = tmp_path / "public"
    assert run_cli("site", out, "--repo", root).exit_code == 0
    for path in out.rglob("*.html"):
        text = path.read_text()
        assert "<script>alert" not in text and "<img src=x" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in (out / "units/acme.html").read_text()


def test_the_built_in_pages_escape_exactly_as_markupsafe_does():
    from markupsafe import Markup, escape

    from okrctl.render.trusted import escaped

    class Shown:
        def __str__(self) -> str:
            return "<&>"

    class Safe:
        def __html__(self) -> str:
            return "<b>kept</b>"

    values = [
        "".join(chr(c) for c in range(256)),
        "a < b & 'c' \"d\" > e",
        "plain",
        "",
        "é ✓ 𝄞 &amp;",
        Markup("<i>safe</i>"),
        Safe(),
        Shown(),
        42,
        0.5,
        None,
        True,
    ]
    for value in values:
        assert escaped(value) == str(escape(value)), repr(value)
        assert type(escaped(value)) is str


CHECKIN_TABLE_MACRO = """\
{% macro checkin_table(checkins, unit) -%}
{% if checkins %}
<div class="table-wrap"><table>
<thead><tr><th>day</th><th>value</th><th>confidence</th><th>by</th><th>note</th></tr></thead>
<tbody>
{% for c in checkins %}
<tr><td>{{ c.day }}</td><td class="num">{{ c.value|value(unit) }}</td>\
<td class="num">{{ c.confidence if c.confidence is not none else '' }}</td>\
<td>{{ c.author }}</td><td>{{ c.note }}</td></tr>
{% endfor %}
</tbody>
</table></div>
{% else %}
<p class="no-data">No check-ins yet this period.</p>
{% endif %}
{%- endmacro %}"""


@pytest.mark.parametrize(
    ("checkins", "unit"),
    [
        ([], None),
        ([{"value": 12, "confidence": None, "author": "A <b>", "note": "n & 'q' \"x\""}], None),
        ([{"value": 12.5, "confidence": 0.7, "note": None}, {"value": 7, "confidence": 1}], "$"),
        ([{"value": True}, {"value": False, "note": ""}, {"value": None}], "%"),
        ([{"value": 1250000, "author": "Zoë ✓"}, {"value": 97.5}], "$M"),
    ],
)
def test_a_numbers_check_in_table_is_the_one_the_macro_drew(checkins, unit):
    """The site's check-in tables are drawn by a filter (a unit page has one per number, and
    the macro's call was a tenth of the page): the same bytes as the macro that drew them,
    which `_macros.html.j2` still has (it calls the filter), each value escaped."""
    from okrctl.render.site import environment

    env = environment(None)
    rows = [
        {"day": f"2026-10-0{n + 1}", "author": "Ann", "note": "x", "confidence": None, **given}
        for n, given in enumerate(checkins)
    ]
    drawn_then = env.from_string(CHECKIN_TABLE_MACRO).module.checkin_table(rows, unit)
    macro_now = env.get_template("_macros.html.j2").module.checkin_table(rows, unit)
    filtered = env.from_string("{{ rows|checkin_table(unit) }}").render(rows=rows, unit=unit)
    assert str(drawn_then) == str(macro_now) == filtered
    if unit is None and checkins:
        assert "<td>A &lt;b&gt;</td><td>n &amp; &#39;q&#39; &#34;x&#34;</td>" in filtered


HELP_TABLE_MACRO = """\
{% macro help_table(wanted, by_id, root) -%}
<div class="table-wrap"><table>
<thead><tr><th>unit</th><th>off track</th><th>critical KPIs</th><th>numbers gone quiet</th>\
</tr></thead>
<tbody>
{% for h in wanted %}
<tr>
<td>{{ h.unit.id|unit_link(by_id, root) }}</td>
<td>{% for o in h.objectives %}<a href="{{ root }}units/{{ h.unit.id }}.html#{{ o.id }}">\
{{ o.title }}</a> {{ o.status|badge }}{% if not loop.last %}<br>{% endif %}{% endfor %}</td>
<td>{% for k in h.kpis %}{{ k.title }} <span class="badge critical">critical</span>\
{% if not loop.last %}<br>{% endif %}{% endfor %}</td>
<td>{% for kr in h.stale %}{{ kr.title }} ({{ kr.quiet_for }}{% if kr.quiet_through %}, \
its source {{ kr.quiet_through }}{% endif %}){% if not loop.last %}<br>{% endif %}{% endfor %}</td>
</tr>
{% endfor %}
</tbody>
</table></div>
{%- endmacro %}"""


@pytest.mark.parametrize("root", ["", "../"])
def test_the_units_that_could_use_help_are_the_table_the_macro_drew(root):
    """The attention page's table of every unit that could use help (1,500 rows at 2,000
    teams) is drawn by a filter, `help_table`: the same bytes as the macro that drew it,
    which `_macros.html.j2` still has (it calls the filter), every value escaped."""
    from okrctl.render.site import environment

    env = environment(None)
    by_id = {"pay": {"id": "pay", "name": "Pay & <b>Co</b>"}}

    def objective(ref: str, title: str, status: str) -> dict:
        return {"id": ref, "title": title, "status": status}

    wanted = [
        {
            "unit": {"id": "pay"},
            "objectives": [objective("grow", "Grow <i>", "off_track"), objective("x", "", "lost")],
            "kpis": [{"title": "Churn 'monthly'"}, {"title": "Uptime"}],
            "stale": [
                {"title": "Signups", "quiet_for": "more than 14 days", "quiet_through": None},
                {"title": "NPS", "quiet_for": "20 days", "quiet_through": 'survey "q4"'},
            ],
        },
        {"unit": {"id": "gone"}, "objectives": [], "kpis": [], "stale": []},
    ]
    drawn = []
    for rows in (wanted, []):
        drawn_then = env.from_string(HELP_TABLE_MACRO).module.help_table(rows, by_id, root)
        macro_now = env.get_template("_macros.html.j2").module.help_table(rows, by_id, root)
        filtered = env.from_string("{{ rows|help_table(by_id, root) }}").render(
            rows=rows, by_id=by_id, root=root
        )
        assert str(drawn_then) == str(macro_now) == filtered
        drawn.append(filtered)
    assert f'<a href="{root}units/pay.html">Pay &amp; &lt;b&gt;Co&lt;/b&gt;</a>' in drawn[0]
    assert "NPS (20 days, its source survey &#34;q4&#34;)" in drawn[0]


def test_without_git_every_page_is_built_and_says_so(tmp_path):
    root = copy_demo(tmp_path / "demo")
    out = tmp_path / "public"
    result = run_cli("site", out, "--repo", root)
    assert result.exit_code == 0
    assert "not a git repository" in result.stderr
    page = (out / "units/signups.html").read_text()
    assert "<svg" not in page
    assert "No check-ins yet this period." in page
    assert "No git history: check-in dates are unknown." in page
    assert broken_links(out) == []


def test_a_folder_with_other_files_is_refused_unless_forced(quarter, tmp_path):
    out = tmp_path / "public"
    out.mkdir()
    (out / "CNAME").write_text("okrs.example.com\n")
    refused = run_cli("site", out, "--repo", quarter, "--as-of", AS_OF)
    assert refused.exit_code == 2
    assert "holds files okrctl site did not write (CNAME)" in refused.stderr
    assert not (out / "index.html").exists()
    forced = run_cli("site", out, "--repo", quarter, "--as-of", AS_OF, "--force")
    assert forced.exit_code == 0
    assert (out / "CNAME").read_text() == "okrs.example.com\n"
    assert (out / "index.html").is_file()
    (out / "units/gone.html").write_text("an old page")
    manifest = out / ".okrctl-site"
    manifest.write_text(manifest.read_text() + "units/gone.html\n")
    again = run_cli("site", out, "--repo", quarter, "--as-of", AS_OF, "--force")
    assert again.exit_code == 0
    assert "removed 1 old file." in again.stdout
    assert not (out / "units/gone.html").exists() and (out / "CNAME").exists()


@pytest.mark.parametrize("force", [[], ["--force"]], ids=["plain", "forced"])
def test_nothing_is_written_or_removed_through_a_link_in_the_folder(quarter, tmp_path, force):
    out = tmp_path / "public"
    assert run_cli("site", out, "--repo", quarter, "--as-of", AS_OF).exit_code == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("not okrctl's\n")
    shutil.rmtree(out / "units")
    (out / "units").symlink_to(elsewhere, target_is_directory=True)
    manifest = out / ".okrctl-site"
    manifest.write_text(manifest.read_text() + "units/keep.txt\n")  # a forged manifest
    refused = run_cli("site", out, "--repo", quarter, "--as-of", AS_OF, *force)
    assert refused.exit_code == 1
    assert refused.stderr == (
        f"okrctl: {out / 'units'} is a symbolic link (to {elsewhere}): okrctl site writes and"
        " removes files only inside its folder, never through a link; remove the link, or"
        " choose another folder\n"
    )
    assert sorted(p.name for p in elsewhere.iterdir()) == ["keep.txt"]
    assert (elsewhere / "keep.txt").read_text() == "not okrctl's\n"


def test_built_from_a_subfolder_into_a_relative_folder_as_a_user_types_it(quarter, tmp_path):
    root = tmp_path / "demo"
    subprocess.run(["git", "clone", "-q", str(quarter), str(root)], check=True)
    command = [sys.executable, "-m", "okrctl", "site", "../../public", "--as-of", AS_OF]
    result = subprocess.run(
        command, cwd=root / "goals" / "teams", capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    out = (root / "public").resolve()
    assert result.stdout == f"Wrote 19 files to {out}.\n"
    assert (out / "units/signups.html").is_file()
    assert broken_links(out) == []


def test_a_rebuild_over_its_own_pages_needs_no_force(quarter, tmp_path):
    out = tmp_path / "public"
    assert run_cli("site", out, "--repo", quarter, "--as-of", AS_OF).exit_code == 0
    assert run_cli("site", out, "--repo", quarter, "--as-of", AS_OF).exit_code == 0


def test_the_base_url_names_each_page_canonically(quarter, tmp_path):
    out = tmp_path / "public"
    args = (
        "site",
        out,
        "--repo",
        quarter,
        "--as-of",
        AS_OF,
        "--base-url",
        "https://okrs.example.com/",
    )
    assert run_cli(*args).exit_code == 0
    page = (out / "units/tom.html").read_text()
    assert '<link rel="canonical" href="https://okrs.example.com/units/tom.html">' in page
    assert 'href="../index.html"' in page  # links stay relative


def test_a_repository_can_override_a_page(quarter, tmp_path):
    root = with_page(
        quarter,
        tmp_path,
        "unit",
        (
            '{% extends "default:unit.html.j2" %}\n'
            "{% block stale %}<p>Ask in #okrs.</p>{% endblock %}\n"
        ),
    )
    out = tmp_path / "public"
    assert run_cli("site", out, "--repo", root, "--as-of", AS_OF).exit_code == 0
    page = (out / "units/signups.html").read_text()
    assert "<p>Ask in #okrs.</p>" in page and ">Stale</h2>" not in page
    assert ">Stale</h2>" not in (out / "units/tom.html").read_text()


def test_a_repository_page_still_runs_in_the_sandbox(quarter, tmp_path):
    root = tmp_path / "demo"
    subprocess.run(["git", "clone", "-q", str(quarter), str(root)], check=True)
    (root / "templates/site").mkdir(parents=True)
    (root / "templates/site/index.html.j2").write_text("{{ ''.__class__.__mro__ }}\n")
    result = run_cli("site", tmp_path / "public", "--repo", root, "--as-of", AS_OF)
    assert result.exit_code == 1
    assert "templates/site/index.html.j2:1" in result.stderr
    assert "unsafe" in result.stderr


def test_the_built_in_pages_are_the_same_through_the_sandbox(built, closed, tmp_path):
    root = tmp_path / "demo"
    subprocess.run(["git", "clone", "-q", str(closed), str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "fetch", "-q", "--tags"], check=True)
    (root / "templates/site").mkdir(parents=True)  # a folder of its own: every page sandboxed
    shutil.copy(PROJECT_ROOT / "templates/site/site.css", root / "templates/site/site.css")
    out = tmp_path / "public"
    assert run_cli("site", out, "--repo", root, "--as-of", AS_OF).exit_code == 0
    sandboxed = {p.relative_to(out): p.read_text() for p in out.rglob("*.html")}
    trusted = {p.relative_to(built): p.read_text() for p in built.rglob("*.html")}
    assert len(trusted) == 19  # every page, Q3's retro among them
    assert sandboxed == trusted


def with_page(quarter: Path, tmp_path: Path, page: str, template: str) -> Path:
    """A clone of the demo's quarter whose `templates/site/` overrides one page."""
    root = tmp_path / "demo"
    subprocess.run(["git", "clone", "-q", str(quarter), str(root)], check=True)
    (root / "templates/site").mkdir(parents=True)
    (root / f"templates/site/{page}.html.j2").write_text(template)
    return root


def files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def _children_steps(monkeypatch) -> list:
    """The children's work of the next sites built, to see which pages were left to okrctl:
    a child that fails only makes okrctl draw its pages, the same pages."""
    from okrctl.store import forks

    steps: list[forks.TwoSteps] = []
    prepare = forks.TwoSteps.prepare_here_unless_done
    monkeypatch.setattr(
        forks.TwoSteps, "prepare_here_unless_done", lambda step: steps.append(step) or prepare(step)
    )
    return steps


def _sites_alone_and_forked(root: Path, tmp_path: Path, monkeypatch) -> tuple[Run, Run]:
    from okrctl.store import forks

    monkeypatch.setattr(forks, "WORTH_A_CHILD", 10**9)
    alone = run_cli("site", tmp_path / "alone", "--repo", root, "--as-of", AS_OF)
    monkeypatch.setattr(forks, "WORTH_A_CHILD", 1)
    assert forks.processes_for(10) >= 2
    forked = run_cli("site", tmp_path / "forked", "--repo", root, "--as-of", AS_OF)
    return alone, forked


@pytest.mark.parametrize("cores", [2, 3])
def test_the_units_are_shared_out_by_what_they_cost(cores):
    """500 people of one key result first in the cascade, 500 teams of nine after: cut by
    their count, the child drew teams alone for 0.4 s after okrctl was done. By their cost,
    each child's slice costs the same, and okrctl's `BESIDE_BUILDING` of that fewer."""
    from okrctl.render.site_shares import BESIDE_BUILDING, _ends

    costs = [2] * 500 + [10] * 500
    ends = _ends(costs, cores, BESIDE_BUILDING)
    assert ends[-1] == len(costs) and ends == sorted(ends)
    spent = [sum(costs[start:end]) for start, end in zip([0, *ends], ends, strict=False)]
    child = round(sum(costs) * (1 + BESIDE_BUILDING) / cores)  # (a team costs 10)
    assert all(abs(cost - child) <= 10 for cost in spent[1:])
    assert abs(spent[0] - (sum(costs) - child * (cores - 1))) <= 10 * (cores - 1)
    assert ends[0] > 500  # okrctl takes every person and some teams
    assert _ends([1] * 10, 2, 0.0) == [5, 10]


@pytest.mark.skipif(not MULTICORE, reason="one core here: the site renders without workers")
def test_pages_drawn_by_forked_workers_are_the_pages_drawn_alone(quarter, tmp_path, monkeypatch):
    """Each child scores, builds and draws its own units; this process draws its own, those
    a child's units support once the child's contexts are in: every page is the one drawn
    alone."""
    from okrctl.render.site_shares import UnitsDrawnElsewhere

    steps = _children_steps(monkeypatch)
    deferred: list[str] = []
    built = UnitsDrawnElsewhere.__call__

    def watched(self, mine, theirs, frame):
        units = built(self, mine, theirs, frame)
        deferred.extend(unit["id"] for unit in self.deferred)
        return units

    monkeypatch.setattr(UnitsDrawnElsewhere, "__call__", watched)
    alone, forked = _sites_alone_and_forked(quarter, tmp_path, monkeypatch)
    assert (alone.exit_code, forked.exit_code) == (0, 0)
    assert steps and not any(step.done_here for step in steps)  # the child drew its pages
    assert deferred  # (pillars whose teams the child scored)
    for unit_id in deferred:
        assert "What aligns to it" in (tmp_path / f"forked/units/{unit_id}.html").read_text()
    assert forked.stdout == alone.stdout.replace(str(tmp_path / "alone"), str(tmp_path / "forked"))
    alone_files = {
        p.relative_to(tmp_path / "alone"): p.read_bytes() for p in files(tmp_path / "alone")
    }
    forked_files = {
        p.relative_to(tmp_path / "forked"): p.read_bytes() for p in files(tmp_path / "forked")
    }
    assert len(forked_files) == 20  # 19 pages (Q3's retro among them) and the manifest
    assert forked_files == alone_files


@pytest.mark.skipif(not MULTICORE, reason="one core here: the site renders without workers")
@pytest.mark.parametrize(
    "reads",
    [
        # only the unit and another unit's context: children build their own units, and the
        # parent's score is built there on demand
        "{{ by_id[unit.parent].score if unit.parent else '' }} {{ by_id|length }}",
        # a name made from every unit: children draw from the whole context
        "{{ units|length }} {{ help_wanted|length }} {{ company.unit.id if company.unit }}",
    ],
)
def test_pages_reading_other_units_are_the_same_drawn_by_workers(
    quarter, tmp_path, monkeypatch, reads
):
    root = with_page(
        quarter,
        tmp_path,
        "unit",
        (
            '{% extends "default:unit.html.j2" %}\n'
            f"{{% block stale %}}<p id=reads>{reads}</p>{{{{ super() }}}}{{% endblock %}}\n"
        ),
    )
    steps = _children_steps(monkeypatch)
    alone, forked = _sites_alone_and_forked(root, tmp_path, monkeypatch)
    assert (alone.exit_code, forked.exit_code) == (0, 0), alone.stderr + forked.stderr
    assert steps and not any(step.done_here for step in steps)  # the child drew its pages
    alone_pages, forked_pages = (
        {p.relative_to(out): p.read_text() for p in files(out)}
        for out in (tmp_path / "alone", tmp_path / "forked")
    )
    assert forked_pages == alone_pages
    shown = alone_pages[Path("units/signups.html")]
    assert re.search(r"<p id=reads>\s*\S", shown)  # it read something


@pytest.mark.skipif(not MULTICORE, reason="one core here: the site renders without workers")
def test_an_index_reading_every_key_result_whole_is_the_one_drawn_alone(
    quarter, tmp_path, monkeypatch
):
    """A child sends okrctl what is known of its key results, and its KPIs without their
    check-ins (the built-in index, alignment and summaries read no more); an index page that
    reads each whole, its check-ins and all, gets each built on demand: the page drawn
    alone."""
    every = (
        "{% for u in units %}{% for o in u.all_objectives %}{% for kr in o.key_results %}"
        "{{ kr.ref }} {{ kr.owner }} {{ kr.checkins|length }} {{ kr.trend }} {{ kr|tojson }}\n"
        "{% endfor %}{% endfor %}{% for k in u.kpis %}{{ k.ref }} {{ k.trend }} {{ k|tojson }}\n"
        "{% endfor %}{% endfor %}"
    )
    root = with_page(
        quarter,
        tmp_path,
        "index",
        '{% extends "default:index.html.j2" %}\n'
        f"{{% block directory %}}<pre id=every>{every}</pre>{{{{ super() }}}}{{% endblock %}}\n",
    )
    alone, forked = _sites_alone_and_forked(root, tmp_path, monkeypatch)
    assert (alone.exit_code, forked.exit_code) == (0, 0), alone.stderr + forked.stderr
    index = (tmp_path / "forked/index.html").read_text()
    assert index == (tmp_path / "alone/index.html").read_text()
    lines = index.split("<pre id=every>")[1].split("</pre>")[0].splitlines()
    assert len(lines) >= 20 and all('"checkins": [' in line for line in lines)


def test_a_summary_the_built_in_pages_never_read_is_there_for_a_page_that_does(quarter, tmp_path):
    """The built-in pages read `help_wanted` alone of the summaries, so the others are not
    gathered for them; a repository's page that names one gets it."""
    root = with_page(
        quarter,
        tmp_path,
        "index",
        (
            '{% extends "default:index.html.j2" %}\n{% block company %}<p id=summaries>'
            "{{ attention.stale|length }} {{ owners|length }} {{ prompts|length }}</p>"
            "{{ super() }}{% endblock %}\n"
        ),
    )
    out = tmp_path / "public"
    result = run_cli("site", out, "--repo", root, "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    shown = re.search(r"<p id=summaries>(\d+) (\d+) (\d+)</p>", (out / "index.html").read_text())
    assert shown is not None and all(int(n) > 0 for n in shown.groups())


def test_children_build_their_own_units_only_for_pages_that_read_nothing_else():
    from okrctl.render.site import SITE_NAMES
    from okrctl.render.site_shares import drawn_from_own_units

    assert drawn_from_own_units(frozenset({"unit", "by_id", "root", "o", "kr"}), SITE_NAMES)
    assert not drawn_from_own_units(frozenset({"unit", "units"}), SITE_NAMES)
    assert not drawn_from_own_units(frozenset({"unit", "help_wanted"}), SITE_NAMES)
    assert not drawn_from_own_units(None, SITE_NAMES)  # a template named by an expression


@pytest.mark.skipif(not MULTICORE, reason="one core here: the site renders without workers")
def test_a_template_error_in_a_worker_is_reported_as_without_workers(
    quarter, tmp_path, monkeypatch
):
    root = with_page(
        quarter,
        tmp_path,
        "unit",
        '{% extends "default:unit.html.j2" %}\n'
        "{% block stale %}{{ unit.nickname }}{% endblock %}\n",
    )
    alone, forked = _sites_alone_and_forked(root, tmp_path, monkeypatch)
    assert (alone.exit_code, forked.exit_code) == (1, 1)
    assert "templates/site/unit.html.j2:2" in alone.stderr and "nickname" in alone.stderr
    assert forked.stderr == alone.stderr
    assert not (tmp_path / "alone").exists() and not (tmp_path / "forked").exists()


@pytest.mark.skipif(not MULTICORE, reason="one core here: the site renders without workers")
def test_a_template_error_in_the_pages_a_child_draws_writes_no_page(quarter, tmp_path, monkeypatch):
    """The child draws the last units' pages and writes them itself, but only once every page
    is drawn: an error in its last page leaves the folder as it was, pages of its own included."""
    last = json.loads(run_cli("status", "--repo", quarter, "--format", "json").stdout)["units"][-1]
    root = with_page(
        quarter,
        tmp_path,
        "unit",
        (
            '{% extends "default:unit.html.j2" %}\n'
            f"{{% block stale %}}{{% if unit.id == '{last['id']}' %}}{{{{ unit.nickname }}}}"
            "{% endif %}{% endblock %}\n"
        ),
    )
    for out in (tmp_path / "alone", tmp_path / "forked"):
        out.mkdir()
        (out / "index.html").write_text("the last build's")
        (out / ".okrctl-site").write_text("index.html\n")
    alone, forked = _sites_alone_and_forked(root, tmp_path, monkeypatch)
    assert (alone.exit_code, forked.exit_code) == (1, 1)
    assert "nickname" in forked.stderr and forked.stderr == alone.stderr
    for out in (tmp_path / "alone", tmp_path / "forked"):
        assert sorted(p.name for p in out.rglob("*")) == [".okrctl-site", "index.html"]
        assert (out / "index.html").read_text() == "the last build's"


def test_a_rebuilt_page_that_got_shorter_keeps_nothing_of_the_old_one(tmp_path):
    from okrctl.store.site_files import SiteFolder

    for pages in (
        {"index.html": "<p>long</p>" * 1000, "units/a.html": "a"},
        {"index.html": "<p>short</p>", "units/a.html": "a" * 9000},
    ):
        folder = SiteFolder.opened(tmp_path / "out")
        for path, page in pages.items():
            folder.write(path, page)
        folder.finish(pages)
    assert (tmp_path / "out/index.html").read_text() == "<p>short</p>"
    assert (tmp_path / "out/units/a.html").read_text() == "a" * 9000


@pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium is not installed here (.ci/run installs "
    "Debian's chromium; elsewhere: apt-get install chromium)",
)
@pytest.mark.slow
def test_every_page_loads_in_chromium_without_a_console_error(built, tmp_path):
    frames = "".join(
        f'<iframe src="{p.as_uri()}" width="1280" height="800"></iframe>'
        for p in sorted(built.rglob("*.html"))
    )
    harness = tmp_path / "all.html"
    harness.write_text(f"<!DOCTYPE html><html><body>{frames}</body></html>")
    done = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--allow-file-access-from-files",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=10000",
            "--dump-dom",
            harness.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )
    assert done.stdout.count("<iframe") == 19
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    assert console == []


def test_the_committed_screenshots_are_of_real_pages():
    """Each is as wide as the viewport its name says, and a page (text, badges, charts: many
    colours), not a blank or an error screen (a handful)."""
    from PIL import Image

    for name in ("site-index-1280", "site-index-390", "site-team-1280", "site-team-390"):
        with Image.open(PROJECT_ROOT / "docs" / "screenshots" / f"{name}.png") as image:
            assert image.format == "PNG"
            assert image.width == int(name.rsplit("-", 1)[1]) and image.height >= 800, name
            colours = image.convert("RGB").getcolors(1 << 24) or []
            assert len(colours) > 500, name
            background = max(colours)[0] / (image.width * image.height)
            assert background < 0.95, f"{name} is {background:.0%} one colour"


def test_a_repositorys_own_macros_of_an_older_okrctl_still_build_the_site(quarter, tmp_path):
    """A repository that overrode `_macros.html.j2` before `help_table` existed: the built-in
    index and attention pages take it from okrctl's own macros, so the site still builds."""
    from okrctl.render.markdown import BUILTIN

    old = (BUILTIN / "site/_macros.html.j2").read_text().split("{% macro help_table")[0]
    root = with_page(quarter, tmp_path, "_macros", old)
    out = tmp_path / "public"
    result = run_cli("site", out, "--repo", root, "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    assert "Every unit with an objective off track" in (out / "attention.html").read_text()


def test_the_units_that_could_use_help_count_their_quiet_kpis(built):
    """The digest's "numbers nobody has checked in" listed no KPI, however long nobody had
    looked at one: a KPI gone stale is named with the key results. On the day the hours pass
    the limit while the calendar counts no more, it says "more than 14 days" (it read "14
    days" beside "stale after 14 days")."""
    attention = (built / "attention.html").read_text()
    assert "<th>numbers gone quiet</th>" in attention
    assert "Median first response time (17 days)" in attention
    # checked in at 09:30 on Oct 31: 14.6 days before Nov 14 ends, 14 on the calendar
    assert "LTV / CAC (more than 14 days)" in attention
