"""TOML configuration -> one frozen, validated Settings object; one clear message per bad key."""

from __future__ import annotations

import math
import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from monitor.errors import ConfigError, QueryError
from monitor.names import FORWARDS_SOURCE, ROLES, TEAMS
from monitor.query import parse_query
from monitor.sla import BusinessHours, Target

DEFAULT_CONFIG = Path("config/webcare.toml")

Category = Literal["complaint", "question", "journalist_inquiry", "praise", "other"]
Team = Literal["webcare", "customer_service", "spokesperson"]

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)")
_UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(value: object) -> float:
    """'90s', '5m', '1h30m', '2d' or a plain number of seconds -> seconds."""
    if isinstance(value, bool):
        raise ValueError('expected a duration such as "30s", "5m" or "1h"')
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str):
        text = value.strip().lower().replace(" ", "")
        pos, seconds = 0, 0.0
        for match in _DURATION_PART.finditer(text):
            if match.start() != pos:
                break
            seconds += float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
            pos = match.end()
        if not text or pos != len(text):
            raise ValueError(f'expected a duration such as "30s", "5m" or "1h", got {value!r}')
    else:
        raise ValueError('expected a duration such as "30s", "5m" or "1h"')
    if not math.isfinite(seconds):  # TOML allows nan and inf
        raise ValueError('expected a finite duration such as "30s", "5m" or "1h"')
    if seconds <= 0:
        raise ValueError("expected a duration greater than zero")
    return seconds


Duration = Annotated[float, BeforeValidator(parse_duration)]


def _http_url(value: str) -> str:
    if not re.match(r"^https?://[^\s/]+", value, re.IGNORECASE):
        raise ValueError(f"expected an http:// or https:// URL, got {value!r}")
    return value


HttpUrl = Annotated[str, AfterValidator(_http_url)]


