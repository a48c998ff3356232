"""The staff assessment page of one idea: feasibility scores, the decision, private notes.

The page is one form with a button for each part (the scores, the decision, a new note, a
reply to each note), so whichever button is pressed, the browser sends every part. When the
page comes back (after an error, or after saving one part while another holds words not saved
yet) everything typed is in it again, without JavaScript. A decision asks first, on a page
that carries every part along, so that its Cancel gives them all back.
"""

from dataclasses import dataclass, field

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app import bounded_id, pii
from app.access import staff_required
from app.extensions import db
from app.forms_common import ButtonForm
from app.intake.services import public_author
from app.models import (
    HEADINGS,
    NOT_A_DATA_PROJECT,
    OPPORTUNITY_TYPES,
    Criterion,
    DecisionTemplate,
    Idea,
    IdeaStatus,
    StaffNote,
)
from app.review import assessments, bp, decisions
from app.review.forms import DecisionForm, NoteForm
from app.review.routes import idea_or_404
from app.triage import services as triage
from app.voting import notifications

# The page's one CSRF token is checked once, by ButtonForm; the forms of its parts only read
# their fields from the same post.
PART_OF_THE_PAGE = {"csrf": False}
NOTHING_TO_CHANGE = ("Nothing changed: this idea is withdrawn or merged, or already has this "
                     "decision")


@dataclass
class AssessPage:
    """The assessment page as it is being answered: its forms, filled from what was sent, the
    problems to show, and the part just saved (shown as stored, not as sent)."""

    idea: Idea
    criteria: list[Criterion]
    templates: list[DecisionTemplate]
    decision_form: DecisionForm
    note_form: NoteForm
    score_errors: dict[int, str] = field(default_factory=dict)
    reply_to: int | None = None
    reply_error: str | None = None
    saved: str = ""


def part_of(name: str) -> str:
    """The part of the page a posted field belongs to: "scores", "decision", "note" (a new
    note) or "reply-<note id>"; "" for the page's own controls."""
    if name.startswith("score-") or (name.startswith("note-") and name[5:].isdigit()):
        return "scores"
    if name.startswith("decision-"):
        return "decision"
    if name == "note-body":
        return "note"
    if name.startswith("reply-") and name.endswith("-body"):
        return name.removesuffix("-body")
    return ""


def decision_form(templates: list[DecisionTemplate], **options) -> DecisionForm:
    """The decision form, its template choices those that exist now."""
    form = DecisionForm(prefix="decision", meta=PART_OF_THE_PAGE, **options)
    form.template.choices = [SelectChoice(0, "No template")] + [
        SelectChoice(t.id, f"{t.name} ({t.status.label})") for t in templates]
    return form


@bp.route("/staff/ideas/<int:idea_id>/review", methods=["GET", "POST"])
@staff_required
def assess(idea_id: int):
    idea = idea_or_404(idea_id)
    templates = decisions.templates()
    page = AssessPage(idea, assessments.criteria_for(idea.window), templates,
                      decision_form(templates), NoteForm(prefix="note", meta=PART_OF_THE_PAGE))
    pressed = request.form.get("form", "")
    if request.method == "POST" and ButtonForm().validate_on_submit():
        response = None
        if pressed == "scores":
            response = _save_scores(page)
        elif pressed == "decision":
            response = _ask_first(page)
        elif pressed == "confirm-decision":
            response = _decide(page)
        elif pressed == "note" or pressed.startswith("reply-"):
            response = _add_note(page, pressed)
        # Anything else (Cancel on the check page) changes nothing: the page, as it was typed.
        if response is not None:
            return response
    return _show(page)


def score_errors(criteria, form) -> dict[int, str]:
    errors = {}
    for criterion in criteria:
        value = form.get(f"score-{criterion.id}", "")
        if value not in ("0", "1", "2"):
            errors[criterion.id] = f"Score “{criterion.name}” 0, 1 or 2"
        elif len(form.get(f"note-{criterion.id}", "")) > 1000:
            errors[criterion.id] = (f"The note on “{criterion.name}” must be 1,000 characters "
                                    f"or fewer")
    return errors


