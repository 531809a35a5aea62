"""The team queues and the mention page: routed items, safe display, status changes by role."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from flask.testing import FlaskClient
from sqlalchemy import select, update

from monitor.config import Settings
from monitor.store.db import Database
from monitor.store.models import Event, Mention, Source, utcnow
from tests.webui.conftest import csrf_token


def _mention_id(db: Database, item_id: str) -> int:
    with db.read() as session:
        return int(session.scalar(select(Mention.id).where(Mention.source_item_id == item_id)) or 0)


def test_each_team_sees_its_own_queue_with_counts(login: Callable[[str], FlaskClient]) -> None:
    client = login("anne")
    assert client.get("/").headers["Location"] == "/queue/webcare"
    page = client.get("/queue/customer_service").get_data(as_text=True)
    assert "Al drie dagen geen stroom" in page
    assert "Persvraag" not in page
    assert "Complaint" in page and re.search(r"\d+%", page)
    spokesperson = client.get("/queue/spokesperson").get_data(as_text=True)
    assert "Persvraag" in spokesperson
    assert re.search(r"deadline \w{3} 16:00 · (in|overdue) ", spokesperson)
    counts = dict(re.findall(r'data-team-count="(\w+)">(\d+)<', spokesperson))
    assert counts["spokesperson"] == "1" and int(counts["customer_service"]) >= 1


def test_filters_narrow_the_queue(login: Callable[[str], FlaskClient]) -> None:
    client = login("admin")
    assert "Persvraag" not in client.get("/queue/spokesperson?category=praise").get_data(
        as_text=True
    )
    assert "Persvraag" not in client.get("/queue/spokesperson?status=resolved").get_data(
        as_text=True
    )
    assert client.get("/queue/spokesperson?category=nonsense").status_code == 400
    assert client.get("/queue/sales").status_code == 404


def test_hostile_feed_text_is_shown_as_text_and_never_as_markup(
    login: Callable[[str], FlaskClient], db: Database
) -> None:
    client = login("admin")
    mention_id = _mention_id(db, "x1")
    with db.read() as session:
        team = session.scalar(select(Mention.team).where(Mention.id == mention_id))
    for path in (f"/queue/{team}", f"/mentions/{mention_id}"):
        response = client.get(path)
        html = response.get_data(as_text=True)
        assert "<script>window.__pwned" not in html
        assert "<img src=x" not in html
        assert "&lt;script&gt;" in html or "window.__pwned" not in html
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_the_mention_page_links_the_original_and_highlights_the_match(
    login: Callable[[str], FlaskClient], db: Database
) -> None:
    html = login("anne").get(f"/mentions/{_mention_id(db, 'q1')}").get_data(as_text=True)
    assert (
        'href="https://social.example/q1" target="_blank" rel="noopener noreferrer nofollow"'
        in html
    )
    assert "<mark>Stroomlijn</mark>" in html
    assert "collected it, labelled it question" in html


def test_an_agent_works_items_of_their_team_and_the_history_says_so(
    login: Callable[[str], FlaskClient], db: Database
) -> None:
    client = login("anne")
    mention_id = _mention_id(db, "q1")
    token = csrf_token(client, f"/mentions/{mention_id}")
    response = client.post(
        f"/mentions/{mention_id}/status", data={"status": "resolved", "csrf_token": token}
    )
    assert response.status_code == 302
    page = client.get(f"/mentions/{mention_id}").get_data(as_text=True)
    assert "anne</b>" in page and "changed the status from new to resolved" in page
    assert "Hoe kan ik bij Stroomlijn" not in client.get("/queue/webcare").get_data(as_text=True)


def test_state_changes_are_checked_against_csrf_role_and_team(
    login: Callable[[str], FlaskClient], db: Database
) -> None:
    anne = login("anne")
    press = _mention_id(db, "j1")
    token = csrf_token(anne, "/queue/webcare")
    assert anne.post(f"/mentions/{press}/status", data={"status": "resolved"}).status_code == 400
    assert (
        anne.post(
            f"/mentions/{press}/status", data={"status": "resolved", "csrf_token": token}
        ).status_code
        == 403
    )
    viewer = login("vera")
    assert "Resolved</button>" not in viewer.get(f"/mentions/{press}").get_data(as_text=True)
    assert (
        viewer.post(
            f"/mentions/{press}/status",
            data={"status": "resolved", "csrf_token": csrf_token(viewer, "/queue/webcare")},
        ).status_code
        == 403
    )
    piet = login("piet")
    piet_token = csrf_token(piet, "/queue/spokesperson")
    assert (
        piet.post(
            f"/mentions/{press}/status", data={"status": "finished", "csrf_token": piet_token}
        ).status_code
        == 400
    )
    assert (
        piet.post(
            f"/mentions/{press}/status", data={"status": "in_progress", "csrf_token": piet_token}
        ).status_code
        == 302
    )
    with db.read() as session:
        assert session.scalar(select(Mention.status).where(Mention.id == press)) == "in_progress"


def test_a_reporter_cannot_open_the_queues(login: Callable[[str], FlaskClient]) -> None:
    client = login("rita")
    assert client.get("/").headers["Location"].endswith("/forward")  # their home
    for path in ("/queue/webcare", "/mentions/1", "/sources"):
        response = client.get(path)
        assert response.status_code == 403
        assert "may forward items" in response.get_data(as_text=True)


def test_a_source_down_for_several_intervals_is_a_blind_spot_banner_where_agents_work(
    login: Callable[[str], FlaskClient], db: Database
) -> None:
    client = login("anne")
    assert "Blind spot" not in client.get("/queue/webcare").get_data(as_text=True)
    with db.write() as session:
        # One failure after a recent success is not yet a blind spot: backoff handles it.
        session.execute(
            update(Source).values(
                consecutive_errors=1, last_error="HTTP 500", last_success_at=utcnow()
            )
        )
    assert "Blind spot" not in client.get("/queue/webcare").get_data(as_text=True)
    down_since = datetime(2026, 12, 4, 9, 42, tzinfo=UTC)
    with db.write() as session:
        session.execute(
            update(Source).values(
                consecutive_errors=3,
                interval_seconds=300,
                last_success_at=down_since - timedelta(minutes=5),
                failing_since=down_since,
            )
        )
    page = client.get("/queue/webcare").get_data(as_text=True)
    # 09:42 UTC is 10:42 in Amsterdam, the organisation's zone.
    assert "Blind spot:" in page and "social</a> is down since" in page and "10:42" in page
    assert "you may be missing mentions" in page
    sources = client.get("/sources").get_data(as_text=True)
    assert "Down since 04-12 10:42: HTTP 500" in sources


def test_an_admin_pauses_resumes_and_rechecks_a_source_and_the_history_says_who(
    login: Callable[[str], FlaskClient], db: Database
) -> None:
    client = login("admin")
    with db.read() as session:
        source_id = session.scalars(select(Source.id)).first()
    token = csrf_token(client, "/sources")
    paused = client.post(f"/sources/{source_id}/pause", data={"csrf_token": token})
    assert paused.status_code == 302
    page = client.get("/sources").get_data(as_text=True)
    assert "is paused until someone resumes it" in page and ">Resume</button>" in page
    with db.read() as session:
        assert session.scalar(select(Source.state).where(Source.id == source_id)) == "paused"
    again = client.post(f"/sources/{source_id}/pause", data={"csrf_token": token})
    assert again.status_code == 400 and "only an active source can pause" in again.get_data(
        as_text=True
    )
    client.post(f"/sources/{source_id}/resume", data={"csrf_token": token})
    client.post(f"/sources/{source_id}/check", data={"csrf_token": token})
    with db.read() as session:
        assert session.scalar(select(Source.state).where(Source.id == source_id)) == "active"
        kinds = session.scalars(
            select(Event.kind).where(Event.source_id == source_id).order_by(Event.id)
        ).all()
        actors = set(session.scalars(select(Event.actor).where(Event.source_id == source_id)))
    assert kinds[-3:] == ["source.paused", "source.resumed", "source.check_requested"]
    assert "admin" in actors


def test_only_admins_manage_sources_and_without_a_token_nothing_changes(
    login: Callable[[str], FlaskClient], db: Database
) -> None:
    client = login("anne")
    with db.read() as session:
        source_id = session.scalars(select(Source.id)).first()
    token = csrf_token(client, "/sources")
    assert ">Pause</button>" not in client.get("/sources").get_data(as_text=True)
    assert client.post(f"/sources/{source_id}/pause", data={"csrf_token": token}).status_code == 403
    admin = login("admin")
    assert admin.post(f"/sources/{source_id}/pause").status_code == 400
    with db.read() as session:
        assert session.scalar(select(Source.state).where(Source.id == source_id)) == "active"


def test_missing_mentions_are_a_friendly_404(login: Callable[[str], FlaskClient]) -> None:
    response = login("anne").get("/mentions/999999")
    assert response.status_code == 404 and "does not exist" in response.get_data(as_text=True)


def test_the_query_tester_shows_hits_marks_and_precision(
    login: Callable[[str], FlaskClient],
) -> None:
    client = login("anne")
    page = client.get("/query-tester?q=stroomlijn+NOT+persvraag").get_data(as_text=True)
    assert "hits</h2>" in page and "<mark>Stroomlijn</mark>" in page
    refs = re.findall(r'name="judge-(\w+)" value="right"', page)
    assert refs
    token = csrf_token(client, "/query-tester")
    marks = {f"judge-{refs[0]}": "right"} | ({f"judge-{refs[1]}": "wrong"} if len(refs) > 1 else {})
    judged = client.post("/query-tester", data={"q": "stroomlijn", "csrf_token": token, **marks})
    text = judged.get_data(as_text=True)
    assert judged.status_code == 200 and "judged hits right" in text
    broken = client.get("/query-tester?q=%22open").get_data(as_text=True)
    assert "unclosed quote at column 1" in broken


def test_a_story_seen_in_several_places_shows_its_sightings(
    login: Callable[[str], FlaskClient], db: Database, settings: Settings
) -> None:
    from monitor.classify import ModelProvider
    from monitor.pipeline import Ingestor
    from monitor.sources.base import Item

    with db.write() as session:
        session.add(
            Source(
                name="news",
                type="rss",
                url="https://news.example/feed",
                interval_seconds=300,
                options={},
            )
        )
    with db.read() as session:
        news_id = session.scalar(select(Source.id).where(Source.name == "news"))
    assert news_id is not None
    same = Item(
        "z", "https://social.example/q1", "", "Hoe kan ik bij Stroomlijn mijn adres wijzigen?"
    )
    Ingestor(settings, db, ModelProvider(db)).ingest(
        source_id=news_id, source_name="news", items=[same]
    )
    client = login("anne")
    assert "2 sightings" in client.get("/queue/webcare").get_data(as_text=True)
    page = client.get(f"/mentions/{_mention_id(db, 'q1')}").get_data(as_text=True)
    assert "Seen 2 times" in page and "same item" in page and "news" in page


def test_relabelling_teaches_the_model_and_moves_the_mention(
    login: Callable[[str], FlaskClient], db: Database
) -> None:
    from monitor.store.models import TrainingExample

    client = login("admin")
    mention_id = _mention_id(db, "q1")
    token = csrf_token(client, f"/mentions/{mention_id}")
    moved = client.post(
        f"/mentions/{mention_id}/category",
        data={"category": "complaint", "csrf_token": token},
        follow_redirects=True,
    )
    page = moved.get_data(as_text=True)
    assert "Relabelled as complaint and routed to customer service" in page
    assert "relabelled it from question to complaint and moved it to Customer service" in page
    with db.read() as session:
        mention = session.get(Mention, mention_id)
        assert mention is not None and (mention.category, mention.team) == (
            "complaint",
            "customer_service",
        )
        [example] = session.scalars(select(TrainingExample))
        assert (example.label, example.previous_label) == ("complaint", "question")
        assert "adres wijzigen" in example.text
    confirmed = client.post(
        f"/mentions/{mention_id}/category",
        data={"category": "complaint", "csrf_token": token},
        follow_redirects=True,
    )
    assert "Label confirmed" in confirmed.get_data(as_text=True)
    assert (
        client.post(
            f"/mentions/{mention_id}/category", data={"category": "rant", "csrf_token": token}
        ).status_code
        == 400
    )


def test_admins_see_model_versions_and_can_roll_back(
    login: Callable[[str], FlaskClient], db: Database
) -> None:
    from monitor.store import model_versions
    from monitor.training import train_and_decide

    with db.read() as session:
        first = model_versions.live_version(session)
    assert first is not None
    newer = train_and_decide(db, force=True)
    assert login("anne").get("/admin/models").status_code == 403
    admin = login("admin")
    page = admin.get("/admin/models").get_data(as_text=True)
    assert newer.version in page and first.version in page and "Make live" in page
    token = csrf_token(admin, "/admin/models")
    rolled = admin.post(f"/admin/models/{first.id}/live", data={"csrf_token": token},
                        follow_redirects=True)  # fmt: skip
    assert f"Model {first.version} is now live" in rolled.get_data(as_text=True)
    with db.read() as session:
        assert model_versions.live_version_name(session) == first.version
    trained = admin.post("/admin/models/train", data={"csrf_token": token}, follow_redirects=True)
    assert re.search(
        r"model m[\d-]+\w+: (now live|kept, not live): ", trained.get_data(as_text=True)
    )


def test_the_mention_page_says_which_words_pushed_the_decision(
    login: Callable[[str], FlaskClient], db: Database
) -> None:
    page = login("piet").get(f"/mentions/{_mention_id(db, 'j1')}").get_data(as_text=True)
    assert "Words that pushed it towards journalist inquiry" in page
    assert re.search(r'<li class="for"><code>[^<]+</code> \+\d+\.\d</li>', page)
