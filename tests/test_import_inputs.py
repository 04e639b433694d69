"""JSON Lines imports that must not break the archive: re-imported histories, bad dates, wrong types, lone
surrogates, huge values; each bad file is refused whole with one line naming file and line."""
from __future__ import annotations

import json
import random
import sqlite3
from datetime import date, datetime, timezone

import pytest

from archive.ingest.jsonl import ImportFileError, read_file
from archive.model import Statement
from helpers import archive_store, cli, cli_json

GOOD = {"url": "https://www.mfa.gov.sg/statements/one", "title": "Statement on the ceasefire",
        "date": "2024-05-08T23:15:00+08:00", "country": "SG", "ministry": "Ministry of Foreign Affairs, Singapore",
        "language": "en", "guid": "sg-1", "speaker": "Spokesperson", "tags": ["ceasefire"],
        "text": "Singapore welcomes the ceasefire.\n\nWe call on all parties to keep it."}
OTHER = {**GOOD, "guid": "sg-2", "url": "https://www.mfa.gov.sg/statements/two", "title": "Second statement"}


def write(path, *records, raw: str = ""):
    path.write_text("".join(json.dumps(r) + "\n" for r in records) + raw, encoding="utf-8")
    return path


def snapshot(data) -> tuple:
    """Every row of the store's statements and revisions: what "unchanged" means."""
    db = sqlite3.connect(data / "archive.sqlite")
    try:
        return (db.execute("SELECT * FROM statements ORDER BY id").fetchall(),
                db.execute("SELECT * FROM revisions ORDER BY statement_id, seq").fetchall())
    finally:
        db.close()


def revision_texts(data, guid: str) -> list[str]:
    st = Statement(source="x", url=GOOD["url"], title="t", paragraphs=["p"], country="SG", ministry="m",
                   language="en", guid=guid)
    db = sqlite3.connect(data / "archive.sqlite")
    try:
        rows = db.execute("SELECT paragraphs FROM revisions WHERE statement_id = ? ORDER BY seq", (st.id,))
        return [json.loads(p)[0] for (p,) in rows]
    finally:
        db.close()


def assert_refused(proc, where: str):
    assert proc.returncode == 1
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {where}: "), proc.stderr
    assert "Traceback" not in proc.stderr and "nothing imported" in proc.stderr


# 1. a history imported again --------------------------------------------------------------------------


def test_importing_a_history_again_changes_nothing_and_a_new_text_still_appends(tmp_path):
    data = tmp_path / "data"
    history = write(tmp_path / "aba.jsonl", *({**GOOD, "text": t} for t in ("Text A.", "Text B.", "Text A.")))
    first = cli_json(data, "import", str(history))["files"][0]
    assert (first["new"], first["changed"], first["unchanged"]) == (1, 2, 0)
    assert revision_texts(data, "sg-1") == ["Text A.", "Text B.", "Text A."]
    before = snapshot(data)
    for _ in range(2):
        again = cli_json(data, "import", str(history))
        assert again["files"][0]["unchanged"] == 3 and again["indexed"] == 0
        assert snapshot(data) == before
    later = write(tmp_path / "c.jsonl", {**GOOD, "text": "Text C."})
    assert cli_json(data, "import", str(later))["files"][0]["changed"] == 1
    assert revision_texts(data, "sg-1") == ["Text A.", "Text B.", "Text A.", "Text C."]
    # an older file presents texts already recorded: the archive does not go back to them
    assert cli_json(data, "import", str(history))["files"][0]["unchanged"] == 3
    assert revision_texts(data, "sg-1") == ["Text A.", "Text B.", "Text A.", "Text C."]


def test_a_file_going_on_past_what_was_recorded_is_taken_in_order(tmp_path):
    data = tmp_path / "data"
    cli_json(data, "import", str(write(tmp_path / "a.jsonl", {**GOOD, "text": "Text A."})))
    aba = write(tmp_path / "aba.jsonl", *({**GOOD, "text": t} for t in ("Text A.", "Text B.", "Text A.")))
    cli_json(data, "import", str(aba))
    assert revision_texts(data, "sg-1") == ["Text A.", "Text B.", "Text A."]


def test_a_metadata_correction_of_the_latest_text_is_taken(tmp_path):
    data = tmp_path / "data"
    cli_json(data, "import", str(write(tmp_path / "a.jsonl", GOOD)))
    fixed = cli_json(data, "import", str(write(tmp_path / "b.jsonl", {**GOOD, "speaker": "Minister"})))
    assert fixed["files"][0]["unchanged"] == 1 and fixed["indexed"] == 1
    assert cli_json(data, "search", "speaker:minister")["total"] == 1


