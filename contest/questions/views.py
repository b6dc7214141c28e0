"""The organizers' pages for the question bank."""

import io

from flask import (
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from contest import clock
from contest.auth.decorators import role_required
from contest.domain.drawing import DrawRules
from contest.domain.item_analysis import ANY_FLAG, FLAGS, MIN_ANSWERS_TO_FLAG
from contest.domain.question_files.records import ProblemCode
from contest.domain.question_files.tabular import write_template
from contest.domain.question_files.validation import DIFFICULTIES
from contest.errors import Refused
from contest.extensions import db
from contest.forms import ActionForm
from contest.models import Question, Role
from contest.paging import requested_page
from contest.pending_imports import PendingImport
from contest.questions import bp, contest_bp, services, uploads
from contest.questions.forms import ImportForm, ImportTopicForm, QuestionForm, draw_rules_form
from contest.questions.messages import (
    DIFFICULTY_LABELS,
    describe_finding,
    describe_location,
    describe_out_of_force,
    describe_problem,
    describe_rule_problem,
)
from contest.questions.statistics import StatisticsQuery, statistics_page

QUESTION_IMPORT = PendingImport("pending_question_import", "imports")
FLAG_LABELS = {
    "low_facility": _l("Very few answer it right"),
    "distractor_beats_key": _l("A wrong choice is picked more than the key"),
    "negative_discrimination": _l("Strong participants miss it more than weak ones"),
    "too_easy": _l("Nearly everybody answers it right"),
    "unused_distractor": _l("A wrong choice nobody picks"),
}
SORT_LABELS = {
    "suspicious": _l("Suspicious first"),
    "served": _l("Times shown"),
    "answered": _l("Times answered"),
    "facility": _l("Share answered right"),
    "discrimination": _l("Discrimination"),
    "seen": _l("Share of participants who saw it"),
}


@bp.context_processor
@contest_bp.context_processor
def bank_helpers() -> dict:
    return {
        "difficulty_label": lambda level: DIFFICULTY_LABELS.get(level, _("Not set")),
        "location": describe_location,
        "percent": lambda share: "—" if share is None else f"{share:.0%}",
        # A correlation as Vietnamese writes decimals: 0,42; -0,15 (— when undefined).
        "correlation": lambda value: "—" if value is None else f"{value:.2f}".replace(".", ","),
        "flag_label": FLAG_LABELS.get,
        "describe_finding": describe_finding,
        "describe_out_of_force": describe_out_of_force,
    }


@bp.get("/")
@role_required(Role.ORGANIZER)
def bank():
    criteria = services.BankFilter(
        topic=request.args.get("topic") or None,
        difficulty=request.args.get("difficulty") or None,
        search=request.args.get("q") or None,
        state=request.args.get("state", "active"),
    )
    page = services.bank_page(criteria, requested_page())
    return render_template(
        "questions/bank.html",
        page=page,
        criteria=criteria,
        topics=services.bank_topics(),
        difficulties=DIFFICULTIES,
        page_args={key: value for key, value in request.args.items() if key != "page"},
    )


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def new_question():
    form = QuestionForm()
    form.offer_topics(bank_topic_names())
    if form.validate_on_submit():
        problems = services.draft_problems(form.draft())
        if not problems:
            question = services.add_question(form.draft(), clock.utc_now())
            db.session.commit()
            flash(_("The question was added."), "success")
            return redirect(url_for("questions.edit_question", question_id=question.id))
        form.text.errors = [describe_problem(problem) for problem in problems]
    return render_template("questions/edit.html", form=form, question=None, history=[])


@bp.route("/<int:question_id>", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def edit_question(question_id: int):
    question = db.get_or_404(Question, question_id)
    if not question.is_current:
        flash(_("This is an old version; here is the current one."), "info")
        current = services.current_version(question)
        return redirect(url_for("questions.edit_question", question_id=current.id))
    form = QuestionForm()
    if request.method == "GET":
        form.fill_from(question)
    form.offer_topics(bank_topic_names(), current=question.topic)
    if form.validate_on_submit():
        problems = services.draft_problems(form.draft(), editing=question)
        if not problems:
            current = services.edit_question(question, form.draft(), clock.utc_now())
            db.session.commit()
            if current.id != question.id:
                flash(
                    _(
                        "Saved as version %(n)s: rounds already played keep the old text.",
                        n=current.version,
                    ),
                    "success",
                )
            else:
                flash(_("The question was saved."), "success")
            return redirect(url_for("questions.edit_question", question_id=current.id))
        form.text.errors = [describe_problem(problem) for problem in problems]
    return render_template(
        "questions/edit.html",
        form=form,
        question=question,
        history=services.version_history(question),
        served=services.has_been_served(question),
    )


@bp.post("/<int:question_id>/active")
@role_required(Role.ORGANIZER)
def set_active(question_id: int):
    question = db.get_or_404(Question, question_id)
    if not ActionForm().validate_on_submit() or not question.is_current:
        abort(400)
    active = request.form.get("active") == "1"
    services.set_question_active(question, active, clock.utc_now())
    db.session.commit()
    flash(
        _("The question is offered to new rounds again.")
        if active
        else _("The question is no longer drawn for new rounds."),
        "success",
    )
    return redirect(url_for("questions.edit_question", question_id=question.id))


@bp.route("/import", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def import_upload():
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        if not uploads.readable_name(upload.filename):
            form.file.errors = [_("Use an XLSX, CSV, GIFT, Aiken (.txt) or Moodle XML file.")]
        else:
            token = QUESTION_IMPORT.start(upload, topic=form.default_topic.data or "")
            return redirect(url_for("questions.import_preview", token=token))
    return render_template("questions/import.html", form=form)


def bank_topic_names() -> list[str]:
    """The topics an organizer picks from: those of the bank's active questions."""
    return [topic for topic, _count in services.bank_topics()]


@bp.get("/import/<token>")
@role_required(Role.ORGANIZER)
def import_preview(token: str):
    pending, path = QUESTION_IMPORT.get(token)
    topic_form = ImportTopicForm(formdata=None, topic=pending["topic"] or "")
    topic_form.offer_topics(bank_topic_names(), current=pending["topic"] or None)
    return _preview(token, pending, path, topic_form)


@bp.post("/import/<token>/topic")
@role_required(Role.ORGANIZER)
def import_topic(token: str):
    """Give the file's questions without a topic one, without uploading the file again."""
    pending, path = QUESTION_IMPORT.get(token)
    topic_form = ImportTopicForm()
    topic_form.offer_topics(bank_topic_names(), current=pending["topic"] or None)
    if not topic_form.validate_on_submit():
        return _preview(token, pending, path, topic_form)
    topic = topic_form.chosen_topic()
    QUESTION_IMPORT.update(token, topic=topic)
    flash(_("The questions without a topic get the topic «%(topic)s».", topic=topic), "success")
    return redirect(url_for("questions.import_preview", token=token))


def _preview(token: str, pending: dict, path, topic_form: ImportTopicForm) -> str:
    with path.open("rb") as stream:
        report = services.validate_file(stream, pending["name"], pending["topic"] or None)
    return render_template(
        "questions/preview.html",
        report=report,
        pending=pending,
        token=token,
        form=ActionForm(),
        topic_form=topic_form,
        needs_topic=any(problem.code is ProblemCode.NO_TOPIC for problem in report.problems),
        describe=describe_problem,
    )


@bp.post("/import/<token>")
@role_required(Role.ORGANIZER)
def import_confirm(token: str):
    pending, path = QUESTION_IMPORT.get(token)
    if not ActionForm().validate_on_submit():
        abort(400)
    valid_only = request.form.get("mode") == "valid_only"
    try:
        with path.open("rb") as stream:
            report = services.import_file(
                stream, pending["name"], clock.utc_now(), pending["topic"] or None, valid_only
            )
    except services.ImportRefused:
        flash(
            _(
                "Nothing was imported: the file has problems. Fix them or import only the "
                "valid questions."
            ),
            "error",
        )
        return redirect(url_for("questions.import_preview", token=token))
    db.session.commit()
    QUESTION_IMPORT.drop()
    flash(_("%(count)s questions were imported.", count=report.imported), "success")
    return redirect(url_for("questions.bank", state="active"))


@bp.get("/template.xlsx")
@role_required(Role.ORGANIZER)
def template():
    buffer = io.BytesIO()
    write_template(buffer)
    buffer.seek(0)
    return send_file(buffer, as_attachment=True, download_name="mau-ngan-hang-cau-hoi.xlsx")


@bp.get("/export.<any(xlsx, gift, toml):extension>")
@role_required(Role.ORGANIZER)
def export(extension: str):
    buffer = io.BytesIO()
    services.export_bank(buffer, f"bank.{extension}")
    buffer.seek(0)
    stamp = clock.utc_now().strftime("%Y%m%d")
    return send_file(buffer, as_attachment=True, download_name=f"ngan-hang-{stamp}.{extension}")


@contest_bp.get("/statistics")
@role_required(Role.ORGANIZER)
def statistics():
    contest = g.contest
    query = StatisticsQuery.from_args(request.args)
    return render_template(
        "questions/statistics.html",
        page=statistics_page(contest.id, query, requested_page()),
        query=query,
        contest=contest,
        flags=FLAGS,
        any_flag=ANY_FLAG,
        sort_labels=SORT_LABELS,
        min_answers=MIN_ANSWERS_TO_FLAG,
        lint=services.lint_bank(),
    )


@contest_bp.route("/draw-rules", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def draw_rules():
    contest = g.contest
    rules = contest.draw_rules()
    topics = sorted({topic for topic, _count in services.bank_topics()} | set(rules.topic_quotas))
    values = {f"topic_{n}": rules.topic_quotas.get(topic, 0) for n, topic in enumerate(topics)}
    values |= {f"difficulty_{level}": n for level, n in rules.difficulty_quotas.items()}
    form = draw_rules_form(topics, questions_per_round=rules.question_count, **values)
    problems = []
    if form.validate_on_submit():
        # The settings' service holds the rule shared with the rounds page; imported here
        # because the quiz imports this package while the settings import the quiz.
        from contest.contest_setup.services import change_draw_rules

        wanted = DrawRules(
            form.questions_per_round.data,
            {topic: form[f"topic_{n}"].data or 0 for n, topic in enumerate(topics)},
            {level: form[f"difficulty_{level}"].data or 0 for level in DIFFICULTIES},
        )
        try:
            change_draw_rules(contest, wanted, current_user, clock.utc_now())
        except Refused as refused:
            db.session.rollback()
            problems = refused.details.get("problems", [])
            if not problems:
                flash(str(refused.message), "error")
        else:
            db.session.commit()
            flash(_("The draw rules were saved."), "success")
            return redirect(url_for("contest_questions.draw_rules"))
    elif request.method == "GET":
        problems = [describe_rule_problem(p) for p in services.draw_rule_problems(contest)]
    return render_template(
        "questions/draw_rules.html",
        form=form,
        contest=contest,
        topics=topics,
        counts=dict(services.bank_topics()),
        difficulties=DIFFICULTIES,
        problems=problems,
        refused=request.method == "POST",
        exposure=services.exposure_of(contest, clock.local_zone()),
        out_of_force=services.out_of_force_questions(contest),
    )
