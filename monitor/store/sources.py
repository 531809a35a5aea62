"""Sources table: sync from config, claim due sources with a lease, record each check's outcome."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from pydantic import ValidationError
from sqlalchemy import Table, bindparam, func, or_, select, update
from sqlalchemy.orm import Session

from monitor.config import Settings, SourceSettings, source_from_mapping
from monitor.errors import ConfigError, WebcareError
from monitor.sources.base import SourceRequest
from monitor.store.events import record_event
from monitor.store.models import Source, utcnow

log = logging.getLogger(__name__)
ACTIVE, PAUSED, DISABLED, REMOVED = "active", "paused", "disabled", "removed"
# Built in, not in the config and never polled: the source employees' forwards are stored under.
INTERNAL = "internal"
# Where a source is defined: the config file, or the sources page.
CONFIG, PAGE = "config", "page"
# While a WebSub hub pushes a feed's news, polling is only the fallback: this many times slower.
PUSHED_SLOWDOWN = 4.0
_ADAPTER_OPTIONS = ("search", "username", "password_env", "websub", "read_links")


def _options(config: SourceSettings) -> dict[str, Any]:
    return {
        "headers": dict(config.headers),
        "brands": list(config.brands) if config.brands is not None else None,
        "allow_private_addresses": config.allow_private_addresses,
        **config.options,
    }


def sync_sources(session: Session, settings: Settings) -> dict[str, int]:
    """Make the sources table follow the config; history of removed sources is kept. Sources
    added on the sources page stay, unless the config file now names one: then the file's wins."""
    existing = {s.name: s for s in session.scalars(select(Source))}
    counts = {"added": 0, "updated": 0, "removed": 0}
    for config in settings.sources:
        source = existing.pop(config.name, None)
        if source is None:
            source = Source(name=config.name)
            session.add(source)
            _follow(source, config)
            counts["added"] += 1
            continue
        if source.origin == PAGE:
            source.origin, source.definition = CONFIG, None
        counts["updated"] += _follow(source, config)
    for source in existing.values():
        if source.state not in (REMOVED, INTERNAL) and source.origin != PAGE:
            source.state = REMOVED
            counts["removed"] += 1
    return counts


def _follow(source: Source, config: SourceSettings) -> bool:
    """Bring a source's row in line with its settings, from the config file or the page;
    whether anything changed. A new address forgets the old one's validators and is fetched at
    once; a person's pause outlives any change of settings."""
    changed = False
    if source.url != config.url or source.type != config.type:
        source.url, source.type = config.url, config.type
        source.etag = source.last_modified = source.moved_to = None
        source.poll_interval = None
        source.next_check_at = utcnow()
        changed = True
    if source.interval_seconds != config.interval:
        source.interval_seconds = config.interval
        source.poll_interval = None
        changed = True
    if source.options != _options(config):
        source.options = _options(config)
        changed = True
    state = ACTIVE if config.enabled else DISABLED
    if source.state != PAUSED and source.state != state:
        source.state = state
        changed = True
    return changed


@dataclass(frozen=True)
class ClaimedSource:
    id: int
    name: str
    interval: float
    consecutive_errors: int
    request: SourceRequest
    # The adaptive interval now in force (None: the configured one).
    poll_interval: float | None = None
    last_full_fetch_at: datetime | None = None
    push_until: datetime | None = None
    moved_to: str | None = None

    @property
    def current_interval(self) -> float:
        return self.poll_interval or self.interval


def _claimed(source: Source) -> ClaimedSource:
    options = source.options or {}
    return ClaimedSource(
        id=source.id,
        name=source.name,
        interval=source.interval_seconds,
        consecutive_errors=source.consecutive_errors,
        poll_interval=source.poll_interval,
        last_full_fetch_at=source.last_full_fetch_at,
        push_until=source.push_until,
        moved_to=source.moved_to,
        request=SourceRequest(
            name=source.name,
            type=source.type,
            url=source.fetch_url,
            etag=source.etag,
            last_modified=source.last_modified,
            headers=options.get("headers") or {},
            allow_private_addresses=options.get("allow_private_addresses"),
            options={k: options[k] for k in _ADAPTER_OPTIONS if options.get(k) is not None},
        ),
    )