def normalise_database_url(url: str) -> str:
    """Let a plain postgresql:// URL use the bundled psycopg 3 driver."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DatabaseSettings(_Section):
    url: str = "sqlite:///instance/webcare.db"

    @field_validator("url")
    @classmethod
    def _known_backend(cls, value: str) -> str:
        if not value.startswith(("sqlite:", "postgresql", "postgres:")):
            raise ValueError(f"expected a sqlite:/// or postgresql:// URL, got {value!r}")
        return normalise_database_url(value)


class WebSettings(_Section):
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=0, le=65535)
    secret_key: str = ""
    session_timeout: Duration = 8 * 3600
    threads: int = Field(8, ge=1, le=64)
    # The address the outside world reaches this UI at; WebSub hubs call back to it, and alerts
    # link to it. Empty: no WebSub, and links use the address a request came in on.
    public_url: Annotated[str, AfterValidator(lambda v: _http_url(v) if v else v)] = ""


class SchedulerSettings(_Section):
    tick: Duration = 5.0
    batch: int = Field(20, ge=1, le=1000)
    lease: Duration = 300.0
    max_backoff: Duration = 6 * 3600.0
    # Adaptive intervals: a source that posts often is checked more often, one that stays quiet
    # less often, never below min(interval, min_interval) nor above min(max_interval,
    # 4 x interval). Off: every source keeps its configured interval.
    adaptive: bool = True
    min_interval: Duration = 300.0
    max_interval: Duration = 86400.0
    # Now and then fetch without If-None-Match/If-Modified-Since, for servers whose validators
    # stick while the content changes.
    full_refetch_every: Duration = 86400.0
    # A source without a success for this many intervals is a blind spot: banner and alert.
    stale_after: float = Field(3.0, ge=1.0, le=1000.0)


class FetchSettings(_Section):
    allow_private_addresses: bool = False
    connect_timeout: Duration = 10.0
    read_timeout: Duration = 20.0
    total_timeout: Duration = 60.0
    max_bytes: int = Field(10 * 1024 * 1024, ge=1024)
    max_redirects: int = Field(5, ge=0, le=20)
    concurrency: int = Field(4, ge=1, le=64)
    # At most this many requests to one host at a time, so one slow host cannot hold the pool.
    per_host: int = Field(2, ge=1, le=64)
    # Feed parsing runs in this many processes; 0 parses in the collector threads, "auto" (the
    # default) uses one per core.
    parse_processes: Annotated[
        int, BeforeValidator(lambda v: os.cpu_count() or 1 if v == "auto" else v)
    ] = Field("auto", ge=0, le=64, validate_default=True)
    user_agent: str = (
        "WebcareTriage/0.1 (+https://github.com/webcare-triage/webcare-triage; feed collector)"
    )


class ClassifierSettings(_Section):
    languages: tuple[str, ...] = ("nl", "en")
    review_threshold: float = Field(0.45, ge=0.0, le=1.0)
    # Train a candidate this often when people labelled mentions since the last model; "0" off.
    retrain_every: Annotated[
        float, BeforeValidator(lambda v: 0.0 if v in (0, "0", "off") else parse_duration(v))
    ] = 86400.0

    @field_validator("languages")
    @classmethod
    def _iso_codes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for code in value:
            if not re.fullmatch(r"[a-z]{2}", code):
                raise ValueError(f'expected two-letter language codes such as "nl", got {code!r}')
        if not value:
            raise ValueError("expected at least one language")
        return value


def _valid_query(value: str) -> str:
    try:
        parse_query(value)
    except QueryError as exc:
        raise ValueError(f"the query does not parse: {exc}") from None
    return value


class BrandSettings(_Section):
    name: str = Field(min_length=1, max_length=100)
    query: Annotated[str, AfterValidator(_valid_query)]


def _domain(value: str) -> str:
    domain = value.strip().lower().removeprefix("www.")
    if not re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)+", domain):
        raise ValueError(f'expected a domain name such as "example.org", got {value!r}')
    return domain


Domain = Annotated[str, AfterValidator(_domain)]


SourceType = Literal[
    "rss",
    "google_news",
    "bing_news",
    "reddit",
    "hackernews",
    "mastodon",
    "appstore",
    "youtube",
    "imap",
]


class SourceSettings(_Section):
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")

    @field_validator("name")
    @classmethod
    def _not_reserved(cls, value: str) -> str:
        if value == FORWARDS_SOURCE:
            raise ValueError(f"{FORWARDS_SOURCE!r} is reserved for employees' forwards")
        return value

    type: SourceType = "rss"
    # The page a person would open (an App Store page, a subreddit, a Mastodon tag) or the feed
    # or API address itself; each type says which forms it understands.
    url: str = ""
    # For searching types (news, reddit, hackernews, mastodon, youtube): the words to search for.
    search: str | None = Field(None, min_length=1, max_length=500)
    # For imap: the login name, and the environment variable that holds the password.
    username: str | None = None
    password_env: str | None = Field(None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    # Subscribe to the WebSub hub the feed announces (needs [web] public_url); polling goes on,
    # slower, as the fallback.
    websub: bool = False
    # For imap: read the page a forwarded mail links to (through the guarded fetcher), so the
    # mention is the post itself, with its title and text.
    read_links: bool = True
    interval: Duration = 300.0
    enabled: bool = True
    brands: tuple[str, ...] | None = None
    allow_private_addresses: bool | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    # Replaces the brand queries for this source, e.g. "*" for a feed that is already a search.
    query: Annotated[str, AfterValidator(_valid_query)] | None = None
    block_domains: tuple[Domain, ...] = ()
    block_authors: tuple[str, ...] = ()
    # How far this source's posts carry: it weighs in the priority.
    reach: Literal["low", "normal", "high"] = "normal"

    @property
    def options(self) -> dict[str, Any]:
        """The type-specific settings an adapter reads."""
        found: dict[str, Any] = {
            "search": self.search,
            "username": self.username,
            "password_env": self.password_env,
            "websub": self.websub or None,
        }
        if self.type == "imap":
            found["read_links"] = self.read_links
        return {key: value for key, value in found.items() if value is not None}

    @model_validator(mode="after")
    def _adapter_accepts(self) -> SourceSettings:
        from monitor.sources import adapter_for, default_url  # adapters never import config

        if not self.url:
            url = default_url(self.type)
            if url is None:
                raise ValueError(f"url: required for sources of type {self.type!r}")
            object.__setattr__(self, "url", url)
        if self.type in ("imap", "appstore") and self.query is None:
            # Forwards to webcare and reviews of our own app concern us, named or not.
            object.__setattr__(self, "query", "*")
        if not self.read_links and self.type != "imap":  # True is every type's default
            raise ValueError("read_links: only imap sources read the pages their mails link to")
        try:
            adapter_for(self.type).check(self.url, self.options)
        except ValueError as exc:
            message = str(exc)
            # Adapters name the key when it is not the url ("search: ...").
            if not _KEY_PREFIX.match(message):
                message = f"url: {message}"
            raise ValueError(message) from None
        return self


class BlocklistSettings(_Section):
    """Items from these sites or authors are dropped before matching (the brand's own accounts,
    known spammers). Sources may add their own with block_domains and block_authors."""

    domains: tuple[Domain, ...] = ()
    authors: tuple[str, ...] = ()


class DedupSettings(_Section):
    story_window: Duration = 7 * 86400.0
    unmatched_sample: int = Field(2000, ge=0, le=1_000_000)


class LanguageRouting(_Section):
    """Per category, a team for mentions in one language (the rest follow [routing])."""

    complaint: Team | None = None
    question: Team | None = None
    journalist_inquiry: Team | None = None
    praise: Team | None = None
    other: Team | None = None


class RoutingSettings(_Section):
    complaint: Team = "customer_service"
    question: Team = "webcare"
    journalist_inquiry: Team = "spokesperson"
    praise: Team = "webcare"
    other: Team = "webcare"
    # e.g. [routing.language.en] complaint = "webcare": English complaints to webcare.
    language: dict[str, LanguageRouting] = Field(default_factory=dict)

    @field_validator("language")
    @classmethod
    def _language_codes(cls, value: dict[str, LanguageRouting]) -> dict[str, LanguageRouting]:
        for code in value:
            if not re.fullmatch(r"[a-z]{2}", code):
                raise ValueError(f'expected two-letter language codes such as "en", got {code!r}')
        return value

    def team_for(self, category: str, language: str | None = None) -> tuple[str, str]:
        """The team and the configuration key that chose it."""
        override = self.language.get(language or "")
        team: str | None = getattr(override, category) if override else None
        if team is not None:
            return team, f"[routing.language.{language}] {category}"
        default: str = getattr(self, category)
        return default, f"[routing] {category}"


AlertEvent = Literal["mention", "spike", "blind_spot", "sla", "digest"]
_TARGET_KINDS = ("webhook:", "role:", "user:", "team:", "email:")


def _clock_period(value: str) -> str:
    """'22:00-07:00' (may wrap past midnight) or '' for none."""
    if value and not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d", value):
        raise ValueError(f'expected a period such as "22:00-07:00", got {value!r}')
    return value


ClockPeriod = Annotated[str, AfterValidator(_clock_period)]


def _notify_target(value: str) -> str:
    value = value.strip()
    if value.startswith(_TARGET_KINDS):
        kind, _, rest = value.partition(":")
        if not rest:
            raise ValueError(f"expected a name after {kind}:, got {value!r}")
        if kind == "email" and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", rest):
            raise ValueError(f"expected an e-mail address after email:, got {value!r}")
        return value
    if not re.match(r"^[a-z][a-z0-9+.-]*://\S", value, re.IGNORECASE):
        raise ValueError(
            "expected an Apprise URL (mailto://, json://, slack://, msteams://, ...) or "
            f"webhook:NAME, role:ROLE, user:NAME, team:TEAM or email:ADDRESS, got {value!r}"
        )
    return value


NotifyTarget = Annotated[str, AfterValidator(_notify_target)]


def _window(value: object) -> float | None:
    if value is None:
        return None
    return 0.0 if value in (0, "0", "off") else parse_duration(value)


class AlertSettings(_Section):
    """One rule: which events go to whom."""

    name: str = Field("", max_length=100, pattern=r"^[^|]*$")
    # mention: a new mention that fits the filters below; spike: a burst per brand and category;
    # blind_spot: a source that missed its freshness target; sla: an item about to breach or
    # breached; digest: the daily summary per team.
    event: AlertEvent = "mention"
    category: Category | None = None
    brand: str | None = None
    source: str | None = None
    team: Team | None = None
    min_priority: int = Field(0, ge=0, le=100)
    notify: tuple[NotifyTarget, ...] = Field(min_length=1)
    # Alerts of this rule within this window go out as one message; "0" sends each at once.
    # Default: at once for journalist inquiries, blind spots and spikes, else [alerting] group.
    group: Annotated[float | None, BeforeValidator(_window)] = None
    # Hold this rule's alerts during [alerting] quiet_hours (default: yes, except journalist
    # inquiries).
    quiet_hours: bool | None = None

    @property
    def urgent(self) -> bool:
        return self.category == "journalist_inquiry" and self.event in ("mention", "sla")


class SpikeSettings(_Section):
    window: Duration = 3600.0
    baseline_days: int = Field(7, ge=0, le=60)
    baseline_weeks: int = Field(4, ge=0, le=52)
    # A spike starts above baseline x margin, with at least min_count mentions in the window,
    # and ends when the count falls back to baseline x end_ratio.
    margin: float = Field(2.0, gt=1.0, le=100.0)
    min_count: int = Field(10, ge=1)
    end_ratio: float = Field(1.2, gt=0.0, le=100.0)
    categories: tuple[Category, ...] = ("complaint",)

    @model_validator(mode="after")
    def _ends_below_start(self) -> SpikeSettings:
        if not 0 < self.end_ratio < self.margin:
            raise ValueError(f"end_ratio: expected above 0 and below margin ({self.margin:g})")
        return self


class DigestSettings(_Section):
    # Local time ([locale] timezone) of the daily digest per team; "" for none.
    at: Annotated[
        str,
        AfterValidator(
            lambda v: (
                v
                if not v or re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", v)
                else _raise(f'expected a time such as "08:00", got {v!r}')
            )
        ),
    ] = "08:00"


def _raise(message: str) -> Any:
    raise ValueError(message)


class AlertingSettings(_Section):
    # The default grouping window for mention rules: fifty complaints in five minutes are one
    # message, not fifty.
    group: Duration = 300.0
    quiet_hours: ClockPeriod = ""
    timeout: Duration = 10.0
    # A delivery that keeps failing is retried with doubling waits (from retry_backoff, at most
    # an hour) and after max_attempts marked failed, shown on the Alerts page for a person.
    max_attempts: int = Field(8, ge=1, le=100)
    retry_backoff: Duration = 30.0
    # With [mail] set, every PR officer with an e-mail address hears of journalist inquiries at
    # once, besides whoever the rules name.
    notify_pr_officers: bool = True
    spike: SpikeSettings = SpikeSettings()
    digest: DigestSettings = DigestSettings()


class SlaTarget(_Section):
    """Business time allowed until the first response and until resolution; none: no target."""

    first_response: Duration | None = None
    resolution: Duration | None = None


def _default_targets() -> dict[Category, SlaTarget]:
    hours = 3600.0
    return {
        "complaint": SlaTarget(first_response=1 * hours, resolution=18 * hours),
        "question": SlaTarget(first_response=2 * hours, resolution=18 * hours),
        # The deadline found in a journalist's text replaces these, counted on the wall clock.
        "journalist_inquiry": SlaTarget(first_response=0.5 * hours, resolution=4 * hours),
        "praise": SlaTarget(first_response=8 * hours),
        "other": SlaTarget(),
    }


class SlaSettings(_Section):
    # When the clock runs: "mon-fri 08:30-17:30", "ma-vr 08:00-18:00, za 10:00-14:00" or "24/7",
    # in [locale] timezone; holidays stop it for the day.
    business_hours: str = "mon-fri 08:30-17:30"
    holidays: tuple[date, ...] = ()
    warn_at: float = Field(0.75, gt=0.0, lt=1.0)
    # Per category, e.g. [sla.targets.complaint] first_response = "1h"; a category left out
    # keeps its default. Per source, [sla.sources.NAME] overrides the category's targets.
    targets: dict[Category, SlaTarget] = Field(default_factory=_default_targets)
    sources: dict[str, SlaTarget] = Field(default_factory=dict)

    @field_validator("targets", mode="after")
    @classmethod
    def _keep_defaults(cls, value: dict[Category, SlaTarget]) -> dict[Category, SlaTarget]:
        """A category or a key left out keeps its default."""
        merged = _default_targets()
        for category, given in value.items():
            changed = {key: getattr(given, key) for key in given.model_fields_set}
            merged[category] = merged[category].model_copy(update=changed)
        return merged

    def target(self, category: str, source: str | None = None) -> Target:
        base = next((t for c, t in self.targets.items() if c == category), SlaTarget())
        override = self.sources.get(source or "", SlaTarget())
        return Target(
            first_response=override.first_response or base.first_response,
            resolution=override.resolution or base.resolution,
        )


class MailSettings(_Section):
    """The SMTP server for email:, user:, role: and team: targets."""

    host: str = ""
    port: int = Field(587, ge=1, le=65535)
    security: Literal["starttls", "ssl", "none"] = "starttls"
    username: str = ""
    password_env: str | None = Field(None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    sender: str = "webcare@localhost"


class WebhookSettings(_Section):
    """A signed (HMAC-SHA256) JSON webhook into the organisation's own systems."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
    url: HttpUrl
    secret_env: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")


