"""`okrctl show REF`: numbers, the why-ladder to the mission, and the roll-up of supporters."""

from __future__ import annotations

import json

import pytest

from conftest import demo_copy, run_cli


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return demo_copy(tmp_path_factory.mktemp("demo"))


def show(root, ref, fmt="json"):
    result = run_cli("show", ref, "--repo", root, "--as-of", "2026-11-15", "--format", fmt)
    assert result.exit_code == 0, result.stderr
    return result.json() if fmt == "json" else result.stdout


def test_objective_ladder_climbs_to_the_mission(demo):
    data = show(demo, "signups/effortless-funding")
    assert data["kind"] == "objective"
    assert data["why"] == "Half of signups never fund; net deposits is our top growth signal."
    [pillar] = data["ladder"]
    assert pillar["ref"] == "growth/convert-signups"
    [company_kr] = pillar["up"]
    assert company_kr["ref"] == "harbor/grow-deposits/funded-accounts"
    assert company_kr["why"].startswith("Deposits are the plans")  # its objective's why
    assert company_kr["up"] == [
        {
            "ref": "mission",
            "kind": "mission",
            "why": None,
            "up": [],
            "title": "Help every family build savings that outlast them.",
        }
    ]


def test_several_aligns_to_make_several_branches(demo):
    data = show(demo, "lifecycle/nudge-to-fund")
    assert [step["ref"] for step in data["ladder"]] == [
        "growth/convert-signups",
        "signups/effortless-funding/funded-rate",
    ]


def test_rollup_lists_supporters_weakest_first_with_scores(demo):
    data = show(demo, "growth/convert-signups")
    rows = [(r["ref"], r["status"]) for r in data["supported_by"]]
    assert rows == [
        ("signups/effortless-funding", "on_track"),
        ("lifecycle/nudge-to-fund", "on_track"),
    ]
    scores = [r["score"] for r in data["supported_by"]]
    assert scores == sorted(scores)
    assert scores[0] == pytest.approx((40.5 - 38) / 7 * 2 / 4 + 0 / 4 + 1 / 4)


def test_company_objective_rolls_up_its_pillars(demo):
    data = show(demo, "harbor/grow-deposits")
    assert [r["ref"] for r in data["supported_by"]] == [
        "trust/safe-money",
        "growth/referral-engine",
        "growth/convert-signups",
    ]
    assert data["ladder"][0]["kind"] == "mission"


def test_key_result(demo):
    data = show(demo, "payments/cheaper-transfers/cost-per-transfer")
    assert (data["kind"], data["baseline"], data["target"], data["current"]) == (
        "key_result",
        0.42,
        0.30,
        0.36,
    )
    assert data["score"] == pytest.approx(0.5)
    assert data["source"] == "Payments processor invoices / transfer count"
    assert [r["ref"] for r in data["supported_by"]] == ["chloe/cheaper-routing"]
    assert data["ladder"][0]["ref"] == "payments/cheaper-transfers"


def test_kpi(demo):
    data = show(demo, "harbor/ltv-cac")
    assert (data["kind"], data["current"], data["health"]) == ("kpi", 3.4, "healthy")
    assert [r["ref"] for r in data["supported_by"]] == ["growth/referral-engine"]


def test_unit(demo):
    data = show(demo, "chloe")
    assert (data["kind"], data["unit_kind"], data["parents"]) == (
        "unit",
        "person",
        ["payments", "efficiency", "harbor"],
    )
    assert len(data["accomplishments"]) == 3
    assert [c["id"] for c in show(demo, "payments")["children"]] == ["chloe"]


def test_mission(demo):
    data = show(demo, "mission")
    assert data["mission"] == "Help every family build savings that outlast them."


def test_text_view_shows_ladder_and_supporters(demo):
    text = show(demo, "growth/convert-signups", fmt="text")
    assert "why-ladder" in text
    assert "mission: Help every family build savings that outlast them." in text
    assert "supported by (2)" in text
    assert "signups/effortless-funding" in text


def test_unknown_ref_exits_2_with_suggestions(demo):
    result = run_cli("show", "growth/convert-signup", "--repo", demo)
    assert result.exit_code == 2
    assert "did you mean growth/convert-signups" in result.stderr


