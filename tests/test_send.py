"""`okrctl send`: digests and nudges received by a real SMTP server (aiosmtpd on 127.0.0.1,
STARTTLS and AUTH included) and a real webhook server, parsed back with the `email` package;
every fault reported per recipient while the rest still go."""

from __future__ import annotations

import json
import re
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import ClassVar

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from conftest import BASE, CONFIG, QuietHTTPServer, pillar_with, run_cli

AS_OF = "2026-11-14"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Inbox:
    """What the server accepted: one (envelope recipients, message) per delivery."""

    def __init__(self, refuse: set[str] | None = None) -> None:
        self.received: list[tuple[list[str], EmailMessage]] = []
        self.refuse = refuse or set()

    async def handle_RCPT(self, server, session, envelope, address, options):
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.received.append((list(envelope.rcpt_tos), message))
        return "250 OK"


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


def serve(inbox: Inbox, **options) -> tuple[Controller, int]:
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **options)
    controller.start()
    return controller, port


def use_server(monkeypatch, port: int, tls: str) -> None:
    """Point okrctl at a mail server on 127.0.0.1, by the environment as a CI job would."""
    monkeypatch.setenv("OKRCTL_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("OKRCTL_SMTP_PORT", str(port))
    monkeypatch.setenv("OKRCTL_SMTP_TLS", tls)
    monkeypatch.setenv("OKRCTL_SMTP_FROM", "OKRs <okrs@example.com>")


def tls_context(ca: trustme.CA, monkeypatch, folder: Path) -> ssl.SSLContext:
    """A server certificate for 127.0.0.1 from `ca`, which the client trusts (SSL_CERT_FILE)."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    bundle = folder / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    return context


@pytest.fixture
def smtp(monkeypatch) -> Iterator[Inbox]:
    """A plain SMTP server (no TLS) and the environment that points okrctl at it."""
    inbox = Inbox(refuse={"nobody@example.com"})
    controller, port = serve(inbox)
    use_server(monkeypatch, port, "none")
    yield inbox
    controller.stop()


def body(message: EmailMessage, kind: str) -> str:
    part = message.get_body(preferencelist=(kind,))
    assert part is not None
    return str(part.get_content())


def test_the_digest_is_one_message_with_text_html_and_chart_images(quarter, smtp):
    result = run_cli(
        "send",
        "digest",
        "signups",
        "--template",
        "team",
        "--repo",
        quarter,
        "--as-of",
        AS_OF,
        "--to",
        "maria@example.com",
        "--to",
        "sam@example.com",
        "--to",
        "maria@example.com",
    )
    assert result.exit_code == 0, result.stderr
    [(recipients, message)] = smtp.received
    assert recipients == ["maria@example.com", "sam@example.com"]  # each once
    assert message["Subject"] == "Harbor Invest — 2026-Q4 — 2026-11-14"
    assert message["From"] == "OKRs <okrs@example.com>"
    text, html = body(message, "plain"), body(message, "html")
    assert "Raise funded conversion from 38% to 45%" in text and "40.5%" in text
    assert "40.5%" in html and 'style="' in html and "<svg" not in html
    images = [p for p in message.walk() if p.get_content_type() == "image/png"]
    assert len(images) >= 1
    cid = images[0]["Content-ID"].strip("<>")
    assert f'src="cid:{cid}"' in html
    assert images[0].get_content().startswith(b"\x89PNG")
    assert result.stdout.splitlines() == [
        "sent to maria@example.com: Harbor Invest — 2026-Q4 — 2026-11-14",
        "sent to sam@example.com: Harbor Invest — 2026-Q4 — 2026-11-14",
    ]


def test_nudges_go_one_per_owner_with_the_command_to_run(quarter, smtp):
    result = run_cli("send", "nudges", "--repo", quarter, "--as-of", "2026-11-20")
    assert result.exit_code == 0, result.stderr
    by_person = {recipients[0]: message for recipients, message in smtp.received}
    assert len(by_person) == len(smtp.received)  # one message per person
    tom = by_person["tom@harbor.example"]
    text = body(tom, "plain")
    assert (
        tom["Subject"].startswith("Harbor Invest: ") and "to check in (2026-Q4)" in tom["Subject"]
    )
    assert "okrctl checkin signups/effortless-funding/funded-rate 40.5" in text
    assert "40.5%, last check-in 2026-11-06, 14 days ago\r\n" in text
    ben = body(by_person["ben@harbor.example"], "plain")
    never = "(key result platform/on-call-skills/game-days): no value yet, no check-in in 50 days"
    assert never + "\r\n" in ben
    assert "okrctl checkin signups/effortless-funding/funded-rate 40.5" in body(tom, "html")
    assert text.startswith("Hi Tom Lindqvist,\r\n")  # his person file's name, not "Hi tom"
    assert "<p>Hi Tom Lindqvist,</p>" in body(tom, "html")
    ana = body(by_person["ana@harbor.example"], "plain")
    assert ana.startswith("Hi Ana Costa,\r\n")  # no person file: the name git knows her by


def test_a_nudge_greets_by_the_name_git_knows_for_the_address_else_the_handle(tmp_path):
    """The newest commit's name, as `.mailmap` shows it, matched on the bare address whatever
    its case; a name's control characters shown as pictures; never committed: the handle."""
    from gitrepo import GitRepo

    repo = GitRepo(tmp_path / "okrs")
    config = CONFIG + (
        'emails: {maria: "Maria <MARIA@example.com>", ines: ines@example.com, '
        "sam: sam@example.com}\n"
    )
    owners = {
        "goals/company.yaml": ("        source: finance report\n", "ines"),
        "goals/pillars/growth.yaml": ("        source: funnel dashboard\n", "maria"),
    }
    files = dict(BASE, **{"okrctl.yaml": config})
    for path, (line, owner) in owners.items():
        files[path] = files[path].replace(line, f"{line}        owner: {owner}\n")
    repo.commit(files, "2026-09-01", "goals")  # by Maria Lopez <maria@example.com>
    repo.commit({".mailmap": "María López <maria@example.com>\n"}, "2026-09-02", "mailmap")
    hostile = "Mal\x1b[31mlory <ines@example.com>"
    repo.git("commit", "-q", "--allow-empty", "-m", "x", "--author", hostile, date="2026-09-03")
    out = tmp_path / "mail"
    result = run_cli("send", "nudges", "--repo", repo.root, "--as-of", AS_OF, "--out", out)
    assert result.exit_code == 0, result.stderr
    greetings = {}
    for path in sorted(out.glob("*.eml")):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        greetings[message["To"]] = body(message, "plain").splitlines()[0]
    assert greetings == {
        "ines@example.com": "Hi Mal\u241b[31mlory,",
        "Maria <MARIA@example.com>": "Hi María López,",
        "sam@example.com": "Hi sam,",
    }


def test_a_nudge_counts_the_days_since_the_date_it_shows(tmp_path):
    """Checked in 15 days ago at 23:59:59 UTC: 14 whole days and some hours have gone by (stale
    after 14), and the mail said "silent for 14 days (last check-in: DATE)" beside a date 15
    days back on the calendar; it now counts from the date it shows, as `show` does."""
    from datetime import UTC, datetime, timedelta

    from gitrepo import GitRepo

    now = datetime.now(UTC)
    begun = now - timedelta(days=90)  # a fiscal year that began three months or so ago
    month = begun.month
    config = f"company: Acme\nperiod: {begun.year + (month > 1)}\nfiscal_year_start: {month}\n"
    config += (
        "emails: {maria: maria@example.com, ines: ines@example.com, sam: sam@example.com}\n"
    )
    files = dict(BASE, **{"okrctl.yaml": config})
    files["goals/company.yaml"] = files["goals/company.yaml"].replace(
        "        source: finance report\n", "        source: finance report\n        owner: ines\n"
    )
    repo = GitRepo(tmp_path / "okrs")
    repo.commit(files, begun.replace(day=1, hour=12).isoformat())
    then = (now - timedelta(days=15)).replace(hour=23, minute=59, second=59, microsecond=0)
    repo.commit({"goals/pillars/growth.yaml": pillar_with(31)}, then.isoformat(), "checkin")
    out = tmp_path / "mail"
    result = run_cli("send", "nudges", "--repo", repo.root, "--out", out)
    assert result.exit_code == 0, result.stderr
    mails = {}
    for path in sorted(out.glob("*.eml")):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        mails[message["To"]] = body(message, "plain")
    day = then.date().isoformat()
    assert f"(key result growth/convert/rate): 31, last check-in {day}, 15 days ago\n" in (
        mails["maria@example.com"]
    )
    first = begun.date().replace(day=1)
    assert (
        f"(key result acme/grow/deposits): 12, last check-in {first.isoformat()}, "
        f"{(now.date() - first).days} days ago\n"
    ) in mails["ines@example.com"]


def test_an_owner_without_an_address_is_named_and_the_others_still_get_theirs(tmp_path, smtp):
    from gitrepo import GitRepo

    repo = GitRepo(tmp_path / "okrs")
    config = CONFIG + "emails: {maria: maria@example.com}\n"
    company = BASE["goals/company.yaml"].replace(
        "        source: finance report\n", "        source: finance report\n        owner: ines\n"
    )
    pillar = BASE["goals/pillars/growth.yaml"].replace(
        "        source: funnel dashboard\n",
        "        source: funnel dashboard\n        owner: maria\n",
    )
    repo.commit(
        {
            **BASE,
            "okrctl.yaml": config,
            "goals/company.yaml": company,
            "goals/pillars/growth.yaml": pillar,
        },
        "2026-10-01",
    )
    result = run_cli("send", "nudges", "--repo", repo.root, "--as-of", AS_OF)
    assert result.exit_code == 1
    assert "no address for ines" in result.stderr
    assert [r for r, _ in smtp.received] == [["maria@example.com"]]


def test_dry_run_and_out_send_nothing(quarter, smtp, tmp_path):
    dry = run_cli(
        "send", "digest", "--repo", quarter, "--as-of", AS_OF, "--to", "a@example.com", "--dry-run"
    )
    assert dry.exit_code == 0
    assert dry.stdout == "would send to a@example.com: Harbor Invest — 2026-Q4 — 2026-11-14\n"
    assert dry.stderr == ""  # the demo's digest (48 KB of HTML) is shown whole
    out = tmp_path / "mail"
    written = run_cli("send", "nudges", "--repo", quarter, "--as-of", "2026-11-20", "--out", out)
    assert written.exit_code == 0
    files = sorted(out.glob("*.eml"))
    assert files and all(f.name.endswith("@harbor.example.eml") for f in files)
    parsed = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert parsed["To"].endswith("@harbor.example")
    assert smtp.received == []


def test_a_digest_gmail_would_clip_is_sent_with_a_note_of_where_it_is_cut(tmp_path, smtp):
    """Gmail shows 102 KB of a message's HTML: a company of 300 teams gets its digest whole,
    the sender is told where readers' view ends, and who could use help and what changed come
    before the long table of every objective, inside what is shown."""
    from conftest import TEAM
    from gitrepo import GitRepo

    repo = GitRepo(tmp_path / "okrs")
    squads = {f"goals/teams/squad-{n:03}.yaml": TEAM for n in range(300)}
    repo.commit({**BASE, **squads}, "2026-10-01")
    result = run_cli(
        "send", "digest", "--repo", repo.root, "--as-of", AS_OF, "--to", "a@example.com"
    )
    assert result.exit_code == 0, result.stderr
    [(_, message)] = smtp.received
    page = body(message, "html").replace("\r\n", "\n").encode()  # (as rendered, in LF)
    assert page.rindex(b"squad-299") > 102_000  # sent whole: the cut is Gmail's doing
    assert page.index(b"Who could use help") < page.index(b"What changed") < 102_000
    assert result.stderr == (
        f"okrctl: note: the digest's HTML is {len(page) / 1000:.0f} KB and Gmail shows only its"
        " first 102 KB: it cuts the digest short in “Every pillar and team against its"
        " targets”; send a digest per pillar or team (okrctl send digest SCOPE), or mail a link"
        " to `okrctl site`\n"
    )


def test_the_clipping_note_names_the_sections_nobody_will_see():
    from okrctl.render.mail import clipping_note

    section = "<h2 style='x'>{}</h2><p>" + "x" * 60_000 + "</p>"
    titles = ("Top", "Long &amp; wide", "Help", "Changes")
    page = "".join(section.format(t) for t in titles)
    assert clipping_note(page) == (
        "the digest's HTML is 240 KB and Gmail shows only its first 102 KB: it cuts the digest"
        " short in “Long & wide”, and “Help” and “Changes” go unseen; send a digest per pillar"
        " or team (okrctl send digest SCOPE), or mail a link to `okrctl site`"
    )
    assert clipping_note(page[:102_000]) is None
    one_unseen = clipping_note("".join(section.format(t) for t in titles[:3]))
    assert "short in “Long & wide”, and “Help” goes unseen;" in (one_unseen or "")
    hostile = "<h2>Red\x1b[31m</h2>" + "x" * 110_000  # a template's heading, to a terminal
    assert "short in “Red [31m”;" in (clipping_note(hostile) or "")


def test_a_refused_recipient_is_reported_and_the_others_still_get_it(quarter, smtp):
    result = run_cli(
        "send",
        "digest",
        "--repo",
        quarter,
        "--as-of",
        AS_OF,
        "--to",
        "nobody@example.com",
        "--to",
        "ok@example.com",
    )
    assert result.exit_code == 1
    assert "not sent to nobody@example.com: the server refused the recipient (550" in result.stderr
    assert [r for r, _ in smtp.received] == [["ok@example.com"]]


def test_connection_refused_is_reported_per_recipient(quarter, monkeypatch):
    use_server(monkeypatch, free_port(), "none")
    result = run_cli(
        "send", "digest", "--repo", quarter, "--to", "a@example.com", "--to", "b@example.com"
    )
    assert result.exit_code == 1
    lines = [x for x in result.stderr.splitlines() if "not sent" in x]
    assert len(lines) == 2 and all("(connection refused)" in x for x in lines)


@pytest.fixture
def tls_server(ca, monkeypatch, tmp_path) -> Iterator[tuple[Inbox, int]]:
    """STARTTLS required, and AUTH only after it; the CA trusted through SSL_CERT_FILE."""
    context = tls_context(ca, monkeypatch, tmp_path)

    def authenticate(server, session, envelope, mechanism, data):
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            b"okrctl",
            b"s3cret-pass",
        )
        return AuthResult(success=ok, handled=False)  # a refusal answers 535

    inbox = Inbox()
    controller, port = serve(
        inbox,
        tls_context=context,
        require_starttls=True,
        authenticator=authenticate,
        auth_require_tls=True,
    )
    use_server(monkeypatch, port, "starttls")
    monkeypatch.setenv("OKRCTL_SMTP_USER", "okrctl")
    yield inbox, port
    controller.stop()


