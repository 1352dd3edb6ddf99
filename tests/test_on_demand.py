"""A report context's key result built on demand (render/on_demand.py): until a template reads
what is not known yet, it holds only what is; any read of the rest, or of the whole, shows
exactly the dict built at once, in its order."""

from __future__ import annotations

import copy
import json
import pickle

import pytest

from okrctl.render.on_demand import FilledOnDemand

WHOLE = {"ref": "a/b/c", "title": "Ship", "owner": None, "checkins": [1, 2], "trend": [0.5]}


def on_demand(builds: list[int]) -> FilledOnDemand:
    def build() -> dict:
        builds.append(1)
        return dict(WHOLE)

    return FilledOnDemand({"title": "Ship", "ref": "a/b/c", "owner": None}, build)


def test_what_is_known_is_read_without_building_the_rest():
    builds: list[int] = []
    found = on_demand(builds)
    assert (found["title"], found.get("ref"), "owner" in found) == ("Ship", "a/b/c", True)
    assert builds == []


@pytest.mark.parametrize(
    "read",
    [
        lambda d: d["checkins"],
        lambda d: d.get("trend"),
        lambda d: d.get("missing", "default"),
        lambda d: "trend" in d,
        lambda d: list(d),
        lambda d: len(d),
        lambda d: list(d.items()),
        lambda d: list(d.values()),
        lambda d: dict(d),
        lambda d: {**d},
        lambda d: d == WHOLE,
        lambda d: json.dumps(d),
        lambda d: repr(d),
        lambda d: pickle.loads(pickle.dumps(d)),
        lambda d: copy.deepcopy(d),
        lambda d: d.copy(),
    ],
)
def test_any_other_read_builds_it_once_and_shows_the_whole_in_order(read):
    builds: list[int] = []
    found = on_demand(builds)
    read(found)
    assert builds == [1]
    assert list(found.items()) == list(WHOLE.items())
    assert json.dumps(found) == json.dumps(WHOLE)
    assert pickle.loads(pickle.dumps(found)) == WHOLE and type(copy.copy(found)) is dict
    assert builds == [1]


def test_an_entry_set_before_it_is_built_is_kept_over_the_built_one():
    builds: list[int] = []
    found = on_demand(builds)
    found["owner"] = "@ana"  # (a key result without an owner is its objective's)
    assert builds == []
    assert found["checkins"] == [1, 2]
    assert list(found) == list(WHOLE) and found["owner"] == "@ana"


def test_a_key_that_the_whole_lacks_is_still_missing():
    found = on_demand([])
    with pytest.raises(KeyError):
        found["nowhere"]
    assert found.get("nowhere") is None and "nowhere" not in found
