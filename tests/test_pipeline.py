"""One save step: the same pages crawled, imported from the crawl's WARC files, and imported from its JSON
Lines export give one identical statement each, whichever way they came in."""
import pytest

from archive.model import FIELDS
from helpers import archive_store, cli, cli_json


def statements(data) -> dict[str, dict]:
    store = archive_store(data)
    try:
        return {row["id"]: {k: row[k] for k in FIELDS} for row in store.iter_statements()}
    finally:
        store.close()


def assert_same_three_ways(crawled, tmp_path):
    by_crawl = statements(crawled)
    assert by_crawl

    warc = tmp_path / "from-warc"
    captures = sorted(str(p) for p in (crawled / "captures").glob("*.warc.gz"))
    assert cli(warc, "import", *captures).returncode == 0
    assert statements(warc) == by_crawl

    exported = tmp_path / "export.jsonl"
    assert cli(crawled, "export", str(exported)).returncode == 0
    lines = tmp_path / "from-jsonl"
    assert cli(lines, "import", str(exported)).returncode == 0
    assert statements(lines) == by_crawl


def test_article_pages_three_ways(site, tmp_path):
    crawled = tmp_path / "crawled"
    cli_json(crawled, "crawl", "cn-mfa-zh", "--offline", "--delay", "0", "--mirror", site.mirror,
             "--mirror", f"https://www.mfa.gov.cn={site.url}/current")
    assert_same_three_ways(crawled, tmp_path)


@pytest.mark.corpus
def test_feed_items_three_ways(corpus_server, tmp_path):
    crawled = tmp_path / "crawled"
    cli(crawled, "crawl", "us-state", "--offline", "--delay", "0",
        "--mirror", corpus_server.mirror("https://www.state.gov"))
    assert_same_three_ways(crawled, tmp_path)