def test_starttls_and_auth(quarter, tls_server, monkeypatch):
    inbox, _ = tls_server
    monkeypatch.setenv("OKRCTL_SMTP_PASSWORD", "s3cret-pass")
    result = run_cli("send", "digest", "--repo", quarter, "--as-of", AS_OF, "--to", "a@example.com")
    assert result.exit_code == 0, result.stderr
    assert [r for r, _ in inbox.received] == [["a@example.com"]]


def test_a_refused_login_is_reported_without_the_password(quarter, tls_server, monkeypatch):
    inbox, port = tls_server
    monkeypatch.setenv("OKRCTL_SMTP_PASSWORD", "wrong-hunter2")
    result = run_cli("send", "digest", "--repo", quarter, "--to", "a@example.com")
    assert result.exit_code == 1
    assert f"the server at 127.0.0.1:{port} refused the login (535" in result.stderr
    assert "hunter2" not in result.stdout + result.stderr
    assert inbox.received == []


def test_a_certificate_nobody_trusts_fails_the_handshake(quarter, tls_server, monkeypatch):
    inbox, port = tls_server
    monkeypatch.setenv("SSL_CERT_FILE", str(Path(__file__)))  # no CA in it
    monkeypatch.setenv("OKRCTL_SMTP_PASSWORD", "s3cret-pass")
    result = run_cli("send", "digest", "--repo", quarter, "--to", "a@example.com")
    assert result.exit_code == 1
    assert f"the TLS handshake with 127.0.0.1:{port} failed: CERTIFICATE_VERIFY_FAILED" in (
        result.stderr
    )
    assert inbox.received == []


