"""Deliver messages: by SMTP (the standard library's `smtplib`, one connection per run), to a
chat webhook (httpx), or as `.eml` files. Every fault is reported per recipient with its cause,
the others still go, and no recipient gets the same message twice in a run. Logins come only
from the environment and never appear in a message."""

from __future__ import annotations

import contextlib
import re
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import getaddresses
from pathlib import Path

from okrctl.model.config import Smtp
from okrctl.model.errors import UsageError

DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    host: str
    port: int
    sender: str
    tls: str
    user: str | None
    password: str | None = field(repr=False)


def smtp_settings(configured: Smtp | None, environ: Mapping[str, str]) -> SmtpSettings:
    """okrctl.yaml's `smtp:`, each setting overridden by its `OKRCTL_SMTP_*` variable."""
    base = configured or Smtp()
    host = environ.get("OKRCTL_SMTP_HOST") or base.host
    sender = environ.get("OKRCTL_SMTP_FROM") or base.sender
    tls = environ.get("OKRCTL_SMTP_TLS") or base.tls
    if not host:
        raise UsageError(
            "no mail server: set `smtp: {host: ...}` in okrctl.yaml or OKRCTL_SMTP_HOST"
        )
    if not sender:
        raise UsageError("no sender: set `smtp: {from: ...}` in okrctl.yaml or OKRCTL_SMTP_FROM")
    if tls not in DEFAULT_PORTS:
        raise UsageError(f"OKRCTL_SMTP_TLS is {tls!r}: use none, starttls or ssl")
    port_text = environ.get("OKRCTL_SMTP_PORT")
    if port_text is not None and not port_text.isdigit():
        raise UsageError(f"OKRCTL_SMTP_PORT is {port_text!r}: give a port number")
    port = int(port_text) if port_text else base.port or DEFAULT_PORTS[tls]
    user = environ.get("OKRCTL_SMTP_USER") or (
        environ.get(base.user_env) if base.user_env else None
    )
    password = environ.get("OKRCTL_SMTP_PASSWORD") or (
        environ.get(base.password_env) if base.password_env else None
    )
    return SmtpSettings(host, port, sender, tls, user, password)


@dataclass(frozen=True, slots=True)
class Delivery:
    """What happened to one message for one recipient."""

    recipient: str
    subject: str
    error: str | None = None

    @property
    def sent(self) -> bool:
        return self.error is None


def send_all(
    messages: list[EmailMessage], settings: SmtpSettings, *, timeout: float = 30.0
) -> list[Delivery]:
    """Send each message over one connection; a fault is reported for the recipients it hit."""
    secrets = [s for s in (settings.password,) if s]
    pending = [(message, recipients_of(message)) for message in messages]
    try:
        connection = _connect(settings, timeout)
    except (OSError, smtplib.SMTPException, ssl.SSLError) as error:
        why = _redact(_cause(error, settings), secrets)
        return [
            Delivery(recipient, str(message["Subject"]), why)
            for message, recipients in pending
            for recipient in recipients
        ]
    deliveries: list[Delivery] = []
    try:
        for message, recipients in pending:
            subject = str(message["Subject"])
            try:
                refused = connection.send_message(message, settings.sender, recipients)
            except smtplib.SMTPRecipientsRefused as error:
                refused = error.recipients
            except (OSError, smtplib.SMTPException) as error:
                why = _redact(_cause(error, settings), secrets)
                deliveries += [Delivery(r, subject, why) for r in recipients]
                continue
            for recipient in recipients:
                if recipient in refused:
                    code, reply = refused[recipient]
                    why = f"the server refused the recipient ({code} {_text(reply)})"
                    deliveries.append(Delivery(recipient, subject, why))
                else:
                    deliveries.append(Delivery(recipient, subject))
    finally:
        with contextlib.suppress(OSError, smtplib.SMTPException):
            connection.quit()
    return deliveries


def _connect(settings: SmtpSettings, timeout: float) -> smtplib.SMTP:
    context = ssl.create_default_context()
    connection: smtplib.SMTP
    if settings.tls == "ssl":
        connection = smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=timeout, context=context
        )
    else:
        connection = smtplib.SMTP(settings.host, settings.port, timeout=timeout)
        if settings.tls == "starttls":
            connection.starttls(context=context)
    if settings.user:
        try:
            connection.login(settings.user, settings.password or "")
        except smtplib.SMTPException:
            connection.close()
            raise
    return connection


def _cause(error: BaseException, settings: SmtpSettings) -> str:
    where = f"{settings.host}:{settings.port}"
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return (
            f"the server at {where} refused the login ({error.smtp_code} {_text(error.smtp_error)})"
        )
    if isinstance(error, ConnectionRefusedError):
        return f"nothing answers at {where} (connection refused)"
    if isinstance(error, ssl.SSLError):
        return f"the TLS handshake with {where} failed: {error.reason or error}"
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return f"the server at {where} does not offer STARTTLS; set `tls: none` or `ssl`"
    if isinstance(error, TimeoutError):
        return f"the server at {where} did not answer in time"
    if isinstance(error, smtplib.SMTPResponseException):
        return f"the server at {where} answered {error.smtp_code} {_text(error.smtp_error)}"
    return f"cannot send through {where}: {error}"


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def _redact(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "***")
    return text


def recipients_of(message: EmailMessage) -> list[str]:
    """Each address once, whatever the headers repeat: nobody gets a message twice."""
    seen: list[str] = []
    for _, address in getaddresses([str(v) for v in message.get_all("To", [])]):
        if address and address not in seen:
            seen.append(address)
    return seen


def write_eml(folder: Path, messages: list[EmailMessage]) -> list[Path]:
    """Each message as an `.eml` file, named after its number and recipients."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for number, message in enumerate(messages, start=1):
        who = "-".join(recipients_of(message)) or "nobody"
        name = f"{number:03d}-{re.sub(r'[^A-Za-z0-9@.+-]+', '_', who)[:80]}.eml"
        path = folder / name
        path.write_bytes(bytes(message))
        written.append(path)
    return written


def post_webhook(url: str, text: str, *, timeout: float = 30.0) -> str | None:
    """Post `{"text": text}` (Slack, Mattermost, Teams); None, or why it failed."""
    import httpx

    try:
        response = httpx.post(url, json={"text": text}, timeout=timeout)
    except httpx.TimeoutException:
        return f"the webhook did not answer within {timeout:g} s"
    except httpx.HTTPError as error:
        return f"the webhook could not be reached: {error}"
    if response.status_code >= 400:
        return f"the webhook answered HTTP {response.status_code} {response.reason_phrase}".rstrip()
    return None

