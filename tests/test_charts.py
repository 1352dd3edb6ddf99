"""A moved target is drawn where it moved, in every chart (Markdown, HTML, mail, site) and
said in the terminal; a keep band's check-ins are charted against the band."""

from __future__ import annotations

import re
from datetime import date

import pytest

from conftest import BASE, cache_files, index_payload, mermaid_charts, pillar_with, run_cli
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


def _lines(chart):
    """A Mermaid chart's `line [...]` series as numbers."""
    return [
        [float(v) for v in line.removeprefix("    line [").removesuffix("]").split(", ")]
        for line in chart
        if line.startswith("    line [")
    ]


def test_the_markdown_chart_steps_on_the_day_the_target_moved(tmp_path):
    root = _moved_mid_quarter(tmp_path)
    [chart] = mermaid_charts(_report(root))
    axis = "days since 2026-10-01, to its last check-in (as of 11-14: day 44)"
    assert chart[2] == f'    x-axis "{axis}" 0 --> 35'  # to Nov 5, as-of said
    values, target = _lines(chart)
    assert len(values) == len(target) == 36  # a point a day: Mermaid spaces points evenly
    assert (values[0], values[7], values[14], values[35]) == (30, 31.5, 33, 35)
    assert target[:19] == [40] * 19 and target[19:] == [36] * 17  # moved on Oct 20, day 19
    warm = _report(root)  # read from the history index this time
    assert warm == _report(root) and mermaid_charts(warm) == [chart]
    [index] = cache_files(root, "history-*.marshal")
    assert index_payload(index)["refs"][KR][3][-1][1] == 36


def test_the_html_chart_draws_a_vertical_step(tmp_path):
    root = _moved_mid_quarter(tmp_path)
    page = _report(root, "--format", "html")
    [values, target] = re.findall(r'<polyline [^>]*points="([^"]*)"', page)
    corners = [tuple(map(float, p.split(","))) for p in target.split()]
    assert len(corners) == 4
    (x1, y1), (x2, y2) = corners[1], corners[2]
    assert x1 == x2 and y2 > y1  # same day; lower on the page: a lower target
    assert corners[0][1] == corners[1][1] and corners[2][1] == corners[3][1]
    days = [float(p.split(",")[0]) for p in values.split()]  # Oct 1, Oct 15, Nov 5
    assert round((days[1] - days[0]) / (days[2] - days[0]), 3) == round(14 / 35, 3)
    assert round((x1 - days[0]) / (days[2] - days[0]), 3) == round(19 / 35, 3)  # Oct 20
    labels = re.findall(r'fill="#cf222e">([^<]*)</text>', page)
    assert labels == ["target 40", "moved to 36"]  # the dashed line says what it is


def test_the_site_chart_steps_across_the_period_and_names_the_move(tmp_path):
    root = _moved_mid_quarter(tmp_path)
    out = tmp_path / "site"
    assert run_cli("site", str(out), "--repo", root, "--as-of", AS_OF).exit_code == 0
    page = (out / "units/growth.html").read_text()
    [polyline] = re.findall(r'<polyline fill="none" class="target" points="([^"]*)">', page)
    corners = [tuple(map(float, p.split(","))) for p in polyline.split()]
    assert len(corners) == 4 and corners[1][0] == corners[2][0] and corners[2][1] > corners[1][1]
    assert "target 36; moved from 40 to 36 on 2026-10-20" in page


def test_the_site_chart_hovers_escape_each_notes_words_and_place_each_day(tmp_path):
    """Hovers are written once per note and points placed once per commit moment (a site draws
    18,000 charts): the same note on two days is escaped on both, each at its own day."""
    repo = GitRepo(tmp_path / "okrs")
    repo.commit({**BASE, PILLAR_FILE: pillar_with(30)}, "2026-10-01")
    note = """Q4 <b>plan</b> & "more" it's"""
    repo.commit({PILLAR_FILE: pillar_with(33)}, "2026-10-15", note)
    repo.commit({PILLAR_FILE: pillar_with(35)}, "2026-11-05", note)
    out = tmp_path / "site"
    assert run_cli("site", str(out), "--repo", repo.root, "--as-of", AS_OF).exit_code == 0
    chart = (out / "units/growth.html").read_text().split("</svg>")[0]
    points = re.findall(r'<circle cx="([^"]*)" [^>]*class="point"><title>([^<]*)', chart)
    escaped = "Q4 &lt;b&gt;plan&lt;/b&gt; &amp; &quot;more&quot; it&#x27;s"
    assert [hover for _, hover in points][1:] == [
        f"2026-10-15: 33 — {escaped}",
        f"2026-11-05: 35 — {escaped}",
    ]
    days = [float(x) for x, _ in points]
    assert days[0] < days[1] < days[2]
    assert round((days[1] - days[0]) / (days[2] - days[0]), 3) == round(14 / 35, 3)


