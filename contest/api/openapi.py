"""The OpenAPI 3.1 description of /api/v1 (tests check it against the routes and the responses)."""

NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}
TIME = {"type": "string", "format": "date-time"}

SCHEMAS = {
    "Error": {
        "type": "object",
        "required": ["error", "message"],
        "properties": {
            "error": {"type": "string", "description": "stable code"},
            "message": {"type": "string", "description": "for people, Vietnamese by default"},
            "attempt_id": {"type": "integer"},
            "next_start_at": {
                "type": "string",
                "format": "date-time",
                "description": "pace_limited: when the participant may start the next round "
                "(also in Retry-After, in seconds)",
            },
            "contests": {
                "type": "array",
                "items": {"type": "string"},
                "description": "ambiguous_contest: the slugs of the open contests",
            },
        },
    },
    "Unit": {
        "type": ["object", "null"],
        "required": ["id", "code", "name"],
        "properties": {
            "id": {"type": "integer"},
            "code": {"type": "string"},
            "name": {"type": "string"},
        },
    },
    "User": {
        "type": ["object", "null"],
        "required": ["id", "full_name", "username", "phone", "unit", "roles"],
        "properties": {
            "id": {"type": "integer"},
            "full_name": {"type": "string"},
            "username": {"type": ["string", "null"]},
            "phone": {"type": "string"},
            "unit": {"$ref": "#/components/schemas/Unit"},
            "roles": {
                "type": "array",
                "items": {"enum": ["participant", "unit_admin", "judge", "organizer"]},
            },
        },
    },
    "Session": {
        "type": "object",
        "required": ["user", "csrf_token"],
        "properties": {
            "user": {"$ref": "#/components/schemas/User"},
            "csrf_token": {"type": "string", "description": "send as X-CSRFToken"},
        },
    },
    "ContestSummary": {
        "type": "object",
        "required": ["slug", "name", "organizer_name", "state", "quiz", "video"],
        "properties": {
            "slug": {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"},
            "name": {"type": "string"},
            "organizer_name": {"type": ["string", "null"]},
            "state": {
                "enum": ["upcoming", "open", "closed", "published"],
                "description": "open: a window has opened and the contest has not closed; "
                "published: its approved results are public, and it is read-only",
            },
            "quiz": {
                "type": "object",
                "required": ["opens_at", "closes_at"],
                "properties": {"opens_at": TIME, "closes_at": TIME},
            },
            "video": {
                "type": "object",
                "properties": {"opens_at": NULLABLE_TIME, "closes_at": NULLABLE_TIME},
            },
            "results_publish_at": NULLABLE_TIME,
        },
    },
    "ContestList": {
        "type": "object",
        "required": ["server_time", "contests"],
        "properties": {
            "server_time": TIME,
            "contests": {
                "type": "array",
                "description": "open contests first, then upcoming ones, then past ones",
                "items": {"$ref": "#/components/schemas/ContestSummary"},
            },
        },
    },
    "Contest": {
        "type": "object",
        "required": [
            "id",
            "slug",
            "name",
            "server_time",
            "quiz",
            "video",
            "questions_per_round",
            "round_time_limit_seconds",
            "submission_grace_seconds",
            "attempts",
            "active_attempt_id",
        ],
        "properties": {
            "id": {"type": "integer"},
            "slug": {"type": "string"},
            "name": {"type": "string"},
            "server_time": TIME,
            "quiz": {
                "type": "object",
                "required": ["opens_at", "closes_at", "is_open"],
                "properties": {"opens_at": TIME, "closes_at": TIME, "is_open": {"type": "boolean"}},
            },
            "video": {
                "type": "object",
                "properties": {"opens_at": NULLABLE_TIME, "closes_at": NULLABLE_TIME},
            },
            "results_publish_at": NULLABLE_TIME,
            "questions_per_round": {"type": "integer"},
            "round_time_limit_seconds": {"type": "integer"},
            "submission_grace_seconds": {"type": "integer"},
            "attempts": {
                "type": ["object", "null"],
                "description": "null when not logged in; left null means no limit",
                "required": ["max_total", "max_per_day", "used_total", "used_today", "left"],
                "properties": {
                    "max_total": {"type": ["integer", "null"]},
                    "max_per_day": {"type": ["integer", "null"]},
                    "used_total": {"type": "integer"},
                    "used_today": {"type": "integer"},
                    "left": {"type": ["integer", "null"]},
                },
            },
            "pace": {
                "type": "object",
                "description": "the pace limit: rounds a participant may start in any sliding "
                "hour, besides the attempts; the participant's fields are null when not logged "
                "in, left and next_start_at null when the contest sets no limit",
                "required": [
                    "max_starts_per_hour",
                    "started_in_last_hour",
                    "left",
                    "next_start_at",
                ],
                "properties": {
                    "max_starts_per_hour": {"type": ["integer", "null"]},
                    "started_in_last_hour": {"type": ["integer", "null"]},
                    "left": {
                        "type": ["integer", "null"],
                        "description": "rounds that may still start now under the pace limit",
                    },
                    "next_start_at": {
                        **NULLABLE_TIME,
                        "description": "when the next round may start (null: now, or no limit)",
                    },
                },
            },
            "active_attempt_id": {"type": ["integer", "null"]},
        },
    },
    "ShownQuestions": {
        "type": "object",
        "required": ["shown"],
        "properties": {
            "shown": {
                "type": "object",
                "description": "each reported question's id: when it was first reported shown",
                "additionalProperties": TIME,
            }
        },
    },
    "Choice": {
        "type": "object",
        "required": ["id", "text"],
        "properties": {"id": {"type": "integer"}, "text": {"type": "string"}},
        "additionalProperties": False,
    },
    "Question": {
        "type": "object",
        "required": ["id", "position", "text", "choices"],
        "properties": {
            "id": {"type": "integer"},
            "position": {"type": "integer"},
            "text": {"type": "string"},
            "choices": {"type": "array", "items": {"$ref": "#/components/schemas/Choice"}},
        },
        "additionalProperties": False,
    },
    "Attempt": {
        "type": "object",
        "required": [
            "id",
            "state",
            "server_time",
            "started_at",
            "deadline_at",
            "finished_at",
            "question_count",
            "questions",
            "answers",
            "result",
        ],
        "properties": {
            "id": {"type": "integer"},
            "state": {"enum": ["active", "submitted", "expired"]},
            "server_time": TIME,
            "started_at": TIME,
            "deadline_at": TIME,
            "finished_at": NULLABLE_TIME,
            "question_count": {"type": "integer"},
            "questions": {"type": "array", "items": {"$ref": "#/components/schemas/Question"}},
            "answers": {
                "type": "object",
                "description": "saved choice id by question id",
                "additionalProperties": {"type": "integer"},
            },
            "result": {
                "type": ["object", "null"],
                "required": [
                    "correct_count",
                    "question_count",
                    "duration_ms",
                    "submitted_automatically",
                    "correct_choices",
                ],
                "properties": {
                    "correct_count": {"type": "integer"},
                    "question_count": {"type": "integer"},
                    "duration_ms": {"type": "integer"},
                    "submitted_automatically": {"type": "boolean"},
                    "correct_choices": {
                        "type": ["object", "null"],
                        "description": "only when the contest's review policy allows",
                        "additionalProperties": {"type": "integer"},
                    },
                },
            },
        },
    },
    "SavedAnswer": {
        "type": "object",
        "required": ["question_id", "choice_id", "saved_at"],
        "properties": {
            "question_id": {"type": "integer"},
            "choice_id": {"type": "integer"},
            "saved_at": TIME,
        },
    },
    "Leaderboard": {
        "type": "object",
        "required": ["contest_id", "lines"],
        "properties": {
            "contest_id": {"type": "integer"},
            "lines": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": [
                        "rank",
                        "participant_id",
                        "full_name",
                        "unit",
                        "correct_count",
                        "duration_ms",
                        "finished_at",
                    ],
                    "properties": {
                        "rank": {"type": "integer"},
                        "participant_id": {"type": "integer"},
                        "full_name": {"type": "string"},
                        "unit": {"type": ["string", "null"]},
                        "correct_count": {"type": "integer"},
                        "duration_ms": {"type": "integer"},
                        "finished_at": TIME,
                    },
                },
            },
        },
    },
    "Upload": {
        "type": "object",
        "required": [
            "video_id",
            "title",
            "filename",
            "size",
            "part_size",
            "part_count",
            "direct",
            "state",
            "replaces_id",
            "parts",
        ],
        "properties": {
            "video_id": {"type": "integer"},
            "title": {"type": "string"},
            "filename": {"type": "string", "description": "the original name, for display"},
            "size": {"type": "integer"},
            "part_size": {"type": "integer", "description": "every part but the last"},
            "part_count": {"type": "integer"},
            "direct": {
                "type": "boolean",
                "description": "true: PUT parts to the URLs of .../parts/{number}/url (S3); "
                "false: PUT them to .../parts/{number}",
            },
            "state": {
                "enum": [
                    "uploading",
                    "received",
                    "processing",
                    "ready",
                    "failed",
                    "rejected",
                    "withdrawn",
                ]
            },
            "replaces_id": {"type": ["integer", "null"], "description": "the video it replaces"},
            "parts": {
                "type": "array",
                "description": "whole parts already stored (resume from the others)",
                "items": {
                    "type": "object",
                    "required": ["number", "size"],
                    "properties": {"number": {"type": "integer"}, "size": {"type": "integer"}},
                },
            },
        },
    },
    "UploadList": {
        "type": "object",
        "required": ["uploads"],
        "properties": {
            "uploads": {"type": "array", "items": {"$ref": "#/components/schemas/Upload"}}
        },
    },
    "StoredPart": {
        "type": "object",
        "required": ["number", "size"],
        "properties": {"number": {"type": "integer"}, "size": {"type": "integer"}},
    },
    "PartUrl": {
        "type": "object",
        "required": ["number", "url", "expires_in"],
        "properties": {
            "number": {"type": "integer"},
            "url": {"type": "string", "description": "presigned PUT, straight to the bucket"},
            "expires_in": {"type": "integer"},
        },
    },
}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _response(description: str, schema: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}