def test_the_pace_shown_is_the_difference_of_the_score_and_expected_shown(tmp_path):
    """A score of 0.5049 against 0.4951 expected read "0.50, expected 0.50 by now, pace +0.01":
    the pace is now the difference of the two numbers shown."""
    from conftest import write_repo

    team = (
        "kind: team\nparent: growth\nobjectives:\n  - id: funding\n    title: Funding\n"
        "    why: It matters.\n    aligns_to: [growth/convert]\n    key_results:\n"
        "      - id: count\n        title: Count from 0 to 10,000\n        baseline: 0\n"
        "        target: 10000\n        current: {current}\n        source: dashboard\n"
    )
    root = write_repo(tmp_path, {"goals/teams/signups.yaml": team.format(current=0)})
    for day in range(1, 31):  # a day whose expected score rounds up: 0.xx5 to 0.xx9
        as_of = f"2026-11-{day:02}"
        status = run_cli("status", "--repo", root, "--as-of", as_of, "--format", "json").json()
        [expected] = [
            o["expected"] for u in status["units"] for o in u["objectives"]
            if o["ref"] == "signups/funding"
        ]  # fmt: skip
        if 0.5 <= expected * 100 % 1 < 0.9:
            break
    shown = round(expected, 2)
    current = round((shown + 0.0049) * 10_000)  # the same two decimals, 0.01 ahead or nearly
    write_repo(tmp_path, {"goals/teams/signups.yaml": team.format(current=current)})
    text = run_cli("show", "signups/funding", "--repo", root, "--as-of", as_of).stdout
    assert f"score: {shown:.2f}, expected {shown:.2f} by now, pace +0.00 · " in text


def test_a_long_row_wraps_under_itself(demo, monkeypatch):
    """On an 80-column terminal an objective's title went on at the left edge, under the scores:
    a row's text now wraps under where it starts, and no line ends in spaces."""
    monkeypatch.setenv("COLUMNS", "60")
    text = run_cli("show", "payments", "--repo", demo, "--as-of", "2026-11-15").stdout
    lines = text.splitlines()
    first = next(n for n, line in enumerate(lines) if "payments/help-instant-ach" in line)
    assert lines[first : first + 2] == [
        "   1.00 done       payments/help-instant-ach  Give Signups",
        "                   the ACH verification they need",
    ]
    assert all(line == line.rstrip() for line in lines)


@pytest.mark.parametrize("width", ["40", "60", "80"])
def test_no_line_of_any_page_ends_in_spaces(demo, monkeypatch, width):
    """A title whose ref fell to the next line left its two spaces at the end of the title's;
    a why-ladder's label and a supporter's row left theirs where they broke."""
    monkeypatch.setenv("COLUMNS", width)
    refs = [
        "platform/cheaper-infrastructure/infra-cost",
        "platform/cheaper-infrastructure",
        "signups/effortless-funding/funded-rate",
        "harbor/healthy-margin",
        "platform/uptime",
        "signups",
    ]
    for ref in refs:
        text = run_cli("show", ref, "--repo", demo, "--as-of", "2026-11-15").stdout
        ending = [line for line in text.splitlines() if line != line.rstrip()]
        assert ending == [], (ref, ending)


def test_an_amount_with_cents_beside_others_keeps_them(quarter, monkeypatch):
    """A forecast of exactly $4 read `$4/month` beside `$5.40/month`, as if rounded; every
    amount of one number has cents once one has them, in `show`, `status` and its attention."""
    monkeypatch.setenv("COLUMNS", "200")
    args = ("--repo", quarter, "--as-of", "2026-11-20")
    page = run_cli("show", "efficiency/lean-operations/ops-cost", *args).stdout.splitlines()
    assert "value: $5.40/month ($6.10/month → $4.50/month)" in page
    assert "forecast: $4.00/month by the end of the period (score 1.00)" in page
    tree = run_cli("status", "efficiency", *args).stdout
    assert "ops-cost: $5.40/month ($6.10/month → $4.50/month) █▁  0.44 " in tree
    assert "forecast $4.00/month" in tree


