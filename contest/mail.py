"""Outgoing mail through the configured SMTP server (MAIL_* settings), with smtplib alone.

Mail is an effect outside the database: callers build their messages, commit, and only then
hand them here (STYLE.md rule 4). Sending happens on a background thread, so a request takes
as long whether it sent a mail or not (the forgotten-password page must not tell, by its time,
whether an account has an email) and a slow SMTP server never holds a web worker.
"""

import logging
import smtplib
import ssl
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from email.header import Header
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, make_msgid, parseaddr

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Mail:
    """One plain-text message to one address."""

    to: str
    subject: str
    body: str


def mail_is_enabled(config: Mapping) -> bool:
    """Whether mail can be sent: an SMTP server is configured."""
    return bool(config.get("MAIL_SERVER"))


def build_message(mail: Mail, sender: str) -> MIMEText:
    """The MIME message: UTF-8 plain text, the Vietnamese subject and sender name encoded.

    email.header (compat32) encodes the headers: Python 3.11's newer folding drops the space
    between two encoded words ("Cải cách" arrived as "Cảicách").
    """
    message = MIMEText(mail.body, "plain", "utf-8")
    name, address = parseaddr(sender)
    message["From"] = formataddr((name, address), charset="utf-8") if name else address
    message["To"] = mail.to
    message["Subject"] = Header(mail.subject, "utf-8")
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=address.rpartition("@")[2] or None)
    return message


def send(mails: Iterable[Mail], config: Mapping) -> None:
    """Send `mails` over one SMTP connection (STARTTLS or SSL and login as configured)."""
    mails = list(mails)
    if not mails:
        return
    host, port, timeout = config["MAIL_SERVER"], config["MAIL_PORT"], config["MAIL_TIMEOUT"]
    if config.get("MAIL_USE_SSL"):
        connection = smtplib.SMTP_SSL(
            host, port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        connection = smtplib.SMTP(host, port, timeout=timeout)
    with connection:
        if config.get("MAIL_USE_TLS") and not config.get("MAIL_USE_SSL"):
            connection.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            connection.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        for mail in mails:
            connection.send_message(build_message(mail, config["MAIL_FROM"]))


def _send_logging_failures(mails: list[Mail], config: dict) -> None:
    try:
        send(mails, config)
    except (OSError, smtplib.SMTPException):
        # The visitor was already answered; the operator reads why the mail did not leave.
        logger.exception("Could not send %d mail(s) through %s", len(mails), config["MAIL_SERVER"])


def send_in_background(mails: Iterable[Mail], config: Mapping) -> threading.Thread | None:
    """Send `mails` on a daemon thread (after the caller's commit); the thread, or None."""
    mails = list(mails)
    if not mails or not mail_is_enabled(config):
        return None
    settings = {key: value for key, value in config.items() if key.startswith("MAIL_")}
    thread = threading.Thread(
        target=_send_logging_failures, args=(mails, settings), name="mail", daemon=True
    )
    thread.start()
    return thread


def dispatch(mails: Iterable[Mail], config: Mapping) -> None:
    """Send `mails` in the background; without a mail server, in the demo, log them instead."""
    mails = list(mails)
    if mail_is_enabled(config):
        send_in_background(mails, config)
    elif config.get("DEMO"):
        for mail in mails:  # so that a demo's visitor can still follow a reset link
            logger.warning("Mail not sent (demo, no MAIL_SERVER) to %s:\n%s", mail.to, mail.body)