# 2. dates ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("when", ["0001-01-01", "1899-12-31T23:59:59+00:00", "9999-12-31T23:59:59-05:00",
                                  f"{date.today().year + 2}-01-01"])
def test_a_date_out_of_range_is_refused_and_later_imports_work(tmp_path, when):
    data = tmp_path / "data"
    proc = cli(data, "import", str(write(tmp_path / "in.jsonl", OTHER, {**GOOD, "date": when})))
    assert_refused(proc, f"{tmp_path / 'in.jsonl'}:2")
    assert "out of range" in proc.stderr
    assert cli(data, "export").stdout == ""
    good = cli_json(data, "import", str(write(tmp_path / "good.jsonl", GOOD)))
    assert good["files"][0]["new"] == 1 and good["indexed"] == 1


def test_bad_rows_already_stored_do_not_block_later_work(tmp_path):
    # rows that older versions let in: a year-1 date and speakers that are numbers
    data = tmp_path / "data"
    cli_json(data, "import", str(write(tmp_path / "a.jsonl", OTHER)))
    store = archive_store(data)
    store.save(Statement(source="sg", url="https://www.mfa.gov.sg/old", title="Year one", paragraphs=["Old text."],
                         country="SG", ministry="m", language="en",
                         date=datetime(1, 1, 1, tzinfo=timezone.utc)))
    store.close()
    db = sqlite3.connect(data / "archive.sqlite")
    db.execute("UPDATE statements SET speakers = '[1, 2]', indexed_hash = NULL WHERE url = ?", (OTHER["url"],))
    db.commit()
    db.close()
    good = cli_json(data, "import", str(write(tmp_path / "good.jsonl", GOOD)))
    assert good["files"][0]["new"] == 1 and good["indexed"] == 3
    assert cli_json(data, "search", "year one")["total"] == 1
    assert cli(data, "reindex").returncode == 0
    exported = cli(data, "export")
    assert exported.returncode == 0 and '"speaker": "1; 2"' in exported.stdout


# 3. types and text --------------------------------------------------------------------------------------


WRONG = [
    ({"title": 5}, "title must be a string, not a number"),
    ({"title": ["a"]}, "title must be a string, not a list"),
    ({"title": {"a": 1}}, "title must be a string, not an object"),
    ({"url": 7}, "url must be a string"),
    ({"guid": [1]}, "guid must be a string, not a list"),
    ({"guid": 3}, "guid must be a string, not a number"),
    ({"html": {"p": 1}}, "html must be a string, not an object"),
    ({"text": 12}, "text must be a string, not a number"),
    ({"speaker": 5}, "speaker must be a string, not a number"),
    ({"speaker": {"name": "x"}}, "speaker must be a string, not an object"),
    ({"speaker": [1, 2]}, "speaker must be a string, not a number"),
    ({"ministry": ["a", "b"]}, "ministry must be a string, not a list"),
    ({"tags": "ceasefire"}, "tags must be a list of strings"),
    ({"tags": [1]}, "tag must be a string, not a number"),
    ({"country": 12}, "country is not an ISO 3166-1"),
    ({"language": ["en"]}, "language is not a BCP 47 tag"),
    ({"date": 20240101}, "date is not ISO 8601"),
    ({"kind": 1}, "kind must be a string"),
    ({"source": {}}, "source must be a string"),
    ({"turns": {}}, "turns must be a list"),
    ({"turns": [{"speaker": "A", "role": "spokesperson", "start": 0.5, "end": True}]}, "whole number"),
    ({"turns": [{"speaker": "A", "role": "spokesperson", "start": 0, "end": 1e308}]}, "whole number"),
    ({"title": "x" * 3000}, "title is too long: 3,000 characters"),
]


@pytest.mark.parametrize("change, message", WRONG, ids=[m for _, m in WRONG])
def test_a_record_of_a_wrong_type_is_refused_with_file_and_line(tmp_path, change, message):
    data = tmp_path / "data"
    cli_json(data, "import", str(write(tmp_path / "a.jsonl", OTHER)))
    before = snapshot(data)
    src = write(tmp_path / "in.jsonl", GOOD, {**GOOD, "guid": "sg-3", **change})
    proc = cli(data, "import", str(src))
    assert_refused(proc, f"{src}:2")
    assert message in proc.stderr
    assert snapshot(data) == before


