"""WARC responses whose bodies cannot be read (a gzip or deflate bomb, a damaged gzip): import and rebuild
name each such record and go on."""
from __future__ import annotations

import gzip
import io
import re
import zlib

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from helpers import CORPUS
from helpers import cli, cli_json

ARTICLES = "https://www.fmprc.gov.cn/web/zyxw/"
GOOD = "t1638430"
# 30 MB of zeros each, past the 20 MB cap once decompressed, and a few kB as captured
BAD = [("t1.shtml", "gzip", gzip.compress(b"\0" * 30_000_000), "larger than 20 MB"),
       ("t2.shtml", "deflate", zlib.compress(b"\0" * 30_000_000), "larger than 20 MB"),
       ("t3.shtml", "gzip", b"\x1f\x8b\x08\x00" + b"not gzip at all" * 10, "damaged gzip body"),
       ("t4.shtml", "gzip", gzip.compress(b"<html>cut</html>" * 100)[:-40], "ends early")]


def write_warc(path, responses):
    """(url, Content-Encoding or None, body) as another tool's warcio writes them; the offset of each."""
    offsets = []
    with open(path, "wb") as f:
        writer = WARCWriter(f, gzip=True)
        for url, coding, body in responses:
            headers = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))]
            if coding:
                headers.append(("Content-Encoding", coding))
            http = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
            offsets.append(f.tell())
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http,
                                                          warc_headers_dict={"WARC-Date": "2019-02-16T08:00:00Z"}))
    return offsets


@pytest.fixture
def bad_warc(corpus, tmp_path):
    page = (CORPUS / "raw" / "www.fmprc.gov.cn" / "web" / "zyxw" / f"{GOOD}.shtml").read_bytes()
    path = tmp_path / "bombs.warc.gz"
    responses = [(ARTICLES + name, coding, body) for name, coding, body, _ in BAD]
    offsets = write_warc(path, responses[:2] + [(ARTICLES + GOOD + ".shtml", "gzip", gzip.compress(page))]
                         + responses[2:])
    return path, dict(zip([ARTICLES + name for name, *_ in BAD], offsets[:2] + offsets[3:]))


def _assert_named(stderr: str, file: str, offsets: dict[str, int]):
    assert "Traceback" not in stderr
    for name, _, _, reason in BAD:
        url = ARTICLES + name
        [line] = [ln for ln in stderr.splitlines() if url in ln]
        assert re.search(rf"{re.escape(file)}: record at byte offset {offsets[url]} \({re.escape(url)}\): "
                         rf"body not read: .*{reason}.*; skipped$", line.strip()), line


def test_import_names_each_unreadable_body_and_goes_on(bad_warc, tmp_path):
    path, offsets = bad_warc
    data = tmp_path / "data"
    proc = cli(data, "import", str(path))
    assert proc.returncode == 0, proc.stderr
    _assert_named(proc.stderr, str(path), offsets)
    assert re.search(r"1 parsed, 1 new, .* 4 skipped-bad-body, 0 errors", proc.stderr)
    out = cli_json(data, "import", str(path))
    assert out["warc_files"][0]["skipped_bad_body"] == 4 and out["warc_files"][0]["unchanged"] == 1


def test_rebuild_over_captures_with_unreadable_bodies_goes_on(bad_warc, tmp_path):
    path, offsets = bad_warc
    data = tmp_path / "data"
    assert cli(data, "import", str(path)).returncode == 0
    proc = cli(data, "rebuild", "--force")
    assert proc.returncode == 0, proc.stderr
    [copy] = (data / "captures").glob("*.warc.gz")
    _assert_named(proc.stderr, f"captures/{copy.name}", offsets)
    assert "4 skipped-bad-body" in proc.stderr and "rebuilt from 1 capture file: 1 statements" in proc.stdout
