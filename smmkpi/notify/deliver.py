"""Sending: email over SMTP (smtplib) and a JSON POST to a Slack-compatible incoming webhook
(urllib). Each returns None when the message was accepted, else the reason in a sentence,
so the caller records a failed delivery and tries again on the next run."""

from __future__ import annotations

import email.policy
import json
import smtplib
import ssl
import urllib.error
import urllib.request
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from smmkpi.config import NotifySettings


def parse_emails(text: str) -> list[str]:
    """Comma- or semicolon-separated addresses, checked (ValueError naming a bad one)."""
    out = []
    for part in text.replace(";", ",").split(","):
        a = part.strip()
        if not a:
            continue
        if "@" not in a or " " in a or a.startswith("@") or a.endswith("@"):
            raise ValueError(f"{a!r} is not an email address")
        out.append(a)
    return out


def check_webhook(url: str) -> str:
    """A webhook URL (http or https); ValueError otherwise."""
    u = url.strip()
    if u and not u.startswith(("https://", "http://")):
        raise ValueError(f"{u!r} is not a webhook URL (it must start with https://)")
    return u


def email_message(settings: NotifySettings, to: str, subject: str, text: str,
                  html: str | None = None,
                  attachments: Sequence[tuple[str, bytes, str]] = ()) -> EmailMessage:
    """A MIME message: plain text, an HTML alternative, attachments (name, bytes, type)."""
    # lines up to SMTP's limit: Python folds a long subject before its first word, which
    # mail clients (and Python's own parser) then show with a leading space
    msg = EmailMessage(policy=email.policy.SMTP.clone(max_line_length=998))
    msg["From"] = settings.smtp_from
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain="smmkpi")
    msg.set_content(text)
    if html:
        msg.add_alternative(html, subtype="html")
    for name, data, mime in attachments:
        main, _, sub = mime.partition("/")
        msg.add_attachment(data, maintype=main, subtype=sub, filename=name)
    return msg


def send_email(settings: NotifySettings, msg: EmailMessage) -> str | None:
    """Send one message through the configured SMTP server; None when accepted."""
    if not settings.smtp_host:
        return "no SMTP server configured (set SMMKPI_SMTP_HOST)"
    try:
        if settings.smtp_security == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port,
                                                  timeout=settings.timeout_s,
                                                  context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port,
                                timeout=settings.timeout_s)
        with smtp:
            if settings.smtp_security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password or "")
            refused = smtp.send_message(msg)
        if refused:
            return f"the SMTP server refused {', '.join(refused)}"
        return None
    except (OSError, smtplib.SMTPException) as e:
        return f"email to {msg['To']} not sent: {type(e).__name__}: {e}"


def post_webhook(url: str, payload: dict, timeout_s: float) -> str | None:
    """POST the payload as JSON; None on a 2xx answer."""
    req = urllib.request.Request(url, data=json.dumps(payload).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout_s) as resp:  # noqa: S310 (http/https)
            if 200 <= resp.status < 300:
                return None
            return f"the webhook answered {resp.status}"
    except urllib.error.HTTPError as e:
        return f"the webhook answered {e.code} {e.reason}"
    except (OSError, ValueError) as e:
        return f"the webhook could not be reached: {type(e).__name__}: {e}"


def slack_payload(subject: str, body: str, figure: str, threshold: str, link: str) -> dict:
    """A Slack-compatible message: `text` (what Slack, Mattermost, Rocket.Chat and Teams'
    Slack-compatible hooks show) plus the fields as data."""
    text = f"*{subject}*\n{body}\nFigure: {figure} · Threshold: {threshold}"
    if link:
        text += f"\n<{link}|Open the page>"
    return {"text": text, "smmkpi": {"subject": subject, "figure": figure,
                                     "threshold": threshold, "link": link}}