def _errors(*statuses: int) -> dict:
    texts = {
        400: "malformed JSON or missing CSRF token",
        401: "not logged in, or wrong credentials",
        403: "outside the quiz window, or not a participant",
        404: "no such contest, or no such round or upload for this user",
        409: "a round already in progress, the round or the video window is over, "
        "the upload is not in a state that allows this, the contest is an archive "
        "(contest_archived), or several contests are open (ambiguous_contest)",
        413: "the file is larger than the contest accepts",
        422: "invalid input",
        429: "no rounds left (no_attempts_left), the pace limit of rounds started per hour "
        "(pace_limited, with next_start_at), or rate limited",
        503: "the bank cannot fill a round",
    }
    return {str(status): _response(texts[status], "Error") for status in statuses}


CONTEST_SLUG = {
    "name": "contest_slug",
    "in": "path",
    "required": True,
    "schema": {"type": "string"},
    "description": "the contest's slug, as GET /contests lists it (404 unknown_contest if none)",
}
# The routes of API version 1 before a site held several contests: they still answer for the
# one open contest, and are kept so that existing clients (and load tests) go on working.
DEPRECATED = (
    "Deprecated: answers for the one open contest only (404 no_open_contest when none is "
    "open, 409 ambiguous_contest with the open contests' slugs when several are). "
    "Use the contest-scoped route {scoped} instead."
)
ATTEMPT_ID = {"name": "attempt_id", "in": "path", "required": True, "schema": {"type": "integer"}}
VIDEO_ID = {"name": "video_id", "in": "path", "required": True, "schema": {"type": "integer"}}
PART_NUMBER = {
    "name": "number",
    "in": "path",
    "required": True,
    "schema": {"type": "integer", "minimum": 1},
    "description": "1-based, as in S3",
}
CSRF = {
    "name": "X-CSRFToken",
    "in": "header",
    "required": True,
    "schema": {"type": "string"},
    "description": "the csrf_token of GET /session",
}

