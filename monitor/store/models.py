"""SQLAlchemy models: one class per table; the schema itself is created by Alembic migrations."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stored as naive UTC everywhere (SQLite has no time zones), always returned aware."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime,
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


class Team(Base):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    label: Mapped[str] = mapped_column(String(100))


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Where alerts for this person (user:, role:, team: targets) are mailed.
    email: Mapped[str | None] = mapped_column(String(254))
    # The zone the person's pages show times in; None: the organisation's ([locale] timezone).
    timezone: Mapped[str | None] = mapped_column(String(64))
    # The language the web UI speaks to the person; None: their browser's choice.
    language: Mapped[str | None] = mapped_column(String(8))
    # Set while the person is away (off shift, ill, on leave): auto-assignment passes them over.
    away_since: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    teams: Mapped[list[Team]] = relationship(secondary="user_teams", lazy="selectin")


class UserTeam(Base):
    __tablename__ = "user_teams"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]


class Source(Base):
    """A configured source and its schedule: due time, lease, validators and error state."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    type: Mapped[str] = mapped_column(String(30))
    url: Mapped[str] = mapped_column(Text)
    interval_seconds: Mapped[float] = mapped_column(Float)
    # active: fetched on schedule; paused: a person stopped it; removed: gone from the config.
    state: Mapped[str] = mapped_column(String(20), default="active")
    options: Mapped[dict[str, Any]] = mapped_column(default=dict)
    next_check_at: Mapped[datetime] = mapped_column(default=utcnow)
    lease_owner: Mapped[str | None] = mapped_column(String(200))
    lease_expires_at: Mapped[datetime | None]
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(String(100))
    last_checked_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    last_new_item_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None]
    consecutive_errors: Mapped[int] = mapped_column(Integer, default=0)
    total_errors: Mapped[int] = mapped_column(Integer, default=0)
    total_checks: Mapped[int] = mapped_column(Integer, default=0)
    items_collected: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Where a permanent redirect (301/308) moved the feed; fetched instead of url until the
    # config's url changes.
    moved_to: Mapped[str | None] = mapped_column(Text)
    # The first failure after the last success: "down since" on the sources page and banner.
    failing_since: Mapped[datetime | None]
    # The adaptive interval: shorter for sources that post often, within the scheduler bounds.
    poll_interval: Mapped[float | None] = mapped_column(Float)
    # The last check without If-None-Match/If-Modified-Since (a forced full refetch).
    last_full_fetch_at: Mapped[datetime | None]
    # A verified WebSub subscription pushes new items until then; polling slows down meanwhile.
    push_until: Mapped[datetime | None]
    # "config": the config file defines it; "page": an admin added it on the sources page, and
    # `definition` holds its settings as given there (a SourceSettings, validated).
    origin: Mapped[str] = mapped_column(String(10), default="config", server_default="config")
    definition: Mapped[dict[str, Any] | None]

    __table_args__ = (Index("ix_sources_due", "state", "next_check_at"),)

    @property
    def fetch_url(self) -> str:
        return self.moved_to or self.url


class WebSubSubscription(Base):
    """A subscription to the WebSub hub a feed announces: requested, verified, renewed."""

    __tablename__ = "websub_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(
        ForeignKey("sources.id", ondelete="CASCADE"), unique=True
    )
    hub_url: Mapped[str] = mapped_column(Text)
    topic_url: Mapped[str] = mapped_column(Text)
    # The shared secret the hub signs pushes with (HMAC); new for each subscription request.
    secret: Mapped[str] = mapped_column(String(100))
    # requested -> active (the hub verified our intent) -> expired/denied/unsubscribed.
    state: Mapped[str] = mapped_column(String(20), default="requested")
    lease_seconds: Mapped[int | None] = mapped_column(Integer)
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    verified_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    last_push_at: Mapped[datetime | None]
    pushes: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


