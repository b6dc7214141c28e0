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
    "Contest": {
        "type": "object",
        "required": [
            "id",
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
            "active_attempt_id": {"type": ["integer", "null"]},
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
        404: "no such round for this participant",
        409: "a round already in progress, the round or the video window is over, "
        "or the upload is not in a state that allows this",
        413: "the file is larger than the contest accepts",
        422: "invalid input",
        429: "no rounds left, or rate limited",
        503: "the bank cannot fill a round",
    }
    return {str(status): _response(texts[status], "Error") for status in statuses}


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
    "/contest": {
        "get": {
            "summary": "The contest, its windows, the server time and the caller's allowance",
            "responses": {"200": _response("the contest", "Contest"), **_errors(404, 429)},
        }
    },
    "/attempts": {
        "post": {
            "summary": "Start a round: questions drawn at random, choices shuffled, no answer key",
            "parameters": [CSRF],
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
    "/leaderboard": {
        "get": {
            "summary": "The individual ranking: each participant's best round",
            "parameters": [
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
            "responses": {"200": _response("the ranking", "Leaderboard"), **_errors(404, 422)},
        }
    },
    "/videos/uploads": {
        "get": {
            "summary": "The caller's unit's unfinished uploads (to resume one after a reload)",
            "responses": {"200": _response("unfinished uploads", "UploadList"), **_errors(401)},
        },
        "post": {
            "summary": "Start uploading a video of the caller's unit (unit admins, video window)",
            "parameters": [CSRF],
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


def openapi_document() -> dict:
    """The API description, served at /api/v1/openapi.json."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Contest platform API",
            "version": "1",
            "description": "Errors are {error, message}; messages follow Accept-Language "
            "(Vietnamese by default). Mutating calls need the X-CSRFToken header. "
            "No text may hold a NUL character (400).",
        },
        "servers": [{"url": "/api/v1"}],
        "paths": PATHS,
        "components": {"schemas": SCHEMAS},
    }