PATHS = {
    "/session": {
        "get": {
            "summary": "The logged-in user (or null) and a CSRF token",
            "responses": {"200": _response("the session", "Session")},
        },
        "post": {
            "summary": "Log in by phone number or username",
            "parameters": [CSRF],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["login", "password"],
                            "properties": {
                                "login": {"type": "string"},
                                "password": {"type": "string"},
                            },
                        }
                    }
                },
            },
            "responses": {"200": _response("logged in", "Session"), **_errors(400, 401, 429)},
        },
        "delete": {
            "summary": "Log out",
            "parameters": [CSRF],
            "responses": {"200": _response("logged out", "Session"), **_errors(400)},
        },
    },
    "/contests": {
        "get": {
            "summary": "The site's contests: slug, name, windows and state (public)",
            "responses": {"200": _response("the contests", "ContestList")},
        }
    },
    "/contests/{contest_slug}": {
        "get": {
            "summary": "The contest, its windows, the server time and the caller's allowance",
            "parameters": [CONTEST_SLUG],
            "responses": {"200": _response("the contest", "Contest"), **_errors(404, 429)},
        }
    },
    "/contests/{contest_slug}/attempts": {
        "post": {
            "summary": "Start a round: questions drawn at random, choices shuffled, no answer key",
            "parameters": [CONTEST_SLUG, CSRF],
            "responses": {
                "201": _response("the new round", "Attempt"),
                **_errors(400, 401, 403, 409, 429, 503),
            },
        }
    },
    "/attempts/{attempt_id}": {
        "get": {
            "summary": "A round: questions and saved answers; the result once graded",
            "parameters": [ATTEMPT_ID],
            "responses": {"200": _response("the round", "Attempt"), **_errors(401, 404, 429)},
        }
    },
    "/attempts/{attempt_id}/answers/{question_id}": {
        "put": {
            "summary": "Save or change one answer",
            "parameters": [
                ATTEMPT_ID,
                {
                    "name": "question_id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "integer"},
                },
                CSRF,
            ],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["choice_id"],
                            "properties": {"choice_id": {"type": "integer"}},
                        }
                    }
                },
            },
            "responses": {
                "200": _response("saved", "SavedAnswer"),
                **_errors(400, 401, 404, 409, 422, 429),
            },
        }
    },
    "/attempts/{attempt_id}/shown": {
        "post": {
            "summary": "Report questions that reached the participant's screen (idempotent)",
            "description": "The round page sends this as each question first appears on the "
            "screen; the server records its own clock at the first report of each question. "
            "Answers saved for questions never reported shown (or before the report) flag the "
            "round for the organizers' review, as the contest sets.",
            "parameters": [ATTEMPT_ID, CSRF],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["question_ids"],
                            "properties": {
                                "question_ids": {
                                    "type": "array",
                                    "minItems": 1,
                                    "maxItems": 100,
                                    "items": {"type": "integer", "minimum": 1},
                                }
                            },
                        }
                    }
                },
            },
            "responses": {
                "200": _response("recorded", "ShownQuestions"),
                **_errors(400, 401, 404, 409, 422, 429),
            },
        }
    },
    "/attempts/{attempt_id}/submit": {
        "post": {
            "summary": "Submit and grade a round (idempotent)",
            "parameters": [ATTEMPT_ID, CSRF],
            "responses": {
                "200": _response("the graded round", "Attempt"),
                **_errors(400, 401, 404, 429),
            },
        }
    },
    "/contests/{contest_slug}/leaderboard": {
        "get": {
            "summary": "The individual ranking: each participant's best round",
            "parameters": [
                CONTEST_SLUG,
                {
                    "name": "limit",
                    "in": "query",
                    "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100},
                },
                {
                    "name": "offset",
                    "in": "query",
                    "schema": {
                        "type": "integer",
                        "minimum": 0,
                        "maximum": 1_000_000_000,
                        "default": 0,
                    },
                },
            ],
            "description": "403 leaderboard_hidden while the organizers keep the leaderboard"
            " private: until the quiz closes, for everyone but organizers.",
            "responses": {
                "200": _response("the ranking", "Leaderboard"),
                **_errors(403, 404, 422),
            },
        }
    },
    "/contests/{contest_slug}/videos/uploads": {
        "get": {
            "summary": "The caller's unit's unfinished uploads (to resume one after a reload)",
            "parameters": [CONTEST_SLUG],
            "responses": {"200": _response("unfinished uploads", "UploadList"), **_errors(401)},
        },
        "post": {
            "summary": "Start uploading a video of the caller's unit (unit admins, video window)",
            "parameters": [CONTEST_SLUG, CSRF],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["title", "form", "filename", "size"],
                            "properties": {
                                "title": {"type": "string", "minLength": 1, "maxLength": 200},
                                "description": {"type": ["string", "null"], "maxLength": 5000},
                                "form": {
                                    "enum": ["song", "musical_drama", "stage", "narration", "other"]
                                },
                                "filename": {"type": "string", "minLength": 1, "maxLength": 2000},
                                "size": {
                                    "type": "integer",
                                    "minimum": 1,
                                    "description": "bytes; at most the contest's limit (413)",
                                },
                                "content_type": {"type": ["string", "null"], "maxLength": 200},
                                "replaces_id": {
                                    "type": ["integer", "null"],
                                    "description": "a video of the unit this one replaces",
                                },
                            },
                        }
                    }
                },
            },
            "responses": {
                "201": _response("the upload, with no part yet", "Upload"),
                **_errors(400, 401, 403, 404, 409, 413, 422),
            },
        },
    },
    "/videos/uploads/{video_id}": {
        "get": {
            "summary": "An upload and the parts already stored",
            "parameters": [VIDEO_ID],
            "responses": {"200": _response("the upload", "Upload"), **_errors(401, 404)},
        },
        "delete": {
            "summary": "Cancel an unfinished upload; its parts are deleted",
            "parameters": [VIDEO_ID, CSRF],
            "responses": {"204": {"description": "cancelled"}, **_errors(400, 401, 404, 409)},
        },
    },
    "/videos/uploads/{video_id}/parts/{number}": {
        "put": {
            "summary": "Store one part through the platform (local disk); sending it again "
            "replaces it, parts may come in any order",
            "parameters": [VIDEO_ID, PART_NUMBER, CSRF],
            "requestBody": {
                "required": True,
                "content": {"application/octet-stream": {"schema": {"type": "string"}}},
            },
            "responses": {
                "200": _response("stored", "StoredPart"),
                **_errors(400, 401, 404, 409, 413),
            },
        }
    },
    "/videos/uploads/{video_id}/parts/{number}/url": {
        "post": {
            "summary": "A short-lived URL to PUT one part straight to the bucket (S3)",
            "parameters": [VIDEO_ID, PART_NUMBER, CSRF],
            "responses": {
                "200": _response("where to send the part", "PartUrl"),
                **_errors(400, 401, 404, 409),
            },
        }
    },
    "/videos/uploads/{video_id}/complete": {
        "post": {
            "summary": "Join the parts; the video is then received and processed "
            "(409 upload_incomplete: fetch the upload and send the missing parts)",
            "parameters": [VIDEO_ID, CSRF],
            "responses": {
                "200": _response("the received video", "Upload"),
                **_errors(400, 401, 404, 409),
            },
        }
    },
    "/openapi.json": {
        "get": {
            "summary": "This document",
            "responses": {"200": {"description": "OpenAPI 3.1"}},
        }
    },
}