class AssignmentSettings(_Section):
    """Round-robin auto-assignment: new mentions go to the team member with the fewest open
    ones, never beyond `cap`; what does not fit waits in the queue."""

    auto: bool = False
    cap: int = Field(10, ge=1, le=1000)
    teams: tuple[Team, ...] = ("webcare", "customer_service", "spokesperson")


class ReplySettings(_Section):
    """A canned reply the mention page offers to copy: for a category and language, or all."""

    name: str = Field(min_length=1, max_length=100)
    category: Category | None = None
    language: str | None = Field(None, pattern=r"^[a-z]{2}$")
    text: str = Field(min_length=1, max_length=2000)

    def fits(self, category: str, language: str | None) -> bool:
        return self.category in (None, category) and (
            self.language is None or language is None or self.language == language
        )

    def render(self, author: str) -> str:
        """The text with {author} filled in (left out, with its spacing, when unknown)."""
        if author:
            return self.text.replace("{author}", author)
        return re.sub(r"\s*\{author\}", "", self.text).lstrip(" ,")


class DemoSettings(_Section):
    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = Field(8765, ge=0, le=65535)
    data: str = "demo/mentions.jsonl"
    initial_items: int = Field(40, ge=0)
    new_item_every: Duration = 15.0
    admin_user: str = "admin"


