"""Numbers that flow up the cascade: a key result's or KPI's `from:` (a mirror or a sum), with
hand-computed values, today and at past dates; what `check` says of one that cannot be followed;
`checkin` refused on a derived number."""

from __future__ import annotations

import pytest

from conftest import CONFIG, findings, run_cli, typed, write_repo
from gitrepo import GitRepo

COMPANY = """\
kind: company
id: acme
mission: Make saving easy.
objectives:
  - id: grow
    title: Grow deposits
    why: Deposits fund plans.
    key_results:
      - id: deposits
        title: Deposits from $10M to $20M
        unit: $M
        baseline: 10
        target: 20
        from: {{sum: [emea/sales/deposits, amer/sales/deposits]}}
        source: the regions' books
  - id: values
    title: Live our values
    why: Culture scales us.
    key_results:
      - id: certified
        title: Values-certified people from 0 to 1,000
        unit: people
        baseline: 0
        target: 1000
        from: people/certify/certified
        source: People team
"""
REGION = """\
kind: pillar
parent: acme
lead: {lead}
objectives:
  - id: sales
    title: Win deposits in {name}
    why: Our share of the company goal.
    aligns_to: [acme/grow/deposits]
    key_results:
      - id: deposits
        title: Deposits from $5M to $10M
        unit: $M
        baseline: 5
        target: 10
        current: {current}
        source: regional books
"""
PEOPLE = """\
kind: pillar
parent: acme
lead: ines
objectives:
  - id: certify
    title: Certify everyone in our values
    why: Culture scales us.
    aligns_to: [acme/values/certified]
    key_results:
      - id: certified
        title: Values-certified people from 0 to 1,000
        unit: people
        baseline: 0
        target: 1000
        current: {current}
        source: LMS report
"""


def files(emea=7, amer=6, certified=420):
    return {
        "okrctl.yaml": CONFIG,
        "goals/company.yaml": COMPANY.format(),
        "goals/pillars/emea.yaml": REGION.format(lead="ana", name="EMEA", current=emea),
        "goals/pillars/amer.yaml": REGION.format(lead="ben", name="the Americas", current=amer),
        "goals/pillars/people.yaml": PEOPLE.format(current=certified),
    }


def _status(root, *extra):
    result = run_cli("status", "--repo", root, "--format", "json", *extra)
    assert result.exit_code == 0, result.stderr
    units = result.json()["units"]
    return {
        kr["ref"]: kr
        for unit in units
        for objective in unit["objectives"]
        for kr in objective["key_results"]
    }


def test_a_sum_and_a_mirror_carry_the_numbers_up(tmp_path):
    root = write_repo(tmp_path, files(), base=False)
    krs = _status(root)
    deposits = krs["acme/grow/deposits"]
    assert deposits["current"] == 13  # 7 + 6
    assert deposits["progress"] == 0.3  # (13 - 10) / (20 - 10)
    assert deposits["derived"] == {
        "how": "sum",
        "from": [
            {"ref": "emea/sales/deposits", "value": 7.0, "share": 7 / 13},
            {"ref": "amer/sales/deposits", "value": 6.0, "share": 6 / 13},
        ],
    }
    certified = krs["acme/values/certified"]
    assert certified["current"] == 420 and certified["score"] == 0.42  # not 0.00, off track
    assert certified["derived"]["how"] == "mirror"
    code, found = findings(root)  # warnings only (pillar objectives nobody supports yet)
    assert code == 0 and [f for f in found if f[0] in ("derivation", "unknown-ref")] == []


def test_the_company_score_follows_and_the_file_is_untouched(tmp_path):
    root = write_repo(tmp_path, files(emea=10, amer=10), base=False)
    before = (root / "goals/company.yaml").read_bytes()
    krs = _status(root)
    assert krs["acme/grow/deposits"]["current"] == 20 and krs["acme/grow/deposits"]["score"] == 1
    assert (root / "goals/company.yaml").read_bytes() == before  # derived, never written


def test_three_levels_deep(tmp_path):
    team = (
        PEOPLE.replace("kind: pillar\nparent: acme", "kind: team\nparent: people")
        .replace("lead: ines", "lead: tom")
        .replace("id: certify", "id: team-certify")
        .replace("aligns_to: [acme/values/certified]", "aligns_to: [people/certify]")
    )
    pillar = PEOPLE.format(current=0).replace(
        "        current: 0\n", "        from: trainers/team-certify/certified\n"
    )
    root = write_repo(
        tmp_path,
        {
            **files(),
            "goals/pillars/people.yaml": pillar,
            "goals/teams/trainers.yaml": team.format(current=615),
        },
        base=False,
    )
    krs = _status(root)
    assert krs["people/certify/certified"]["current"] == 615
    assert krs["acme/values/certified"]["current"] == 615  # company ← pillar ← team
    assert krs["acme/values/certified"]["score"] == 0.615


def test_past_dates_read_the_sources_as_they_were(tmp_path):
    repo = GitRepo(tmp_path / "okrs")
    repo.commit(files(emea=5, amer=5), "2026-10-01")
    repo.commit({"goals/pillars/emea.yaml": files(emea=8)["goals/pillars/emea.yaml"]}, "2026-10-20")
    repo.commit({"goals/pillars/amer.yaml": files(amer=9)["goals/pillars/amer.yaml"]}, "2026-11-10")
    at = {
        day: _status(repo.root, "--as-of", day)["acme/grow/deposits"]["current"]
        for day in ("2026-10-05", "2026-10-25", "2026-11-15")
    }
    assert at == {"2026-10-05": 10, "2026-10-25": 13, "2026-11-15": 17}