class Mention(Base):
    """A public post about a brand, with its current classification, team and status."""

    __tablename__ = "mentions"

    id: Mapped[int] = mapped_column(primary_key=True)
    dedup_key: Mapped[str] = mapped_column(String(64))
    # The other identities an exact duplicate may share: canonical URL, id within its source.
    url_key: Mapped[str | None] = mapped_column(String(64))
    item_key: Mapped[str | None] = mapped_column(String(64))
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), index=True)
    source_item_id: Mapped[str | None] = mapped_column(Text)
    brand: Mapped[str] = mapped_column(String(100))
    url: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str] = mapped_column(String(200), default="")
    language: Mapped[str | None] = mapped_column(String(8))
    published_at: Mapped[datetime]
    collected_at: Mapped[datetime] = mapped_column(default=utcnow)
    content_hash: Mapped[str] = mapped_column(String(64))
    matched: Mapped[list[Any]] = mapped_column(default=list)
    category: Mapped[str] = mapped_column(String(30))
    confidence: Mapped[float] = mapped_column(Float)
    model_version: Mapped[str] = mapped_column(String(50))
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False)
    team: Mapped[str] = mapped_column(String(50))
    status: Mapped[str] = mapped_column(String(20), default="new")
    priority: Mapped[int] = mapped_column(Integer, default=50)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    sightings_count: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # For journalist inquiries: the deadline read from the text, and the words that gave it.
    deadline_at: Mapped[datetime | None]
    deadline_phrase: Mapped[str | None] = mapped_column(String(200))
    last_seen_at: Mapped[datetime | None]
    signature: Mapped[bytes | None] = mapped_column(LargeBinary)
    # The service-level clocks: the first time a person started on it (not merely took it),
    # and when it was closed.
    first_response_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    # The person who has it; with status in_progress, the one working on it now.
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    assigned_at: Mapped[datetime | None]

    source: Mapped[Source] = relationship(lazy="joined", innerjoin=True)
    assignee: Mapped[User | None] = relationship(lazy="joined")

    __table_args__ = (
        UniqueConstraint("dedup_key"),
        Index("ix_mentions_queue", "team", "status", "published_at"),
        Index("ix_mentions_published_at", "published_at"),
        Index("ix_mentions_collected_at", "collected_at"),
        Index("ix_mentions_content_hash", "content_hash"),
        Index("ix_mentions_url_key", "url_key"),
        Index("ix_mentions_item_key", "item_key"),
        Index("ix_mentions_assignee", "assignee_id", "status"),
        # The queue counts on every page: open mentions per team and review lane.
        Index("ix_mentions_open", "status", "team", "needs_review"),
        # A team's queue, newest first: read in index order, no sorting of its open mentions.
        Index("ix_mentions_lane", "team", "published_at", "id"),
    )