class Hook(BaseHTTPRequestHandler):
    posts: ClassVar[list[dict]] = []

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        payload = json.loads(self.rfile.read(length))
        if self.path == "/slow":
            time.sleep(3)
        status = 500 if self.path == "/broken" else 200
        if status == 200:
            Hook.posts.append(payload)
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def hook() -> Iterator[str]:
    server = QuietHTTPServer(("127.0.0.1", 0), Hook)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_webhook_gets_the_summary_as_text(quarter, hook, monkeypatch):
    Hook.posts.clear()
    monkeypatch.setenv("OKRCTL_WEBHOOK_URL", f"{hook}/okrs")
    result = run_cli("send", "digest", "--repo", quarter, "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "posted the summary to the webhook\n"
    [payload] = Hook.posts
    assert set(payload) == {"text"}
    lines = payload["text"].splitlines()
    assert lines[0] == "*Harbor Invest — 2026-Q4 — 2026-11-14*"
    assert "🟢 Grow net deposits to $120M: 0.43 (on track)" in lines
    assert lines[-1] == "Needs attention: 2 objectives off track, 9 numbers stale"
    assert hook not in result.stdout + result.stderr  # a webhook URL is a secret


def test_the_summary_counts_in_words_that_agree(tmp_path, hook, monkeypatch):
    """One of each is said in the singular ("1 objectives off track" was said)."""
    from gitrepo import GitRepo

    company = (
        BASE["goals/company.yaml"]
        .replace(
            "    why: Deposits fund plans.\n",
            "    why: Deposits fund plans.\n    type: committed\n",
        )
        .replace("current: 12", "current: 10")
    )
    repo = GitRepo(tmp_path / "okrs")
    repo.commit({"okrctl.yaml": CONFIG, "goals/company.yaml": company}, "2026-10-01")
    critical = company.replace("    current: 3.2\n", "    current: 2.5\n")
    repo.commit({"goals/company.yaml": critical}, "2026-11-10")  # the KPI checked in, critical
    Hook.posts.clear()
    monkeypatch.setenv("OKRCTL_WEBHOOK_URL", f"{hook}/okrs")
    result = run_cli("send", "digest", "--repo", repo.root, "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    [payload] = Hook.posts
    assert payload["text"].splitlines()[-1] == (
        "Needs attention: 1 objective off track, 1 KPI critical, 1 number stale"
    )


@pytest.mark.parametrize(
    ("path", "cause"),
    [("/broken", "the webhook answered HTTP 500"), ("/slow", "did not answer within 1 s")],
)
@pytest.mark.slow
def test_a_failing_webhook_is_reported(quarter, hook, path, cause):
    result = run_cli(
        "send",
        "digest",
        "--repo",
        quarter,
        "--as-of",
        AS_OF,
        "--webhook",
        f"{hook}{path}",
        "--timeout",
        "1",
    )
    assert result.exit_code == 1
    assert cause in result.stderr


def test_implicit_tls(quarter, ca, monkeypatch, tmp_path):
    inbox = Inbox()
    controller, port = serve(inbox, ssl_context=tls_context(ca, monkeypatch, tmp_path))
    use_server(monkeypatch, port, "ssl")
    try:
        result = run_cli("send", "digest", "--repo", quarter, "--to", "a@example.com")
    finally:
        controller.stop()
    assert result.exit_code == 0, result.stderr
    assert [r for r, _ in inbox.received] == [["a@example.com"]]


def test_out_is_relative_to_where_it_runs(quarter, tmp_path, monkeypatch):
    root = tmp_path / "demo"
    subprocess.run(["git", "clone", "-q", str(quarter), str(root)], check=True)
    monkeypatch.chdir(root / "goals" / "teams")  # the repository is found upward
    result = run_cli("send", "nudges", "--as-of", "2026-11-20", "--out", "mail")
    assert result.exit_code == 0, result.stderr
    written = sorted((root / "goals/teams/mail").glob("*.eml"))
    assert written and result.stdout.count("wrote for ") == len(written)


@pytest.mark.parametrize("breaks", ["\r\n", "\x85"])  # (NEL: an 8-bit control, a C1)
def test_a_line_break_in_an_address_or_the_company_forges_no_header(tmp_path, smtp, breaks):
    from gitrepo import GitRepo

    repo = GitRepo(tmp_path / "okrs")
    config = 'company: "Acme\\nBcc: spy@example.com"\nperiod: 2026-Q4\n'
    repo.commit({**BASE, "okrctl.yaml": config}, "2026-10-01")
    evil = f"evil@example.com{breaks}Bcc: spy@example.com"
    result = run_cli(
        "send", "digest", "--repo", repo.root, "--as-of", AS_OF,
        "--to", evil, "--to", "ok@example.com",
    )  # fmt: skip
    assert result.exit_code == 1
    assert result.stderr == (
        f"okrctl: not sent to {evil!r}: it holds a line break or another control character\n"
    )
    assert [r for r, _ in smtp.received] == [["ok@example.com"]]
    message = smtp.received[0][1]
    assert message["Subject"] == f"Acme Bcc: spy@example.com — 2026-Q4 — {AS_OF}"
    assert message["Bcc"] is None


def test_nudges_refuse_a_bad_address_by_name_and_send_the_others(tmp_path, smtp):
    from gitrepo import GitRepo

    repo = GitRepo(tmp_path / "okrs")
    bad = '"ines@example.com\\nBcc: x@y.z"'
    config = CONFIG + f'emails: {{maria: "maria@example.com", ines: {bad}}}\n'
    company = BASE["goals/company.yaml"].replace(
        "        source: finance report\n", "        source: finance report\n        owner: ines\n"
    )
    pillar = BASE["goals/pillars/growth.yaml"].replace(
        "        source: funnel dashboard\n",
        "        source: funnel dashboard\n        owner: maria\n",
    )
    files = {**BASE, "okrctl.yaml": config, "goals/company.yaml": company}
    repo.commit({**files, "goals/pillars/growth.yaml": pillar}, "2026-10-01")
    result = run_cli("send", "nudges", "--repo", repo.root, "--as-of", AS_OF)
    assert result.exit_code == 1
    assert "okrctl: not sent to 'ines@example.com\\nBcc: x@y.z': it holds a line break" in (
        result.stderr
    )
    assert [r for r, _ in smtp.received] == [["maria@example.com"]]


def test_the_date_header_carries_the_senders_offset(quarter, smtp, monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Kolkata")  # +0530 all year: no daylight saving to guess
    time.tzset()
    try:
        result = run_cli(
            "send", "digest", "--repo", quarter, "--as-of", AS_OF, "--to", "a@example.com"
        )
    finally:
        monkeypatch.undo()
        time.tzset()
    assert result.exit_code == 0, result.stderr
    [(_, message)] = smtp.received
    assert str(message["Date"]).endswith("+0530")


def test_the_company_digest_charts_the_company_objectives_as_images_that_fit_a_phone(
    quarter, smtp
):
    """The default digest: each company key result with two or more numeric check-ins is a PNG
    (never inline SVG, which Gmail and Outlook drop), as wide as the message up to 640 px."""
    result = run_cli(
        "send", "digest", "--repo", quarter, "--as-of", AS_OF, "--to", "all@example.com"
    )
    assert result.exit_code == 0, result.stderr
    [(_, message)] = smtp.received
    html = body(message, "html")
    assert "<svg" not in html
    images = [p for p in message.walk() if p.get_content_type() == "image/png"]
    tags = re.findall(r"<img [^>]*>", html)
    assert len(tags) == len(images) >= 2
    for tag in tags:
        assert 'src="cid:' in tag
        assert "width:100%" in tag and "max-width:640px" in tag and "height:auto" in tag
    charted = re.findall(r'<img [^>]*alt="([^"]*)"', html)
    assert "Net deposits from $80M to $120M" in charted, charted


def test_report_html_is_for_browsers_and_its_charts_scale_down(quarter):
    page = run_cli(
        "report", "signups", "--repo", quarter, "--as-of", AS_OF, "--format", "html"
    ).stdout
    assert page.count("<svg") >= 1
    assert all("max-width:100%" in s for s in re.findall(r"<svg [^>]*>", page))


def test_a_nudge_on_the_day_a_number_went_stale_says_more_than_the_limit(quarter, tmp_path):
    """Never checked in since the quarter's goals were committed on Oct 1, a number is 14 days
    and some hours quiet when Oct 15 ends: stale, and the mail said "no check-in in 14 days"
    beside "stale after 14 days"; it says "more than 14 days"."""
    out = tmp_path / "mail"
    result = run_cli("send", "nudges", "--repo", quarter, "--as-of", "2026-10-15", "--out", out)
    assert result.exit_code == 0, result.stderr
    texts = [
        body(message_from_bytes(path.read_bytes(), policy=policy.default), "plain")
        for path in out.glob("*.eml")
    ]
    never = "(key result platform/on-call-skills/game-days): no value yet, no check-in in more"
    assert any(never + " than 14 days\n" in text for text in texts)