def test_a_number_says_when_it_was_last_checked_in(quarter, monkeypatch):
    """A number's page showed its value and score, never how old it was: it says when, by
    whom and how long ago it was last checked in, and once that is past `stale_after_days`,
    that it is stale; a derived number names the source whose check-in it is."""
    monkeypatch.setenv("COLUMNS", "200")

    def shown(ref: str, as_of: str, fmt: str = "text") -> str:
        result = run_cli("show", ref, "--repo", quarter, "--as-of", as_of, "--format", fmt)
        assert result.exit_code == 0, result.stderr
        return result.stdout

    rate = "signups/effortless-funding/funded-rate"
    fresh = shown(rate, "2026-11-15").splitlines()
    assert fresh[3] == "last check-in: 2026-11-06 by Tom Lindqvist, 9 days ago"
    late = shown(rate, "2026-11-30").splitlines()
    assert (
        late[3] == "last check-in: 2026-11-06 by Tom Lindqvist, 24 days ago · stale after 14 days"
    )
    data = json.loads(shown(rate, "2026-11-30", "json"))["heard"]
    assert (data["days_quiet"], data["stale"], data["stale_after_days"]) == (24, True, 14)
    assert data["last_checkin"]["author"] == "Tom Lindqvist"
    assert data["last_checkin"]["date"].startswith("2026-11-06T")
    summed = shown("harbor/healthy-margin/cost-per-account", "2026-11-15")
    assert (
        "last check-in: 2026-11-03 by Ben Carter, 12 days ago,"
        " of its source platform/cheaper-infrastructure/infra-cost\n"
    ) in summed
    assert "last check-in: 2026-11-12 by Ben Carter, 3 days ago\n" in shown(
        "platform/uptime", "2026-11-15"
    )
    finished = "payments/help-instant-ach/verification-api"  # a milestone done: nothing to check in
    assert "last check-in" not in shown(finished, "2026-11-30")
    assert json.loads(shown(finished, "2026-11-30", "json"))["heard"] is None


def test_outside_git_a_number_has_no_last_check_in(demo):
    assert "last check-in" not in show(demo, "signups/effortless-funding/funded-rate", "text")
    assert show(demo, "signups/effortless-funding/funded-rate")["heard"] is None


def test_days_ago_counts_from_the_day_shown(tmp_path, monkeypatch):
    """A check-in of yesterday read "(today)" until 24 hours had gone by: beside the date it
    shows, "days ago" counts days on the calendar (UTC, as the date is), and so does the JSON's
    `days_quiet` (whole days gone by said 0 beside "1 day ago")."""
    from datetime import UTC, datetime, timedelta

    from conftest import BASE, pillar_with
    from gitrepo import GitRepo

    monkeypatch.setenv("COLUMNS", "200")
    yesterday = (datetime.now(UTC) - timedelta(days=1)).replace(hour=23, minute=59, second=59)
    repo = GitRepo(tmp_path / "okrs")
    repo.commit({**BASE, "goals/pillars/growth.yaml": pillar_with(30)}, "2026-10-01")
    repo.commit({"goals/pillars/growth.yaml": pillar_with(31)}, yesterday.isoformat())
    args = ("show", "growth/convert/rate", "--repo", repo.root)
    text = run_cli(*args).stdout
    assert f"last check-in: {yesterday.date().isoformat()} by Maria Lopez, 1 day ago\n" in text
    assert run_cli(*args, "--format", "json").json()["heard"]["days_quiet"] == 1


def test_a_long_value_wraps_under_itself(demo, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    lines = show(demo, "harbor/ltv-cac", "text").splitlines()
    why = next(n for n, line in enumerate(lines) if line.startswith("why: "))
    assert lines[why : why + 2] == [
        "why: Keeps growth and efficiency balanced; below 3 we are buying growth we",
        "     cannot afford.",
    ]


def test_a_number_never_checked_in_that_went_stale_today_says_more_than_the_limit(quarter):
    """Committed on Oct 1 and never checked in, a number is 14 days and some hours quiet when
    Oct 15 ends: "none in 14 days · stale after 14 days" read as a contradiction."""
    shown = run_cli(
        "show", "platform/on-call-skills/game-days", "--repo", quarter, "--as-of", "2026-10-15"
    ).stdout
    assert "last check-in: none in more than 14 days · stale after 14 days\n" in shown