def test_the_site_chart_hovers_escape_the_numbers_unit(tmp_path):
    """A hover is written unescaped only when it is a day and a number: a unit's words are
    escaped as any others are."""
    repo = GitRepo(tmp_path / "okrs")
    unit = 'target: 40\n        unit: "R&D <h>"\n'
    repo.commit({**BASE, PILLAR_FILE: pillar_with(30).replace("target: 40\n", unit)}, "2026-10-01")
    unsure = pillar_with(33, confidence=0.7).replace("target: 40\n", unit)
    repo.commit({PILLAR_FILE: unsure}, "2026-10-15", "Checked")
    out = tmp_path / "site"
    assert run_cli("site", str(out), "--repo", repo.root, "--as-of", AS_OF).exit_code == 0
    chart = (out / "units/growth.html").read_text().split("</svg>")[0]
    hovers = re.findall(r'class="point"><title>([^<]*)', chart)
    assert hovers[0].startswith("2026-10-01: 30 R&amp;D &lt;h&gt;")
    assert hovers[1] == "2026-10-15: 33 R&amp;D &lt;h&gt;, confidence 0.7 — Checked"


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
    [chart] = mermaid_charts(_report(repo.root))
    values, low, high = _lines(chart)
    assert (values[0], values[-1], len(values)) == (3, 4.5, 20)  # Oct 1 to Oct 20
    assert low == [2] * 20 and high == [5] * 20


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
    numbers = [t for t in ticks if not re.fullmatch(r"(as of )?\d\d-\d\d", t)]  # (the dates)
    assert numbers and all(re.fullmatch(r"\d{1,3}(,\d{3})+", t) for t in numbers), numbers


def test_the_html_and_mail_charts_say_their_lines_in_the_numbers_unit(quarter):
    """The HTML chart labelled the target of "Net deposits from $80M to $120M" `target 120`,
    and of a cost with cents `target 6` beside a table's `$6.00/month`: a label says the
    value as the tables do, in its unit; the mail's PNG takes the same words."""
    from okrctl.render.charts import chart_of

    html = ("--repo", quarter, "--as-of", "2026-11-30", "--format", "html")
    labels = re.findall(r'fill="#cf222e">([^<]*)</text>', run_cli("report", "harbor", *html).stdout)
    assert labels[:2] == ["target $120M", "target 55,000 accounts"]
    assert "target $6.00/month" in labels
    band = run_cli("report", "signups", *html).stdout
    assert re.findall(r'fill="#1a7f37">([^<]*)</text>', band)[:1] == ["max 1%"]
    cost = {"title": "Cost", "unit": "$/month", "baseline": 8.2, "target": 6, "checkins": [
        {"day": "2026-10-01", "value": 8.2}, {"day": "2026-10-31", "value": 7.5}
    ]}  # fmt: skip
    chart = chart_of(cost)
    assert chart is not None and chart.amount(6) == "$6.00/month"


def test_the_mail_chart_writes_dollars_as_dollars():
    """matplotlib reads `$...$` as mathematics: the demo's "Cost to serve an account from $8.20
    to $6.00 a month" was drawn "from 8.20*to*6.00 a month" in every digest. The chart, drawn
    with its words kept as text, has them as they were written."""
    import matplotlib

    from okrctl.render.charts import chart_of
    from okrctl.render.png_charts import chart_image

    title = "Cost to serve an account from $8.20 to $6.00 a month"
    cost = {"title": title, "unit": "$/month", "baseline": 8.2, "target": 6, "checkins": [
        {"day": "2026-10-01", "value": 8.2}, {"day": "2026-10-31", "value": 7.5}
    ]}  # fmt: skip
    chart = chart_of(cost)
    assert chart is not None
    with matplotlib.rc_context({"svg.fonttype": "none"}):  # text stays text
        drawn = chart_image(chart, "svg").decode()
    words = [w.replace("&#x27;", "'") for w in re.findall(r"<text[^>]*>([^<]*)</text>", drawn)]
    assert title in words and "target $6.00/month" in words and "$/month" in words


