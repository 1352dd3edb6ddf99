"""Trends and forecasts: the least-squares line of docs/scoring.md by hand, then from real git
history."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from conftest import BASE, PILLAR, pillar_with, run_cli
from gitrepo import GitRepo
from okrctl.core.periods import parse_period
from okrctl.core.trend import forecast, least_squares, period_points, sparkline

Q4 = parse_period("2026-Q4")
PILLAR_FILE = "goals/pillars/growth.yaml"


def at(month, day):
    return datetime(2026, month, day, 12, tzinfo=UTC)


def test_least_squares_by_hand():
    # (0.5, 30), (10.5, 30.5), (20.5, 31): slope 10/200 = 0.05, intercept 30.5 - 0.05*10.5
    intercept, slope = least_squares([(0.5, 30), (10.5, 30.5), (20.5, 31)])
    assert slope == pytest.approx(0.05)
    assert intercept == pytest.approx(29.975)
    assert least_squares([(1, 5)]) is None
    assert least_squares([(1, 5), (1, 6)]) is None


def test_forecast_at_the_end_of_the_period_and_its_score():
    prediction = forecast([(0.5, 30), (10.5, 30.5), (20.5, 31)], Q4, baseline=30, target=40)
    assert prediction.value == 34.6  # 29.975 + 0.05 * 92 = 34.575, to the one decimal of 30.5
    assert prediction.score == pytest.approx(0.46)
    falling = forecast([(0, 12), (46, 10)], Q4, baseline=12, target=8)
    assert (falling.value, falling.score) == (pytest.approx(8), pytest.approx(1.0))


def test_a_falling_count_is_never_forecast_below_zero():
    tests = forecast([(0, 10), (30, 6), (60, 1)], Q4, baseline=10, target=2)
    assert (tests.value, tests.score) == (0.0, 1.0)  # the line heads for -4.5 tests


def test_a_percentage_is_never_forecast_past_100():
    rate = forecast([(0, 60), (40, 90)], Q4, baseline=60, target=95, unit="%")
    assert rate.value == 100.0


def test_a_forecast_keeps_the_precision_its_numbers_are_written_in():
    accounts = forecast([(0, 50000), (46, 52000)], Q4, baseline=50000, target=60000)
    assert accounts.value == 54000.0  # no 54,041.23 accounts
    assert forecast([(0, 1.25), (46, 1.5)], Q4, baseline=1.25, target=2).value == 1.75
    assert forecast([(0, -5), (46, -8)], Q4, baseline=-5, target=-20).value == -11.0


def test_period_points_take_the_opening_value_and_only_this_periods_checkins():
    checkins = [
        (at(9, 20), 28),
        (at(10, 13), 30),
        (at(11, 20), 33),
        (at(1, 2).replace(year=2027), 9),
    ]
    points = period_points(checkins, Q4, moment=at(11, 15), opening=(at(10, 3), 28))
    assert points == [(2.5, 28.0), (12.5, 30.0)]  # Nov 20 is after the as-of moment


def test_sparkline():
    assert sparkline([30, 30.5, 31]) == "▁▅█"
    assert sparkline([5, 5]) == "▄▄"
    assert sparkline([]) == ""


def test_status_shows_trend_forecast_and_calls_out_a_forecast_miss(tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    repo = GitRepo(tmp_path / "okrs")

    repo.commit({**BASE, PILLAR_FILE: pillar_with(29)}, "2026-09-20", "Q3 close")
    repo.commit({PILLAR_FILE: pillar_with(30)}, "2026-10-01", "Q4 opens at 30")
    repo.commit({PILLAR_FILE: pillar_with(30.5)}, "2026-10-11", "30.5")
    repo.commit({PILLAR_FILE: pillar_with(31)}, "2026-10-21", "31")
    result = run_cli(
        "status", "growth", "--repo", repo.root, "--as-of", "2026-10-25", "--format", "json"
    )
    [kr] = result.json()["units"][0]["objectives"][0]["key_results"]
    assert kr["trend"] == [30, 30.5, 31]
    assert kr["forecast"]["value"] == 34.6
    assert kr["forecast"]["score"] == pytest.approx(0.46)
    text = run_cli("status", "growth", "--repo", repo.root, "--as-of", "2026-10-25").stdout
    assert "rate: 31 (30 → 40) ▁▅█  0.10 on track  forecast 34.6" in text
    assert "forecast to miss: growth/convert/rate (heading for 34.6, target 40)" in text
    shown = run_cli("show", "growth/convert/rate", "--repo", repo.root, "--as-of", "2026-10-25")
    assert "this period: ▁▅█ 30 → 31 over 3 check-ins" in shown.stdout
    assert "forecast: 34.6 by the end of the period (score 0.46)" in shown.stdout


def test_show_writes_the_trend_in_the_numbers_unit(tmp_path, monkeypatch):
    """`$2.10/month → $1.95/month`, as the value line above it writes them, not `2.1 → 1.95`."""
    monkeypatch.setenv("COLUMNS", "100")
    target = "        target: 40\n"
    money = pillar_with(2.1).replace(target, target + "        unit: $/month\n")
    repo = GitRepo(tmp_path / "okrs")
    repo.commit({**BASE, PILLAR_FILE: money}, "2026-10-01", "Q4 opens at $2.10")
    repo.commit({PILLAR_FILE: money.replace("2.1", "1.95")}, "2026-10-11", "cheaper")
    shown = run_cli("show", "growth/convert/rate", "--repo", repo.root, "--as-of", "2026-10-25")
    assert "this period: █▁ $2.10/month → $1.95/month over 2 check-ins" in shown.stdout


def test_one_checkin_is_not_enough_to_forecast(tmp_path):
    repo = GitRepo(tmp_path / "okrs")
    repo.commit(
        {
            **BASE,
            PILLAR_FILE: PILLAR.replace(
                "        target: 40\n", "        target: 40\n        current: 31\n"
            ),
        },
        "2026-10-02",
    )
    result = run_cli(
        "status", "growth", "--repo", repo.root, "--as-of", "2026-10-25", "--format", "json"
    )
    [kr] = result.json()["units"][0]["objectives"][0]["key_results"]
    assert (kr["trend"], kr["forecast"]) == ([31], None)


@pytest.mark.parametrize("as_of", ["2026-12-31", "2027-01-10"])
def test_once_no_time_remains_the_forecast_is_the_value_itself(tmp_path, as_of):
    repo = GitRepo(tmp_path / "okrs")
    repo.commit({**BASE, PILLAR_FILE: pillar_with(30)}, "2026-10-01", "Q4 opens at 30")
    repo.commit({PILLAR_FILE: pillar_with(30.5)}, "2026-10-11", "30.5")
    repo.commit({PILLAR_FILE: pillar_with(31)}, "2026-10-21", "31")
    args = ("growth", "--repo", repo.root, "--as-of", as_of)
    result = run_cli("status", *args, "--format", "json")
    [kr] = result.json()["units"][0]["objectives"][0]["key_results"]
    assert kr["current"] == 31
    assert kr["forecast"] == {"value": 31, "score": pytest.approx(0.1)}
    text = run_cli("status", *args).stdout
    assert "forecast" not in text  # shown only while time remains
    shown = run_cli("show", "growth/convert/rate", *args[1:]).stdout
    assert "forecast" not in shown
    report = run_cli("report", *args).stdout
    assert "heading for" not in report