def test_check_reports_what_cannot_be_followed(tmp_path):
    broken = files()
    broken["goals/company.yaml"] = (
        COMPANY.format()
        .replace("from: people/certify/certified", "from: people/certify/certifed")
        .replace(
            "[emea/sales/deposits, amer/sales/deposits]",
            "[emea/sales/deposits, people/certify/certified]",
        )
    )
    root = write_repo(tmp_path, broken, base=False)
    payload = run_cli("check", "--repo", root, "--format", "json").json()
    shown = [
        (f["rule"], f["file"], f["line"], f["message"])
        for f in payload["findings"]
        if f["rule"] in ("derivation", "unknown-ref")
    ]
    assert shown == [
        (
            "derivation",
            "goals/company.yaml",
            14,
            "`from` mixes units: `people/certify/certified` counts `people`, this `$M`; derive "
            "only from numbers in the same unit",
        ),
        (
            "unknown-ref",
            "goals/company.yaml",
            25,
            "`from` names `people/certify/certifed`, which is no key result or KPI (did you "
            "mean `people/certify/certified`?)",
        ),
    ]
    assert run_cli("check", "--repo", root).exit_code == 1


def test_a_loop_is_reported_with_the_whole_cycle(tmp_path):
    looped = files()
    looped["goals/pillars/people.yaml"] = PEOPLE.format(current=0).replace(
        "        current: 0\n", "        from: acme/values/certified\n"
    )
    root = write_repo(tmp_path, looped, base=False)
    payload = run_cli("check", "--repo", root, "--format", "json").json()
    loops = [f["message"] for f in payload["findings"] if f["rule"] == "derivation"]
    assert loops == [
        "`from` loops: acme/values/certified → people/certify/certified → "
        "acme/values/certified; one of them must be checked in"
    ]


def test_current_beside_from_is_a_schema_error(tmp_path):
    both = files()
    both["goals/company.yaml"] = COMPANY.format().replace(
        "        target: 1000\n", "        target: 1000\n        current: 10\n"
    )
    root = write_repo(tmp_path, both, base=False)
    payload = run_cli("check", "--repo", root, "--format", "json").json()
    schema = [f["message"] for f in payload["findings"] if f["rule"] == "schema"]
    assert any("`current` beside `from`" in m for m in schema), schema


def test_checkin_on_a_derived_number_names_its_sources(tmp_path):
    repo = GitRepo(tmp_path / "okrs")
    repo.commit(files(), "2026-10-01")
    result = run_cli("checkin", "acme/grow/deposits", "14", "--repo", repo.root)
    assert result.exit_code == 2
    assert (
        "acme/grow/deposits takes its number `from:` others (`emea/sales/deposits`, "
        "`amer/sales/deposits`): check in those instead" in result.stderr
    )


def test_show_lists_each_source_with_its_value_and_share(tmp_path):
    root = write_repo(tmp_path, files(), base=False)
    out = run_cli("show", "acme/grow/deposits", "--repo", root).stdout
    assert (
        "derived from: sum of emea/sales/deposits $7M (54%) + amer/sales/deposits $6M (46%)"
        in " ".join(out.split())
    )
    mirror = run_cli("show", "acme/values/certified", "--repo", root).stdout
    assert "derived from: the same as people/certify/certified 420 people" in " ".join(
        mirror.split()
    )


def test_history_of_a_derived_number_gives_its_values_as_its_sources_moved(tmp_path):
    """It said "no check-ins in git yet" for a number whose value moved all quarter: its
    values after each commit that moved a source, from the commit that wrote it (the regions'
    numbers summed to 10 before the company's key result existed: no value it had)."""
    repo = GitRepo(tmp_path / "okrs")
    regions = files(emea=5, amer=5)
    company = regions.pop("goals/company.yaml")
    repo.commit(regions, "2026-09-20")
    repo.commit({"goals/company.yaml": company}, "2026-10-01")
    repo.commit({"goals/pillars/emea.yaml": files(emea=8)["goals/pillars/emea.yaml"]}, "2026-10-20")
    result = run_cli("history", "acme/grow/deposits", "--repo", repo.root)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "Values of acme/grow/deposits, the sum of emea/sales/deposits and amer/sales/deposits "
        "(it is never checked in itself: a row for each commit that moved one of them)",
        "date        value",
        "2026-10-01  $10M",
        "2026-10-20  $13M",
    ]
    data = run_cli("history", "acme/grow/deposits", "--repo", repo.root, "--format", "json")
    assert data.json()["checkins"] == []
    assert data.json()["from"] == {
        "how": "sum",
        "sources": ["emea/sales/deposits", "amer/sales/deposits"],
        "since": None,
    }
    assert [(v["date"][:10], v["value"]) for v in data.json()["values"]] == [
        ("2026-10-01", 10),
        ("2026-10-20", 13),
    ]


