"""The JSON API: each HTML page's twin, from the same data, for scripts and fact-checking tools."""
from __future__ import annotations

from flask import Blueprint, request

from . import data

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/search")
def search():
    try:
        _, results = data.search(request.args)
    except data.BadSearch as e:
        return {"error": str(e)}, 400
    return results.to_json()


@bp.get("/help")
def help_page():
    return {"syntax": data.SYNTAX, "limits": data.LIMITS}


@bp.get("/statements/<sid>")
def statement(sid: str):
    return data.statement(sid)
