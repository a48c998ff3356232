"""The OpenAPI 3.1 description of the read-only open data API, served at /api/openapi.json."""

from typing import Any

from app.pagination import MAX_PAGE

STRING = {"type": "string"}
NULLABLE_STRING = {"type": ["string", "null"]}
MOMENT = {"type": ["string", "null"], "format": "date-time",
          "description": "ISO 8601, UTC"}
INTEGER = {"type": "integer"}

WINDOW_PROPERTIES: dict[str, Any] = {
    "id": INTEGER,
    "title": STRING,
    "theme": STRING,
    "stage": {"type": "string", "enum": ["upcoming", "open_for_ideas", "voting_upcoming",
                                         "open_for_voting", "under_review",
                                         "shortlist_published", "closed"]},
    "open_for_voting": {"type": "boolean", "description": "Whether people can support ideas "
                                                          "now (voting may overlap the last "
                                                          "weeks of \"open_for_ideas\")"},
    "submissions_open_at": MOMENT,
    "submissions_close_at": MOMENT,
    "voting_open_at": MOMENT,
    "voting_close_at": MOMENT,
    "support_weight": {"type": "number", "description": "Weight of public support in the "
                                                        "shortlist formula"},
    "feasibility_weight": {"type": "number", "description": "Weight of feasibility in the "
                                                            "shortlist formula"},
    "shortlist_size": INTEGER,
    "criteria_count": {"type": "integer", "description": "Feasibility criteria; each is "
                                                         "scored 0 to 2"},
    "shortlist_published_at": MOMENT,
    "idea_count": INTEGER,
    "url": {"type": "string", "format": "uri"},
    "closed_at": {**MOMENT, "description": "When staff closed the window, if they have: ideas "
                                           "and voting ended then if their dates were later. "
                                           "ISO 8601, UTC"},
}

IDEA_PROPERTIES: dict[str, Any] = {
    "id": INTEGER,
    "window_id": INTEGER,
    "title": STRING,
    "url": {"type": "string", "format": "uri"},
    "source": {"type": "string", "enum": ["resident", "council", "mayoral"]},
    "organisation": {**NULLABLE_STRING, "description": "The council or mayor's office, for "
                                                       "their ideas"},
    "posted_by": {"type": "string", "description": "The display name the author chose to "
                                                   "show, or the organisation"},
    "area": NULLABLE_STRING,
    "published_at": MOMENT,
    "status": {"type": "string", "enum": ["submitted", "under_review", "shortlisted",
                                          "not_taken_forward", "not_a_data_project",
                                          "merged", "withdrawn"]},
    "status_reason": {**NULLABLE_STRING, "description": "The public reason for the latest "
                                                        "status"},
    "status_changed_at": MOMENT,
    "signposted_to": {**NULLABLE_STRING, "description": "For not a data project: where the "
                                                        "idea was sent"},
    "merged_into_id": {"type": ["integer", "null"]},
    "support_count": INTEGER,
    "unique_supporters": {"type": "integer", "description": "People supporting this idea or "
                                                            "an idea merged into it, each "
                                                            "counted once"},
    "confirmed_types": {"type": "array", "items": {"type": "string", "enum": [
        "needle", "prioritise", "early_warning", "decisions", "allocation", "experiment",
        "none"]}, "description": "Opportunity types staff confirmed (in the CSV, joined "
                                 "with semicolons)"},
    "feasibility_assessments": {"type": "integer", "description": "Reviewers who scored it"},
    "feasibility_mean_total": {"type": ["number", "null"], "description": "The mean of the "
                               "reviewers' totals"},
    "feasibility_max_total": {"type": "integer", "description": "The most a total can be"},
    "candidate": {"type": "boolean", "description": "Ranked by the shortlist formula (once "
                  "the shortlist is published, the ideas it was chosen from)"},
    "formula_rank": {"type": ["integer", "null"]},
    "formula_score": {"type": ["number", "null"]},
    "shortlist_override": {"type": ["string", "null"], "enum": ["include", "exclude", None]},
    "override_reason": NULLABLE_STRING,
    "shortlisted": {"type": "boolean", "description": "On the published shortlist"},
    "shortlist_rank": {"type": ["integer", "null"]},
    "problem": STRING,
    "action": NULLABLE_STRING,
    "data": NULLABLE_STRING,
}

