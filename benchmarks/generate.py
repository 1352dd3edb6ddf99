"""A seeded generator of goals repositories for benchmarks: an org of any size, and a history
of check-in commits written with `git fast-import` (thousands of commits in a second or two)."""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

CONFIG = "company: Bench Corp\nperiod: 2026-Q4\nstale_after_days: 14\n"
COMPANY = """\
kind: company
id: bench
name: Bench Corp
mission: Measure everything that matters.
objectives:
  - id: grow
    title: Grow
    why: Growth funds the mission.
    key_results:
      - id: revenue
        title: Revenue from 10 to 20
        baseline: 10
        target: 20
        current: 12
        source: finance
"""


def team_yaml(
    index: int, values: dict[str, float], *, flawed: bool = False, pillars: int = 0
) -> str:
    """A team with three objectives of three key results (one falling, one keep band) and a KPI.
    `flawed`: the objectives without `why` or `aligns_to`, the key results without `source`
    (the `missing-why`, `orphan` and `no-source` findings of a careless org). With `pillars`,
    the team sits in pillar `index % pillars` and aligns to its objective."""
    parent = f"pillar-{index % pillars}" if pillars else "bench"
    aligned = f"{parent}/lead" if pillars else "bench/grow"
    lines = [
        f"kind: team\nid: team-{index}\nname: Team {index}\nparent: {parent}\n"
        f"lead: lead-{index}\nobjectives:\n",
    ]
    for o in range(3):
        why = "" if flawed else f"    why: Because team {index} moves the company.\n"
        aligns = "" if flawed else f"    aligns_to: [{aligned}]\n"
        lines.append(
            f"  - id: objective-{o}\n    title: Objective {o} of team {index}\n"
            f"{why}    type: committed\n{aligns}    key_results:\n"
        )
        for k in range(3):
            ref = f"o{o}k{k}"
            lines.append(f"      - id: kr-{k}\n        title: Key result {k}\n")
            if k == 2:
                lines.append("        keep: {max: 5}\n")
            else:
                baseline, target = (0, 100) if k == 0 else (80, 20)
                lines.append(f"        baseline: {baseline}\n        target: {target}\n")
            source = "" if flawed else f"        source: dashboard {index}.{o}.{k}\n"
            lines.append(f"        current: {values[ref]}   # latest check-in\n{source}")
    lines.append(
        "kpis:\n  - id: health\n    title: Health\n    why: Keeps us honest.\n"
        f"    current: {values['kpi']}\n    healthy: {{min: 1}}\n    source: monitoring\n"
    )
    return "".join(lines)


def initial_values(rng: random.Random) -> dict[str, float]:
    values = {f"o{o}k{k}": float(rng.randint(1, 40)) for o in range(3) for k in range(3)}
    values["kpi"] = float(rng.randint(1, 9))
    return values


def write_org(
    root: Path, teams: int, seed: int = 7, *, flawed: bool = False, pillars: int = 0
) -> dict[int, dict[str, float]]:
    """okrctl.yaml, the company, `pillars` pillars (the teams shared among them, else all
    under the company) and `teams` team files; returns each team's values."""
    rng = random.Random(seed)
    (root / "goals" / "teams").mkdir(parents=True, exist_ok=True)
    (root / "okrctl.yaml").write_text(CONFIG)
    (root / "goals" / "company.yaml").write_text(COMPANY)
    if pillars:
        (root / "goals" / "pillars").mkdir(parents=True, exist_ok=True)
    for p in range(pillars):
        (root / "goals" / "pillars" / f"pillar-{p}.yaml").write_text(pillar_yaml(p))
    values = {}
    for index in range(teams):
        values[index] = initial_values(rng)
        (root / "goals" / "teams" / f"team-{index}.yaml").write_text(
            team_yaml(index, values[index], flawed=flawed, pillars=pillars)
        )
    return values


def pillar_yaml(index: int) -> str:
    """A pillar under the company, with one objective its teams align to."""
    return (
        f"kind: pillar\nid: pillar-{index}\nname: Pillar {index}\nparent: bench\n"
        f"lead: pillar-lead-{index}\nobjectives:\n  - id: lead\n    title: Lead pillar {index}\n"
        "    why: Its teams grow the company.\n    aligns_to: [bench/grow]\n    key_results:\n"
        "      - id: share\n        title: Share of the market\n        baseline: 0\n"
        "        target: 10\n        current: 4\n        source: market study\n"
    )