def _save_scores(page: AssessPage):
    """Save the reviewer's scores; or None, with the problems by their criteria."""
    page.score_errors = score_errors(page.criteria, request.form)
    if page.score_errors:
        return None
    had = page.idea.assigned_to_id
    assessments.save_assessment(current_user, page.idea, {
        c.id: (int(request.form[f"score-{c.id}"]), request.form.get(f"note-{c.id}", ""))
        for c in page.criteria})
    return _saved(page, "scores", "Your scores are saved." + _reviewer_now(page.idea, had),
                  "#feasibility")


def _reviewer_now(idea: Idea, had: int | None) -> str:
    """What saving scores did to the idea's reviewer, read back after the save: the scorer
    became it, or it stayed someone else."""
    reviewer = idea.assigned_to
    if reviewer is None:
        return ""
    if reviewer.id == current_user.id:
        return " You are now this idea’s reviewer." if had != reviewer.id else ""
    return f" {reviewer.display_name} is this idea’s reviewer: your scores count alongside theirs."


def _asked(page: AssessPage) -> tuple[IdeaStatus, str] | None:
    """The decision and public reason the form asks for, if they can be made; else None, with
    the problem on the form."""
    form = page.decision_form
    if not form.validate():
        return None
    template = db.session.get(DecisionTemplate, form.template.data or 0)
    try:
        status, reason = decisions.resolve(form.status.data or "", template,
                                           form.reason.data or "")
        decisions.check_decision(status, reason, form.signposted_to.data or "")
        if not decisions.would_change([page.idea], status):
            raise decisions.DecisionError(NOTHING_TO_CHANGE)
    except decisions.DecisionError as error:
        _refuse(form, error)
        return None
    return status, reason


def _ask_first(page: AssessPage):
    """The decision asked for, on a page that asks before it goes out (it is public, and its
    followers are told at once); or None, with the problem on the form."""
    asked = _asked(page)
    if asked is None:
        return None
    status, reason = asked
    idea = page.idea
    here = url_for("review.assess", idea_id=idea.id)
    # Every part of the page goes along, so that Cancel brings it all back; Confirm makes the
    # decision shown, even if a template's words change in between.
    fields = [(name, value) for name, value in request.form.items(multi=True) if part_of(name)]
    fields += [("shown-status", status.value), ("shown-reason", reason)]
    return render_template("review/confirm_decision.html", window=idea.window, idea=idea,
                           status=status, reason=reason,
                           signposted_to=page.decision_form.signposted_to.data or "",
                           told=notifications.audience(idea, current_user), action=here,
                           back=here + "#decision", fields=fields, form=ButtonForm(),
                           unsaved_scores="scores" in unsaved_parts(page))


def _decide(page: AssessPage):
    """Make the decision the check page showed; or None, with the problem on the form."""
    form, idea = page.decision_form, page.idea
    status = next((s for s in decisions.DECISIONS
                   if s.value == request.form.get("shown-status")), None)
    try:
        if status is None:
            raise decisions.DecisionError("Choose a decision from the list")
        if not decisions.decide(current_user, [idea], status,
                                request.form.get("shown-reason", ""),
                                form.signposted_to.data or ""):
            raise decisions.DecisionError(NOTHING_TO_CHANGE)
    except decisions.DecisionError as error:
        _refuse(form, error)
        return None
    unsaved = " Your scores are not saved yet: save them below." \
        if "scores" in unsaved_parts(page) else ""
    return _saved(page, "decision",
                  f"“{idea.title}” is now: {idea.status.label}. Its followers will be told."
                  + unsaved)


def _refuse(form: DecisionForm, error: decisions.DecisionError) -> None:
    """Put a refused decision's problem on the field it is about."""
    problem = getattr(form, error.field)
    problem.errors = [*problem.errors, str(error)]


