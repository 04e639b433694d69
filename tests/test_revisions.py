"""Revisions on the web: history, word diffs between any two, recent changes and their Atom feed."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from archive.model import Statement

from helpers import archive_store, build_archive, web_client

UTC = timezone.utc
ATOM = "{http://www.w3.org/2005/Atom}"
XSS = "<script>alert(1)</script>"

ORIGINAL = Statement(
    source="us-state", url="https://us-state.example/statements/edited", country="US",
    ministry="Department of State", language="en", kind="statement", title="Statement on the border talks",
    paragraphs=["The delegations met on Monday.", f"A quoted fragment {XSS} stays text.",
                "The talks were constructive and frank."],
    date=datetime(2024, 6, 3, 9, 30, tzinfo=UTC), fetched_at=datetime(2024, 7, 1, 12, 0, tzinfo=UTC))
UNEDITED = Statement(
    source="us-state", url="https://us-state.example/statements/plain", country="US",
    ministry="Department of State", language="en", kind="statement", title="Statement never edited",
    paragraphs=["Nothing changed here."], date=datetime(2024, 6, 4, tzinfo=UTC),
    fetched_at=datetime(2024, 7, 1, 12, 0, tzinfo=UTC))


def _capture(st: Statement, day: int, **changes) -> Statement:
    return Statement(**{**st.__dict__, **changes, "fetched_at": datetime(2024, 7, day, 12, 0, tzinfo=UTC)})


@pytest.fixture(scope="module")
def client(tmp_path_factory, archive_engine):
    root: Path = tmp_path_factory.mktemp("revisions-data")
    build_archive(root, [ORIGINAL, UNEDITED], store_url=archive_engine)
    store = archive_store(root, archive_engine)
    edited = ORIGINAL.paragraphs[:2] + ["The talks were difficult but frank."]
    store.save(_capture(ORIGINAL, 2, paragraphs=edited))
    # markup only: the same words spaced differently are a capture, not a revision
    store.save(_capture(ORIGINAL, 3, paragraphs=[p.replace(" ", "  ") + " " for p in edited]))
    store.close()
    with web_client(root, STORE=archive_engine) as client:
        yield client


def test_api_lists_two_revisions_with_iso_dates(client):
    r = client.get(f"/api/statements/{ORIGINAL.id}/revisions")
    assert r.status_code == 200
    body = r.get_json()
    assert body["id"] == ORIGINAL.id
    revs = body["revisions"]
    assert [v["seq"] for v in revs] == [1, 2]
    assert revs[1]["paragraphs"][2] == "The talks were difficult but frank."
    assert revs[1]["first_seen"] == "2024-07-02T12:00:00+00:00"
    # the markup-only capture extends the second revision's life instead of starting a third
    assert revs[1]["last_seen"] == "2024-07-03T12:00:00+00:00"
    assert set(revs[0]) == {"seq", "title", "paragraphs", "content_hash", "first_seen", "last_seen"}


def test_statement_page_says_edited_and_links_the_diff(client):
    html = client.get(f"/statements/{ORIGINAL.id}").get_data(as_text=True)
    assert "Edited after publication" in html and "2 text revisions" in html
    assert f"/statements/{ORIGINAL.id}/revisions?from=1&amp;to=2" in html
    plain = client.get(f"/statements/{UNEDITED.id}").get_data(as_text=True)
    assert "Edited after publication" not in plain


def test_diff_page_marks_changed_words_and_escapes_text(client):
    r = client.get(f"/statements/{ORIGINAL.id}/revisions?from=1&to=2")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "<del>constructive and</del>" in html
    assert "<ins>difficult but</ins>" in html
    assert XSS not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<select name="from">' in html and "<script" not in html.replace("&lt;script", "")


def test_diff_json_twin_has_ops(client):
    body = client.get(f"/api/statements/{ORIGINAL.id}/revisions?from=1&to=2").get_json()
    assert body["from"] == 1 and body["to"] == 2
    assert body["diff"]["title"] == [{"op": "equal", "text": ORIGINAL.title}]
    last = body["diff"]["paragraphs"][2]
    assert {"op": "delete", "text": "constructive and"} in last
    assert {"op": "insert", "text": "difficult but"} in last
    # the reverse direction is a diff too
    back = client.get(f"/api/statements/{ORIGINAL.id}/revisions?from=2&to=1").get_json()
    assert {"op": "insert", "text": "constructive and"} in back["diff"]["paragraphs"][2]


def test_changes_page_json_and_atom(client):
    html = client.get("/changes").get_data(as_text=True)
    assert "Statement on the border talks" in html and "Department of State" in html
    assert f"/statements/{ORIGINAL.id}/revisions?from=1&amp;to=2" in html
    assert "Statement never edited" not in html
    changes = client.get("/api/changes").get_json()["changes"]
    assert [(c["id"], c["seq"]) for c in changes] == [(ORIGINAL.id, 2)]
    assert changes[0]["first_seen"] == "2024-07-02T12:00:00+00:00"
    r = client.get("/changes.atom")
    assert r.mimetype == "application/atom+xml"
    root = ET.fromstring(r.data)
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 1
    assert entries[0].find(f"{ATOM}title").text == "Statement on the border talks"
    assert entries[0].find(f"{ATOM}link").get("href").endswith(f"/statements/{ORIGINAL.id}/revisions?from=1&to=2")


def test_unknown_statement_is_404(client):
    assert client.get("/api/statements/nope/revisions").status_code == 404
    assert client.get("/api/statements/nope/revisions?from=1&to=2").status_code == 404
    assert client.get("/statements/nope/revisions").status_code == 404


@pytest.mark.parametrize("query", ["from=0&to=2", "from=1&to=3", "from=x&to=2", "from=1&to=-1"])
def test_bad_revision_numbers_are_400(client, query):
    page = client.get(f"/statements/{ORIGINAL.id}/revisions?{query}")
    assert page.status_code == 400
    api = client.get(f"/api/statements/{ORIGINAL.id}/revisions?{query}")
    assert api.status_code == 400 and "error" in api.get_json()