def claim_sources(
    session: Session,
    *,
    owner: str,
    lease_seconds: float,
    limit: int,
    now: datetime | None = None,
    due_only: bool = True,
    names: list[str] | None = None,
) -> list[ClaimedSource]:
    """Lease up to `limit` sources to `owner`; leases held by others are skipped.

    Run inside a write session: on SQLite that is BEGIN IMMEDIATE, on PostgreSQL the rows are
    locked with FOR UPDATE SKIP LOCKED, so concurrent workers never claim the same source.
    """
    now = now or utcnow()
    query = select(Source).where(
        or_(Source.lease_expires_at.is_(None), Source.lease_expires_at < now)
    )
    if names:
        query = query.where(Source.name.in_(names), Source.state != REMOVED)
    else:
        query = query.where(Source.state == ACTIVE)
    if due_only:
        query = query.where(Source.next_check_at <= now)
    query = query.order_by(Source.next_check_at).limit(limit).with_for_update(skip_locked=True)
    sources = list(session.scalars(query))
    expires = now + timedelta(seconds=lease_seconds)
    for source in sources:
        source.lease_owner = owner
        source.lease_expires_at = expires
    session.flush()
    return [_claimed(s) for s in sources]


def _release(session: Session, source_id: int, owner: str, values: dict[str, Any]) -> bool:
    result = session.execute(
        update(Source)
        .where(Source.id == source_id, Source.lease_owner == owner)
        .values(lease_owner=None, lease_expires_at=None, **values)
    )
    return bool(getattr(result, "rowcount", 0))


def record_success(
    session: Session,
    source: ClaimedSource,
    *,
    owner: str,
    now: datetime,
    next_check_at: datetime,
    new_items: int,
    etag: str | None,
    last_modified: str | None,
    poll_interval: float | None = None,
    full_fetch: bool = False,
    moved_to: str | None = None,
) -> bool:
    values: dict[str, Any] = {
        "next_check_at": next_check_at,
        "last_checked_at": now,
        "last_success_at": now,
        "consecutive_errors": 0,
        "failing_since": None,
        "last_error": None,
        "etag": etag,
        "last_modified": last_modified,
        "total_checks": Source.total_checks + 1,
        "items_collected": Source.items_collected + new_items,
    }
    if new_items:
        values["last_new_item_at"] = now
    if poll_interval is not None:
        values["poll_interval"] = poll_interval
    if full_fetch:
        values["last_full_fetch_at"] = now
    if moved_to and moved_to != source.request.url:
        values["moved_to"] = moved_to
        record_event(
            session,
            "source.moved",
            source_id=source.id,
            data={"from": source.request.url, "to": moved_to},
        )
    if source.consecutive_errors:
        record_event(
            session,
            "source.recovered",
            source_id=source.id,
            data={"after_errors": source.consecutive_errors},
        )
    return _release(session, source.id, owner, values)


@dataclass(frozen=True)
class QuietCheck:
    """A successful check that brought nothing new: recorded in batches, many per write."""

    source_id: int
    now: datetime
    next_check_at: datetime
    etag: str | None
    last_modified: str | None
    poll_interval: float
    full_fetch: bool


def record_quiet_checks(session: Session, owner: str, checks: list[QuietCheck]) -> None:
    """record_success for many sources at once, for checks without news, errors or moves."""
    if not checks:
        return
    table = cast(Table, Source.__table__)
    statement = (
        update(table)
        .where(table.c.id == bindparam("b_id"), table.c.lease_owner == owner)
        .values(
            lease_owner=None,
            lease_expires_at=None,
            next_check_at=bindparam("b_next"),
            last_checked_at=bindparam("b_now"),
            last_success_at=bindparam("b_now"),
            consecutive_errors=0,
            failing_since=None,
            last_error=None,
            etag=bindparam("b_etag"),
            last_modified=bindparam("b_last_modified"),
            poll_interval=bindparam("b_interval"),
            last_full_fetch_at=func.coalesce(bindparam("b_full"), table.c.last_full_fetch_at),
            total_checks=table.c.total_checks + 1,
        )
    )
    session.connection().execute(
        statement,
        [
            {
                "b_id": c.source_id,
                "b_next": c.next_check_at,
                "b_now": c.now,
                "b_etag": c.etag,
                "b_last_modified": c.last_modified,
                "b_interval": c.poll_interval,
                "b_full": c.now if c.full_fetch else None,
            }
            for c in checks
        ],
    )


