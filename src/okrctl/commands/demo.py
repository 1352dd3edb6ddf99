"""A scripted quarter for the demo company: the goals rewound to 2026-10-01, then replayed as
back-dated commits up to the values in `goals/`, with a goal-post move and a priority added
mid-quarter, so history, trends, reports, retro and diff have something real to read.

Before it, a short Q3 (three units, a few check-ins) that is closed and rolled into Q4 by
`okrctl roll` itself, as a lead would: `retro 2026-Q3` shows what was carried and dropped, and
`diff 2026-Q3 2026-Q4` what the new quarter changed.

`replay(root)` runs on a copy of the demo (`okrctl.yaml` and `goals/`); it ends with the files
exactly as they are in the demo.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from okrctl.model.errors import OkrctlError, UsageError
from okrctl.store.git import process as git_process
from okrctl.store.yaml.splice import set_scalar

PEOPLE = {
    "ines": "Inés Duarte",
    "maria": "Maria Lopez",
    "dev": "Dev Raman",
    "priya": "Priya Nair",
    "sam": "Sam Okafor",
    "tom": "Tom Lindqvist",
    "lena": "Lena Fischer",
    "yuki": "Yuki Tanaka",
    "omar": "Omar Haddad",
    "chloe": "Chloé Martin",
    "ana": "Ana Costa",
    "ben": "Ben Carter",
    "raj": "Raj Mehta",
}

# When, who, what: `value` is written as given (so the last one matches the file byte for byte);
# `=` confirms an unchanged value with an empty commit; confidence `-` leaves it alone.
SCRIPT = """
2026-10-06 lena  referrals/weekly-referrals                     410   -    Referral banner back on the home screen
2026-10-08 tom   signups/effortless-funding/funded-rate         38.9  0.6  First week of the new funding flow
2026-10-09 raj   risk/stop-fraud-early/losses                   10.5  -    Velocity rules caught the September ring
2026-10-12 chloe payments/cheaper-transfers/cost-per-transfer   0.40  -    Renegotiated the ACH fee tier
2026-10-13 ines  harbor/grow-deposits/net-deposits              86.2  -    Two big treasury accounts funded
2026-10-14 lena  referrals/invite-loop/invites-per-funder       0.35  -    Invite prompt after first deposit
2026-10-15 tom   signups/effortless-funding/unsubscribe         0.85  -    Fewer onboarding emails
2026-10-16 ana   support/fewer-tickets/tickets-per-1k           33    -    Help centre articles on funding
2026-10-19 chloe payments/retire-legacy-ledger/ledger-traffic   85    -    Card postings moved
2026-10-21 maria harbor/grow-deposits/funded-accounts           44100 -    Weekly funded accounts
2026-10-22 tom   signups/effortless-funding/funded-rate         39.8  0.6  Plaid fallback shipped
2026-10-22 lena  referrals/weekly-referrals                     445   -    Referral week campaign
2026-10-23 sam   sam/coach-new-engineers/experiments-led        2     -    Tom ran the email test end to end
2026-10-27 ines  harbor/grow-deposits/net-deposits              92.0  -    Month-end payroll deposits
2026-10-27 tom   tom/fix-flaky-tests/my-flaky-fixes             5     -    Quarantined the date-picker tests
2026-10-28 ana   support/first-response                         3.1   -    New rota
2026-10-29 yuki  lifecycle/nudge-to-fund/winback-journey        done  -    Three-step journey live
2026-10-30 yuki  lifecycle/nudge-to-fund/recovered-signups      7.5   -    First cohort through the journey
2026-10-31 dev   harbor/healthy-margin/gross-margin             46    0.5  October P&L
2026-10-31 ines  harbor/ltv-cac                                 3.4   -    October model
2026-10-31 dev   efficiency/lean-operations/ops-cost            5.40  -    October model
2026-11-02 chloe payments/cheaper-transfers/cost-per-transfer   0.36  0.8  Cost-based routing at 35%
2026-11-02 chloe chloe/cheaper-routing/routed-share             35    -    Router live for ACH
2026-11-03 chloe payments/help-instant-ach/verification-api     done  -    API live for Signups
2026-11-03 ben   platform/cheaper-infrastructure/infra-cost     1.95  -    Reserved instances bought
2026-11-04 lena  referrals/invite-loop/invites-per-funder       0.45  0.4  Better, still far from target
2026-11-04 yuki  referrals/invite-loop/invite-acceptance        13    -    Acceptance barely moved
2026-11-05 lena  referrals/weekly-referrals                     460   -    Steady
2026-11-05 maria growth/referral-engine/referred-share          22    -    October channel mix
2026-11-06 tom   signups/effortless-funding/unsubscribe         0.8   -    Holding below 1%
2026-11-06 tom   signups/effortless-funding/funded-rate         40.5  0.7  Instant ACH beta on 20%
2026-11-06 sam   signups/signup-test-suite/flaky-tests          11    -    Half the flaky tests fixed
2026-11-06 tom   tom/fix-flaky-tests/my-flaky-fixes             8     -    Three more fixed
2026-11-07 ana   support/fewer-tickets/tickets-per-1k           31    -    Funding questions down a third
2026-11-07 ana   support/fewer-tickets/csat                     92    -    Monthly survey
2026-11-07 ana   efficiency/lean-operations/keep-csat           92    -    Monthly survey
2026-11-09 chloe payments/retire-legacy-ledger/ledger-traffic   65    -    Transfers moved
2026-11-09 chloe chloe/ledger-migration/migrated-flows          7     -    Seven of eleven flows
2026-11-10 sam   sam/coach-new-engineers/experiments-led        3     -    Priya's analyst ran one too
2026-11-10 tom   tom/learn-experimentation/course               2     -    Two designs reviewed
2026-11-10 sam   signups/effortless-funding/instant-ach         =     -    Beta on 20%, not done yet
2026-11-10 sam   sam/ship-instant-ach/rollout                   =     -    Beta on 20%, not done yet
2026-11-11 ines  harbor/grow-deposits/net-deposits              97.5  0.6  Strong first half of November
2026-11-11 maria harbor/grow-deposits/funded-accounts           46800 -    Weekly funded accounts
2026-11-11 maria harbor/monthly-active-savers                   38200 -    October actives
2026-11-12 maria growth/paid-cac                                182   -    October spend
2026-11-12 raj   risk/stop-fraud-early/false-positives          1.4   -    Tuned the velocity rules
2026-11-12 raj   risk/chargeback-rate                           0.42  -    October statement
2026-11-12 ben   platform/uptime                                99.95 -    Status page, 30 days
2026-11-13 omar  payments/cheaper-transfers/rtp-rail            =     -    Bank partner signed; build starts
2026-11-13 priya trust/safe-money/soc2                          =     -    Fieldwork starts December
"""

# Rewound on 2026-10-01: the value each scripted ref had when the quarter opened.
OPENING = {
    "referrals/weekly-referrals": "380",
    "signups/effortless-funding/funded-rate": "38",
    "risk/stop-fraud-early/losses": "12",
    "payments/cheaper-transfers/cost-per-transfer": "0.42",
    "harbor/grow-deposits/net-deposits": "80",
    "referrals/invite-loop/invites-per-funder": "0.3",
    "signups/effortless-funding/unsubscribe": "0.9",
    "support/fewer-tickets/tickets-per-1k": "35",
    "payments/retire-legacy-ledger/ledger-traffic": "100",
    "harbor/grow-deposits/funded-accounts": "41000",
    "sam/coach-new-engineers/experiments-led": "1",
    "tom/fix-flaky-tests/my-flaky-fixes": "0",
    "support/first-response": "4.2",
    "lifecycle/nudge-to-fund/winback-journey": "false",
    "lifecycle/nudge-to-fund/recovered-signups": "6",
    "harbor/healthy-margin/gross-margin": "42",
    "harbor/ltv-cac": "3.1",
    "efficiency/lean-operations/ops-cost": "6.10",
    "chloe/cheaper-routing/routed-share": "0",
    "platform/cheaper-infrastructure/infra-cost": "2.10",
    "referrals/invite-loop/invite-acceptance": "12",
    "growth/referral-engine/referred-share": "18",
    "signups/signup-test-suite/flaky-tests": "23",
    "support/fewer-tickets/csat": "91",
    "efficiency/lean-operations/keep-csat": "91",
    "chloe/ledger-migration/migrated-flows": "3",
    "tom/learn-experimentation/course": "0",
    "harbor/monthly-active-savers": "35500",
    "growth/paid-cac": "205",
    "risk/stop-fraud-early/false-positives": "2.3",
    "risk/chargeback-rate": "0.47",
    "platform/uptime": "99.91",
}
OPENING_CONFIDENCE = {
    "signups/effortless-funding/funded-rate": "0.6",
    "harbor/grow-deposits/net-deposits": "0.5",
    "harbor/healthy-margin/gross-margin": "0.6",
    "payments/cheaper-transfers/cost-per-transfer": "0.7",
    "referrals/invite-loop/invites-per-funder": "0.6",
}
# The goal-post move: the invite target started at 1.0 and was lowered mid-quarter.
GOALPOST = (
    "2026-10-20",
    "lena",
    "referrals/invite-loop/invites-per-funder",
    "target",
    "1.0",
    "0.8",
    "Lower the invite target to 0.8: the Q3 baseline was measured wrongly",
)
# The priority added mid-quarter: Payments took on Signups' verification API.
LATE_OBJECTIVE = (
    "2026-10-19",
    "omar",
    "goals/teams/payments.yaml",
    "help-instant-ach",
    "Take on the ACH verification API Signups needs this quarter",
)
START = "2026-10-01"

# The quarter before: a committed launch (done), an aspirational deposits goal (reached) and
# Risk's committed fraud work (unfinished: the roll carries it into Q4, from where it ended).
Q3_FILES = {
    "goals/company.yaml": """\
