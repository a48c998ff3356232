"""Staff review: moderation, the review queue and its bulk decisions, decision templates, the
shortlist; and the public pieces: reporting an idea, the published shortlist. One idea's
assessment page is in assessment_page.py."""

from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from app import bounded_id, pii
from app.access import admin_required, public, signed_in, staff_required
from app.extensions import db, limiter
from app.filters import plural
from app.forms_common import ButtonForm
from app.models import (
    HEADINGS,
    NOT_A_DATA_PROJECT,
    OPPORTUNITY_TYPES,
    STAFF_ROLES,
    Idea,
    IdeaStatus,
    IdeaWindow,
    ReportReason,
    Source,
    User,
)
from app.pagination import paginate, paginate_list
from app.rate_limits import because
from app.review import assessments, bp, decisions, moderation, shortlist
from app.review.forms import (
    HideForm,
    OverrideForm,
    PersonalInformationForm,
    PublishForm,
    ReportForm,
    TemplateForm,
    WeightsForm,
)
from app.security import local_path
from app.voting.notifications import audience_of_many


def idea_or_404(idea_id: int) -> Idea:
    idea = db.session.get(Idea, idea_id)
    if idea is None or not idea.is_public:
        abort(404)
    return idea


def window_or_404(window_id: int) -> IdeaWindow:
    return db.session.get(IdeaWindow, window_id) or abort(404)


# ---- Reporting and moderation ---------------------------------------------------------------