def _typed_then_derived(tmp_path):
    """The company's certified people typed (300 on Oct 1, 350 on Oct 15), then taken `from:`
    People's number (420) on Nov 2, which moves to 510 on Nov 20: the repository, the shas of
    the two check-ins, and the company file as the second left it."""
    repo = GitRepo(tmp_path / "okrs")
    typed = files(certified=420)
    typed["goals/company.yaml"] = COMPANY.format().replace(
        "        from: people/certify/certified\n", "        current: 300\n"
    )
    first = repo.commit(typed, "2026-10-01", "Q4 goals")
    checked_in = typed["goals/company.yaml"].replace("current: 300", "current: 350")
    second = repo.commit({"goals/company.yaml": checked_in}, "2026-10-15", "350 certified")
    repo.commit({"goals/company.yaml": COMPANY.format()}, "2026-11-02", "Take it from People")
    repo.commit({"goals/pillars/people.yaml": PEOPLE.format(current=510)}, "2026-11-20")
    return repo, first, second, checked_in


def test_diff_names_a_number_that_took_its_number_from_others(tmp_path):
    """`diff` compared `unit` and `source` but not `from:`: the change that made a typed number
    a mirror of People's showed only as a score moving, with no change named."""
    repo, *_ = _typed_then_derived(tmp_path)
    result = run_cli("diff", "HEAD~2", "HEAD~1", "--repo", repo.root)
    assert result.exit_code == 0, result.stderr
    assert "~ acme/values/certified  from: none → people/certify/certified" in result.stdout
    payload = run_cli("diff", "HEAD~3", "HEAD", "--repo", repo.root, "--format", "json").json()
    assert [c for c in payload["changed"] if c["field"] == "from"] == [
        {
            "ref": "acme/values/certified",
            "field": "from",
            "old": None,
            "new": "people/certify/certified",
        }
    ]
    summed = COMPANY.format().replace(
        "from: people/certify/certified", "from: {sum: [people/certify/certified]}"
    )
    repo.commit({"goals/company.yaml": summed}, "2026-11-21", "A sum, for when Ops joins")
    again = run_cli("diff", "HEAD~1", "--repo", repo.root)
    assert (
        "~ acme/values/certified  from: people/certify/certified → {sum: "
        "[people/certify/certified]}" in again.stdout
    )


def test_history_of_a_number_checked_in_before_it_became_derived_goes_on_past_the_switch(
    tmp_path,
):
    """A number typed, then taken `from:` another mid-quarter, listed only its old check-ins:
    the last of them read as its value while `status` showed its source's (and its trend drew
    its source's values all quarter, as if it had never been typed). Now its check-ins of
    before, then its source's values from the commit that took its own value out."""
    repo, first, second, checked_in = _typed_then_derived(tmp_path)
    result = run_cli("history", "acme/values/certified", "--repo", repo.root)
    assert result.exit_code == 0, result.stderr
    lines = [" ".join(line.split()) for line in result.stdout.splitlines()]
    assert lines == [
        "Check-ins of acme/values/certified, before it took its number `from:` others",
        "date author value confidence commit note",
        f"2026-10-01 Maria Lopez 300 people {first[:10]} Q4 goals",
        f"2026-10-15 Maria Lopez 350 people {second[:10]} 350 certified",
        "",
        "Values of acme/values/certified since 2026-11-02, the value of people/certify/certified "
        "(it is no longer checked in itself: a row for each commit that moved one of them)",
        "date value",
        "2026-11-02 420 people",
        "2026-11-20 510 people",
    ]
    # as a user types it: the installed okrctl, from the goals folder, piped
    here = repo.root / "goals" / "pillars"
    typed_in = typed("history", "acme/values/certified", cwd=here)
    assert typed_in.returncode == 0, typed_in.stderr
    assert [" ".join(line.split()) for line in typed_in.stdout.splitlines()] == lines
    data = run_cli("history", "acme/values/certified", "--repo", repo.root, "--format", "json")
    payload = data.json()
    assert [(c["date"][:10], c["value"]) for c in payload["checkins"]] == [
        ("2026-10-01", 300),
        ("2026-10-15", 350),
    ]
    assert payload["from"] == {
        "how": "mirror",
        "sources": ["people/certify/certified"],
        "since": "2026-11-02T12:00:00Z",
    }
    assert [(v["date"][:10], v["value"]) for v in payload["values"]] == [
        ("2026-11-02", 420),
        ("2026-11-20", 510),
    ]
    # its trend (and every chart) is the same line: 300 and 350 typed, then People's numbers
    trend = _status(repo.root, "--as-of", "2026-11-25")["acme/values/certified"]["trend"]
    assert trend == [300, 350, 420, 510]
    # taken `from:` another in the working tree only: its check-ins, and why no more
    repo.commit({"goals/company.yaml": checked_in}, "2026-11-25", "Typed again")
    repo.write({"goals/company.yaml": COMPANY.format()})
    uncommitted = run_cli("history", "acme/values/certified", "--repo", repo.root)
    assert uncommitted.exit_code == 0, uncommitted.stderr
    assert uncommitted.stdout.splitlines()[0] == "Check-ins of acme/values/certified"
    assert "2026-11-25" in uncommitted.stdout
    assert "acme/values/certified takes its number `from:` others in a change not committed" in (
        " ".join(uncommitted.stderr.split())
    )