kind: company
id: harbor
name: Harbor Invest
lead: ines
mission: Help every family build savings that outlast them.
objectives:
  - id: launch-plans
    title: Launch family savings plans
    why: A plan is what turns an account into savings that outlast a family.
    type: committed
    owner: ines
    key_results:
      - id: plans-live
        title: Family savings plans live for every new account
        milestone: true
        done: false
        source: release notes
        owner: ines
  - id: first-deposits
    title: Win our first $80M of net deposits
    why: Deposits are the plans our customers fund with us.
    owner: ines
    key_results:
      - id: net-deposits
        title: Net deposits from $60M to $80M
        unit: $M
        baseline: 60
        target: 80
        current: 60
        source: "Finance: daily balances report, net deposits line"
        owner: ines
""",
    "goals/pillars/trust.yaml": """\
kind: pillar
id: trust
name: Trust and safety
parent: harbor
lead: priya
objectives:
  - id: audit-ready
    title: Get ready for the SOC 2 audit
    why: Families trust us with their savings; an audit shows them why they can.
    aligns_to: [mission]
    owner: priya
    key_results:
      - id: controls
        title: Controls documented from 0 to 40
        unit: controls
        baseline: 0
        target: 40
        current: 0
        source: Compliance tracker
        owner: priya
""",
    "goals/teams/risk.yaml": """\