def _zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f'expected a time zone such as "Europe/Amsterdam", got {value!r}'
        ) from None
    return value


class LocaleSettings(_Section):
    # The organisation's time zone: "voor 16.00 uur" in a journalist's question means this zone.
    timezone: Annotated[str, AfterValidator(_zone)] = "Europe/Amsterdam"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class PathSettings(_Section):
    instance: str = "instance"


class Settings(_Section):
    database: DatabaseSettings = DatabaseSettings()
    web: WebSettings = WebSettings()
    scheduler: SchedulerSettings = SchedulerSettings()
    fetch: FetchSettings = FetchSettings()
    classifier: ClassifierSettings = ClassifierSettings()
    brands: tuple[BrandSettings, ...] = ()
    sources: tuple[SourceSettings, ...] = ()
    routing: RoutingSettings = RoutingSettings()
    alerts: tuple[AlertSettings, ...] = ()
    alerting: AlertingSettings = AlertingSettings()
    mail: MailSettings = MailSettings()
    sla: SlaSettings = SlaSettings()
    webhooks: tuple[WebhookSettings, ...] = ()
    replies: tuple[ReplySettings, ...] = ()
    assignment: AssignmentSettings = AssignmentSettings()
    blocklist: BlocklistSettings = BlocklistSettings()
    dedup: DedupSettings = DedupSettings()
    demo: DemoSettings = DemoSettings()
    locale: LocaleSettings = LocaleSettings()
    paths: PathSettings = PathSettings()
    config_path: str = ""

    @model_validator(mode="after")
    def _cross_checks(self) -> Settings:
        _unique([b.name for b in self.brands], "brands", "name")
        _unique([s.name for s in self.sources], "sources", "name")
        _unique([w.name for w in self.webhooks], "webhooks", "name")
        self._check_alerts()
        self._check_sla()
        for i, reply in enumerate(self.replies):
            if reply.language and reply.language not in self.classifier.languages:
                raise ValueError(
                    f"replies[{i}].language: {reply.language!r} is not one of the classifier's "
                    f"languages {list(self.classifier.languages)}"
                )
        known = {b.name for b in self.brands}
        for i, source in enumerate(self.sources):
            for brand in source.brands or ():
                if brand not in known:
                    raise ValueError(
                        f"sources[{i}].brands: unknown brand {brand!r}; expected one of "
                        f"{sorted(known)}"
                    )
        return self

    def _check_alerts(self) -> None:
        webhooks = {w.name for w in self.webhooks}
        brands = {b.name for b in self.brands}
        sources = {s.name for s in self.sources}
        for i, rule in enumerate(self.alerts):
            where = f"alerts[{i}]"
            if rule.brand is not None and rule.brand not in brands:
                raise ValueError(f"{where}.brand: unknown brand {rule.brand!r}")
            if rule.source is not None and rule.source not in sources:
                raise ValueError(f"{where}.source: unknown source {rule.source!r}")
            for j, target in enumerate(rule.notify):
                kind, _, name = target.partition(":")
                if kind == "webhook" and name not in webhooks:
                    raise ValueError(f"{where}.notify[{j}]: no [[webhooks]] entry named {name!r}")
                if kind == "role" and name not in ROLES:
                    raise ValueError(
                        f"{where}.notify[{j}]: unknown role {name!r}; expected one of "
                        f"{', '.join(ROLES)}"
                    )
                if kind == "team" and name not in TEAMS:
                    raise ValueError(
                        f"{where}.notify[{j}]: unknown team {name!r}; expected one of "
                        f"{', '.join(TEAMS)}"
                    )
                if kind in ("email", "user", "role", "team") and not self.mail.host:
                    raise ValueError(
                        f"{where}.notify[{j}]: {kind}: targets are sent by mail; set [mail] host"
                    )

    def _check_sla(self) -> None:
        try:
            BusinessHours.parse(self.sla.business_hours, self.locale.zone, self.sla.holidays)
        except ValueError as exc:
            raise ValueError(f"sla.business_hours: {exc}") from None
        sources = {s.name for s in self.sources}
        for name in self.sla.sources:
            if name not in sources:
                raise ValueError(f"sla.sources.{name}: unknown source {name!r}")

    def business_hours(self) -> BusinessHours:
        return BusinessHours.parse(self.sla.business_hours, self.locale.zone, self.sla.holidays)

    def alert_name(self, index: int) -> str:
        return self.alerts[index].name or f"alerts[{index}]"

    @property
    def config_dir(self) -> Path:
        return Path(self.config_path).parent if self.config_path else Path("config")

    @property
    def instance_dir(self) -> Path:
        return Path(self.paths.instance)

    def source(self, name: str) -> SourceSettings | None:
        return next((s for s in self.sources if s.name == name), None)

    def with_page_sources(self, extra: Sequence[SourceSettings]) -> Settings:
        """These settings plus the sources admins added on the sources page (already checked
        against these settings one by one by source_from_mapping); the config file's own source
        wins a name both have."""
        known = {s.name for s in self.sources}
        added = tuple(s for s in extra if s.name not in known)
        return self.model_copy(update={"sources": self.sources + added}) if added else self


