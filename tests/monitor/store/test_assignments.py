"""Who has a mention: assigning follows the teams, claiming shows who works on it, and every
change is in the history."""

from __future__ import annotations

import pytest

from monitor.errors import WebcareError
from monitor.store.assignments import assign, claim, move_to_team, team_members
from monitor.store.db import Database
from monitor.store.events import mention_history
from monitor.store.mentions import QueueFilter, list_mentions, open_count_assigned
from monitor.store.models import Mention, User
from monitor.store.users import get_user


def _user(session: object, name: str) -> User:
    found = get_user(session, name)  # type: ignore[arg-type]
    assert found is not None
    return found


def _mention(db: Database, mention_id: int) -> Mention:
    with db.read() as session:
        found = session.get(Mention, mention_id)
        assert found is not None
        return found


def test_assigning_a_new_mention_makes_it_assigned_and_handing_it_back_makes_it_new(
    db: Database, mention_id: int
) -> None:
    with db.write() as session:
        assign(session, mention_id, _user(session, "anne"), _user(session, "bram"))
    mention = _mention(db, mention_id)
    assert mention.status == "assigned" and mention.assignee is not None
    assert mention.assignee.name == "anne" and mention.assigned_at is not None
    # Assigning is not an answer to the customer: the first-response clock keeps running.
    assert mention.first_response_at is None
    with db.write() as session:
        assign(session, mention_id, None, _user(session, "anne"))
    mention = _mention(db, mention_id)
    assert (mention.status, mention.assignee_id, mention.assigned_at) == ("new", None, None)
    with db.read() as session:
        events = [(e.kind, e.actor, e.data["from"], e.data["to"])
                  for e in mention_history(session, mention_id)]  # fmt: skip
    assert events == [
        ("mention.assigned", "bram", None, "anne"),
        ("mention.assigned", "anne", "anne", None),
    ]


def test_only_people_who_work_the_team_can_be_given_its_mentions(
    db: Database, mention_id: int
) -> None:
    for name in ("piet", "vera"):
        with db.write() as session, pytest.raises(WebcareError, match=f"{name} cannot work"):
            assign(session, mention_id, _user(session, name), None)
    with db.write() as session:
        assign(session, mention_id, _user(session, "root"), None)  # admins work everywhere
        assert [u.name for u in team_members(session, "webcare")] == ["anne", "bram", "root"]
        assert [u.name for u in team_members(session, "spokesperson")] == ["piet", "root"]


def test_claiming_shows_who_works_on_it_and_starts_the_response_clock(
    db: Database, mention_id: int
) -> None:
    with db.write() as session:
        claim(session, mention_id, _user(session, "anne"))
    mention = _mention(db, mention_id)
    assert mention.status == "in_progress" and mention.assignee is not None
    assert mention.assignee.name == "anne" and mention.first_response_at is not None
    with db.read() as session:
        anne = _user(session, "anne")
        mine = list_mentions(session, QueueFilter(assignee_id=anne.id))
        assert [m.id for m in mine] == [mention_id]
        assert open_count_assigned(session, anne.id) == 1
    # Work under way keeps its status when someone else takes it over.
    with db.write() as session:
        assign(session, mention_id, _user(session, "bram"), _user(session, "anne"))
    assert _mention(db, mention_id).status == "in_progress"


def test_moving_to_another_team_keeps_the_assignee_only_if_they_work_there(
    db: Database, mention_id: int
) -> None:
    with db.write() as session:
        assign(session, mention_id, _user(session, "bram"), None)
        move_to_team(session, mention_id, "customer_service", None)
    mention = _mention(db, mention_id)
    assert mention.team == "customer_service" and mention.assignee is not None
    with db.write() as session:
        move_to_team(session, mention_id, "spokesperson", _user(session, "bram"))
    mention = _mention(db, mention_id)
    assert (mention.team, mention.assignee_id, mention.status) == ("spokesperson", None, "new")
    with db.read() as session:
        kinds = [e.kind for e in mention_history(session, mention_id)]
    assert kinds == ["mention.assigned", "mention.moved", "mention.moved", "mention.assigned"]
    with db.write() as session, pytest.raises(WebcareError, match="unknown team"):
        move_to_team(session, mention_id, "marketing", None)


def test_a_deleted_user_leaves_their_mentions_unassigned(db: Database, mention_id: int) -> None:
    with db.write() as session:
        assign(session, mention_id, _user(session, "anne"), None)
    with db.write() as session:
        session.delete(_user(session, "anne"))
    assert _mention(db, mention_id).assignee_id is None