def person_yaml(index: int, team: int) -> str:
    """A person in a team, with one self-set objective of one key result aligned to the team."""
    return (
        f"kind: person\nid: person-{index}\nname: Person {index}\nparent: team-{team}\n"
        f"email: person-{index}@bench.example\n"
        "objectives:\n"
        f"  - id: grow-{index}\n    title: Grow what I own\n    why: My part of team {team}.\n"
        f"    origin: self\n    aligns_to: [team-{team}/objective-0]\n    key_results:\n"
        f"      - id: done\n        title: Ship it\n        milestone: true\n"
        "        done: false\n        source: my notes\n"
    )


def write_people(root: Path, people: int, teams: int) -> list[str]:
    """`people` person files spread over the teams; returns their paths."""
    (root / "goals" / "people").mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(people):
        path = f"goals/people/person-{index}.yaml"
        (root / path).write_text(person_yaml(index, index % teams))
        paths.append(path)
    return paths


def write_derived_pillars(root: Path, teams: int, pillars: int = 20) -> None:
    """`pillars` pillar files, each with one key result that sums its share of the teams'
    first key results (`from: {sum: [...]}`): the shape of a company whose numbers flow up."""
    (root / "goals" / "pillars").mkdir(parents=True, exist_ok=True)
    per = max(teams // pillars, 1)
    for p in range(pillars):
        refs = ", ".join(
            f"team-{i}/objective-0/kr-0" for i in range(p * per, min((p + 1) * per, teams))
        )
        (root / "goals" / "pillars" / f"pillar-{p}.yaml").write_text(
            f"kind: pillar\nid: pillar-{p}\nparent: bench\nlead: pillar-lead-{p}\n"
            "objectives:\n  - id: roll-up\n    title: Roll the teams up\n"
            "    why: The pillar's number is its teams' numbers.\n    aligns_to: [bench/grow]\n"
            "    key_results:\n      - id: total\n        title: Total of the first key results\n"
            f"        baseline: 0\n        target: {100 * per}\n        from: {{sum: [{refs}]}}\n"
            "        source: the teams' numbers\n"
        )


def _data(text: str) -> bytes:
    raw = text.encode()
    return b"data %d\n%s\n" % (len(raw), raw)


def write_history(
    root: Path,
    files: int,
    commits: int,
    seed: int = 7,
    *,
    active: int | None = None,
    people: int = 0,
    pillars: int = 0,
) -> None:
    """A git repository whose first commit holds the org (and `people` person files) and whose
    next `commits` commits each check in one key result of one of `files` team files, spread
    evenly over the quarter from 2026-10-01. With `active`, only that many teams ever check in:
    the rest go silent (stale). With `pillars`, the teams are shared among that many pillars."""
    rng = random.Random(seed)
    values = write_org(root, files, seed, pillars=pillars)
    person_paths = write_people(root, people, files)
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    start = 1_790_812_800  # 2026-10-01T00:00:00Z
    stream = bytearray()
    paths = ["okrctl.yaml", "goals/company.yaml"] + [
        f"goals/pillars/pillar-{p}.yaml" for p in range(pillars)
    ] + [f"goals/teams/team-{i}.yaml" for i in range(files)] + person_paths
    stream += b"commit refs/heads/main\nmark :1\n"
    stream += b"author Bench <bench@example.com> %d +0000\n" % start
    stream += b"committer Bench <bench@example.com> %d +0000\n" % start
    stream += _data("goals for 2026-Q4")
    for path in paths:
        stream += b"M 100644 inline %s\n" % path.encode() + _data((root / path).read_text())
    step = (90 * 86_400) // max(commits, 1)
    for n in range(commits):
        team = rng.randrange(active or files)
        ref = rng.choice(list(values[team]))
        values[team][ref] = round(values[team][ref] + rng.uniform(-1, 3), 1)
        when = start + (n + 1) * step
        stream += b"commit refs/heads/main\nmark :%d\n" % (n + 2)
        stream += b"author Bench <bench@example.com> %d +0000\n" % when
        stream += b"committer Bench <bench@example.com> %d +0000\n" % when
        stream += _data(f"checkin(team-{team}/{ref}): {values[team][ref]}")
        stream += b"from :%d\n" % (n + 1)
        stream += b"M 100644 inline goals/teams/team-%d.yaml\n" % team
        stream += _data(team_yaml(team, values[team], pillars=pillars))
    subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input=bytes(stream), check=True)
    subprocess.run(["git", "checkout", "-q", "-f", "main"], cwd=root, check=True)
    # the working tree must match HEAD exactly
    for team, team_values in values.items():
        (root / "goals" / "teams" / f"team-{team}.yaml").write_text(
            team_yaml(team, team_values, pillars=pillars)
        )