def test_history_of_a_derived_number_that_cannot_be_followed_says_so(tmp_path):
    repo = GitRepo(tmp_path / "okrs")
    broken = files()
    broken["goals/company.yaml"] = broken["goals/company.yaml"].replace(
        "from: people/certify/certified", "from: people/certify/nowhere"
    )
    repo.commit(broken, "2026-10-01")
    result = run_cli("history", "acme/values/certified", "--repo", repo.root)
    assert result.exit_code == 0
    assert result.stdout == "acme/values/certified has no check-ins in git yet.\n"
    assert "acme/values/certified takes its number from a `from:` that cannot be followed" in (
        " ".join(result.stderr.split())
    )


def test_history_of_a_derived_number_whose_sources_have_no_value_yet(tmp_path):
    repo = GitRepo(tmp_path / "okrs")
    unset = files()
    for region in ("emea", "amer"):
        path = f"goals/pillars/{region}.yaml"
        unset[path] = "".join(
            line for line in unset[path].splitlines(keepends=True) if "current:" not in line
        )
    repo.commit(unset, "2026-10-01")
    result = run_cli("history", "acme/grow/deposits", "--repo", repo.root)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "acme/grow/deposits is the sum of emea/sales/deposits and amer/sales/deposits: none has "
        "a value in git yet.\n"
    )


def test_from_names_where_the_number_comes_from(tmp_path):
    """A derived key result needs no `source:` of its own: `no-source` stays quiet."""
    plain = files()
    plain["goals/company.yaml"] = COMPANY.format().replace("        source: People team\n", "")
    root = write_repo(tmp_path, plain, base=False)
    _, found = findings(root)
    assert [f for f in found if f[0] == "no-source"] == []


CULTURE = """\
  - id: culture
    title: A culture people join us for
    why: Culture scales us.
    key_results:
      - id: spirit
        title: The teams below deliver on culture
        from: {score: supporters}
"""
OPS = """\
kind: pillar
parent: acme
lead: raj
objectives:
  - id: rituals
    title: Run the rituals that keep us close
    why: Culture scales us.
    aligns_to: [acme/culture/spirit]
    key_results:
      - id: offsites
        title: Offsites from 0 to 10
        baseline: 0
        target: 10
        current: 5
        source: calendar
"""


def test_a_score_from_supporters_is_their_mean_score(tmp_path):
    scored = files()
    scored["goals/company.yaml"] = COMPANY.format() + CULTURE
    scored["goals/pillars/people.yaml"] = files()["goals/pillars/people.yaml"].replace(
        "aligns_to: [acme/values/certified]",
        "aligns_to: [acme/values/certified, acme/culture/spirit]",
    )
    scored["goals/pillars/ops.yaml"] = OPS
    root = write_repo(tmp_path, scored, base=False)
    spirit = _status(root)["acme/culture/spirit"]
    assert spirit["score"] == (0.42 + 0.5) / 2  # people/certify 420/1000, ops/rituals 5/10
    assert (spirit["baseline"], spirit["target"]) == (0, 1) and spirit["current"] == spirit["score"]
    assert spirit["derived"] == {
        "how": "score",
        "from": [
            {"ref": "ops/rituals", "value": 0.5, "share": 0.5},  # in the order files are read
            {"ref": "people/certify", "value": 0.42, "share": 0.5},
        ],
    }
    code, found = findings(root)
    assert code == 0, found
    lonely = {**scored, "goals/pillars/ops.yaml": None}
    lonely["goals/pillars/people.yaml"] = files()["goals/pillars/people.yaml"]
    root = write_repo(tmp_path / "lonely", lonely, base=False)
    payload = run_cli("check", "--repo", root, "--format", "json").json()
    assert [f["message"] for f in payload["findings"] if f["rule"] == "derivation"] == [
        "`from: {score: supporters}` but no objective aligns to it"
    ]


def test_show_says_a_score_comes_from_its_supporters(tmp_path):
    scored = files()
    scored["goals/company.yaml"] = COMPANY.format() + CULTURE
    scored["goals/pillars/ops.yaml"] = OPS
    root = write_repo(tmp_path, scored, base=False)
    out = " ".join(run_cli("show", "acme/culture/spirit", "--repo", root).stdout.split())
    assert "derived from: the mean score of ops/rituals 0.50" in out
    assert "value: 0.5 (0 → 1)" in out


def test_a_mirror_of_another_periods_number_is_refused(tmp_path):
    old = files()
    old["goals/pillars/people.yaml"] = files()["goals/pillars/people.yaml"].replace(
        "lead: ines\n", "lead: ines\nperiod: 2026-Q3\n"
    )
    root = write_repo(tmp_path, old, base=False)
    payload = run_cli("check", "--repo", root, "--format", "json").json()
    assert [f["message"] for f in payload["findings"] if f["rule"] == "derivation"] == [
        "`from` names `people/certify/certified` of 2026-Q3, and this key result is for "
        "2026-Q4: derive only within one period"
    ]


