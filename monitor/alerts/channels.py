"""Where alerts go: any Apprise URL, a signed webhook, or people's e-mail through [mail].
The only place that sends anything out."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

import httpx
from sqlalchemy import select

from monitor.config import Settings
from monitor.errors import ConfigError
from monitor.store.db import Database
from monitor.store.models import Team, User

SIGNATURE_HEADER = "X-Webcare-Signature"


class DeliveryError(Exception):
    """A message did not get through; permanent when trying again cannot help."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class Message:
    id: str
    event: str
    subject: str
    body: str
    urgent: bool = False
    alerts: Sequence[Mapping[str, Any]] = field(default_factory=list)

    def payload(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "event": self.event,
            "subject": self.subject,
            "body": self.body,
            "alerts": list(self.alerts),
        }


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 over "<timestamp>.<body>": a receiver can refuse replays of old messages."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def _apprise() -> Any:
    # Loading Apprise's plugins takes half a second; only processes that send need them.
    import apprise

    return apprise


def is_apprise_url(target: str) -> bool:
    return "://" in target


def describe(target: str) -> str:
    """A target as the Alerts page shows it: tokens and passwords masked."""
    if not is_apprise_url(target):
        return target
    plugin = _apprise().Apprise.instantiate(target)
    if plugin is None:
        return target.split("://", 1)[0] + "://…"
    return str(plugin.url(privacy=True)).split("?", 1)[0]


def check_targets(settings: Settings, env: Mapping[str, str] | None = None) -> None:
    """Refuse to start with a target that cannot work, naming it: an Apprise URL Apprise does not
    understand, a webhook secret or mail password that is not in the environment."""
    env = os.environ if env is None else env
    origin = settings.config_path or "<config>"
    for i, rule in enumerate(settings.alerts):
        for j, target in enumerate(rule.notify):
            if is_apprise_url(target) and _apprise().Apprise.instantiate(target) is None:
                raise ConfigError(
                    f"{origin}: alerts[{i}].notify[{j}]: Apprise does not understand {target!r} "
                    "(see https://github.com/caronc/apprise/wiki for the URL forms)"
                )
    for i, hook in enumerate(settings.webhooks):
        if not env.get(hook.secret_env):
            raise ConfigError(
                f"{origin}: webhooks[{i}].secret_env: the environment variable "
                f"{hook.secret_env} is not set (it holds the signing secret of {hook.name!r})"
            )
    mail = settings.mail
    if mail.host and mail.password_env and not env.get(mail.password_env):
        raise ConfigError(
            f"{origin}: mail.password_env: the environment variable {mail.password_env} is not set"
        )


class Channels:
    def __init__(
        self, settings: Settings, db: Database, env: Mapping[str, str] | None = None
    ) -> None:
        self.settings = settings
        self.db = db
        self.env = os.environ if env is None else env
        self.http = httpx.Client(
            timeout=settings.alerting.timeout,
            headers={"User-Agent": settings.fetch.user_agent},
            follow_redirects=False,
        )

    def close(self) -> None:
        self.http.close()

    def send(self, target: str, message: Message) -> None:
        kind, _, name = target.partition(":")
        if is_apprise_url(target):
            self._apprise(target, message)
        elif kind == "webhook":
            self._webhook(name, message)
        else:
            self._mail(self._addresses(kind, name), message)

    # --- the kinds of target ---------------------------------------------------------------

    def _apprise(self, url: str, message: Message) -> None:
        apprise = _apprise()
        sender = apprise.Apprise(asset=apprise.AppriseAsset(app_id="Webcare Triage"))
        if not sender.add(url):
            raise DeliveryError(f"Apprise does not understand {describe(url)}", permanent=True)
        kind = apprise.NotifyType.WARNING if message.urgent else apprise.NotifyType.INFO
        with apprise.LogCapture(level=apprise.logging.WARNING) as log:
            ok = sender.notify(
                title=message.subject,
                body=message.body,
                body_format=apprise.NotifyFormat.TEXT,
                notify_type=kind,
            )
        if not ok:
            said = " ".join(line for line in log.getvalue().splitlines() if line)[-500:]
            raise DeliveryError(said or f"{describe(url)} refused the message")

    def _webhook(self, name: str, message: Message) -> None:
        hook = next((w for w in self.settings.webhooks if w.name == name), None)
        if hook is None:
            raise DeliveryError(f"no [[webhooks]] entry named {name!r}", permanent=True)
        secret = self.env.get(hook.secret_env)
        if not secret:
            raise DeliveryError(f"the environment variable {hook.secret_env} is not set")
        body = json.dumps(message.payload(), ensure_ascii=False, default=str).encode()
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "X-Webcare-Event": message.event,
            "X-Webcare-Delivery": message.id,
            "X-Webcare-Timestamp": timestamp,
            SIGNATURE_HEADER: sign(secret, timestamp, body),
        }
        try:
            response = self.http.post(hook.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"webhook {name}: {type(exc).__name__}: {exc}") from None
        if not 200 <= response.status_code < 300:
            raise DeliveryError(f"webhook {name}: HTTP {response.status_code}")

    def _addresses(self, kind: str, name: str) -> list[str]:
        if kind == "email":
            return [name]
        query = select(User.email).where(User.active, User.email.is_not(None))
        if kind == "user":
            query = query.where(User.name == name)
        elif kind == "role":
            query = query.where(User.role == name)
        elif kind == "team":
            query = query.where(User.teams.any(Team.name == name))
        else:
            raise DeliveryError(f"unknown kind of target {kind!r}", permanent=True)
        with self.db.read() as session:
            found = sorted({email for email in session.scalars(query) if email})
        if not found:
            raise DeliveryError(f"nobody to mail for {kind}:{name} (no active user with an e-mail)")
        return found

    def mail_url(self, addresses: Sequence[str]) -> str:
        mail = self.settings.mail
        if not mail.host:
            raise DeliveryError("[mail] host is not set", permanent=True)
        login = ""
        if mail.username:
            password = self.env.get(mail.password_env or "", "")
            login = quote(mail.username, safe="")
            login += (":" + quote(password, safe="") if password else "") + "@"
        mode = {"starttls": "starttls", "ssl": "ssl", "none": "insecure"}[mail.security]
        query = urlencode(
            {"from": mail.sender, "to": ",".join(addresses), "mode": mode, "smtp": mail.host}
        )
        scheme = "mailtos" if mail.security != "none" else "mailto"
        return f"{scheme}://{login}{mail.host}:{mail.port}?{query}"

    def _mail(self, addresses: Sequence[str], message: Message) -> None:
        self._apprise(self.mail_url(addresses), message)