class Note(Base):
    """An internal note on a mention, for colleagues; never shown outside the product."""

    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    mention_id: Mapped[int] = mapped_column(ForeignKey("mentions.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    author: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    # Names of the colleagues the note @mentions, as they were when it was written.
    mentioned: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_notes_mention_id", "mention_id", "id"),)


class Forward(Base):
    """An employee sent webcare this mention (a new one, or one collected already), by the
    forward page, the bookmarklet, the API or the webcare mailbox."""

    __tablename__ = "forwards"

    id: Mapped[int] = mapped_column(primary_key=True)
    mention_id: Mapped[int] = mapped_column(ForeignKey("mentions.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The user's name, or the mail address of a forwarder without an account.
    forwarder: Mapped[str] = mapped_column(String(254))
    channel: Mapped[str] = mapped_column(String(20))  # page, bookmarklet, api, mail
    url: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    existing: Mapped[bool] = mapped_column(Boolean)  # the mention was collected already
    # What was sent, so that a double click is one forward.
    fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    notified_at: Mapped[datetime | None]  # told that webcare handled it

    mention: Mapped[Mention] = relationship(lazy="joined", innerjoin=True)
    user: Mapped[User | None] = relationship(lazy="joined")

    __table_args__ = (
        Index("ix_forwards_mention_id", "mention_id"),
        Index("ix_forwards_forwarder", "forwarder", "created_at"),
        Index("ix_forwards_unnotified", "notified_at"),
    )


class Attachment(Base):
    """A picture that came with a mention: a screenshot in a forwarded mail. Stored once per
    mention however often it arrives."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    mention_id: Mapped[int] = mapped_column(ForeignKey("mentions.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(50))  # sniffed from the bytes
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("mention_id", "sha256"),)


class Block(Base):
    """A blocklist entry learned from the queue: items by this author, from this site or with
    this phrase are dropped before matching. Entries from the config file live in Settings."""

    __tablename__ = "blocks"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # author, site, phrase
    value: Mapped[str] = mapped_column(String(300))
    brand: Mapped[str] = mapped_column(String(100))  # "*": every brand
    reason: Mapped[str] = mapped_column(String(20))  # spam, irrelevant, manual
    mention_id: Mapped[int | None] = mapped_column(ForeignKey("mentions.id", ondelete="SET NULL"))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("kind", "value", "brand"),)


class ReplySnippet(Base):
    """A canned reply kept in the database and edited on a page; [[replies]] in the config
    file offers more, read-only."""

    __tablename__ = "reply_snippets"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    category: Mapped[str | None] = mapped_column(String(30))
    language: Mapped[str | None] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Sighting(Base):
    """One place a mention was seen: its first source, and every exact or near duplicate."""

    __tablename__ = "sightings"

    id: Mapped[int] = mapped_column(primary_key=True)
    mention_id: Mapped[int] = mapped_column(ForeignKey("mentions.id", ondelete="CASCADE"))
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    # Which item of which source this was, so that fetching it again adds nothing.
    sighting_key: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(10))  # first, exact, near
    similarity: Mapped[float | None] = mapped_column(Float)
    url: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str] = mapped_column(String(200), default="")
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)

    source: Mapped[Source] = relationship(lazy="joined", innerjoin=True)

    __table_args__ = (
        UniqueConstraint("mention_id", "sighting_key"),
        Index("ix_sightings_mention_id", "mention_id", "id"),
        # A refetch asks which of its items this source delivered before.
        Index("ix_sightings_sighting_key", "sighting_key"),
    )


class StoryBand(Base):
    """Locality-sensitive hash bands of a mention's text, to find near duplicates quickly."""

    __tablename__ = "story_bands"

    band_key: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    mention_id: Mapped[int] = mapped_column(
        ForeignKey("mentions.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_story_bands_created_at", "created_at"),)


class UnmatchedItem(Base):
    """A recent sample of items that matched no brand, for testing draft queries on."""

    __tablename__ = "unmatched_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    url: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str] = mapped_column(String(200), default="")
    content_hash: Mapped[str] = mapped_column(String(64))
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("source_id", "content_hash"),
        Index("ix_unmatched_items_source_seen", "source_id", "seen_at"),
    )


class Classification(Base):
    """Every label a mention was given, by a model version or by a person (history)."""

    __tablename__ = "classifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    mention_id: Mapped[int] = mapped_column(
        ForeignKey("mentions.id", ondelete="CASCADE"), index=True
    )
    category: Mapped[str] = mapped_column(String(30))
    confidence: Mapped[float] = mapped_column(Float)
    scores: Mapped[dict[str, Any]] = mapped_column(default=dict)
    model_version: Mapped[str | None] = mapped_column(String(50))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Event(Base):
    """The append-only log: who did what to which mention or source, and when."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(50))
    mention_id: Mapped[int | None] = mapped_column(ForeignKey("mentions.id", ondelete="CASCADE"))
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(100), default="system")
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        Index("ix_events_mention_id", "mention_id", "id"),
        Index("ix_events_source_id", "source_id", "id"),
    )


class ModelVersion(Base):
    """A trained classifier, stored in skops format (loading it runs no code), with its metrics."""

    __tablename__ = "model_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(50), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    is_live: Mapped[bool] = mapped_column(Boolean, default=False)
    metrics: Mapped[dict[str, Any]] = mapped_column(default=dict)
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    notes: Mapped[str] = mapped_column(Text, default="")


class TrainingExample(Base):
    """A label a person gave or confirmed: training data for the next model, with who and when."""

    __tablename__ = "training_examples"

    id: Mapped[int] = mapped_column(primary_key=True)
    mention_id: Mapped[int | None] = mapped_column(ForeignKey("mentions.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    label: Mapped[str] = mapped_column(String(30))
    previous_label: Mapped[str | None] = mapped_column(String(30))
    language: Mapped[str | None] = mapped_column(String(8))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_training_examples_created_at", "created_at"),)


class Job(Base):
    """A periodic job's schedule and lease, so that it runs once across all workers."""

    __tablename__ = "jobs"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    next_run_at: Mapped[datetime]
    lease_owner: Mapped[str | None] = mapped_column(String(200))
    lease_expires_at: Mapped[datetime | None]
    last_run_at: Mapped[datetime | None]
    last_result: Mapped[str | None] = mapped_column(Text)


class Alert(Base):
    """Something a rule says people must hear about; the key makes it happen once, whichever
    worker saw it first."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    event: Mapped[str] = mapped_column(String(20))  # mention, spike, blind_spot, sla, digest
    rule: Mapped[str] = mapped_column(String(100))
    mention_id: Mapped[int | None] = mapped_column(
        ForeignKey("mentions.id", ondelete="CASCADE"), index=True
    )
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_alerts_created_at", "created_at"),)


class AlertDelivery(Base):
    """One alert to one target: pending until sent; retried with backoff; failed stays visible.
    Deliveries of one rule to one target that are due together go out as one message."""

    __tablename__ = "alert_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"))
    rule: Mapped[str] = mapped_column(String(100))
    target: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    lease_owner: Mapped[str | None] = mapped_column(String(200))
    lease_expires_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    alert: Mapped[Alert] = relationship(lazy="joined", innerjoin=True)

    __table_args__ = (
        UniqueConstraint("alert_id", "target"),
        Index("ix_alert_deliveries_due", "status", "next_attempt_at"),
        Index("ix_alert_deliveries_group", "rule", "target", "sent_at"),
    )


class AlertRule(Base):
    """A rule made on the admin page; rules from the config file live only there."""

    __tablename__ = "alert_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Spike(Base):
    """A burst of mentions for one brand and category, open until it ends: one alert each way."""

    __tablename__ = "spikes"

    id: Mapped[int] = mapped_column(primary_key=True)
    brand: Mapped[str] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(30))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    peak: Mapped[int] = mapped_column(Integer, default=0)
    baseline: Mapped[float] = mapped_column(Float, default=0.0)

    __table_args__ = (Index("ix_spikes_open", "brand", "category", "ended_at"),)
