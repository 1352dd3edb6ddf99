"""`okrctl send digest` and `okrctl send nudges` as library calls: gather (views), compose
(`render.mail`), deliver (`store.mail`): by SMTP, to a chat webhook, or as `.eml` files. A
fault hits only the recipients it concerns; the result says who got what."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from email.message import EmailMessage
from pathlib import Path

from okrctl.model.config import Smtp
from okrctl.model.errors import UsageError
from okrctl.store.mail import Delivery
from okrctl.store.workspace import Workspace

WEBHOOK = "the webhook"


@dataclass(slots=True)
class Sent:
    planned: list[tuple[str, str]] = field(default_factory=list)
    """(recipient, subject) of every message, sent or not."""
    deliveries: list[Delivery] = field(default_factory=list)
    webhook_error: str | None = None
    webhook_posted: bool = False
    without_address: list[str] = field(default_factory=list)
    """Owners to nudge that okrctl has no address for."""
    refused: list[tuple[str, str]] = field(default_factory=list)
    """(address, why) for each address that cannot be sent to; the others are still sent."""
    written: list[Path] = field(default_factory=list)
    dry_run: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        failed = any(not d.sent for d in self.deliveries)
        problems = failed or self.webhook_error or self.without_address or self.refused
        return 1 if problems else 0


def send_digest(
    repo: Workspace | Path | str | None,
    to: list[str],
    *,
    scope: str | None = None,
    template: str = "company",
    as_of: date | None = None,
    webhook: str | None = None,
    dry_run: bool = False,
    out: Path | None = None,
    timeout: float = 30.0,
    environ: Mapping[str, str] | None = None,
) -> Sent:
    """The report as one email to `to` (and its summary to `webhook`)."""
    from okrctl.commands.report import report
    from okrctl.render.mail import digest_message, digest_summary
    from okrctl.render.report_context import build_context

    environ = os.environ if environ is None else environ
    webhook = webhook or environ.get("OKRCTL_WEBHOOK_URL") or None
    if not to and not webhook:
        raise UsageError("nobody to send to: give --to ADDRESS, or --webhook URL")
    _check_timeout(timeout)
    request = report(repo, scope, template=template, as_of=as_of)
    context = build_context(request)  # once, for the email and the webhook's summary
    result = Sent(dry_run=dry_run, notes=list(request.snapshot.notes))
    to = _usable(result, to)
    messages: list[EmailMessage] = []
    if to:
        sender = _sender(request.snapshot.repository.config.config.smtp, environ, dry_run or out)
        message, clipped = digest_message(request, context, sender, to)
        messages.append(message)
        if clipped:
            result.notes.append(clipped)
    smtp = request.snapshot.repository.config.config.smtp
    _deliver(result, messages, smtp, environ, out, timeout)
    if webhook:
        # a webhook's URL is its secret: it is never printed
        result.planned.append((WEBHOOK, "the digest's summary"))
        if not dry_run:
            from okrctl.store.mail import post_webhook

            result.webhook_error = post_webhook(
                webhook, digest_summary(request, context), timeout=timeout
            )
            result.webhook_posted = result.webhook_error is None
    return result


def send_nudges(
    repo: Workspace | Path | str | None,
    *,
    scope: str | None = None,
    as_of: date | None = None,
    dry_run: bool = False,
    out: Path | None = None,
    timeout: float = 30.0,
    environ: Mapping[str, str] | None = None,
) -> Sent:
    """One email to each owner whose key results or KPIs went quiet."""
    from okrctl.render.mail import nudge_message
    from okrctl.views.nudges import nudges

    environ = os.environ if environ is None else environ
    _check_timeout(timeout)
    found = nudges(repo, scope, as_of=as_of)
    result = Sent(dry_run=dry_run, notes=list(found.notes))
    result.without_address = [n.handle for n in found.nudges if n.address is None]
    usable = set(_usable(result, [n.address for n in found.nudges if n.address is not None]))
    reachable = [n for n in found.nudges if n.address in usable]
    if found.unowned:
        refs = ", ".join(q.ref for q in found.unowned)
        result.notes.append(f"stale, with no owner or lead to nudge: {refs}")
    if reachable:
        sender = _sender(found.smtp, environ, dry_run or out)
        messages = [nudge_message(n, found, sender) for n in reachable]
        _deliver(result, messages, found.smtp, environ, out, timeout)
    return result


def _usable(result: Sent, addresses: list[str]) -> list[str]:
    """The addresses that can be sent to; each other one is refused by name, with why."""
    from okrctl.render.mail import address_problem

    usable = []
    for address in addresses:
        problem = address_problem(address)
        if problem is None:
            usable.append(address)
        else:
            result.refused.append((address, problem))
    return usable


def _deliver(
    result: Sent,
    messages: list[EmailMessage],
    smtp: Smtp | None,
    environ: Mapping[str, str],
    out: Path | None,
    timeout: float,
) -> None:
    from okrctl.store.mail import recipients_of, send_all, smtp_settings, write_eml

    for message in messages:
        result.planned += [(r, str(message["Subject"])) for r in recipients_of(message)]
    if not messages:
        return
    if out is not None:
        result.written = write_eml(out, messages)
    if result.dry_run or out is not None:
        return
    settings = smtp_settings(smtp, environ)
    result.deliveries = send_all(messages, settings, timeout=timeout)


def _sender(smtp: Smtp | None, environ: Mapping[str, str], offline: object) -> str:
    """The From address; a dry run or `--out` needs no server, so a placeholder will do."""
    found = environ.get("OKRCTL_SMTP_FROM") or (smtp.sender if smtp else None)
    if found:
        return str(found)
    if offline:
        return "okrctl <okrctl@localhost>"
    raise UsageError("no sender: set `smtp: {from: ...}` in okrctl.yaml or OKRCTL_SMTP_FROM")


def _check_timeout(timeout: float) -> None:
    if not timeout > 0:
        raise UsageError("--timeout must be a positive number of seconds")