def test_a_sum_is_as_fresh_as_its_freshest_source_a_score_as_its_stalest(tmp_path):
    repo = GitRepo(tmp_path / "okrs")
    start = files()
    start["goals/company.yaml"] = COMPANY.format() + CULTURE
    start["goals/pillars/ops.yaml"] = OPS
    start["goals/pillars/people.yaml"] = files()["goals/pillars/people.yaml"].replace(
        "aligns_to: [acme/values/certified]",
        "aligns_to: [acme/values/certified, acme/culture/spirit]",
    )
    repo.commit(start, "2026-10-01")
    repo.commit({"goals/pillars/emea.yaml": files(emea=8)["goals/pillars/emea.yaml"]}, "2026-10-20")
    people = start["goals/pillars/people.yaml"].replace("current: 420", "current: 450")
    repo.commit({"goals/pillars/people.yaml": people}, "2026-10-25")

    def stale(day):
        payload = run_cli("check", "--repo", repo.root, "--format", "json", "--as-of", day).json()
        return {f["ref"]: f["message"] for f in payload["findings"] if f["rule"] == "stale"}

    early = stale("2026-10-30")
    assert "amer/sales/deposits" in early  # 29 days
    assert "acme/grow/deposits" not in early  # EMEA checked in 10 days ago: the sum is live
    assert early["acme/culture/spirit"].startswith(  # ops/rituals never checked in: 29 days
        "`acme/culture/spirit` is derived from `ops/rituals/offsites`, not checked in for 29 days"
    )
    late = stale("2026-11-10")
    assert late["acme/grow/deposits"] == (
        "`acme/grow/deposits` is derived from `emea/sales/deposits`, not checked in for 21 days "
        "(last checked in on 2026-10-20 by Maria Lopez; stale after 14 days): run `okrctl checkin "
        "emea/sales/deposits VALUE`, even to confirm it"
    )


def test_a_quiet_kpi_derived_from_another_number_names_its_source_where_shown(tmp_path):
    """The wall and the site said a derived KPI had gone "40 days without a check-in", as if it
    wanted one (`checkin` refuses it): they name the source to check in, as `check` does."""
    kpi = (
        "kpis:\n  - id: emea-deposits\n    title: EMEA deposits\n    unit: $M\n"
        "    healthy: {min: 3}\n    from: emea/sales/deposits\n    source: EMEA's books\n"
    )
    repo = GitRepo(tmp_path / "okrs")
    repo.commit({**files(), "goals/company.yaml": COMPANY.format() + kpi}, "2026-10-01")
    as_of = ("--repo", repo.root, "--as-of", "2026-11-10")
    wall = run_cli("report", "--template", "wall", *as_of).stdout
    said = "— EMEA deposits ⏳ no check-in for 40 days of its source `emea/sales/deposits`\n"
    assert said in wall
    out = tmp_path / "site"
    assert run_cli("site", out, *as_of).exit_code == 0
    index = (out / "index.html").read_text()
    assert "stale: 40 days without a check-in of its source emea/sales/deposits</p>" in index
    attention = (out / "attention.html").read_text()  # the deposits sum, quiet through EMEA
    assert "Deposits from $10M to $20M (40 days, its source emea/sales/deposits)" in attention
    page = (out / "units/acme.html").read_text()
    assert (
        '<span class="lead">40 days without a check-in of its source emea/sales/deposits</span>'
    ) in page


def test_export_then_import_keeps_every_kind_of_from(tmp_path):
    from test_spreadsheets import empty_repo, goals_of

    every = files()
    every["goals/company.yaml"] = COMPANY.format() + CULTURE
    every["goals/pillars/ops.yaml"] = OPS
    root = write_repo(tmp_path / "source", every, base=False)
    sheet = tmp_path / "okrs.csv"
    assert run_cli("export", sheet, "--repo", root).exit_code == 0
    target = empty_repo(tmp_path / "target")
    (target / "okrctl.yaml").write_text(CONFIG)
    assert run_cli("import", sheet, "--repo", target).exit_code == 0
    assert goals_of(target) == goals_of(root)


def test_a_sum_has_a_trend_point_whenever_a_source_changes(tmp_path):
    repo = GitRepo(tmp_path / "okrs")
    repo.commit(files(emea=5, amer=5), "2026-10-01")
    repo.commit({"goals/pillars/emea.yaml": files(emea=8)["goals/pillars/emea.yaml"]}, "2026-10-20")
    repo.commit({"goals/pillars/amer.yaml": files(amer=9)["goals/pillars/amer.yaml"]}, "2026-11-10")
    deposits = _status(repo.root, "--as-of", "2026-11-15")["acme/grow/deposits"]
    assert deposits["trend"] == [10, 13, 17]  # Oct 1: 5 + 5; Oct 20: 8 + 5; Nov 10: 8 + 9
    mirror = _status(repo.root, "--as-of", "2026-11-15")["acme/values/certified"]
    assert mirror["trend"] == [420]  # the People team's one value
    shown = run_cli("show", "acme/grow/deposits", "--repo", repo.root, "--as-of", "2026-11-15")
    assert "this period: ▁▄█ $10M → $17M over 3 points from its sources" in shown.stdout


def _culture(certified, offsites, launched=False):
    """The People pillar and Ops behind a company key result scored from its supporters; Ops
    also owes a milestone, so a supporter's score mixes a number and a done-or-not."""
    scored = files(certified=certified)
    scored["goals/company.yaml"] = COMPANY.format() + CULTURE
    scored["goals/pillars/people.yaml"] = scored["goals/pillars/people.yaml"].replace(
        "aligns_to: [acme/values/certified]",
        "aligns_to: [acme/values/certified, acme/culture/spirit]",
    )
    milestone = (
        "      - id: handbook\n        title: Publish the rituals handbook\n"
        f"        milestone: true\n        done: {str(launched).lower()}\n"
        "        source: wiki\n"
    )
    scored["goals/pillars/ops.yaml"] = OPS.replace("current: 5", f"current: {offsites}") + milestone
    return scored


