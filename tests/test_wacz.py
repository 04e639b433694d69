"""WACZ packages: export-captures writes what `wacz validate` accepts and pywb replays, whose index points at
the very records the crawl captured, whose pages list names each statement's page; `import` reads a package
back into an empty archive, the same statements, and a second time adds nothing."""
from __future__ import annotations

import base64
import hashlib
import io
import json
import shutil
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import httpx
import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.timeutils import datetime_to_timestamp, iso_date_to_datetime

from helpers import archive_store, cli, cli_json

SEVENTH = "https://www.fmprc.gov.cn/web/wjdt_674879/fyrbt_674889/t7.shtml"


def export(data: Path, wacz: Path, *args: str) -> dict:
    return cli_json(data, "export-captures", "--wacz", str(wacz), *args)


def validate(wacz: Path) -> subprocess.CompletedProcess:
    # the `wacz` command, whose exit status is the validation's (`python -m wacz` exits 0 either way)
    return subprocess.run([str(Path(sys.executable).parent / "wacz"), "validate", "-f", str(wacz)],
                          capture_output=True, text=True, timeout=120)


def captures_of(data: Path) -> dict[str, tuple[dict, bytes]]:
    """Each capture the archive lists, by record id: its row and its HTTP payload as captured."""
    from sqlalchemy import select

    from archive.captures import read_capture
    from archive.store.tables import aware, captures
    store = archive_store(data)
    with store.engine.connect() as conn:
        rows = [{**r, "captured_at": aware(r["captured_at"])} for r in conn.execute(select(captures)).mappings()]
    store.close()
    return {r["record_id"]: (r, read_capture(data, r)[1].raw_body) for r in rows}


def replayed(wacz: Path) -> dict[str, tuple[dict, dict, bytes]]:
    """Each CDXJ line of the package, followed to its record: by record id, (the line's fields, the record's
    WARC headers, the record's HTTP payload)."""
    out = {}
    with zipfile.ZipFile(wacz) as zf:
        lines = zf.read("indexes/index.cdx").decode().splitlines()
        assert lines == sorted(lines)
        for line in lines:
            urlkey, stamp, fields = line.split(" ", 2)
            fields = json.loads(fields)
            assert fields["filename"] == "data.warc.gz"
            with zf.open("archive/" + fields["filename"]) as warc:
                warc.seek(int(fields["offset"]))
                raw = warc.read(int(fields["length"]))
            record = next(iter(ArchiveIterator(io.BytesIO(raw))))
            headers = dict(record.rec_headers.headers)
            assert stamp == datetime_to_timestamp(iso_date_to_datetime(headers["WARC-Date"]))
            out[headers["WARC-Record-ID"]] = (fields, headers, record.raw_stream.read())
    return out


def pages_of(wacz: Path) -> tuple[dict, list[dict]]:
    with zipfile.ZipFile(wacz) as zf:
        header, *pages = [json.loads(line) for line in zf.read("pages/pages.jsonl").decode().splitlines()]
    return header, pages


def package_of(wacz: Path) -> dict:
    with zipfile.ZipFile(wacz) as zf:
        return json.loads(zf.read("datapackage.json"))


def statements_of(data: Path) -> dict[str, tuple]:
    store = archive_store(data)
    out = {st["id"]: (st["url"], st["title"], st["date"], st["paragraphs"], st["content_hash"])
           for st in store.iter_statements()}
    store.close()
    return out


def test_the_whole_archive_as_a_package_that_wacz_validate_accepts(crawled_site, tmp_path):
    wacz = tmp_path / "all.wacz"
    summary = export(crawled_site, wacz)
    assert summary["statements"] == 20 and summary["bytes"] == wacz.stat().st_size
    proc = validate(wacz)
    assert proc.returncode == 0 and "Validation succeeded" in proc.stdout, proc.stdout + proc.stderr

    # every capture the archive lists, and nothing else, behind the index, byte for byte
    captured = captures_of(crawled_site)
    found = replayed(wacz)
    assert set(found) == set(captured) and summary["records"] == summary["index_lines"] == len(captured)
    for record_id, (fields, headers, payload) in found.items():
        row, original = captured[record_id]
        assert payload == original
        assert fields["url"] == headers["WARC-Target-URI"] == row["url"]
        assert int(fields["status"]) == row["status"]
        assert fields["digest"] == "sha1:" + base64.b32encode(hashlib.sha1(original).digest()).decode()

    # the pages list: each statement's page, titled and dated as the archive holds it, at its capture time
    held = statements_of(crawled_site)
    header, pages = pages_of(wacz)
    assert header["format"] == "json-pages-1.0"
    assert {p["statement"]: (p["url"], p["title"], p["date"]) for p in pages} == \
        {sid: (url, title, date) for sid, (url, title, date, _, _) in held.items()}
    times = {row["url"]: row["captured_at"] for row, _ in captured.values()}
    assert all(iso_date_to_datetime(p["ts"]) == times[p["url"]].replace(tzinfo=None) for p in pages)

    # WARC records stored, not deflated, so a replayer reads one by its offset inside the zip; and each
    # entry's data where the central directory alone says (ReplayWeb.page reads no local header's extra)
    with zipfile.ZipFile(wacz) as zf:
        assert zf.getinfo("archive/data.warc.gz").compress_type == zipfile.ZIP_STORED
        infos = zf.infolist()
    with open(wacz, "rb") as f:
        for info in infos:
            f.seek(info.header_offset + 28)
            assert int.from_bytes(f.read(2), "little") == len(info.extra), info.filename


