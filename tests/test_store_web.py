"""The web app over a PostgreSQL store: served from it, and a 503 with a one-line message (never a traceback)
while the database cannot be reached."""
import pytest
from helpers import web_client

from archive.model import Statement
from archive.store import Store

UNREACHABLE = "postgresql://nobody@127.0.0.1:1/none"


@pytest.mark.parametrize("path, kind", [("/api/statements/0123456789abcdef", "json"),
                                        ("/statements/0123456789abcdef", "html")])
def test_an_unreachable_store_is_a_503(tmp_path, path, kind):
    with web_client(tmp_path, STORE=UNREACHABLE) as client:
        r = client.get(path)
    assert r.status_code == 503
    if kind == "json":
        assert r.get_json() == {"error": "The archive's database cannot be reached just now; try again shortly."}
    else:
        assert "cannot be reached just now" in r.get_data(as_text=True) and "Traceback" not in r.get_data(as_text=True)


def test_a_statement_is_served_from_postgresql(tmp_path, pg_url):
    st = Statement(source="us-state", url="https://www.state.gov/a/", country="US", ministry="U.S. Department of State",
                   language="en", kind="statement", title="Served from PostgreSQL", paragraphs=["Words."])
    store = Store(pg_url)
    store.save(st)
    store.close()
    with web_client(tmp_path, STORE=pg_url) as client:
        assert client.get(f"/api/statements/{st.id}").get_json()["title"] == "Served from PostgreSQL"
        assert "Served from PostgreSQL" in client.get(f"/statements/{st.id}").get_data(as_text=True)
