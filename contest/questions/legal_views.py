"""The organizers' pages for the legal documents the bank rests on and the review list."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from contest import clock
from contest.actions import saved_or_refused
from contest.auth.decorators import role_required
from contest.errors import Refused
from contest.extensions import db
from contest.forms import ActionForm
from contest.models import LegalDocument, Question, Role
from contest.questions import bp, legal
from contest.questions.forms import LegalDocumentForm, SupersedeForm


@bp.route("/documents", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def documents():
    rows = legal.documents_overview()
    form = LegalDocumentForm()
    if form.validate_on_submit():
        done = saved_or_refused(
            lambda: legal.add_document(
                form.ref(),
                form.in_force_from.data,
                form.in_force_until.data,
                current_user,
                clock.utc_now(),
            ),
            _("The document was added."),
            "questions.documents",
        )
        if done:
            return done
    choices = [(row.document.id, row.document.label) for row in rows]
    return render_template(
        "questions/documents.html",
        rows=rows,
        form=form,
        supersede_forms={
            row.document.id: SupersedeForm.for_document(row.document, choices) for row in rows
        },
        to_review=legal.count_to_review(),
    )


@bp.post("/documents/<int:document_id>/supersede")
@role_required(Role.ORGANIZER)
def supersede(document_id: int):
    document = db.get_or_404(LegalDocument, document_id)
    choices = [(row.document.id, row.document.label) for row in legal.documents_overview()]
    form = SupersedeForm.for_document(document, choices)
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        return redirect(url_for("questions.documents"), code=303)
    successor = db.get_or_404(LegalDocument, form.successor.data)
    try:
        flagged = legal.supersede_document(
            document, successor, form.on.data, current_user, clock.utc_now()
        )
    except Refused as refused:
        db.session.rollback()
        flash(str(refused.message), "error")
        return redirect(url_for("questions.documents"), code=303)
    db.session.commit()
    flash(_("Marked superseded; %(count)s questions wait for review.", count=flagged), "success")
    return redirect(url_for("questions.review"))


@bp.get("/review")
@role_required(Role.ORGANIZER)
def review():
    return render_template(
        "questions/review.html",
        questions=legal.review_list(),
        reasons=legal.REVIEW_REASONS,
        form=ActionForm(),
    )


@bp.post("/<int:question_id>/reviewed")
@role_required(Role.ORGANIZER)
def reviewed(question_id: int):
    question = db.get_or_404(Question, question_id)
    if not ActionForm().validate_on_submit() or question.review_reason is None:
        abort(400)
    legal.mark_reviewed(question, current_user, clock.utc_now())
    db.session.commit()
    flash(_("The question left the review list."), "success")
    return redirect(url_for("questions.review"))