def test_a_score_from_supporters_has_a_trend_point_whenever_a_supporter_moves(tmp_path):
    repo = GitRepo(tmp_path / "okrs")
    repo.commit({"okrctl.yaml": CONFIG}, "2026-10-01T08:00:00+00:00")  # before the goals
    repo.commit(_culture(certified=200, offsites=2), "2026-10-01")
    repo.commit(
        {"goals/pillars/people.yaml": _culture(600, 2)["goals/pillars/people.yaml"]}, "2026-10-20"
    )
    repo.commit(
        {"goals/pillars/ops.yaml": _culture(600, 8)["goals/pillars/ops.yaml"]}, "2026-11-10"
    )
    repo.commit(
        {"goals/pillars/ops.yaml": _culture(600, 8, True)["goals/pillars/ops.yaml"]}, "2026-11-20"
    )
    spirit = _status(repo.root, "--as-of", "2026-11-25")["acme/culture/spirit"]
    # people/certify is certified/1000; ops/rituals the mean of offsites/10 and the handbook
    assert spirit["trend"] == [
        pytest.approx((0.2 + 0.1) / 2),  # Oct 1: 200 certified; 2 offsites, no handbook
        pytest.approx((0.6 + 0.1) / 2),  # Oct 20: 600 certified
        pytest.approx((0.6 + 0.4) / 2),  # Nov 10: 8 offsites
        pytest.approx((0.6 + 0.9) / 2),  # Nov 20: the handbook is out
    ]
    assert spirit["score"] == pytest.approx(0.75)
    assert spirit["forecast"] == {
        "value": 1.0,
        "score": 1.0,
    }  # the line heads past 1: a score stops there
    earlier = _status(repo.root, "--as-of", "2026-10-25")["acme/culture/spirit"]
    assert earlier["trend"] == [pytest.approx(0.15), pytest.approx(0.35)]


def test_a_sum_of_supporters_adds_every_key_result_aligned_to_it(tmp_path):
    supporters = files()
    supporters["goals/company.yaml"] = COMPANY.format().replace(
        "from: {sum: [emea/sales/deposits, amer/sales/deposits]}", "from: {sum: supporters}"
    )
    root = write_repo(tmp_path, supporters, base=False)
    deposits = _status(root)["acme/grow/deposits"]
    assert deposits["current"] == 13  # amer 6 + emea 7, the regions aligned to it
    assert [s["ref"] for s in deposits["derived"]["from"]] == [
        "amer/sales/deposits",
        "emea/sales/deposits",
    ]


def test_reports_say_where_a_derived_number_comes_from(tmp_path):
    root = write_repo(tmp_path, files(), base=False)
    report = run_cli("report", "--repo", root).stdout
    assert "| $13M (sum of emea/sales/deposits, amer/sales/deposits) | $20M |" in report
    assert "| 420 people (= people/certify/certified) | 1,000 people |" in report


def test_roll_carries_a_derived_key_result_from_its_derived_value(tmp_path):
    """`roll --carry` sets an unfinished committed objective's baselines to where they stand:
    for a derived key result, the derived value (its file has no `current` to copy)."""
    committed = files()
    committed["goals/company.yaml"] = COMPANY.format().replace(
        "    why: Deposits fund plans.\n", "    why: Deposits fund plans.\n    type: committed\n"
    )
    repo = GitRepo(tmp_path / "okrs")
    repo.commit(committed, "2026-10-01")
    result = run_cli("roll", "2027-Q1", "--carry", "--repo", repo.root)
    assert result.exit_code == 0, result.stderr
    company = (repo.root / "goals/company.yaml").read_text()
    assert "        baseline: 13\n" in company  # 7 + 6, written where the baseline was
    assert "from: {sum: [emea/sales/deposits, amer/sales/deposits]}" in company


def test_roll_leaves_a_score_from_supporters_to_count_from_0_again(tmp_path):
    """A committed objective carried over with a key result scored from its supporters: that
    key result has no baseline to move (it counts from 0 to 1 every period)."""
    scored = _culture(certified=420, offsites=5)
    scored["goals/company.yaml"] = scored["goals/company.yaml"].replace(
        "    why: Culture scales us.\n    key_results:\n      - id: spirit",
        "    why: Culture scales us.\n    type: committed\n    key_results:\n      - id: spirit",
    )
    repo = GitRepo(tmp_path / "okrs")
    repo.commit(scored, "2026-10-01")
    result = run_cli("roll", "2027-Q1", "--carry", "--repo", repo.root)
    assert result.exit_code == 0, result.stderr
    company = (repo.root / "goals/company.yaml").read_text()
    assert company.endswith("        from: {score: supporters}\n")  # as it was
    assert "acme/culture" in result.stdout  # carried, unfinished


def test_the_site_links_a_derived_number_to_its_sources(tmp_path):
    import re

    root = write_repo(tmp_path / "okrs", files(), base=False)
    out = tmp_path / "site"
    assert run_cli("site", str(out), "--repo", root).exit_code == 0
    page = (out / "units/acme.html").read_text()
    line = re.search(r"the sum of (.*?)</span>", page).group(1)
    assert line == (
        '<a href="../units/emea.html#sales">emea/sales/deposits</a>, '
        '<a href="../units/amer.html#sales">amer/sales/deposits</a>'
    )
    assert "the same as" in page