def test_a_search_or_one_statement_exports_only_what_it_was_read_from(crawled_site, tmp_path):
    by_query = export(crawled_site, tmp_path / "q.wacz", "--query", '"第7号问题"')
    seventh = next(sid for sid, (url, *_) in statements_of(crawled_site).items() if url == SEVENTH)
    by_id = export(crawled_site, tmp_path / "s.wacz", "--statement", seventh)
    for wacz, summary in ((tmp_path / "q.wacz", by_query), (tmp_path / "s.wacz", by_id)):
        assert validate(wacz).returncode == 0 and "Validation succeeded" in validate(wacz).stdout
        assert summary["statements"] == 1 and summary["pages"] == 1
        urls = {headers["WARC-Target-URI"] for _, headers, _ in replayed(wacz).values()}
        # the page it was read from: no listing, no other article, no robots.txt
        assert urls == {SEVENTH}
        _, pages = pages_of(wacz)
        assert [(p["statement"], p["url"]) for p in pages] == [(seventh, SEVENTH)]
    assert set(replayed(tmp_path / "q.wacz")) == set(replayed(tmp_path / "s.wacz"))
    # one statement's package opens on its page
    assert package_of(tmp_path / "s.wacz")["mainPageURL"] == SEVENTH


@pytest.mark.slow
def test_statements_without_captures_are_counted_and_said(crawled_site, tmp_path):
    # a statement imported from JSON Lines beside the crawled ones: asked for with one that has captures
    mixed = tmp_path / "mixed"
    shutil.copytree(crawled_site, mixed)
    line = json.loads(cli(mixed, "export").stdout.splitlines()[0])
    line["url"] = line["url"].replace(".shtml", "-elsewhere.shtml")
    (tmp_path / "one.jsonl").write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    assert cli(mixed, "import", str(tmp_path / "one.jsonl")).returncode == 0
    held = statements_of(mixed)
    lone = next(sid for sid, (url, *_) in held.items() if url == line["url"])
    seventh = next(sid for sid, (url, *_) in held.items() if url == SEVENTH)
    proc = cli(mixed, "export-captures", "--wacz", str(tmp_path / "two.wacz"), "--statement", seventh,
               "--statement", lone)
    assert proc.returncode == 0, proc.stderr
    assert "1 captures of 1 statements" in proc.stdout
    assert "1 of the statements have no captures" in proc.stderr
    assert [p["statement"] for p in pages_of(tmp_path / "two.wacz")[1]] == [seventh]


@pytest.mark.slow
def test_an_exported_package_imports_into_an_empty_archive_as_the_same_statements(crawled_site, tmp_path):
    wacz = tmp_path / "all.wacz"
    export(crawled_site, wacz)
    fresh = tmp_path / "fresh"
    first = cli_json(fresh, "import", str(wacz))
    assert [(f["file"], f["new"], f["errors"]) for f in first["warc_files"]] == \
        [(f"{wacz}:archive/data.warc.gz", 20, 0)]
    assert statements_of(fresh) == statements_of(crawled_site)
    hits = cli_json(fresh, "search", '"第7号问题"')
    assert [h["url"] for h in hits["hits"]] == [SEVENTH]
    # the imported captures are the archive's own now: the statement's capture page reads them
    assert {row["record_id"] for row, _ in captures_of(fresh).values()} == set(captures_of(crawled_site))

    files = sorted((fresh / "captures").iterdir())
    again = cli_json(fresh, "import", str(wacz))
    assert [(f["new"], f["changed"], f["unchanged"]) for f in again["warc_files"]] == [(0, 0, 20)]
    assert again["indexed"] == 0 and sorted((fresh / "captures").iterdir()) == files
    assert not list(fresh.glob(".unpacked-*"))


