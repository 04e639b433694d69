"""The web UI: HTML pages for readers and a JSON twin of each for scripts, over one store and one index."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, jsonify, make_response, render_template, request
from flask.json.provider import DefaultJSONProvider
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import BadRequest, HTTPException

import archive

from ..datadir import resolve, resolve_store
from ..search.query import BadSearch
from . import api, feeds, pages
from .backend import EXTENSION, ArchiveUnavailable, Backend

# request bodies (a pasted article to cite) are far smaller; a larger one is refused with a 413 unread
MAX_BODY_BYTES = 1_000_000

# no script anywhere, so a policy without script-src stops whatever might slip past escaping
CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; "
       "frame-ancestors 'none'")


def templates_dir() -> Path:
    # setuptools ships the top-level templates/ as the package archive.templates: an installed wheel has
    # them inside the package, a checkout (plain or editable install) only beside it
    package = Path(archive.__file__).parent
    installed = package / "templates"
    return installed if installed.is_dir() else package.parent / "templates"


class JSONProvider(DefaultJSONProvider):
    # Flask writes datetimes as HTTP dates; the API promises ISO 8601, as the store keeps them
    ensure_ascii = False
    sort_keys = False

    @staticmethod
    def default(o):
        if isinstance(o, (date, datetime)):
            return o.isoformat()
        return DefaultJSONProvider.default(o)


def create_app(data_dir: Path | None = None, test_config: dict | None = None, store: str | None = None,
               follow_seconds: float | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True, template_folder=str(templates_dir()))
    app.json = JSONProvider(app)
    # BASE_URL is where readers reach the archive; `serve` sets it (--base-url, or the address it binds)
    # STORE: a store other than the data folder's SQLite file (PostgreSQL); FOLLOW_SECONDS: keep the index
    # following the store's change sequence, looking for changes this often (None: it does not)
    app.config.from_mapping(DATA_DIR=str(resolve(None)), SEARCH_REFRESH_SECONDS=2.0, BASE_URL="http://localhost",
                            MAX_CONTENT_LENGTH=MAX_BODY_BYTES, STORE=resolve_store(None), FOLLOW_SECONDS=None)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
    else:
        app.config.from_mapping(test_config)
    if data_dir is not None:
        # the command line is the most specific choice, so it beats the instance config
        app.config["DATA_DIR"] = str(data_dir)
    if store is not None:
        app.config["STORE"] = store
    if follow_seconds is not None:
        app.config["FOLLOW_SECONDS"] = follow_seconds
    app.extensions[EXTENSION] = Backend(Path(app.config["DATA_DIR"]), app.config["SEARCH_REFRESH_SECONDS"],
                                        app.config["STORE"])
    if app.config["FOLLOW_SECONDS"] is not None:
        app.extensions[EXTENSION].start_following(app.config["FOLLOW_SECONDS"])

    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(feeds.bp)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(ArchiveUnavailable, _unavailable)
    app.register_error_handler(OperationalError, _store_unreachable)
    # the one place a bad search becomes a 400; a bad value of another kind is an HTTPException already
    app.register_error_handler(BadSearch, _bad_search)
    app.after_request(_headers)
    app.wsgi_app = PublicAddress(app.wsgi_app, app.config)
    return app


class PublicAddress:
    """WSGI middleware giving every request the scheme, host and path of the configured BASE_URL, so that
    every absolute URL Flask builds (url_for(_external=True), request.url_root, request.host_url) points at
    the archive: a client's Host header must never reach a feed or a citation."""

    def __init__(self, app, config):
        self.app = app
        self.config = config

    def __call__(self, environ, start_response):
        base = urlsplit(self.config["BASE_URL"])
        environ["wsgi.url_scheme"] = base.scheme
        environ["HTTP_HOST"] = base.netloc
        environ["SERVER_NAME"] = base.hostname
        environ["SERVER_PORT"] = str(base.port or (443 if base.scheme == "https" else 80))
        # behind a proxy that serves the archive under a path and strips it before passing requests on
        environ["SCRIPT_NAME"] = base.path.rstrip("/")
        return self.app(environ, start_response)


def _is_api() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


def _error(status: int, title: str, message: str) -> tuple[Response | str, int]:
    if _is_api():
        return jsonify(error=message), status
    return render_template("error.html", title=title, message=message), status


def _http_error(e: HTTPException):
    # the description is werkzeug's or our abort()'s text, never the exception behind a 500
    response = make_response(_error(e.code, e.name, e.description))
    for name, value in e.get_headers():
        if name.lower() != "content-type":  # e.g. Allow on a 405
            response.headers[name] = value
    return response


def _bad_search(e: BadSearch):
    # the search and cite pages show the message above their form, for the reader to fix it there;
    # elsewhere (the API, the feeds, the exports) it is a 400 like any other
    page = None if _is_api() else pages.form_with_error(str(e))
    if page is not None:
        return page, 400
    return _http_error(BadRequest(str(e)))


def _unavailable(e: ArchiveUnavailable):
    return _error(503, "Archive unavailable", str(e))


def _store_unreachable(e: OperationalError):
    # a PostgreSQL store down or restarting: the reader gets a 503 to retry, the log gets the driver's reason
    current_app.logger.error("the store cannot be reached: %s", str(e.orig).strip().splitlines()[0])
    return _error(503, "Archive unavailable", "The archive's database cannot be reached just now; try again shortly.")


def _headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response