def record_failure(
    session: Session,
    source: ClaimedSource,
    *,
    owner: str,
    now: datetime,
    next_check_at: datetime,
    error: str,
) -> bool:
    record_event(
        session,
        "source.failed",
        source_id=source.id,
        data={
            "error": error,
            "consecutive_errors": source.consecutive_errors + 1,
            "next_check_at": next_check_at.isoformat(),
        },
    )
    return _release(
        session,
        source.id,
        owner,
        {
            "next_check_at": next_check_at,
            "last_checked_at": now,
            "last_error": error[:2000],
            "last_error_at": now,
            "consecutive_errors": Source.consecutive_errors + 1,
            "total_errors": Source.total_errors + 1,
            "total_checks": Source.total_checks + 1,
            # Kept from the first failure in a row: "down since" on the page and the banner.
            "failing_since": func.coalesce(Source.failing_since, now),
        },
    )


@dataclass(frozen=True)
class BlindSpot:
    """A source that missed its freshness target: mentions from it may be missing."""

    id: int
    name: str
    since: datetime
    reason: str


def blind_spots(
    session: Session, *, stale_after: float, now: datetime | None = None
) -> list[BlindSpot]:
    """Active sources without a success for `stale_after` of their configured intervals."""
    now = now or utcnow()
    found: list[BlindSpot] = []
    # Every queue page asks: let the database drop the sources that succeeded more recently
    # than even the shortest interval allows, so the healthy thousands are never loaded.
    shortest = session.scalar(select(func.min(Source.interval_seconds)))
    if shortest is None:
        return found
    recent = now - timedelta(seconds=shortest * stale_after)
    query = (
        select(Source)
        .where(
            Source.state == ACTIVE,
            or_(Source.last_success_at.is_(None), Source.last_success_at < recent),
        )
        .order_by(Source.name)
    )
    for source in session.scalars(query):
        last_good = source.last_success_at or source.created_at
        # Checks come less often for quiet sources, servers that ask so, and pushed feeds.
        interval = max(source.interval_seconds, source.poll_interval or 0.0)
        if source.push_until is not None and source.push_until > now:
            interval *= PUSHED_SLOWDOWN
        late = now - last_good > timedelta(seconds=interval * stale_after)
        if not late:
            continue
        since = source.failing_since or last_good
        reason = source.last_error or "no successful check yet"
        found.append(BlindSpot(source.id, source.name, since, reason))
    return found


def list_sources(session: Session) -> list[Source]:
    """The sources people configured (not the built-in one forwards are stored under)."""
    query = select(Source).where(Source.state != INTERNAL).order_by(Source.name)
    return list(session.scalars(query))


def source_ids(session: Session) -> dict[str, int]:
    return {name: id_ for id_, name in session.execute(select(Source.id, Source.name))}


def _person_changes(
    session: Session, source_id: int, kind: str, actor: str, user_id: int | None
) -> Source:
    source = session.get(Source, source_id)
    if source is None:
        raise WebcareError(f"Source {source_id} does not exist.")
    record_event(session, kind, source_id=source_id, user_id=user_id, actor=actor)
    return source


def pause_source(session: Session, source_id: int, *, actor: str, user_id: int | None) -> None:
    """A person stops a source; it stays stopped across restarts until someone resumes it."""
    source = _person_changes(session, source_id, "source.paused", actor, user_id)
    if source.state != ACTIVE:
        raise WebcareError(f"{source.name} is {source.state}; only an active source can pause.")
    source.state = PAUSED


def resume_source(session: Session, source_id: int, *, actor: str, user_id: int | None) -> None:
    source = _person_changes(session, source_id, "source.resumed", actor, user_id)
    if source.state != PAUSED:
        raise WebcareError(f"{source.name} is not paused.")
    source.state = ACTIVE
    source.next_check_at = utcnow()


