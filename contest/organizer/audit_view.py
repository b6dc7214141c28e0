"""How the audit log reads: what each action and each detail is called, and the values as the
rest of the site shows them (local times, amounts in dong, yes and no)."""

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from contest.i18n import format_local_datetime, format_money
from contest.models import AuditEntry

ACTIONS = {
    "score_reopened": _l("Score reopened"),
    "video_settings_changed": _l("Video and judging settings changed"),
    "tie_decided": _l("Tie at a prize boundary decided"),
    "results_approved": _l("Results approved"),
    "results_reopened": _l("Results reopened"),
    "results_published": _l("Results published"),
    "results_computed_at_close": _l("Results computed at the close"),
    "windows_changed": _l("Windows changed"),
    "results_rules_changed": _l("Ranking and prize rules changed"),
    "video_file_missing": _l("A video's stored file is missing"),
    "video_file_restored": _l("A video's stored file is back"),
}
# Their details are changes, each [before, after].
CHANGE_ACTIONS = {"video_settings_changed", "windows_changed", "results_rules_changed"}
DETAILS = {
    "total_amount": _l("Total amount"),
    "remarks": _l("Remarks"),
    "reason": _l("Reason"),
    "order": _l("Order decided (ids, first to last)"),
    "participants": _l("Participants"),
    "awards": _l("Prizes"),
    "pending_ties": _l("Ties to decide"),
    "snapshot": _l("Approved results (snapshot)"),
    "publish_at": _l("Publication time"),
    "previous_publish_at": _l("Publication time before"),
    "video_id": _l("Video"),
    "key": _l("Stored object"),
    "judge_id": _l("Judge"),
    "previous_state": _l("State before"),
    "previous_total": _l("Total before"),
    "quiz_opens_at": _l("Quiz opens"),
    "quiz_closes_at": _l("Quiz closes"),
    "video_opens_at": _l("Video submissions open"),
    "video_closes_at": _l("Video submissions close"),
    "results_publish_at": _l("Results are published"),
    "max_videos_per_unit": _l("Videos per unit, at most"),
    "video_max_megabytes": _l("Largest file, in MB"),
    "video_max_minutes": _l("Longest video, in minutes (empty: no limit)"),
    "judging_blind": _l("Hide unit names from judges"),
    "score_aggregation": _l("A video's score"),
    "video_gallery_public": _l("Public gallery of the videos once results are published"),
    "weights": _l("Weights: participation, accuracy, best video (%)"),
    "unit_requires_video": _l("A unit needs a video for a collective prize"),
    "max_individual_prizes_per_unit": _l(
        "At most this many individual prizes per unit (empty: no limit)"
    ),
    "prizes": _l("Prize table"),
    "prediction_question": _l("Prediction question (empty: none)"),
    "prediction_true_value": _l("The prediction's true value (after the quiz closes)"),
}
MONEY = {"total_amount"}


def action_label(action: str) -> str:
    return str(ACTIONS.get(action, action))


def described_details(entry: AuditEntry) -> list[tuple[str, str]]:
    """The entry's details as (label, value) lines; a change reads "before → after"."""
    lines = []
    for key, value in (entry.details or {}).items():
        if entry.action in CHANGE_ACTIONS and isinstance(value, list) and len(value) == 2:
            shown = f"{_shown(key, value[0])} → {_shown(key, value[1])}"
        else:
            shown = _shown(key, value)
        lines.append((str(DETAILS.get(key, key)), shown))
    return lines


def _shown(key: str, value) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if key in MONEY and isinstance(value, int):
        return format_money(value)
    if isinstance(value, list):
        return ", ".join(_shown(key, item) for item in value)
    if isinstance(value, str):
        return _moment(value) or value
    return str(value)


def _moment(text: str) -> str | None:
    """A stored moment (ISO 8601 with its offset) in local time; None for any other text."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return format_local_datetime(moment) if moment.tzinfo else None
