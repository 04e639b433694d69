"""JSON Lines import and export through the real command line."""
import gzip
import json

import pytest

from helpers import cli, cli_json

RECORD = {"url": "https://www.state.gov/yemen-national-day/", "title": "Yemen National Day",
          "date": "2021-05-22T12:00:47+00:00", "country": "US", "ministry": "U.S. Department of State",
          "language": "en", "speaker": "Antony J. Blinken, Secretary of State",
          "guid": "https://www.state.gov/?page_id=245633",
          "html": "<p>On behalf of the Government of the United States, I offer best wishes.</p><p>Second.</p>"}


def write_jsonl(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_import_is_idempotent_and_export_round_trips(tmp_path):
    data = tmp_path / "data"
    src = write_jsonl(tmp_path / "in.jsonl", [RECORD, {**RECORD, "guid": None, "url": "https://www.mfa.gov.sg/x",
                                                       "country": "SG", "ministry": "MFA Singapore",
                                                       "html": None, "text": "Para one.\n\nPara two."}])
    first = cli_json(data, "import", str(src))
    assert first["files"][0] == {"file": str(src), "statements": 2, "new": 2, "changed": 0, "unchanged": 0}
    assert first["indexed"] == 2
    again = cli_json(data, "import", str(src))
    assert again["files"][0]["new"] == 0 and again["files"][0]["unchanged"] == 2 and again["indexed"] == 0

    out = cli(data, "export")
    assert out.returncode == 0, out.stderr
    lines = [json.loads(x) for x in out.stdout.splitlines()]
    assert len(lines) == 2
    state = next(r for r in lines if r["country"] == "US")
    assert state["source"] == "us-state" and state["guid"] == RECORD["guid"]
    assert state["speaker"] == RECORD["speaker"] and state["date"] == RECORD["date"]
    sg = next(r for r in lines if r["country"] == "SG")
    assert sg["text"] == "Para one.\n\nPara two."

    # exported files import into a fresh archive unchanged, and into the same archive as no-ops
    gz = tmp_path / "out.jsonl.gz"
    assert cli(data, "export", str(gz)).returncode == 0
    assert cli_json(data, "import", str(gz))["files"][0]["unchanged"] == 2
    fresh = cli_json(tmp_path / "fresh", "import", str(gz))
    assert fresh["files"][0]["new"] == 2
    assert [json.loads(x) for x in cli(tmp_path / "fresh", "export").stdout.splitlines()] == lines


@pytest.mark.parametrize("bad, message", [
    ("{not json", "in.jsonl:2: not valid JSON"),
    (json.dumps({**RECORD, "date": "22/05/2021"}), "in.jsonl:2: date is not ISO 8601"),
    (json.dumps({k: v for k, v in RECORD.items() if k != "title"}), "in.jsonl:2: missing title"),
    (json.dumps({**RECORD, "html": "<p> </p>"}), "in.jsonl:2: empty text"),
    (json.dumps({**RECORD, "country": "USA"}), "in.jsonl:2: country is not an ISO 3166-1"),
])
def test_a_bad_line_names_file_and_line_and_imports_nothing(tmp_path, bad, message):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({**RECORD, "guid": "other", "url": "https://www.state.gov/other/"}) + "\n" + bad + "\n")
    proc = cli(tmp_path / "data", "import", str(src))
    assert proc.returncode == 1
    assert message in proc.stderr and "Traceback" not in proc.stderr
    assert "nothing imported" in proc.stderr
    assert cli(tmp_path / "data", "export").stdout == ""


def test_missing_import_file_is_one_line(tmp_path):
    proc = cli(tmp_path / "data", "import", str(tmp_path / "nope.jsonl"))
    assert proc.returncode == 1 and proc.stderr.strip().count("\n") == 0 and "no such file" in proc.stderr


@pytest.mark.corpus
def test_import_the_real_statements(corpus, tmp_path):
    files = sorted((corpus / "statements").glob("*.jsonl.gz"))
    expected = sum(1 for f in files for _ in gzip.open(f, "rt"))
    res = cli_json(tmp_path / "data", "import", *map(str, files), timeout=900)
    assert sum(f["new"] for f in res["files"]) == expected == 2031 + 875
    assert res["indexed"] == expected
    hits = cli_json(tmp_path / "data", "search", '"press briefing"', "--source", "us-state", "--limit", "5")
    assert hits["total"] > 60 and all(h["source"] == "us-state" for h in hits["hits"])

    # a real press briefing's page shows who speaks: the spokesperson and the questions
    from archive.web import create_app
    from archive.web.backend import EXTENSION
    briefing = cli_json(tmp_path / "data", "search", 'title:"Department Press Briefing"', "--limit", "1")["hits"][0]
    app = create_app(tmp_path / "data", {"TESTING": True})
    try:
        html = app.test_client().get(f"/statements/{briefing['id']}").get_data(as_text=True)
        st = app.test_client().get(f"/api/statements/{briefing['id']}").get_json()
    finally:
        app.extensions[EXTENSION].close()
    roles = {t["role"] for t in st["turns"]}
    assert {"spokesperson", "question"} <= roles
    assert 'class="turn turn-spokesperson"' in html and 'class="turn turn-question"' in html


def test_cli_search_filters_facets_and_suggestion(tmp_path):
    data = tmp_path / "data"
    src = write_jsonl(tmp_path / "in.jsonl", [RECORD, {**RECORD, "guid": "g2", "url": "https://www.state.gov/b/",
                                                       "title": "Press Briefing", "kind": "press-conference",
                                                       "date": "2022-01-03T10:00:00-05:00"}])
    assert cli(data, "import", str(src)).returncode == 0
    res = cli_json(data, "search", "behalf", "--facets")
    assert res["total"] == 2
    assert {f["value"]: f["count"] for f in res["facets"]["year"]} == {"2021": 1, "2022": 1}
    assert cli_json(data, "search", "behalf", "--kind", "press-conference")["total"] == 1
    assert cli_json(data, "search", "behalf", "--year", "2021")["total"] == 1
    assert cli_json(data, "search", "behalf date:2022")["total"] == 1
    assert cli_json(data, "search", "behalff")["suggestion"] == "behalf"
    bad = cli(data, "search", "behalf date:2022-13")
    assert bad.returncode == 1 and bad.stderr.startswith("error: ") and "Traceback" not in bad.stderr