kind: team
id: risk
name: Risk and fraud
parent: trust
lead: raj
objectives:
  - id: stop-fraud-early
    title: Stop fraud before the money moves
    why: A blocked fraudulent transfer costs nothing; a refunded one costs twice.
    type: committed
    aligns_to: [mission]
    owner: raj
    key_results:
      - id: losses
        title: Fraud losses from 14 to 10 basis points
        unit: bps
        baseline: 14
        target: 10
        current: 14
        source: Risk monthly loss report
        owner: raj
      - id: false-positives
        title: Keep false-positive blocks under 2% of transfers
        unit: "%"
        keep: {max: 2}
        current: 2.6
        source: Fraud engine decision log
        owner: raj
""",
}
Q3_SCRIPT = """
2026-07-20 ines  harbor/first-deposits/net-deposits             68    -    July deposits
2026-08-14 priya trust/audit-ready/controls                     22    -    Access and change controls written up
2026-08-18 raj   risk/stop-fraud-early/losses                   13    -    Device fingerprinting live
2026-08-25 ines  harbor/first-deposits/net-deposits             74    -    August deposits
2026-09-15 ines  harbor/launch-plans/plans-live                 done  -    Plans on for every new account
2026-09-22 raj   risk/stop-fraud-early/losses                   12    -    Velocity rules on card funding
2026-09-22 raj   risk/stop-fraud-early/false-positives          2.3   -    Rules tuned, still above 2%
2026-09-28 ines  harbor/first-deposits/net-deposits             80    -    Quarter-end deposits
2026-09-29 priya trust/audit-ready/controls                     31    -    Vendor and HR controls
"""
Q3_CLOSE = "2026-09-30"


@dataclass(frozen=True, slots=True)
class Step:
    date: str
    who: str
    ref: str
    value: str
    confidence: str | None
    note: str


def steps(script: str = SCRIPT) -> list[Step]:
    parsed = []
    for line in script.strip().splitlines():
        date, who, ref, value, confidence, note = line.split(None, 5)
        parsed.append(Step(date, who, ref, value, None if confidence == "-" else confidence, note))
    return parsed


class _Repo:
    def __init__(self, root: Path) -> None:
        self.root = root

    def git(
        self, *args: str, date: str | None = None, who: str = "maria", stdin: str | None = None
    ) -> None:
        name, email = PEOPLE[who], f"{who}@harbor.example"
        env = {
            "GIT_AUTHOR_NAME": name,
            "GIT_AUTHOR_EMAIL": email,
            "GIT_COMMITTER_NAME": name,
            "GIT_COMMITTER_EMAIL": email,
        }
        if date is not None:
            stamp = f"{date}T09:30:00+00:00"
            env |= {"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
        git_process.run(self.root, *args, env=env, stdin=stdin or "")


def _locate(root: Path, ref: str) -> tuple[Path, tuple[str | int, ...], bool]:
    """The file, mapping path and milestone-ness of a key result or KPI in the demo."""
    from okrctl.core.graph import build_graph
    from okrctl.store.load import load_repo

    graph = build_graph(load_repo(root))
    if ref in graph.key_results:
        node = graph.key_results[ref]
        return root / node.owner.path, node.path(), node.key_result.milestone
    kpi = graph.kpis[ref]
    return root / kpi.owner.path, kpi.path(), False


def _set(root: Path, ref: str, key: str, value: str) -> Path:
    path, mapping, milestone = _locate(root, ref)
    if key == "current" and milestone:
        key = "done"
        value = "true" if value in ("done", "true") else "false"
    anchors: tuple[str, ...] = (
        ("milestone",) if key == "done" else ("keep", "target", "unit", "title")
    )
    if key == "confidence":
        anchors = ("current", "done")
    path.write_text(set_scalar(path.read_text(), mapping, key, value, anchors))
    return path


def _cut_objective(path: Path, objective_id: str) -> str:
    """Remove one objective's block from a demo file; return the block."""
    text = path.read_text()
    start = text.index(f"  - id: {objective_id}\n")
    following = text.find("\n  - id: ", start + 1)
    end = following + 1 if following >= 0 else len(text)
    path.write_text(text[:start] + text[end:])
    return text[start:end]