FORMULA = (
    "score = (support_weight × support_share + feasibility_weight × feasibility_share) ÷ "
    "(support_weight + feasibility_weight), where support_share = unique_supporters ÷ the "
    "most unique_supporters of any candidate idea in the window, and feasibility_share = "
    "feasibility_mean_total ÷ feasibility_max_total (0 when nobody has assessed it). "
    "Candidates are ranked by score, then unique_supporters (more first), then published_at "
    "and id (older first). Overrides are applied first: an `include` idea is on the list and "
    "an `exclude` idea is not; the remaining places (shortlist_size) go in order of rank."
)


def _object(properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(properties)}


def _get(summary: str, schema: str, parameters: list | None = None,
         description: str = "") -> dict[str, Any]:
    return {"get": {
        "summary": summary, "description": description, "parameters": parameters or [],
        "responses": {
            "200": {"description": "OK", "content": {"application/json": {
                "schema": {"$ref": f"#/components/schemas/{schema}"}}}},
            "404": {"description": "Not found", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Error"}}}},
        }}}


def _path_id(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}


def openapi_document(base_url: str, service_name: str) -> dict[str, Any]:
    """The API's description, with the server it is served from."""
    return {
        "openapi": "3.1.0",
        "info": {"title": f"{service_name} open data API", "version": "1.0.0",
                 "description": "Read-only data about idea windows, their ideas, decisions and "
                                "shortlists. No personal data beyond the display names people "
                                "chose to publish. " + FORMULA,
                 "license": {"name": "Open Government Licence v3.0",
                             "url": "https://www.nationalarchives.gov.uk/doc/"
                                    "open-government-licence/version/3/"}},
        "servers": [{"url": base_url}],
        "paths": {
            "/api/windows": _get("Published idea windows", "WindowList"),
            "/api/windows/{window_id}": _get("One window, its formula and its criteria",
                                             "WindowDetail", [_path_id("window_id")]),
            "/api/windows/{window_id}/ideas": _get(
                "A window's public ideas, a page at a time", "IdeaPage",
                [_path_id("window_id"),
                 {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1,
                                                            "maximum": MAX_PAGE,
                                                            "default": 1}},
                 {"name": "per_page", "in": "query",
                  "schema": {"type": "integer", "minimum": 1, "maximum": 500,
                             "default": 100}}],
                "Hidden ideas and ideas waiting for moderation are left out. The figures that "
                "depend on the whole window (candidate, formula_rank, formula_score, "
                "unique_supporters, the feasibility fields and the shortlist's) are worked out "
                "for the whole window at once and may be a minute old (OPENDATA_CACHE_SECONDS "
                "on the server); which ideas are listed, and each idea's own fields, are "
                "always current."),
            "/api/windows/{window_id}/shortlist": _get(
                "A window's published shortlist (empty until published)", "Shortlist",
                [_path_id("window_id")]),
            "/api/ideas/{idea_id}": _get("One public idea with its timeline", "IdeaDetail",
                                         [_path_id("idea_id")]),
        },
        "components": {"schemas": {
            "Window": _object(WINDOW_PROPERTIES),
            "WindowList": _object({"windows": {"type": "array",
                                               "items": {"$ref": "#/components/schemas/Window"}}}),
            "WindowDetail": {"allOf": [{"$ref": "#/components/schemas/Window"}, _object({
                "criteria": {"type": "array", "items": _object({
                    "heading": {"type": "string", "enum": ["problem", "action", "data"]},
                    "name": STRING, "wording": STRING})}})]},
            "Idea": _object(IDEA_PROPERTIES),
            "IdeaDetail": {"allOf": [{"$ref": "#/components/schemas/Idea"}, _object({
                "timeline": {"type": "array", "items": _object({
                    "status": STRING, "reason": NULLABLE_STRING, "changed_at": MOMENT})}})]},
            "IdeaPage": _object({
                "ideas": {"type": "array", "items": {"$ref": "#/components/schemas/Idea"}},
                "page": INTEGER, "per_page": INTEGER, "total": INTEGER,
                "next": {**NULLABLE_STRING, "description": "The next page's path, if any"}}),
            "Shortlist": _object({
                "window_id": INTEGER, "published_at": MOMENT,
                "support_weight": {"type": "number"}, "feasibility_weight": {"type": "number"},
                "shortlist_size": INTEGER,
                "entries": {"type": "array", "items": _object({
                    "rank": INTEGER, "idea_id": INTEGER, "title": STRING,
                    "score": {"type": "number"}, "support_share": {"type": "number"},
                    "feasibility_share": {"type": "number"},
                    "override_reason": NULLABLE_STRING})}}),
            "Error": _object({"error": _object({"status": INTEGER, "message": STRING})}),
        }},
    }