def _add_note(page: AssessPage, pressed: str):
    """Add the new note, or the reply to a note, that was written; or None, with the problem
    by its box."""
    parent = None
    if pressed != "note":
        number = pressed.removeprefix("reply-")
        parent = db.session.get(StaffNote, bounded_id(int(number)) or 0) \
            if number.isdigit() else None
        if parent is None or parent.idea_id != page.idea.id or parent.parent_id is not None:
            abort(400)  # replies go to a top-level note on this idea
    form = page.note_form if parent is None else NoteForm(prefix=pressed,
                                                          meta=PART_OF_THE_PAGE)
    if not form.validate():
        if parent is not None:  # the error belongs to that reply box
            page.reply_to = parent.id
            page.reply_error = "Enter your reply" if not form.body.data else form.body.errors[0]
        return None
    what = "reply" if parent else "note"
    added = assessments.add_note(current_user, page.idea, form.body.data, parent)
    return _saved(page, pressed, f"Your {what} is added." if added else
                  f"You added this {what} a moment ago, so it is not added again.", "#notes")


def _saved(page: AssessPage, part: str, message: str, anchor: str = ""):
    """After saving one part: back to the page; or, when another part holds scores or words
    not saved yet, None, so that the page itself is shown with them (a redirect would lose
    them)."""
    flash(message, "success")
    if not unsaved_parts(page) - {part}:
        return redirect(url_for("review.assess", idea_id=page.idea.id) + anchor)
    page.saved = part
    return None


def unsaved_parts(page: AssessPage) -> set[str]:
    """The parts of the page that were sent holding scores or words not saved."""
    mine = _mine(page.idea)
    parts = set()
    for name, value in request.form.items():
        part = part_of(name)
        if part == "scores":
            if _plain(value) != _plain(_stored_score(mine, name)):
                parts.add(part)
        elif part and value.strip() and (name, value) != ("decision-template", "0"):
            parts.add(part)
    return parts


def _plain(text: str) -> str:
    return text.replace("\r\n", "\n").strip()


def _stored_score(mine, name: str) -> str:
    """What the reviewer has saved in a score field ("score-<id>" or "note-<id>")."""
    kind, criterion_id = name.split("-", 1)
    score = mine.score_for(int(criterion_id)) if mine and criterion_id.isdigit() else None
    if score is None:
        return ""
    return str(score.score) if kind == "score" else score.note


def _mine(idea: Idea):
    return next((a for a in assessments.feasibility(idea).assessments
                 if a.reviewer_id == current_user.id), None)


def _show(page: AssessPage):
    """The page, each part as it was sent (but the part just saved), with the problems."""
    idea = page.idea
    if page.saved == "decision":
        page.decision_form = decision_form(page.templates, formdata=None)
    elif page.saved == "note":
        page.note_form = NoteForm(prefix="note", meta=PART_OF_THE_PAGE, formdata=None)
    typed = {name: value for name, value in request.form.items()
             if part_of(name) not in ("", page.saved)}
    error_items = [(f"#score-{c.id}", page.score_errors[c.id]) for c in page.criteria
                   if c.id in page.score_errors]
    error_items += [(f"#{item.id}", message) for form in (page.decision_form, page.note_form)
                    for item in form if item.errors for message in item.errors]
    if page.reply_error:
        error_items.append((f"#reply-{page.reply_to}", page.reply_error))
    return render_template(
        "review/assess.html", idea=idea, author=public_author(idea),
        feasibility=assessments.feasibility(idea), headings=HEADINGS, mine=_mine(idea),
        errors=page.score_errors, typed=typed,
        scores_unsaved=page.saved != "scores" and "scores" in unsaved_parts(page),
        suggestion=triage.suggestion_for(idea),
        confirmed=triage.confirmed_types(idea), pii_labels=pii.LABELS,
        labels={**OPPORTUNITY_TYPES, NOT_A_DATA_PROJECT: "Not a data project"},
        unique_supporters=triage.unique_supporters(idea),
        cluster_ideas=assessments.cluster_companions(idea),
        cluster_supporters=assessments.cluster_supporters(idea),
        has_run=triage.latest_run(idea.window) is not None,
        notes=assessments.notes_for(idea), note_form=page.note_form,
        decision_form=page.decision_form, templates=page.templates,
        template_reasons=decisions.reasons_json(page.templates),
        reply_to=page.reply_to, reply_error=page.reply_error,
        button=ButtonForm(), error_items=error_items, page_has_errors=bool(error_items))