def replay(root: Path) -> None:
    """Turn a copy of the demo into a git repository holding its scripted quarter."""
    repo = _Repo(root)
    final = {p: p.read_bytes() for p in (root / "goals").rglob("*.yaml")}
    _, who, late_file, late_id, late_note = LATE_OBJECTIVE
    block = _cut_objective(root / late_file, late_id)
    for ref, value in OPENING.items():
        _set(root, ref, "current", value)
    for ref, value in OPENING_CONFIDENCE.items():
        _set(root, ref, "confidence", value)
    g_date, g_who, g_ref, g_key, g_old, g_new, g_note = GOALPOST
    _set(root, g_ref, g_key, g_old)
    opening = {p: p.read_bytes() for p in (root / "goals").rglob("*.yaml")}
    config = (root / "okrctl.yaml").read_bytes()
    if not (root / ".git").exists():
        repo.git("init", "-q", "-b", "main")
    _quarter_before(repo, root, config)
    for path in (root / "goals").rglob("*.yaml"):  # the Q4 plan, written after the roll
        if path not in opening:
            path.unlink()
    for path, content in opening.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    (root / "okrctl.yaml").write_bytes(config)
    repo.git("add", "-A")
    repo.git(
        "commit",
        "-q",
        "-m",
        "Q4 goals: the company, pillars, teams and people",
        date=START,
        who="ines",
    )
    events: list[tuple[str, int, object]] = [(s.date, 1, s) for s in steps()]
    events += [(g_date, 0, "goalpost"), (LATE_OBJECTIVE[0], 0, "late")]
    for date, _, event in sorted(events, key=lambda e: (e[0], e[1])):
        if event == "goalpost":
            path = _set(root, g_ref, g_key, g_new)
            repo.git("add", str(path))
            repo.git("commit", "-q", "-m", g_note, date=date, who=g_who)
        elif event == "late":
            path = root / late_file
            text = path.read_text()
            marker = "\n  - id: retire-legacy-ledger\n"
            at = text.index(marker) + 1
            path.write_text(text[:at] + block.replace("done: true", "done: false") + text[at:])
            repo.git("add", str(path))
            repo.git("commit", "-q", "-m", f"Add {late_id}: {late_note}", date=date, who=who)
        else:
            assert isinstance(event, Step)
            _commit_step(repo, root, event)
    for path, content in final.items():  # the script ends where the demo is
        if path.read_bytes() != content:
            raise AssertionError(f"the scripted quarter does not end at {path}")