def _deprecated(scoped_path: str, method: str) -> dict:
    """The unscoped twin of a contest-scoped operation, marked deprecated."""
    operation = dict(PATHS[scoped_path][method])
    parameters = [p for p in operation.get("parameters", []) if p is not CONTEST_SLUG]
    operation["parameters"] = parameters
    if not parameters:
        del operation["parameters"]
    operation["responses"] = {**operation["responses"], **_errors(404, 409)}
    operation["deprecated"] = True
    operation["description"] = DEPRECATED.format(scoped=scoped_path)
    return {method: operation}


PATHS["/contest"] = _deprecated("/contests/{contest_slug}", "get")
PATHS["/attempts"] = _deprecated("/contests/{contest_slug}/attempts", "post")
PATHS["/leaderboard"] = _deprecated("/contests/{contest_slug}/leaderboard", "get")


def _unknown_slug_is_404(paths: dict) -> dict:
    """Every operation under a contest's slug may answer 404 (unknown_contest)."""
    for operations in paths.values():
        for operation in operations.values():
            if CONTEST_SLUG in operation.get("parameters", ()):
                operation["responses"].setdefault("404", _errors(404)["404"])
    return paths


PATHS = _unknown_slug_is_404(PATHS)


def openapi_document() -> dict:
    """The API description, served at /api/v1/openapi.json."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Contest platform API",
            "version": "1",
            "description": "Errors are {error, message}; messages follow Accept-Language "
            "(Vietnamese by default). Mutating calls need the X-CSRFToken header. "
            "A site holds several contests: GET /contests lists them, and a contest's own "
            "routes are under /contests/{contest_slug}/ (an unknown slug is 404 "
            "unknown_contest). Routes keyed by a round's or an upload's id need no slug: the "
            "row knows its contest. The unscoped /contest, /attempts (POST) and /leaderboard "
            "of the one-contest API are kept, deprecated: they answer for the one open contest, "
            "409 ambiguous_contest when several are open, 404 no_open_contest when none is. "
            "No text may hold a NUL character (400).",
        },
        "servers": [{"url": "/api/v1"}],
        "paths": PATHS,
        "components": {"schemas": SCHEMAS},
    }
