"""A roll's edits spliced into a unit file's text: every other byte as written, and the
round-trip left to what a splice cannot do (each case checked against the data it reads as)."""

from __future__ import annotations

import pytest

from okrctl.store.yaml.splice_edits import (
    CannotSplice,
    CopyValue,
    RemoveItem,
    RemoveKey,
    SetValue,
    edit_text,
    splice_edits,
)

TEAM = """\
kind: team      # the squad
period: 2026-Q3
objectives:
    -   id: keep-me
        title: Kept    # a comment that stays
        key_results:
            -   id: rate
                title: Rate from 30 to 40
                baseline: 30
                target: 40
                current: 33.50   # as written
                confidence: 0.6
            -   id: gone
                title: Gone
                milestone: true
                done: true

    # the second objective
    -   id: drop-me
        title: Dropped
        key_results:
            -   {id: x, title: X, milestone: true}
kpis: []
"""
KR = ("objectives", 0, "key_results", 0)


def test_a_roll_of_a_file_in_its_own_style_changes_only_what_it_must():
    out = splice_edits(
        TEAM,
        [
            SetValue((), "period", "2026-Q4", "2026-Q4"),
            CopyValue(KR, "baseline", "current"),
            RemoveKey(KR, "confidence"),
            RemoveItem(("objectives", 0, "key_results"), 1),
            RemoveItem(("objectives",), 1),
        ],
    )
    assert out == (
        "kind: team      # the squad\n"
        "period: 2026-Q4\n"
        "objectives:\n"
        "    -   id: keep-me\n"
        "        title: Kept    # a comment that stays\n"
        "        key_results:\n"
        "            -   id: rate\n"
        "                title: Rate from 30 to 40\n"
        "                baseline: 33.50\n"
        "                target: 40\n"
        "                current: 33.50   # as written\n"
        "\n"  # the comment above the dropped objective went with it
        "kpis: []\n"
    )


def test_line_endings_and_a_bom_stay():
    crlf = "\ufeff" + TEAM.replace("\n", "\r\n")
    out = splice_edits(crlf, [SetValue((), "period", "2026-Q4", "2026-Q4")])
    assert out == crlf.replace("2026-Q3", "2026-Q4")


@pytest.mark.parametrize(
    "edit",
    [
        RemoveKey(("objectives", 1, "key_results", 0), "milestone"),  # in a flow mapping
        RemoveItem(("objectives", 1, "key_results"), 0),  # the only item: the list left empty
        SetValue(KR, "done", "false", False),  # a key that is not there
        RemoveKey(("objectives", 0), "id"),  # shares its line with the dash
    ],
    ids=["flow mapping", "last item", "missing key", "dash line"],
)
def test_what_a_splice_cannot_do_is_left_to_the_round_trip(edit):
    with pytest.raises(CannotSplice):
        splice_edits(TEAM, [edit])


def test_two_removals_of_neighbours_and_the_last_item():
    text = "objectives:\n  - id: a\n  - id: b\n  - id: c\n# after\nkpis: []\n"
    out = splice_edits(text, [RemoveItem(("objectives",), 1), RemoveItem(("objectives",), 2)])
    assert out == "objectives:\n  - id: a\n# after\nkpis: []\n"


def test_what_cannot_be_spliced_is_made_through_the_round_trip():
    """The only objective dropped leaves `objectives: []`, which a splice cannot write; the
    same edits go through ruamel's round-trip, the comment on the period kept."""
    text = "kind: team\nperiod: 2026-Q3   # pinned\nobjectives:\n  - id: a\n    title: A\n"
    edits = [SetValue((), "period", "2026-Q4", "2026-Q4"), RemoveItem(("objectives",), 0)]
    with pytest.raises(CannotSplice):
        splice_edits(text, edits)
    assert edit_text(text, edits) == "kind: team\nperiod: 2026-Q4   # pinned\nobjectives: []\n"