def test_charts_draw_a_derived_number_from_its_sources_changes(tmp_path):
    """A derived number has no check-ins: the report's chart and the site's draw its points,
    and a stale one says which source has gone quiet."""
    import re

    repo = GitRepo(tmp_path / "okrs")
    repo.commit(files(emea=5, amer=5), "2026-10-01")
    repo.commit({"goals/pillars/emea.yaml": files(emea=8)["goals/pillars/emea.yaml"]}, "2026-10-20")
    repo.commit({"goals/pillars/amer.yaml": files(amer=9)["goals/pillars/amer.yaml"]}, "2026-11-10")
    report = run_cli("report", "--repo", repo.root, "--as-of", "2026-11-15")
    assert report.exit_code == 0, report.stderr
    chart = report.stdout.split('title "Deposits from $10M to $20M"')[1].split("```")[0]
    axis = "days since 2026-10-01, to its last check-in (as of 11-15: day 45)"
    assert f'    x-axis "{axis}" 0 --> 40\n' in chart  # Oct 1 to Nov 10
    line = chart.split("    line [")[1].split("]")[0].split(", ")
    assert (line[0], line[19], line[40], len(line)) == ("10", "13", "17", 41)
    out = tmp_path / "site"
    assert run_cli("site", str(out), "--repo", repo.root, "--as-of", "2026-12-20").exit_code == 0
    page = (out / "units/acme.html").read_text()
    deposits = page.split("Deposits from $10M to $20M</h4>")[1]
    assert "— from its sources" in deposits.split("</svg>")[1][:200]
    assert len(re.findall(r'<circle[^>]*class="point"', deposits.split("</svg>")[0])) == 3
    hovers = re.findall(r"<title>([^<]*)</title>", deposits.split("</svg>")[0])
    assert "target $20M" in hovers and "2026-10-20: $13M" in hovers  # (was "13$M")
    assert "40 days without a check-in of its source amer/sales/deposits" in page


PRODUCT = """\
kind: team
parent: acme
lead: {lead}
objectives:
  - id: sell
    title: Sell {name}
    why: Revenue funds the mission.
    aligns_to: [acme/revenue/products]
    key_results:
      - id: sales
        title: {name} sales from $0k to ${target}k
        unit: $k
        baseline: 0
        target: {target}
        current: {current}
        source: CRM
"""


def test_a_score_weighted_by_target_counts_each_supporter_by_its_size(tmp_path):
    """A user's complaint about another tool: product targets of $100k, $20k and $1k each
    counted a third. With `weighting: target` they count 100/121, 20/121 and 1/121."""
    company = COMPANY.format() + (
        "  - id: revenue\n    title: Sell our products\n    why: Revenue funds the mission.\n"
        "    key_results:\n      - id: products\n        title: The products deliver\n"
        "        from: {score: supporters, weighting: WEIGHTING}\n"
    )
    teams = {
        f"goals/teams/{name}.yaml": PRODUCT.format(lead=name, name=name, target=t, current=c)
        for name, t, c in (("big", 100, 50), ("mid", 20, 20), ("small", 1, 0))
    }
    results = {}
    for weighting in ("equal", "target"):
        root = write_repo(
            tmp_path / weighting,
            {**files(), "goals/company.yaml": company.replace("WEIGHTING", weighting), **teams},
            base=False,
        )
        results[weighting] = _status(root)["acme/revenue/products"]
    assert results["equal"]["score"] == (0.5 + 1.0 + 0.0) / 3
    assert results["target"]["score"] == (100 * 0.5 + 20 * 1.0 + 1 * 0.0) / 121
    assert [s["share"] for s in results["target"]["derived"]["from"]] == [
        100 / 121,
        20 / 121,
        1 / 121,
    ]


def test_the_status_tree_marks_a_derived_number(tmp_path):
    root = write_repo(tmp_path, _culture(certified=420, offsites=5), base=False)
    tree = " ".join(run_cli("status", "--repo", root).stdout.replace("│", " ").split())
    assert "deposits: $13M ($10M → $20M) 0.30 at risk (sum of emea/sales/deposits," in tree
    assert (
        "certified: 420 people (0 → 1,000 people) 0.42 on track (= people/certify/certified)"
        in tree
    )
    # a score is its own value: where it comes from stands in for "0.33 (0 → 1)"
    assert "spirit: score of 2 supporters 0.33 at risk" in tree  # (0.42 + 0.25) / 2