@bp.route("/ideas/<int:idea_id>/report", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"], error_message=because("reporting"))
@signed_in
def report(idea_id: int):
    idea = idea_or_404(idea_id)
    if not idea.is_listed:
        abort(404)  # hidden and unapproved ideas are already with staff
    form = ReportForm()
    if form.validate_on_submit():
        try:
            moderation.report(current_user, idea, ReportReason(form.reason.data),
                              form.details.data or "")
        except moderation.ModerationError as error:
            flash(str(error), "warning")
        else:
            flash("Thank you. Staff will look at this idea.", "success")
        return redirect(url_for("intake.idea", idea_id=idea.id))
    return render_template("review/report.html", idea=idea, form=form)


HIDDEN_LIMIT = 100  # each list on the moderation page shows at most this many


@bp.route("/staff/moderation")
@staff_required
def moderation_queue():
    return moderation_page()


@dataclass
class HideError:
    """A hide form sent without a reason: the select it came from, and the message."""

    field: str
    message: str


def moderation_page(hide_error: HideError | None = None):
    """The moderation lists; with `hide_error`, that form's error and an error summary."""
    return render_template("review/moderation.html",
                           reported=moderation.open_reports_by_idea(HIDDEN_LIMIT),
                           flagged=moderation.flagged_ideas(HIDDEN_LIMIT),
                           waiting=moderation.awaiting_approval(HIDDEN_LIMIT),
                           hidden=moderation.hidden_ideas(HIDDEN_LIMIT), hidden_limit=HIDDEN_LIMIT,
                           pii_labels=pii.LABELS, hide=HideForm(), button=ButtonForm(),
                           likely_reason=moderation.likely_reason, hide_error=hide_error,
                           error_items=[(f"#{hide_error.field}", hide_error.message)]
                           if hide_error else [], page_has_errors=hide_error is not None)


def _moderate(idea_id: int, action, done: str, form_class=ButtonForm):
    idea = idea_or_404(idea_id)
    form = form_class()
    if form.validate_on_submit():
        try:
            action(idea, form)
        except moderation.ModerationError as error:
            flash(str(error), "warning")
        else:
            flash(done.format(title=idea.title), "success")
    else:
        problems = [message for field in form for message in field.errors]
        flash(f"“{idea.title}” is unchanged: {problems[0] if problems else 'try again'}.",
              "warning")
    return redirect(local_path(request.form.get("back"), url_for("review.moderation_queue")))


@bp.route("/staff/ideas/<int:idea_id>/hide", methods=["POST"])
@staff_required
def hide(idea_id: int):
    form = HideForm()
    section = request.form.get("section", "")
    if form.is_submitted() and not form.reason.data and section.isalpha():
        # No reason chosen: the page again, with the error by that form's select (not a
        # banner after a redirect), as GOV.UK forms do.
        idea = idea_or_404(idea_id)
        return moderation_page(HideError(f"hide-reason-{section}-{idea.id}",
                                         f"Select a reason to hide “{idea.title}”"))
    return _moderate(idea_id, lambda idea, form: moderation.hide(
        current_user, idea, ReportReason(form.reason.data)), "“{title}” is hidden.", HideForm)


@bp.route("/staff/ideas/<int:idea_id>/restore", methods=["POST"])
@staff_required
def restore(idea_id: int):
    return _moderate(idea_id, lambda idea, form: moderation.restore(current_user, idea),
                     "“{title}” is visible again.")


@bp.route("/staff/ideas/<int:idea_id>/dismiss-reports", methods=["POST"])
@staff_required
def dismiss_reports(idea_id: int):
    return _moderate(idea_id, lambda idea, form: moderation.dismiss_reports(current_user, idea),
                     "The reports on “{title}” are dismissed.")


@bp.route("/staff/ideas/<int:idea_id>/clear-flags", methods=["POST"])
@staff_required
def clear_flags(idea_id: int):
    return _moderate(idea_id, lambda idea, form: moderation.clear_flags(current_user, idea),
                     "“{title}” is marked as checked.")


@bp.route("/staff/ideas/<int:idea_id>/personal-information", methods=["GET", "POST"])
@staff_required
def remove_personal_information(idea_id: int):
    idea = idea_or_404(idea_id)
    form = PersonalInformationForm(obj=idea)
    if form.validate_on_submit():
        try:
            changed = moderation.remove_personal_information(
                current_user, idea, {name: getattr(form, name).data or ""
                                     for name in moderation.EDITABLE_ANSWERS})
        except moderation.ModerationError as error:
            flash(str(error), "warning")
        else:
            flash(f"“{idea.title}” is edited ({', '.join(changed)}) and its author is told."
                  if changed else f"Nothing changed: “{idea.title}” says what it said.",
                  "success")
            return redirect(url_for("review.moderation_queue"))
    return render_template("review/personal_information.html", idea=idea, form=form,
                           pii_labels=pii.LABELS)


@bp.route("/staff/ideas/<int:idea_id>/approve", methods=["POST"])
@staff_required
def approve(idea_id: int):
    return _moderate(idea_id, lambda idea, form: moderation.approve(current_user, idea),
                     "“{title}” is approved and now public.")


# ---- The review queue -----------------------------------------------------------------------

def staff_people() -> list[User]:
    return list(db.session.scalars(select(User).where(User.role.in_(STAFF_ROLES),
                                                      User.deleted_at.is_(None))
                                   .order_by(User.display_name)))


@bp.route("/staff/windows/<int:window_id>/review", methods=["GET", "POST"])
@staff_required
def review_queue(window_id: int):
    window = window_or_404(window_id)
    view = request.args.get("view", "all")
    type_key = request.args.get("type", "")
    source = request.args.get("source", "")
    in_clusters = request.args.get("clusters") == "1"
    cluster_id = bounded_id(request.args.get("cluster", type=int))
    bulk_error = None
    if request.method == "POST":
        outcome = _bulk(window)
        if not isinstance(outcome, BulkError):
            return outcome
        bulk_error = outcome  # shown on the page, with what was chosen and typed kept
    page = paginate(assessments.queue(window, current_user, view, type_key, source, in_clusters,
                                      cluster_id), per_page=25)
    shares = assessments.feasibility_shares(window)
    templates = decisions.templates()
    return render_template(
        "review/queue.html", window=window, page=page, view=view, type_key=type_key,
        source=source, in_clusters=in_clusters, cluster_id=cluster_id,
        clusters=assessments.cluster_choices(window), views=assessments.QUEUE_FILTERS,
        types={**OPPORTUNITY_TYPES, NOT_A_DATA_PROJECT: "Not a data project"},
        sources=list(Source), shares=shares, max_total=assessments.max_total(window),
        people=staff_people(),
        templates=templates, template_reasons=decisions.reasons_json(templates),
        decisions=decisions.DECISIONS, form=ButtonForm(), bulk_error=bulk_error,
        bulk=request.form if bulk_error else {},
        selected=set(request.form.getlist("ideas")) if bulk_error else set(),
        error_items=[(_error_target(bulk_error, page), bulk_error.message)] if bulk_error else [],
        page_has_errors=bulk_error is not None)


def _error_target(error: "BulkError", page) -> str:
    """Where the error summary's link goes: the field, or for the selection the first box."""
    if error.field == "ideas":
        return f"#idea-{page.items[0].id}" if page.items else "#ideas-error"
    return f"#{error.field}"


NOBODY = "nobody"  # the reviewer choice that takes the reviewer off


@dataclass
class BulkError:
    """Why a bulk action was not done, and the field to fix."""

    field: str
    message: str


def _bulk(window: IdeaWindow):
    """Do the chosen action on the selected ideas and redirect back, or return a BulkError."""
    back = local_path(request.form.get("back"),
                      url_for("review.review_queue", window_id=window.id))
    if not ButtonForm().validate_on_submit():
        return redirect(back)
    ids = [int(i) for i in request.form.getlist("ideas") if i.isdigit() and bounded_id(int(i))]
    ideas = list(db.session.scalars(select(Idea).where(Idea.id.in_(ids),
                                                       Idea.window_id == window.id)))
    if not ideas:
        return BulkError("ideas", "Select at least one idea")
    action = request.form.get("action")
    if action == "assign":
        # "Nobody" is a choice of its own, so that pressing Enter in another field (which
        # presses this form's first button, Assign) cannot take reviewers off by accident.
        choice = request.form.get("reviewer", "")
        if not choice:
            return BulkError("reviewer", "Choose a reviewer, or “Nobody” to take the ideas’ "
                                         "reviewer off")
        reviewer = None if choice == NOBODY else db.session.get(
            User, bounded_id(request.form.get("reviewer", type=int)) or 0)
        if choice != NOBODY and (reviewer is None or reviewer.role not in STAFF_ROLES):
            abort(400)
        assessments.assign(current_user, ideas, reviewer)
        flash(f"Assigned {plural(len(ideas), 'idea')} to "
              f"{reviewer.display_name if reviewer else 'nobody'}.", "success")
    elif action == "decide":
        template = db.session.get(decisions.DecisionTemplate,
                                  bounded_id(request.form.get("template", type=int)) or 0)
        signposted_to = request.form.get("signposted_to", "")
        try:
            status, reason = decisions.resolve(request.form.get("status", ""), template,
                                               request.form.get("reason", ""))
            decisions.check_decision(status, reason, signposted_to)
        except decisions.DecisionError as error:
            return BulkError(error.field, str(error))
        moving = decisions.would_change(ideas, status)
        if not moving:
            return BulkError("ideas", "Nothing changed: the selected ideas are withdrawn or "
                                      "merged, or already have this decision")
        if request.form.get("confirmed") != "1":
            # Public, and told to every follower at once: ask first, showing what goes out.
            fields = [("action", "decide"), ("confirmed", "1"), ("back", back),
                      ("status", status.value), ("template", template.id if template else ""),
                      ("reason", reason), ("signposted_to", signposted_to),
                      *(("ideas", idea.id) for idea in moving)]
            people, by_email = audience_of_many(Idea.id.in_([i.id for i in moving]),
                                                current_user)
            return render_template("review/confirm_decision.html", window=window, idea=None,
                                   ideas=moving, skipped=len(ideas) - len(moving),
                                   status=status, reason=reason, signposted_to=signposted_to,
                                   told=None, told_many={"people": people, "by_email": by_email},
                                   back=back, form=ButtonForm(), fields=fields,
                                   action=url_for("review.review_queue", window_id=window.id))
        try:
            changed = decisions.decide(current_user, ideas, status, reason, signposted_to)
        except decisions.DecisionError as error:
            return BulkError(error.field, str(error))
        message = f"Decision saved for {plural(changed, 'idea')}. Their followers will be told."
        if left := len(ideas) - changed:
            message += (f" {plural(left, 'other selected idea')} stayed as "
                        f"{'it was' if left == 1 else 'they were'} (withdrawn, merged or "
                        f"already with this decision).")
        flash(message, "success")
    return redirect(back)


# ---- Decision templates ---------------------------------------------------------------------

@bp.route("/staff/decision-templates", methods=["GET", "POST"])
@staff_required
def decision_templates():
    form = TemplateForm()
    if form.validate_on_submit():
        try:
            decisions.save_template(current_user, form.name.data, IdeaStatus(form.status.data),
                                    form.reason.data)
        except decisions.DecisionError as error:
            getattr(form, error.field).errors = [str(error)]
        else:
            flash(f"The template “{form.name.data}” is added.", "success")
            return redirect(url_for("review.decision_templates"))
    return render_template("review/templates.html", templates=decisions.templates(), form=form)


def template_or_404(template_id: int) -> decisions.DecisionTemplate:
    return db.session.get(decisions.DecisionTemplate, template_id) or abort(404)


@bp.route("/staff/decision-templates/<int:template_id>", methods=["GET", "POST"])
@staff_required
def change_template(template_id: int):
    row = template_or_404(template_id)
    form = TemplateForm(obj=None if request.method == "POST" else row,
                        status=None if request.method == "POST" else row.status.value)
    if form.validate_on_submit():
        try:
            decisions.change_template(current_user, row, form.name.data,
                                      IdeaStatus(form.status.data), form.reason.data)
        except decisions.DecisionError as error:
            getattr(form, error.field).errors = [str(error)]
        else:
            flash(f"The template “{row.name}” is saved.", "success")
            return redirect(url_for("review.decision_templates"))
    return render_template("review/template_change.html", template=row, form=form)


@bp.route("/staff/decision-templates/<int:template_id>/delete", methods=["GET", "POST"])
@staff_required
def delete_template(template_id: int):
    row = template_or_404(template_id)
    form = ButtonForm()
    if form.validate_on_submit():
        name = row.name
        try:
            decisions.delete_template(current_user, row)
        except decisions.DecisionError as refused:
            form.submit.errors = [str(refused)]  # shown in the page's error summary
        else:
            flash(f"The template “{name}” is deleted.", "success")
            return redirect(url_for("review.decision_templates"))
    return render_template("review/template_delete.html", template=row, form=form,
                           last=decisions.is_last_template(row),
                           last_message=decisions.LAST_TEMPLATE)


# ---- The shortlist --------------------------------------------------------------------------

SHORTLIST_PER_PAGE = 100

@bp.route("/staff/windows/<int:window_id>/shortlist", methods=["GET", "POST"])
@staff_required
def shortlist_page(window_id: int):
    window = window_or_404(window_id)
    form = _weights_form(window)
    if form.validate_on_submit():
        try:
            shortlist.set_weights(current_user, window, float(form.support_weight.data),
                                  float(form.feasibility_weight.data), form.size.data)
        except shortlist.ShortlistError as error:
            form.support_weight.errors = [*form.support_weight.errors, str(error)]
        else:
            flash("The formula is saved.", "success")
            return redirect(url_for("review.shortlist_page", window_id=window.id))
    return _shortlist_page(window, form)


def _weights_form(window: IdeaWindow, **options) -> WeightsForm:
    return WeightsForm(prefix="weights", data={"support_weight": window.support_weight,
                                               "feasibility_weight": window.feasibility_weight,
                                               "size": window.shortlist_size}, **options)


@dataclass
class OverrideError:
    """A change against the formula that was not saved: the row, the field, the problem, and
    what was chosen and typed, to show again."""

    idea_id: int
    title: str
    field: str  # "choice" or "reason"
    problem: str
    choice: str
    reason: str

    @property
    def target(self) -> str:
        return f"#choice-{self.idea_id}-include" if self.field == "choice" \
            else f"#reason-{self.idea_id}"


def _shortlist_page(window: IdeaWindow, form, override_error: OverrideError | None = None,
                    rows: list | None = None, publish_form: PublishForm | None = None):
    rows = shortlist.ranking(window) if rows is None else rows
    publish_form = publish_form or PublishForm(prefix="publish", formdata=None)
    number = None
    if override_error is not None:  # show the page of the ranking the idea is on
        ids = [row.idea_id for row in rows]
        number = ids.index(override_error.idea_id) // SHORTLIST_PER_PAGE + 1
    page = paginate_list(rows, per_page=SHORTLIST_PER_PAGE, page=number)
    shortlist.with_ideas(page.items)
    # The weights form's own errors are summarised by base.html; this adds the row's.
    error_items = [(override_error.target, f"“{override_error.title}”: "
                                           f"{override_error.problem}")] if override_error else []
    error_items += [(f"#{field.id}", field.errors[0]) for field in publish_form if field.errors]
    return render_template("review/shortlist_staff.html", window=window, form=form,
                           rows=rows, page=page,
                           on_list=sum(1 for row in rows if row.on_list),
                           override_form=OverrideForm(), override_error=override_error,
                           publish_form=publish_form,
                           preview=None if window.shortlist_published_at else
                           shortlist.preview(window, rows, current_user),
                           criteria_count=len(assessments.criteria_for(window)),
                           voting_open=window.is_open_for_voting(),
                           cannot_publish=shortlist.why_cannot_publish(window),
                           error_items=error_items,
                           page_has_errors=bool(error_items) or bool(form.errors))


@bp.route("/staff/ideas/<int:idea_id>/shortlist", methods=["POST"])
@staff_required
def override(idea_id: int):
    idea = idea_or_404(idea_id)
    window = idea.window
    form = OverrideForm()
    back = url_for("review.shortlist_page", window_id=idea.window_id)
    rows = shortlist.ranking(window)
    ids = [row.idea_id for row in rows]
    if window.shortlist_published_at is not None or idea.id not in ids:
        # No row to show a problem on (published meanwhile, or not a candidate): say so.
        flash(f"“{idea.title}” cannot change: the shortlist is published, or the idea is no "
              f"longer a candidate.", "warning")
        return redirect(back)
    if form.validate_on_submit():
        include = {"include": True, "exclude": False}.get(form.choice.data)
        try:
            changed = shortlist.override(current_user, idea, include, form.reason.data or "")
        except shortlist.ShortlistError as error:
            problem = ("reason", str(error))
        else:
            if changed:
                flash(f"Saved for “{idea.title}”.", "success")
            else:
                already = ("follows the formula" if include is None
                           else "had this choice and this reason")
                flash(f"Nothing changed for “{idea.title}”: it already {already}.", "info")
            # Back to the page of the ranking the idea is on.
            page = ids.index(idea.id) // SHORTLIST_PER_PAGE + 1
            return redirect(url_for("review.shortlist_page", window_id=idea.window_id,
                                    page=page if page > 1 else None) + f"#idea-{idea.id}")
    elif form.choice.errors or form.reason.errors:
        field = "choice" if form.choice.errors else "reason"
        problem = (field, getattr(form, field).errors[0])
    else:  # the form's security token (CSRF) was refused: the page had expired
        flash("Nothing was saved because the page had expired. Try again.", "warning")
        return redirect(back)
    # Shown again with the error at the top and on the row, keeping what was chosen and typed.
    error = OverrideError(idea.id, idea.title, problem[0], problem[1],
                          request.form.get("choice", ""), request.form.get("reason", ""))
    return _shortlist_page(window, _weights_form(window, formdata=None), error, rows)


@bp.route("/staff/windows/<int:window_id>/shortlist/publish", methods=["POST"])
@staff_required
def publish_shortlist(window_id: int):
    window = window_or_404(window_id)
    form = PublishForm(prefix="publish")
    if not form.validate_on_submit():
        # Say at once that the other reason is needed too, as publishing would (every problem
        # in one summary, not one per attempt).
        if (form.is_submitted() and not form.not_taken_forward_reason.errors
                and not form.not_taken_forward_reason.data
                and shortlist.preview(window, shortlist.ranking(window),
                                      current_user).needs_reason):
            form.not_taken_forward_reason.errors = [shortlist.LEFT_OFF_REASON_NEEDED]
    else:
        try:
            published = shortlist.publish(current_user, window, form.reason.data,
                                          form.not_taken_forward_reason.data or "")
        except shortlist.ShortlistError as error:
            if error.field is None:
                flash(str(error), "warning")
                return redirect(url_for("review.shortlist_page", window_id=window.id))
            getattr(form, error.field).errors = [str(error)]
        else:
            flash(_published_message(published), "success")
            return redirect(url_for("review.public_shortlist", window_id=window.id))
    # Shown again with the problem at the top and on the field, keeping what was typed.
    return _shortlist_page(window, _weights_form(window, formdata=None), publish_form=form)


def _published_message(published: shortlist.Published) -> str:
    message = f"The shortlist of {plural(len(published.entries), 'idea')} is published."
    if published.not_taken_forward:
        message += (f" {plural(published.not_taken_forward, 'other idea')} "
                    f"{'is' if published.not_taken_forward == 1 else 'are'} marked “Not taken "
                    f"forward”. The people who follow them will be told.")
    return message


@bp.route("/windows/<int:window_id>/shortlist")
@public
def public_shortlist(window_id: int):
    window = window_or_404(window_id)
    if window.published_at is None:
        abort(404)
    return render_template("review/shortlist_public.html", window=window,
                           entries=shortlist.published_entries(window, public=True),
                           excluded=shortlist.kept_off(window),
                           left_off=shortlist.left_off_count(window)
                           if window.shortlist_published_at else 0,
                           criteria_count=len(assessments.criteria_for(window, create=False)))


# ---- Admin: the wording of the criteria ---------------------------------------------------------

@bp.route("/admin/windows/<int:window_id>/criteria", methods=["GET", "POST"])
@admin_required
def criteria(window_id: int):
    window = window_or_404(window_id)
    rows = assessments.criteria_for(window)
    errors = {}
    locked = assessments.why_criteria_locked(window)
    if request.method == "POST" and locked:
        flash(locked, "warning")
        return redirect(url_for("review.criteria", window_id=window.id))
    if request.method == "POST" and ButtonForm().validate_on_submit():
        changes = {}
        for row in rows:
            name = request.form.get(f"name-{row.id}", "").strip()
            wording = request.form.get(f"wording-{row.id}", "").strip()
            if not name or not wording or len(name) > 80 or len(wording) > 500:
                errors[row.id] = (f"Enter a name (up to 80 characters) and wording (up to 500) "
                                  f"for criterion {row.position + 1}")
            changes[row.id] = (name, wording)
        if not errors:
            try:
                assessments.reword_criteria(current_user, window, changes)
            except assessments.AssessmentError as error:  # published since the page loaded
                flash(str(error), "warning")
            else:
                flash("The criteria are saved.", "success")
            return redirect(url_for("review.criteria", window_id=window.id))
    return render_template("review/criteria.html", window=window, rows=rows, headings=HEADINGS,
                           errors=errors, posted=request.form, form=ButtonForm(), locked=locked,
                           scored=assessments.scored_ideas(window),
                           error_items=[(f"#name-{i}", m) for i, m in errors.items()],
                           page_has_errors=bool(errors))