def test_the_html_and_mail_charts_reach_the_as_of_day_while_the_period_runs(quarter):
    """The HTML page's and the mail's charts ended at the last check-in, with nothing to say
    how long ago that was: they reach the as-of day, marked `as of 11-30`, the target running
    on to it and the check-ins stopping where they stopped (a Mermaid line cannot stop short:
    the Markdown chart still ends at the last check-in). A period over has no such mark."""
    import matplotlib

    from okrctl.render.charts import chart_of, reaching
    from okrctl.render.png_charts import chart_image

    html = ("--repo", quarter, "--format", "html")
    page = run_cli("report", "harbor", *html, "--as-of", "2026-11-30").stdout
    deposits = page.split("Net deposits from $80M to $120M</text>")[1].split("</svg>")[0]
    assert re.findall(r'fill="#57606a">([^<]*)</text>', deposits)[-1] == "as of 11-30"
    [values, target] = re.findall(r'<polyline [^>]*points="([^"]*)"', deposits)
    last_checkin = float(values.split()[-1].split(",")[0])  # Nov 11
    end = float(target.split()[-1].split(",")[0])  # Nov 30, the axis' right end
    assert end == 544.0 and last_checkin < end - 100
    assert f'<line x1="{end:.1f}" y1="30" x2="{end:.1f}" y2="184" stroke="#57606a"' in deposits
    over = run_cli("report", "harbor", *html, "--as-of", "2027-01-10").stdout
    assert "as of" not in over.split("<svg")[1]
    markdown = run_cli("report", "harbor", "--repo", quarter, "--as-of", "2026-11-30").stdout
    fence = markdown.split("```mermaid")[1].split("```")[0]
    # to Nov 11 (a Mermaid line cannot stop short), its axis saying how far as-of is
    axis = "days since 2026-10-01, to its last check-in (as of 11-30: day 60)"
    assert f'x-axis "{axis}" 0 --> 41' in fence
    kr = {"title": "Rate", "unit": "%", "baseline": 30, "target": 40, "checkins": [
        {"day": "2026-10-01", "value": 30}, {"day": "2026-10-31", "value": 33}
    ]}  # fmt: skip
    chart = chart_of(kr)
    assert chart is not None
    [drawn] = reaching({"": chart}, "2026-11-30").values()
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        words = re.findall(r"<text[^>]*>([^<]*)</text>", chart_image(drawn, "svg").decode())
        plain = re.findall(r"<text[^>]*>([^<]*)</text>", chart_image(chart, "svg").decode())
    assert "as of 11-30" in words and "as of 11-30" not in plain


def _kr(*checkins, target=12, baseline=0):
    return {
        "title": "Count",
        "target": target,
        "baseline": baseline,
        "checkins": [{"day": d, "date": f"{d}T12:00:00Z", "value": v} for d, v in checkins],
    }


def test_three_days_are_drawn_as_three_days_not_as_a_month():
    """Charts spaced their check-ins evenly: Oct 1, Oct 31 and Nov 3 put the last three days
    as far apart as the month before, and a fast drop read as a slowdown."""
    from okrctl.render.charts import chart_of, mermaid_body, svg

    checkins = (("2026-10-01", 8.2), ("2026-10-31", 7.5), ("2026-11-03", 7.35))
    chart = chart_of(_kr(*checkins, target=6))
    assert chart is not None
    lines = mermaid_body(chart).splitlines()
    assert lines[0] == (
        '%%{init: {"themeVariables": {"xyChart": {"plotColorPalette": "#0969da, #cf222e"}}}}%%'
    )
    assert lines[3] == '    x-axis "days since 2026-10-01" 0 --> 33'
    values, target = _lines(lines)
    read = (values[0], values[15], values[30], values[31], values[33])
    assert read == (8.2, 7.85, 7.5, 7.45, 7.35)
    assert target == [6] * 34
    drawn = re.findall(r'<polyline [^>]*points="([^"]*)"', svg(chart))[0]
    xs = [float(p.split(",")[0]) for p in drawn.split()]
    assert round((xs[2] - xs[1]) / (xs[2] - xs[0]), 3) == round(3 / 33, 3)


def test_one_day_of_check_ins_is_no_chart():
    """Two check-ins on one day drew both points at one x: no line through time to read."""
    from okrctl.render.charts import chart_of

    assert chart_of(_kr(("2026-10-01", 3), ("2026-10-01", 5))) is None
    assert chart_of(_kr(("2026-10-01", 3), ("2026-10-01", 5), ("2026-10-02", 6))) is not None


def test_a_small_rate_keeps_its_digits():
    """A rate from 0.001 to 0.005 was drawn as 0, 0, 0.01 on an axis from 0 to 0.01."""
    from okrctl.render.charts import chart_of, mermaid_body

    kr = _kr(("2026-10-01", 0.0012), ("2026-10-03", 0.0034), target=0.005, baseline=0.0012)
    chart = chart_of(kr)
    assert chart is not None
    lines = mermaid_body(chart).splitlines()
    assert lines[4] == '    y-axis "value" 0.00082 --> 0.00538'
    assert _lines(lines) == [[0.0012, 0.0023, 0.0034], [0.005, 0.005, 0.005]]


def test_a_target_moved_before_the_first_check_in_does_not_stretch_one_day_into_a_chart():
    from okrctl.render.charts import chart_of

    kr = _kr(("2026-10-05", 3), ("2026-10-05", 5))
    move = {"day": "2026-10-02", "date": "2026-10-02T12:00:00Z", "from": 9, "to": 12}
    kr["target_moves"] = [move]
    assert chart_of(kr) is None
    move["day"] = "2026-10-09"  # after it: a line from Oct 5 to Oct 9
    chart = chart_of(kr)
    assert chart is not None and chart.corners().lines == [[(0, 9), (4, 9), (4, 12), (4, 12)]]