def source_from_mapping(data: Mapping[str, Any], settings: Settings) -> SourceSettings:
    """One source as given on the sources page, checked as the config file's would be: its own
    keys, and the brands it names. ConfigError says what is wrong, with the key."""
    try:
        source = SourceSettings.model_validate(dict(data))
    except ValidationError as exc:
        raise ConfigError(_describe(exc.errors()[0])) from None
    brands = {b.name for b in settings.brands}
    for brand in source.brands or ():
        if brand not in brands:
            raise ConfigError(
                f"brands: unknown brand {brand!r}; expected one of {', '.join(sorted(brands))}"
            )
    return source


def _unique(names: list[str], section: str, key: str) -> None:
    seen: set[str] = set()
    for i, name in enumerate(names):
        if name in seen:
            raise ValueError(f"{section}[{i}].{key}: {name!r} is used twice; names must be unique")
        seen.add(name)


def _format_location(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif str(part).startswith(("function-", "literal[")):
            continue
        else:
            out += ("." if out else "") + str(part)
    return out


def _describe(error: Mapping[str, Any]) -> str:
    location = _format_location(tuple(error["loc"]))
    kind, message = error["type"], str(error["msg"])
    if kind == "extra_forbidden":
        return f"{location}: unknown key (check its spelling)"
    if kind == "missing":
        return f"{location}: required key is missing"
    if kind == "literal_error":
        return (
            f"{location}: {message.replace('Input should be', 'expected')}, got {error['input']!r}"
        )
    message = message.removeprefix("Value error, ").replace("Input should be", "expected")
    if _KEY_PREFIX.match(message) and location:  # a section's check that names its key
        return f"{location}.{message}"
    return f"{location}: {message}" if location else message


_KEY_PREFIX = re.compile(r"^(url|search|username|password_env|websub|read_links|end_ratio): ")


def settings_from_mapping(data: Mapping[str, Any], *, origin: str = "<config>") -> Settings:
    """Validate an already-parsed mapping (tests build settings this way)."""
    try:
        return Settings.model_validate({**data, "config_path": origin})
    except ValidationError as exc:
        errors = exc.errors()
        first = _describe(errors[0])
        more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
        raise ConfigError(f"{origin}: {first}{more}") from None


def load_settings(path: str | Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Read the TOML file named by path, $WEBCARE_CONFIG or the default, and apply env overrides."""
    env = os.environ if env is None else env
    config_path = Path(path or env.get("WEBCARE_CONFIG") or DEFAULT_CONFIG)
    try:
        raw = config_path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(
            f"{config_path}: configuration file not found "
            "(give --config PATH or set WEBCARE_CONFIG)"
        ) from None
    except OSError as exc:
        raise ConfigError(
            f"{config_path}: cannot read the configuration file: {exc.strerror}"
        ) from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{config_path}: the configuration file is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{config_path}: not valid TOML: {exc}") from None
    override = env.get("WEBCARE_DATABASE_URL")
    database = data.get("database", {})
    # A [database] that is not a table is left for validation to report.
    if override and isinstance(database, dict):
        data["database"] = {**database, "url": override}
    return settings_from_mapping(data, origin=str(config_path))