@pytest.mark.slow
def test_pywb_replays_a_page_of_the_package(crawled_site, tmp_path):
    pytest.importorskip("pywb", reason="pywb is not installed (pip install -e '.[test]' brings it)")
    wacz = tmp_path / "seventh.wacz"
    seventh = next(sid for sid, (url, *_) in statements_of(crawled_site).items() if url == SEVENTH)
    export(crawled_site, wacz, "--statement", seventh)
    _, (page,) = pages_of(wacz)
    row, original = next(c for c in captures_of(crawled_site).values() if c[0]["url"] == SEVENTH)
    bin_dir = Path(sys.executable).parent
    for step in (["wb-manager", "init", "exported"], ["wb-manager", "add", "--unpack-wacz", "exported", str(wacz)]):
        proc = subprocess.run([str(bin_dir / step[0]), *step[1:]], cwd=tmp_path, capture_output=True, text=True,
                              timeout=120)
        assert proc.returncode == 0, proc.stderr
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([str(bin_dir / "wayback"), "-p", str(port), "-b", "127.0.0.1"], cwd=tmp_path,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        # id_: the capture as it was served, headers and body, without pywb's rewriting
        url = f"http://127.0.0.1:{port}/exported/{datetime_to_timestamp(row['captured_at'])}id_/{page['url']}"
        deadline = time.monotonic() + 60
        while True:
            try:
                res = httpx.get(url, timeout=10)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and server.poll() is None, "pywb did not start"
                time.sleep(0.3)
        assert res.status_code == 200
        assert res.content == original and "第7号问题" in res.text
        assert res.headers["memento-datetime"]
    finally:
        server.terminate()
        server.wait(timeout=10)


def one_line_error(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    return lines[0]


@pytest.mark.slow
def test_a_failed_export_leaves_nothing_behind(crawled_site, tmp_path):
    def export_to(name: str, *args: str, data: Path = crawled_site):
        return cli(data, "export-captures", "--wacz", str(tmp_path / name), *args)

    assert "end in .wacz" in one_line_error(export_to("out.zip"))
    assert "no statement 0123456789abcdef" in one_line_error(export_to("x.wacz", "--statement", "0123456789abcdef"))
    assert "no statement matches" in one_line_error(export_to("x.wacz", "--query", "nowhere-to-be-found"))
    (tmp_path / "kept.wacz").write_bytes(b"mine")
    assert "--force" in one_line_error(export_to("kept.wacz"))
    assert (tmp_path / "kept.wacz").read_bytes() == b"mine"

    # a capture file cut short after the crawl listed its records: the export stops, and writes nothing
    damaged = tmp_path / "damaged"
    shutil.copytree(crawled_site, damaged)
    warc = next((damaged / "captures").glob("*.warc.gz"))
    warc.write_bytes(warc.read_bytes()[:warc.stat().st_size // 2])
    assert "cannot be read" in one_line_error(export_to("x.wacz", data=damaged))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["damaged", "kept.wacz"]

    # an archive of imported JSON Lines has statements but no captures
    lines = tmp_path / "lines"
    jsonl = tmp_path / "statements.jsonl"
    cli(crawled_site, "export", str(jsonl))
    assert cli(lines, "import", str(jsonl)).returncode == 0
    assert "no captures" in one_line_error(export_to("y.wacz", data=lines))
    assert not (tmp_path / "y.wacz").exists()


@pytest.mark.slow
def test_a_package_altered_after_export_is_refused_whole(crawled_site, tmp_path):
    wacz = tmp_path / "all.wacz"
    export(crawled_site, wacz)
    altered = tmp_path / "altered.wacz"
    with zipfile.ZipFile(wacz) as src, zipfile.ZipFile(altered, "w") as out:
        last = max(int(json.loads(line.split(" ", 2)[2])["offset"])
                   for line in src.read("indexes/index.cdx").decode().splitlines())
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "archive/data.warc.gz":
                data = data[:last]  # a capture taken out: every record left is whole, the hash no longer holds
            out.writestr(info, data)
    proc = validate(altered)
    assert proc.returncode == 1 and "Validation failed" in proc.stdout, proc.stdout + proc.stderr
    fresh = tmp_path / "fresh"
    assert "does not match the sha256 hash" in one_line_error(cli(fresh, "import", str(altered)))
    assert statements_of(fresh) == {}
    (tmp_path / "bogus.wacz").write_bytes(b"not a zip file")
    assert "not a readable WACZ package" in one_line_error(cli(fresh, "import", str(tmp_path / "bogus.wacz")))


@pytest.mark.slow
def test_a_package_written_by_the_reference_tool_imports_too(crawled_site, tmp_path):
    # py-wacz's `wacz create` packs whole WARC files with a compressed index: the layout of packages from
    # ArchiveWeb.page and Browsertrix
    wacz = tmp_path / "reference.wacz"
    warcs = sorted(str(p) for p in (crawled_site / "captures").glob("*.warc.gz"))
    proc = subprocess.run([str(Path(sys.executable).parent / "wacz"), "create", "-o", str(wacz), *warcs],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    fresh = tmp_path / "fresh"
    report = cli_json(fresh, "import", str(wacz))
    assert sum(f["new"] for f in report["warc_files"]) == 20
    assert statements_of(fresh) == statements_of(crawled_site)