def _quarter_before(repo: _Repo, root: Path, config: bytes) -> None:
    """Q3 in a few commits, closed and rolled into Q4 by okrctl itself on its last day."""
    for path in (root / "goals").rglob("*.yaml"):
        path.unlink()
    for relative, text in Q3_FILES.items():
        (root / relative).write_text(text)
    q3 = config.replace(b"period: 2026-Q4", b"period: 2026-Q3")
    (root / "okrctl.yaml").write_bytes(q3)
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "Q3 goals", date="2026-07-01", who="ines")
    for step in steps(Q3_SCRIPT):
        _commit_step(repo, root, step)
    from okrctl.commands.quarters import close
    from okrctl.commands.roll import roll

    with _as("priya", f"{Q3_CLOSE}T10:00:00+00:00"):
        close(root, "2026-Q3")
    with _as("ines", f"{Q3_CLOSE}T17:00:00+00:00"):
        roll(root, "2026-Q4")


@contextmanager
def _as(who: str, stamp: str) -> Iterator[None]:
    """Who runs an okrctl command of the script, and when: git reads both from the environment
    (a fresh machine may have no git identity at all)."""
    name, email = PEOPLE[who], f"{who}@harbor.example"
    names = {"GIT_AUTHOR_NAME": name, "GIT_COMMITTER_NAME": name}
    names |= {"GIT_AUTHOR_EMAIL": email, "GIT_COMMITTER_EMAIL": email}
    names |= {"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
    saved = {key: os.environ.get(key) for key in names}
    os.environ.update(names)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _commit_step(repo: _Repo, root: Path, step: Step) -> None:
    message = f"checkin({step.ref}): {step.value}"
    if step.value == "=":
        message = f"checkin({step.ref}): unchanged"
        repo.git(
            "commit",
            "-q",
            "--allow-empty",
            "-F",
            "-",
            date=step.date,
            who=step.who,
            stdin=f"{message}\n\n{step.note}\n\nOkr-Checkin: {step.ref}\n",
        )
        return
    path = _set(root, step.ref, "current", step.value)
    if step.confidence is not None:
        _set(root, step.ref, "confidence", step.confidence)
    repo.git("add", str(path))
    repo.git(
        "commit",
        "-q",
        "-F",
        "-",
        date=step.date,
        who=step.who,
        stdin=f"{message}\n\n{step.note}\n\nOkr-Checkin: {step.ref}\n",
    )


def demo_source() -> Path:
    """The demo company: inside the wheel, or at the top of a source checkout."""
    packaged = Path(__file__).parents[1] / "demo_company"
    if (packaged / "okrctl.yaml").is_file():
        return packaged
    checkout = Path(__file__).resolve().parents[3]
    if (checkout / "okrctl.yaml").is_file() and (checkout / "goals").is_dir():
        return checkout
    raise OkrctlError("the demo company is missing from this installation of okrctl")


def build(target: Path) -> Path:
    """A new repository at `target` holding the demo company and its scripted quarter."""
    import shutil

    target = target.resolve()  # git runs inside it: a relative path would be taken twice
    if target.exists() and any(target.iterdir()):
        raise UsageError(f"{target} is not empty: give `okrctl demo` a new folder")
    target.mkdir(parents=True, exist_ok=True)
    source = demo_source()
    shutil.copy(source / "okrctl.yaml", target / "okrctl.yaml")
    shutil.copytree(source / "goals", target / "goals")
    if (source / "data").is_dir():  # what the demo's `measure:` blocks read
        shutil.copytree(source / "data", target / "data")
    write_editor_schemas(target)
    replay(target)
    return target


def write_editor_schemas(root: Path) -> None:
    """`.okrctl/unit.schema.json` and `config.schema.json`, which the files' modelines name:
    the demo validates in an editor as an `okrctl init` repository does."""
    from okrctl.commands.schema import editor_schema

    folder = root / ".okrctl"
    folder.mkdir(exist_ok=True)
    for which in ("unit", "config"):
        (folder / f"{which}.schema.json").write_text(editor_schema(root, which), encoding="utf-8")