def check_now(session: Session, source_id: int, *, actor: str, user_id: int | None) -> None:
    """Due at once: the next tick fetches it, backoff or not."""
    source = _person_changes(session, source_id, "source.check_requested", actor, user_id)
    if source.state != ACTIVE:
        raise WebcareError(f"{source.name} is {source.state}; resume it first.")
    source.next_check_at = utcnow()


# --- sources added on the page ----------------------------------------------------------------


def page_sources(session: Session) -> list[SourceSettings]:
    """The sources admins added on the sources page and did not remove, as settings; workers
    add them to the config file's (Settings.with_page_sources) to match and weigh their items."""
    rows = session.scalars(
        select(Source).where(Source.origin == PAGE, Source.state != REMOVED).order_by(Source.id)
    )
    found = []
    for row in rows:
        try:
            found.append(SourceSettings.model_validate(row.definition or {}))
        except ValidationError as exc:
            # Stored under an older release's rules: the brands' queries apply until an admin
            # saves it again; one such source must not stop the others.
            log.warning("source %s: its settings no longer validate: %s", row.name, exc)
    return found


def page_sources_version(session: Session) -> tuple[Any, ...]:
    """Changes whenever a page source is added, edited, removed, paused or resumed."""
    rows = session.execute(
        select(Source.id, Source.state, Source.definition).where(Source.origin == PAGE)
    )
    return tuple((row.id, row.state, repr(row.definition)) for row in rows)


def add_page_source(
    session: Session, settings: Settings, data: dict[str, Any], *, actor: str, user_id: int | None
) -> Source:
    """A source from the page's form: checked as the config file's would be, its name free
    (config or page), collected from the next tick on."""
    config = _checked(settings, data)
    if settings.source(config.name) is not None:
        raise WebcareError(f"name: {config.name!r} is a source in the config file already")
    source = session.scalar(select(Source).where(Source.name == config.name))
    if source is not None and not (source.origin == PAGE and source.state == REMOVED):
        raise WebcareError(f"name: a source called {config.name!r} exists already")
    if source is None:
        source = Source(name=config.name, origin=PAGE)
        session.add(source)
    _follow(source, config)
    source.definition = _definition(config)
    session.flush()
    record_event(session, "source.added", source_id=source.id, actor=actor, user_id=user_id,
                 data={"source": config.name, "definition": source.definition})  # fmt: skip
    return source


def edit_page_source(
    session: Session,
    settings: Settings,
    source_id: int,
    data: dict[str, Any],
    *,
    actor: str,
    user_id: int | None,
) -> Source:
    """New settings for a page source; its name stays, its schedule and history too."""
    source = _page_source(session, source_id)
    config = _checked(settings, {**data, "name": source.name})
    _follow(source, config)
    source.definition = _definition(config)
    record_event(session, "source.edited", source_id=source.id, actor=actor, user_id=user_id,
                 data={"source": source.name, "definition": source.definition})  # fmt: skip
    return source


def remove_page_source(session: Session, source_id: int, *, actor: str, user_id: int | None) -> str:
    """Stops collecting it; its mentions and history stay, and the name can be used again."""
    source = _page_source(session, source_id)
    source.state = REMOVED
    source.lease_owner = source.lease_expires_at = None
    record_event(session, "source.removed", source_id=source.id, actor=actor, user_id=user_id,
                 data={"source": source.name})  # fmt: skip
    return source.name


def _checked(settings: Settings, data: dict[str, Any]) -> SourceSettings:
    clean = {key: value for key, value in data.items() if value not in (None, "", [], ())}
    try:
        return source_from_mapping(clean, settings)
    except ConfigError as exc:
        raise WebcareError(str(exc)) from None


def _definition(config: SourceSettings) -> dict[str, Any]:
    """What page_sources() validates again: the settings that differ from the defaults."""
    return {**config.model_dump(mode="json", exclude_defaults=True), "name": config.name}


def _page_source(session: Session, source_id: int) -> Source:
    source = session.get(Source, source_id)
    if source is None or source.state == REMOVED:
        raise WebcareError(f"there is no source {source_id}")
    if source.origin != PAGE:
        raise WebcareError(f"{source.name} is defined in the config file; change it there")
    return source
