"""How the audit log reads: what each action and each detail is called, and the values as the
rest of the site shows them (local times, amounts in dong, yes and no)."""

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from contest.i18n import format_local_close, format_local_datetime, format_money
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
    "account_created": _l("Account created"),
    "accounts_imported": _l("Accounts imported"),
    "account_updated": _l("Account changed"),
    "account_deactivated": _l("Account deactivated"),
    "account_reactivated": _l("Account reactivated"),
    "password_reset": _l("Password reset (one-time password)"),
    "password_reset_by_link": _l("Password reset through an emailed link"),
    "unit_created": _l("Unit added"),
    "unit_changed": _l("Unit changed"),
    "unit_deactivated": _l("Unit deactivated"),
    "unit_reactivated": _l("Unit reactivated"),
    "unit_merged": _l("Units merged"),
    "unit_group_created": _l("Unit group added"),
    "unit_group_changed": _l("Unit group changed"),
    "units_imported": _l("Units imported"),
    "participation_changed": _l("Participating units changed"),
    "score_abstained_by_merge": _l("Score turned into an abstention by a unit merge"),
    "contest_created": _l("Contest created"),
    "contest_copied": _l("Contest created as a copy"),
    "identity_changed": _l("Names changed"),
    "rules_text_changed": _l("Rules text changed"),
    "document_added": _l("Document attached"),
    "document_deleted": _l("Document removed"),
    "emblem_changed": _l("Emblem changed"),
    "emblem_removed": _l("Emblem removed"),
    "round_rules_changed": _l("Round rules changed"),
    "draw_rules_changed": _l("Draw rules changed"),
    "visibility_changed": _l("Answers and leaderboard visibility changed"),
    "video_file_missing": _l("A video's stored file is missing"),
    "video_file_restored": _l("A video's stored file is back"),
    "round_review_decided": _l("Decision on a flagged round"),
    "fair_play_changed": _l("Fair-play thresholds changed"),
}
# Their details are changes, each [before, after].
CHANGE_ACTIONS = {
    "video_settings_changed",
    "windows_changed",
    "results_rules_changed",
    "account_updated",
    "unit_changed",
    "unit_group_changed",
    "unit_merged",
    "identity_changed",
    "rules_text_changed",
    "round_rules_changed",
    "draw_rules_changed",
    "visibility_changed",
    "fair_play_changed",
}
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
    "allowed_video_forms": _l("Forms a video may take"),
    "judging_blind": _l("Hide unit names from judges"),
    "score_aggregation": _l("A video's score"),
    "video_gallery_public": _l("Public gallery of the videos once results are published"),
    "weights": _l("Weights: participation, accuracy, best video (%)"),
    "unit_requires_video": _l("A unit needs a video for a collective prize"),
    "max_individual_prizes_per_unit": _l(
        "At most this many individual prizes per unit (empty: no limit)"
    ),
    "min_participation_percent": _l(
        "Minimum participation for a collective prize (percent of the headcount; 0: none)"
    ),
    "prizes": _l("Prize table"),
    "prediction_question": _l("Prediction question (empty: none)"),
    "prediction_true_value": _l("The prediction's true value (after the quiz closes)"),
    "full_name": _l("Full name"),
    "position": _l("Position"),
    "email": _l("Email"),
    "unit": _l("Unit"),
    "roles": _l("Roles"),
    "accounts": _l("Accounts"),
    "imported": _l("Imported from a file"),
    "code": _l("Code"),
    "name": _l("Name"),
    "group": _l("Group"),
    "headcount": _l("Headcount"),
    "source": _l("Merged unit"),
    "into": _l("Merged into"),
    "people": _l("People moved"),
    "best_rounds": _l("Best rounds moved"),
    "videos": _l("Videos moved"),
    "sheets": _l("Scores turned into abstentions"),
    "contests": _l("Contests whose participation changed"),
    "points": _l("Points before"),
    "file": _l("File"),
    "groups_created": _l("Groups added"),
    "groups_renamed": _l("Groups renamed"),
    "units_created": _l("Units added"),
    "units_updated": _l("Units updated"),
    "added": _l("Units added"),
    "removed": _l("Units removed"),
    "headcounts": _l("Headcounts changed"),
    "slug": _l("Address"),
    "copied_from": _l("Copied from"),
    "copied": _l("Copied"),
    "organizer_name": _l("Organizing body"),
    "authority_name": _l("Authority above the organizing body (printed on certificates)"),
    "rules_text": _l("Rules (Thể lệ)"),
    "title": _l("Title"),
    "size_bytes": _l("Size (bytes)"),
    "questions_per_round": _l("Questions per round"),
    "round_time_limit_seconds": _l("Seconds per round"),
    "submission_grace_seconds": _l(
        "Grace after the deadline, in seconds (answers sent late by the network)"
    ),
    "max_attempts_total": _l("Rounds per participant in all (empty: no limit)"),
    "max_attempts_per_day": _l("Rounds per participant per day (empty: no limit)"),
    "max_starts_per_hour": _l("Rounds one participant may start in an hour (empty: no limit)"),
    "review_policy": _l("When participants see the correct answers of their rounds"),
    "max_exposure_percent": _l(
        "Warn when one participant can see more than this share of the bank (%)"
    ),
    "leaderboard_public": _l("The leaderboard is public while the quiz is open"),
    "unit_ranking_public": _l("The unit ranking is public while the contest runs"),
    "topic_quotas": _l("Questions per topic in a round"),
    "difficulty_quotas": _l("Questions per difficulty in a round"),
    "decision": _l("Decision"),
    "participant": _l("Participant (id)"),
    "flags": _l("Flags"),
    "rounds": _l("Rounds (ids)"),
    "floor_reading_chars_per_second": _l(
        "Fastest reading speed, in characters a second (of a question and its choices)"
    ),
    "floor_motor_ms": _l("Least time to click an answer, in milliseconds"),
    "flag_regular_cv_percent": _l(
        "Timings count as mechanical below this variation of the gaps between answers (%)"
    ),
    "flag_device_accounts": _l("Accounts on one device from which its rounds are flagged"),
    "flag_address_rounds": _l(
        "Rounds from one address within 10 minutes that add evidence to a flagged round"
    ),
    "flag_unshown_answers": _l(
        "Answers to questions never shown on the screen that flag a round (0: off)"
    ),
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
    if isinstance(value, dict):  # quotas: {"topic": count}; none is "—"
        return ", ".join(f"{name}: {_shown(key, item)}" for name, item in value.items()) or "—"
    if isinstance(value, str):
        return _moment(value, closing=key in CLOSES) or value
    return str(value)


# A close at local midnight reads "24:00 ngày 15/10/2021", as on every page that shows it.
CLOSES = frozenset({"quiz_closes_at", "video_closes_at"})


def _moment(text: str, closing: bool) -> str | None:
    """A stored moment (ISO 8601 with its offset) in local time; None for any other text."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if not moment.tzinfo:
        return None
    return format_local_close(moment) if closing else format_local_datetime(moment)
