"""Open data pages, downloads and the read-only JSON API. Everything here is public and
read-only; CORS is open so that anyone's tools can read it from a browser."""

import json

from flask import abort, current_app, jsonify, render_template, request, url_for
from sqlalchemy import func, select

from app.access import public
from app.csv_export import csv_response
from app.extensions import db, limiter
from app.models import Idea, IdeaWindow, listed
from app.opendata import bp, services
from app.opendata.openapi import openapi_document
from app.pagination import MAX_PAGE
from app.rate_limits import because
from app.review import shortlist

MAX_PER_PAGE = 500


def base_url() -> str:
    return (current_app.config.get("PUBLIC_BASE_URL") or request.host_url).rstrip("/")


def published_window_or_404(window_id: int) -> IdeaWindow:
    window = db.session.get(IdeaWindow, window_id)
    if window is None or window.published_at is None:
        abort(404)
    return window


@bp.after_request
def open_to_everyone(response):
    if request.path.startswith("/api/"):
        response.headers["Access-Control-Allow-Origin"] = "*"
    return response


# ---- Pages and downloads --------------------------------------------------------------------

@bp.route("/open-data")
@public
def index():
    return render_template("opendata/index.html", windows=services.published_windows(),
                           ranking_lag=services.ranking_lag())


@bp.route("/open-data/windows.<any(csv, json):fmt>")
@public
@limiter.limit("60 per minute", error_message=because("open data"))
def windows_download(fmt: str):
    records = [services.window_record(w, base_url()) for w in services.published_windows()]
    if fmt == "json":
        return download_json({"windows": records}, "windows.json")
    return csv_response("windows.csv", services.WINDOW_FIELDS,
                        ([services.csv_value(r[f]) for f in services.WINDOW_FIELDS]
                         for r in records))


@bp.route("/open-data/windows/<int:window_id>/ideas.<any(csv, json):fmt>")
@public
@limiter.limit("60 per minute", error_message=because("open data"))
def window_ideas(window_id: int, fmt: str):
    window = published_window_or_404(window_id)
    records = services.idea_records(window, base_url())
    name = f"window-{window.id}-ideas.{fmt}"
    if fmt == "json":
        return download_json({"window": services.window_record(window, base_url()),
                              "ideas": records}, name)
    return csv_response(name, services.IDEA_FIELDS,
                        ([services.csv_value(r[f]) for f in services.IDEA_FIELDS]
                         for r in records))


def download_json(payload: dict, filename: str):
    response = current_app.response_class(json.dumps(payload, ensure_ascii=False, indent=1),
                                          mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# ---- The JSON API -----------------------------------------------------------------------------

@bp.route("/api/openapi.json")
@public
def openapi():
    return jsonify(openapi_document(base_url(), current_app.config["SERVICE_NAME"]))


@bp.route("/api/windows")
@public
@limiter.limit("120 per minute", error_message=because("open data"))
def api_windows():
    return jsonify({"windows": [services.window_record(w, base_url())
                                for w in services.published_windows()]})


@bp.route("/api/windows/<int:window_id>")
@public
@limiter.limit("120 per minute", error_message=because("open data"))
def api_window(window_id: int):
    window = published_window_or_404(window_id)
    record = services.window_record(window, base_url())
    record["criteria"] = [{"heading": c.heading, "name": c.name, "wording": c.wording}
                          for c in services.criteria_for(window, create=False)]
    return jsonify(record)


def whole_number(name: str, default: int) -> int | None:
    """A query-string number for the API: `default` when absent, None when not digits."""
    value = request.args.get(name)
    if value is None:
        return default
    # Digits only ("abc", "1.5", "-1" are refused), and few enough that int() stays cheap.
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 9 else None


@bp.route("/api/windows/<int:window_id>/ideas")
@public
@limiter.limit("120 per minute", error_message=because("open data"))
def api_window_ideas(window_id: int):
    window = published_window_or_404(window_id)
    page, per_page = whole_number("page", 1), whole_number("per_page", 100)
    if page is None or not 1 <= page <= MAX_PAGE or per_page is None \
            or not 1 <= per_page <= MAX_PER_PAGE:
        return api_error(400, f"page must be between 1 and {MAX_PAGE:,} and per_page between 1 "
                              f"and {MAX_PER_PAGE}")
    total = db.session.scalar(select(func.count(Idea.id)).where(Idea.window_id == window.id,
                                                               listed()))
    ideas = list(db.session.scalars(services.window_ideas_query(window)
                                    .limit(per_page).offset((page - 1) * per_page)))
    body = {"ideas": services.idea_records(window, base_url(), ideas), "page": page,
            "per_page": per_page, "total": total, "next": None}
    if page * per_page < total:
        body["next"] = url_for("opendata.api_window_ideas", window_id=window.id, page=page + 1,
                               per_page=per_page)
    return jsonify(body)


@bp.route("/api/ideas/<int:idea_id>")
@public
@limiter.limit("120 per minute", error_message=because("open data"))
def api_idea(idea_id: int):
    idea = db.session.get(Idea, idea_id)
    if idea is None or not idea.is_listed or idea.window.published_at is None:
        return api_error(404, "There is no public idea with this id")
    record = services.idea_records(idea.window, base_url(), [idea])[0]
    record["timeline"] = [{"status": c.status.value, "reason": c.reason,
                           "changed_at": services.iso(c.changed_at)}
                          for c in idea.status_changes]
    return jsonify(record)


@bp.route("/api/windows/<int:window_id>/shortlist")
@public
@limiter.limit("120 per minute", error_message=because("open data"))
def api_shortlist(window_id: int):
    window = published_window_or_404(window_id)
    entries = [{"rank": e.rank, "idea_id": e.idea_id, "title": e.idea.title,
                "score": e.score, "support_share": e.support_share,
                "feasibility_share": e.feasibility_share, "override_reason": e.override_reason}
               for e in shortlist.published_entries(window, public=True)]
    return jsonify({"window_id": window.id,
                    "published_at": services.iso(window.shortlist_published_at),
                    "support_weight": window.support_weight,
                    "feasibility_weight": window.feasibility_weight,
                    "shortlist_size": window.shortlist_size, "entries": entries})


def api_error(status: int, message: str):
    response = jsonify({"error": {"status": status, "message": message}})
    response.status_code = status
    return response