HOSTILE_SHAPES = {
    "clean: 20,000 objectives": ("mission", False),
    "20,000 refs to unknown units": ("nowhere-{i}/obj-{i}", False),
    "20,000 refs to unknown objectives": ("{unit}/obj-{i}-x", False),
    "20,000 refs to a unit": ("bench", False),
    "clean: 50,000 key results": ("mission", True),
    "50,000 unknown fields": ("mission", True),
}


def write_hostile(root: Path, shape: str, files: int = 4, shrink: int = 1) -> None:
    """A pull request's worth of hostile goals beside a small company: 20,000 objectives (or
    50,000 key results) in `files` files, flow style to stay under the 2 MB file limit; with
    `shrink`, a `shrink`th of as many (a test's small copy of the shape)."""
    ref, key_results = HOSTILE_SHAPES[shape]
    bogus = shape.startswith("50,000 unknown")
    (root / "goals" / "teams").mkdir(parents=True, exist_ok=True)
    (root / "okrctl.yaml").write_text(CONFIG)
    (root / "goals" / "company.yaml").write_text(COMPANY)
    for number in range(files):
        unit = f"hostile-{number}"
        lines = ["kind: team", f"id: {unit}", "parent: bench", "lead: ana", "objectives:"]
        if key_results:
            lines += ["  - id: o", "    title: t", "    why: w", "    aligns_to: [mission]"]
            lines.append("    key_results:")
            for i in range(50_000 // shrink // files):
                extra = f", bogus{i}: 1" if bogus else ""
                lines.append(
                    f"      - {{id: k{i}, title: K, milestone: true, done: false, source: s"
                    f"{extra}}}"
                )
        else:
            for i in range(20_000 // shrink // files):
                target = ref.format(i=i, unit=unit)
                lines.append(
                    f"  - {{id: obj-{i}, title: O{i}, why: w, aligns_to: [{target}], key_results:"
                    " [{id: k, title: k, milestone: true, done: false, source: s}]}"
                )
        (root / "goals" / "teams" / f"{unit}.yaml").write_text("\n".join(lines) + "\n")


MEASURED_SQL = (
    "select avg(value) from daily_metrics "
    "where metric = 'm{n}' and day between :period_start and :as_of"
)


def write_measured(root: Path, sources: int = 500, per_team: int = 5, days: int = 90) -> list[str]:
    """A git repository whose `sources` key results each read one metric of a SQLite database
    (`days` rows a metric, indexed as a warehouse table would be); returns the queries."""
    import sqlite3
    from datetime import date, timedelta

    (root / "goals" / "teams").mkdir(parents=True, exist_ok=True)
    (root / "data").mkdir(exist_ok=True)
    (root / "okrctl.yaml").write_text(
        CONFIG + 'databases:\n  metrics: {url: "sqlite:///data/metrics.db"}\n'
    )
    (root / "goals" / "company.yaml").write_text(COMPANY)
    rng = random.Random(11)
    start = date(2026, 10, 1)
    with sqlite3.connect(root / "data" / "metrics.db") as db:
        db.execute("create table daily_metrics (metric text, day text, value real)")
        db.execute("create index by_metric on daily_metrics (metric, day)")
        db.executemany(
            "insert into daily_metrics values (?, ?, ?)",
            (
                (f"m{n}", (start + timedelta(days=d)).isoformat(), rng.uniform(10, 90))
                for n in range(sources)
                for d in range(days)
            ),
        )
    queries = [MEASURED_SQL.format(n=n) for n in range(sources)]
    for team in range((sources + per_team - 1) // per_team):
        lines = [
            "kind: team",
            f"id: team-{team}",
            "parent: bench",
            "objectives:",
            "  - id: measured",
            "    title: Measured",
            "    why: Numbers read themselves.",
            "    aligns_to: [bench/grow]",
            "    key_results:",
        ]
        for n in range(team * per_team, min(sources, (team + 1) * per_team)):
            lines += [
                f"      - id: kr-{n}",
                f"        title: Metric {n} from 10 to 90",
                "        baseline: 10",
                "        target: 90",
                "        current: 10",
                f'        measure: {{sql: "{queries[n]}", database: metrics}}',
            ]
        (root / "goals" / "teams" / f"team-{team}.yaml").write_text("\n".join(lines) + "\n")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
    subprocess.run(
        [
            "git",
            "-C",
            str(root),
            "-c",
            "user.name=Bench",
            "-c",
            "user.email=b@e",
            "commit",
            "-q",
            "-m",
            "goals",
        ],
        check=True,
    )
    return queries
