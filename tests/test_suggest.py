""""Did you mean": searched level by level, remembered per word, within a budget."""

from __future__ import annotations

from okrctl.core.suggest import Suggester

REFS = [
    "mission",
    "growth/convert",
    "growth/convert/rate",
    "growth/referrals",
    "signups/funding",
    "signups/funding/ach",
    "signups/ltv-cac",
]


def test_each_level_of_a_ref_is_matched():
    suggest = Suggester(REFS)
    assert suggest("grwth/convert") == ["growth/convert"]  # a misspelt unit
    assert suggest("growth/convrt") == ["growth/convert"]  # a misspelt objective
    assert suggest("growth/convert/rat") == ["growth/convert/rate"]  # a misspelt key result
    assert suggest("grwth/convrt/rate") == ["growth/convert/rate"]  # two levels misspelt
    assert suggest("signup/ltv-cac") == ["signups/ltv-cac"]
    assert suggest("misson") == ["mission"]
    assert suggest("nothing/like/this") == []


def test_flat_names_are_matched_as_one_level():
    assert Suggester(["maria", "sam", "dev"])("mari") == ["maria"]


def test_past_the_budget_findings_carry_no_suggestion():
    unit = [f"big/objective-{i}" for i in range(1000)]
    suggest = Suggester(unit, budget=2500)
    answers = [suggest(f"big/objective-{i}x") for i in range(10)]
    assert answers[0][0] == "big/objective-0"
    assert [bool(a) for a in answers] == [True, True] + [False] * 8  # 1,000 candidates each


def test_a_repeated_typo_costs_nothing_the_second_time():
    suggest = Suggester([f"team-{i}/goal" for i in range(1000)], budget=1500)
    first = suggest("tem-5/goal")
    assert first and all(suggest("tem-5/goal") == first for _ in range(100))