@pytest.mark.parametrize("raw", [
    '{"title": "\\ud800"}', '{"text": "ok \\udfff"}', '{"speaker": ["\\ud83d"]}',
    '{"url": "https://x.example/\\ud800"}'])
def test_a_lone_surrogate_is_refused_with_file_and_line(tmp_path, raw):
    change = json.loads(raw)
    src = tmp_path / "in.jsonl"
    line = json.dumps({**GOOD, **{k: None for k in change}})[:-1] + ", " + raw[1:]
    src.write_text(json.dumps(OTHER) + "\n" + line + "\n", encoding="utf-8")
    proc = cli(tmp_path / "data", "import", str(src))
    assert_refused(proc, f"{src}:2")
    assert "lone surrogate" in proc.stderr


# a seeded fuzzer: records of the documented shape with one or more fields made wrong ---------------------

_NASTY = [None, 0, -1, 1.5, 1e308, True, [], [1, 2], ["a", 3], {}, {"a": "b"}, "", " ", "\ud800", "a\udfffb",
          "\x00", "x" * 25_000, "0001-01-01", "9999-12-31", "2024-02-30", "1900-01-01T00:00:00+14:00",
          "10000-01-01", "-2024-01-01", "2024-05-08T25:00:00", "javascript:alert(1)", "zz-ZZ-999999999",
          "https://x.example/" + "a" * 5000, "\u202e\u200b", "🙂" * 10]


def _mutant(rng: random.Random) -> dict:
    rec = dict(rng.choice([GOOD, OTHER]))
    rec["guid"] = f"fuzz-{rng.randrange(10 ** 9)}"
    fields = ["url", "title", "date", "country", "ministry", "language", "speaker", "kind", "tags", "guid",
              "source", "html", "text", "turns"]
    for name in rng.sample(fields, rng.randint(1, 3)):
        rec[name] = rng.choice(_NASTY)
    return rec


def test_fuzzed_records_are_refused_whole_or_stored_and_indexed(store, tmp_path):
    """In process, thousands of records: each one either is refused with a one-line reason naming file and
    line, or is one the store and the index take without an error."""
    from archive.index.writing import sync_index
    rng = random.Random(20261206)
    refused = stored = 0
    for i in range(3000):
        src = tmp_path / "one.jsonl"
        src.write_text(json.dumps(_mutant(rng), ensure_ascii=rng.random() < 0.5) + "\n", encoding="utf-8",
                       errors="surrogatepass")
        try:
            items = read_file(src)
        except ImportFileError as e:
            assert str(e).startswith(f"{src}:1: ") and "\n" not in str(e)
            refused += 1
            continue
        store.import_many(items)
        stored += 1
    assert sync_index(store, tmp_path / "index") == store.count()
    assert refused > 2000 and stored > 100


def test_fuzzed_files_are_refused_through_the_command_line(tmp_path):
    """Through the real command line: every bad file gives exactly one line naming it and its bad line, the
    store is left as it was, and a good import afterwards works."""
    rng = random.Random(7)
    data = tmp_path / "data"
    cli_json(data, "import", str(write(tmp_path / "seed.jsonl", OTHER)))
    before = snapshot(data)
    files, bad_lines = [], {}
    for n in range(40):
        src = tmp_path / f"bad-{n:02d}.jsonl"
        good = [{**GOOD, "guid": f"ok-{n}-{k}"} for k in range(rng.randint(0, 3))]
        while True:
            rec = _mutant(rng)
            line = json.dumps(rec, ensure_ascii=False)
            src.write_bytes((line + "\n").encode("utf-8", "surrogatepass"))
            try:
                read_file(src)
            except ImportFileError:
                break
        src.write_bytes(("".join(json.dumps(r) + "\n" for r in good) + line + "\n").encode("utf-8", "surrogatepass"))
        files.append(src)
        bad_lines[str(src)] = len(good) + 1
    proc = cli(data, "import", *map(str, files))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == len(files)
    for line, src in zip(lines, files):
        assert line.startswith(f"error: {src}:{bad_lines[str(src)]}: ")
        assert line.endswith("(nothing imported from this file)")
    assert snapshot(data) == before
    after = cli_json(data, "import", str(write(tmp_path / "good.jsonl", GOOD)))
    assert after["files"][0]["new"] == 1 and after["indexed"] == 1