@pytest.mark.slow
def test_as_a_user_types_it_from_a_subfolder_piped(tmp_path):
    """The installed `okrctl`, run inside `goals/pillars` (the repository found upward, or named
    relatively), its output piped: the derived number, its sources, and the refusal."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    repo = GitRepo(tmp_path / "okrs")
    repo.commit(files(), "2026-10-01")
    here = repo.root / "goals" / "pillars"
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}

    def okrctl(*args):
        return subprocess.run(["okrctl", *args], cwd=here, env=env, capture_output=True, text=True)

    status = okrctl("status", "--format", "json")
    assert status.returncode == 0, status.stderr
    units = json.loads(status.stdout)["units"]
    deposits = next(
        kr
        for unit in units
        for objective in unit["objectives"]
        for kr in objective["key_results"]
        if kr["ref"] == "acme/grow/deposits"
    )
    assert deposits["current"] == 13 and deposits["derived"]["how"] == "sum"
    shown = okrctl("show", "acme/grow/deposits", "--repo", "../..")
    assert "derived from: sum of emea/sales/deposits $7M (54%)" in " ".join(shown.stdout.split())
    refused = okrctl("checkin", "acme/grow/deposits", "14")
    assert refused.returncode == 2 and "check in those instead" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_a_mirror_and_a_score_at_past_dates_read_their_sources_as_they_were(tmp_path):
    repo = GitRepo(tmp_path / "okrs")
    repo.commit(_culture(certified=200, offsites=2), "2026-10-01")
    repo.commit(
        {"goals/pillars/people.yaml": _culture(600, 2)["goals/pillars/people.yaml"]}, "2026-10-20"
    )
    repo.commit(
        {"goals/pillars/ops.yaml": _culture(600, 8)["goals/pillars/ops.yaml"]}, "2026-11-10"
    )
    at = {}
    for day in ("2026-10-05", "2026-10-25", "2026-11-15"):
        krs = _status(repo.root, "--as-of", day)
        at[day] = (krs["acme/values/certified"]["current"], krs["acme/culture/spirit"]["score"])
    assert at == {  # the mirror: People's number; the score: (certified/1000 + offsites/20) / 2
        "2026-10-05": (200, pytest.approx((0.2 + 0.1) / 2)),
        "2026-10-25": (600, pytest.approx((0.6 + 0.1) / 2)),
        "2026-11-15": (600, pytest.approx((0.6 + 0.4) / 2)),
    }
    old = run_cli("status", "--repo", repo.root, "--at", "HEAD~2", "--format", "json").json()
    spirit = next(
        kr
        for unit in old["units"]
        for objective in unit["objectives"]
        for kr in objective["key_results"]
        if kr["ref"] == "acme/culture/spirit"
    )
    assert spirit["score"] == pytest.approx(0.15)  # --at the first commit: as --as-of Oct 5


@pytest.mark.slow
def test_the_demo_has_one_of_each_kind_with_its_trend(quarter):
    """The demo company mirrors, sums and scores from supporters, and its scripted quarter
    gives the sum a trend point at each change of a source (docs/scoring.md works these)."""
    krs = _status(quarter, "--as-of", "2026-11-15")
    mirror = krs["growth/convert-signups/signup-to-funded"]
    assert mirror["derived"]["how"] == "mirror" and mirror["current"] == 40.5
    assert mirror["score"] == pytest.approx((40.5 - 38) / (45 - 38))
    cost = krs["harbor/healthy-margin/cost-per-account"]
    assert cost["derived"]["how"] == "sum" and cost["current"] == pytest.approx(5.40 + 1.95)
    assert cost["score"] == pytest.approx((8.20 - 7.35) / (8.20 - 6.00))
    # Oct 1: 6.10 + 2.10; Oct 31: ops 5.40; Nov 3: infra 1.95
    assert cost["trend"] == [pytest.approx(8.2), pytest.approx(7.5), pytest.approx(7.35)]
    teams = krs["trust/safe-money/teams-deliver"]
    risk = ((12 - 10.5) / (12 - 8) + 1.0) / 2  # fraud losses, false positives in their band
    assert teams["derived"]["how"] == "score"
    assert [(s["ref"], s["value"]) for s in teams["derived"]["from"]] == [
        ("platform/on-call-skills", 0.0),  # never checked in
        ("risk/stop-fraud-early", pytest.approx(risk)),
    ]
    assert teams["score"] == pytest.approx((risk + 0.0) / 2)
    # Oct 1: nothing in; Oct 9: fraud losses at 10.5; Nov 12: false positives into their band
    assert teams["trend"] == [0.0, pytest.approx(0.375 / 4), pytest.approx(risk / 2)]


def test_a_sum_is_the_number_people_would_write(tmp_path):
    """5.4 + 1.95 is 7.3500000000000005 in binary floats, and JSON and `export` carried it digit
    for digit: a sum, and each point of its trend, is now 7.35."""
    repo = GitRepo(tmp_path / "okrs")
    repo.commit(files(emea=5.4, amer=0.1), "2026-10-01")
    repo.commit(
        {"goals/pillars/amer.yaml": files(amer=1.95)["goals/pillars/amer.yaml"]}, "2026-10-20"
    )
    deposits = _status(repo.root, "--as-of", "2026-11-15")["acme/grow/deposits"]
    assert repr(deposits["current"]) == "7.35" and 5.4 + 1.95 != 7.35
    assert [repr(point) for point in deposits["trend"]] == ["5.5", "7.35"]  # 5.4 + 0.1 = 5.5
    exported = tmp_path / "okrs.csv"
    assert run_cli("export", str(exported), "--repo", repo.root).exit_code == 0
    row = next(
        line for line in exported.read_text().splitlines() if "acme/grow" in line or "sum:" in line
    )
    assert ',$M,10,20,7.35,"sum: emea/sales/deposits, amer/sales/deposits"' in row
    big = write_repo(tmp_path / "big", files(emea=123456789012.34, amer=1), base=False)
    assert repr(_status(big)["acme/grow/deposits"]["current"]) == "123456789013.34"
