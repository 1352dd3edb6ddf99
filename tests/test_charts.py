"""A moved target is drawn where it moved, in every chart (Markdown, HTML, mail, site) and
said in the terminal; a keep band's check-ins are charted against the band."""

from __future__ import annotations

import re
from datetime import date

import pytest

from conftest import BASE, cache_files, index_payload, pillar_with, run_cli
from gitrepo import GitRepo

PILLAR_FILE = "goals/pillars/growth.yaml"
KR = "growth/convert/rate"
AS_OF = "2026-11-14"


def _moved_mid_quarter(tmp_path):
    """Conversion 30 → 40, checked in at 33, then the target lowered to 36 on Oct 20, then 35."""
    repo = GitRepo(tmp_path / "okrs")
    repo.commit({**BASE, PILLAR_FILE: pillar_with(30)}, "2026-10-01")
    repo.commit({PILLAR_FILE: pillar_with(33)}, "2026-10-15")
    moved = pillar_with(33).replace("target: 40", "target: 36")
    repo.commit({PILLAR_FILE: moved}, "2026-10-20", "Lower the target: Q3 was measured wrongly")
    repo.commit({PILLAR_FILE: moved.replace("current: 33", "current: 35")}, "2026-11-05")
    return repo.root


def _report(root, *extra):
    result = run_cli("report", "growth", "--repo", root, "--as-of", AS_OF, *extra)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_the_markdown_chart_steps_on_the_day_the_target_moved(tmp_path):
    root = _moved_mid_quarter(tmp_path)
    chart = _report(root).split("```mermaid\n")[1].split("```")[0].splitlines()
    assert chart[2] == '    x-axis ["10-01", "10-15", "10-20", "10-20", "11-05"]'
    assert chart[4] == "    line [30, 33, 33, 33, 35]"  # the value in effect when it moved
    assert chart[5] == "    line [40, 40, 40, 36, 36]"
    warm = _report(root)  # read from the history index this time
    assert warm == _report(root) and "line [40, 40, 40, 36, 36]" in warm
    [index] = cache_files(root, "history-*.marshal")
    assert index_payload(index)["refs"][KR][3][-1][1] == 36


def test_the_html_chart_draws_a_vertical_step(tmp_path):
    root = _moved_mid_quarter(tmp_path)
    page = _report(root, "--format", "html")
    [_, target] = re.findall(r'<polyline [^>]*points="([^"]*)"', page)
    corners = [tuple(map(float, p.split(","))) for p in target.split()]
    assert len(corners) == 5
    (x3, y3), (x4, y4) = corners[2], corners[3]
    assert x3 == x4 and y4 > y3  # same day; lower on the page: a lower target
    assert corners[0][1] == corners[2][1] and corners[3][1] == corners[4][1]


def test_the_site_chart_steps_across_the_period_and_names_the_move(tmp_path):
    root = _moved_mid_quarter(tmp_path)
    out = tmp_path / "site"
    assert run_cli("site", str(out), "--repo", root, "--as-of", AS_OF).exit_code == 0
    page = (out / "units/growth.html").read_text()
    [polyline] = re.findall(r'<polyline fill="none" class="target" points="([^"]*)">', page)
    corners = [tuple(map(float, p.split(","))) for p in polyline.split()]
    assert len(corners) == 4 and corners[1][0] == corners[2][0] and corners[2][1] > corners[1][1]
    assert "target 36; moved from 40 to 36 on 2026-10-20" in page


def test_the_mail_chart_steps_on_the_day_it_moved(tmp_path):
    from matplotlib import dates as mdates

    from okrctl.render.charts import chart_of
    from okrctl.render.png_charts import _target_steps, chart_png

    kr = {
        "title": "Conversion",
        "target": 36,
        "baseline": 30,
        "checkins": [
            {"day": d, "date": f"{d}T12:00:00Z", "value": v}
            for d, v in (("2026-10-01", 30), ("2026-10-15", 33), ("2026-11-05", 35))
        ],
        "target_moves": [
            {"day": "2026-10-20", "date": "2026-10-20T12:00:00Z", "from": 40, "to": 36}
        ],
    }
    chart = chart_of(kr)
    assert chart is not None
    days = mdates.date2num([date.fromisoformat(d) for d in chart.dates])
    xs, ys = _target_steps(chart, days, mdates)
    moved = float(mdates.date2num(date(2026, 10, 20)))
    assert ys == [40, 40, 36, 36] and xs[1] == xs[2] == moved
    assert chart.low < 30 and chart.high > 40  # the old target stays in view
    assert chart_png(chart).startswith(b"\x89PNG")


def test_show_says_when_the_target_moved(tmp_path):
    root = _moved_mid_quarter(tmp_path)
    result = run_cli("show", KR, "--repo", root, "--as-of", AS_OF)
    assert "target moved: 40 → 36 on 2026-10-20" in result.stdout


def test_a_keep_band_is_charted_against_its_bounds(tmp_path):
    repo = GitRepo(tmp_path / "okrs")
    band = pillar_with(None).replace(
        "        baseline: 30\n        target: 40\n", "        keep: {min: 2, max: 5}\n"
    )
    repo.commit(
        {**BASE, PILLAR_FILE: band.replace("keep:", "current: 3\n        keep:")}, "2026-10-01"
    )
    repo.commit({PILLAR_FILE: band.replace("keep:", "current: 4.5\n        keep:")}, "2026-10-20")
    chart = _report(repo.root).split("```mermaid\n")[1].split("```")[0].splitlines()
    assert chart[4:] == ["    line [3, 4.5]", "    line [2, 2]", "    line [5, 5]"]


@pytest.mark.parametrize(
    ("values", "baseline", "target", "axis"),
    [
        ((0, 5, 8), 0, 12, (0.0, 13.2)),  # a count from 0: the axis starts at 0, not -1.2
        ((2, 5, 8), 2, 12, (1.0, 13.0)),  # above 0 after the padding: the 10% of room stays
        ((-3, -1, 1), -3, 2, (-3.5, 2.5)),  # a number that goes below 0 keeps its room
    ],
)
def test_the_axis_never_dips_below_zero_for_numbers_that_do_not(values, baseline, target, axis):
    from okrctl.render.charts import chart_of

    days = ("2026-10-01", "2026-10-15", "2026-11-05")
    kr = {
        "title": "Count",
        "target": target,
        "baseline": baseline,
        "checkins": [
            {"day": d, "date": f"{d}T12:00:00Z", "value": v}
            for d, v in zip(days, values, strict=True)
        ],
    }
    chart = chart_of(kr)
    assert chart is not None and (chart.low, chart.high) == axis


def test_an_axis_of_millions_reads_as_the_tables_do(tmp_path):
    """The HTML chart's axis said "1.5e+06" for a number in the millions: it is written as the
    tables write numbers, with thousands grouped."""
    millions = (
        pillar_with(1_250_000)
        .replace("baseline: 30", "baseline: 1000000")
        .replace("target: 40", "target: 2000000")
    )
    repo = GitRepo(tmp_path / "okrs")
    repo.commit({**BASE, PILLAR_FILE: millions}, "2026-10-01")
    repo.commit({PILLAR_FILE: millions.replace("1250000", "1500000")}, "2026-10-15")
    page = _report(repo.root, "--format", "html")
    ticks = re.findall(r'fill="#57606a">([^<]*)</text>', page)
    numbers = [t for t in ticks if not re.fullmatch(r"\d\d-\d\d", t)]  # (the dates below)
    assert numbers and all(re.fullmatch(r"\d{1,3}(,\d{3})+", t) for t in numbers), numbers
