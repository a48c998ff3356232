"""Idea windows and ideas: public pages, submitting, and the mayor's office pledge import."""

import secrets
from dataclasses import replace
from urllib.parse import urlsplit

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_limiter.util import get_remote_address
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app import bounded_id, pii
from app.access import public, roles_required, signed_in, verified
from app.extensions import db, limiter
from app.forms_common import ButtonForm
from app.intake import bp, kept, pledges, services
from app.intake.forms import (
    ChooseSourceForm,
    IdeaForm,
    PledgeConfirmForm,
    PledgeImportForm,
    WithdrawForm,
)
from app.intake.search import COUNT_CAP, IdeaFilters, paginate_ideas
from app.models import (
    PUBLIC_STATUSES,
    Idea,
    IdeaStatus,
    IdeaWindow,
    OrganisationKind,
    ReportReason,
    Role,
)
from app.models import Source as IdeaSource
from app.pagination import checked_page
from app.rate_limits import because
from app.security import local_path
from app.triage.services import confirmed_types, similar_ideas, unique_supporters
from app.voting import services as voting_services
from app.voting.ranking import DEFAULT_SORT, SORTS, daily_seed
from app.voting.services import voting_context

IDEAS_PER_PAGE = 20


def per_person() -> str:
    """Rate-limit key: the signed-in person, or else the network address."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return get_remote_address()


def window_or_404(window_id: int, *, public_only: bool = True) -> IdeaWindow:
    window = db.session.get(IdeaWindow, window_id)
    if window is None or (public_only and window.published_at is None
                          and not (current_user.is_authenticated and current_user.is_staff)):
        abort(404)
    return window


def own_idea_or_404(idea_id: int) -> Idea:
    idea = db.session.get(Idea, idea_id)
    if idea is None or idea.author_id != current_user.id:
        abort(404)
    return idea


@bp.route("/windows")
@public
def windows():
    return render_template("intake/windows.html", groups=services.public_windows())


def filters_from_request() -> IdeaFilters:
    return IdeaFilters(query=request.args.get("q", "")[:200],
                       source=request.args.get("source", ""),
                       area_id=bounded_id(request.args.get("area", type=int)),
                       status=request.args.get("status", ""),
                       sort=request.args.get("sort", DEFAULT_SORT))


def visitor_seed() -> int:
    """The fair shuffle's seed: the same for this visitor all day (kept in their session)."""
    if "visitor" not in session:
        session["visitor"] = secrets.token_urlsafe(12)
    return daily_seed(session["visitor"])


@bp.route("/windows/<int:window_id>")
@public
def window(window_id: int):
    idea_window = window_or_404(window_id)
    filters = filters_from_request()
    if filters.area_id is not None and filters.area_id not in {a.id for a in idea_window.areas}:
        # An area the window does not cover is ignored, as an unknown source or status is,
        # instead of listing nothing with no word why.
        filters = replace(filters, area_id=None)
    seed = visitor_seed()
    page = checked_page(lambda number: paginate_ideas(idea_window, filters, number,
                                                      IDEAS_PER_PAGE, seed))
    cannot_submit = services.why_cannot_submit(current_user, idea_window)
    return render_template(
        "intake/window.html", window=idea_window, page=page, filters=filters,
        sources=list(IdeaSource), statuses=list(PUBLIC_STATUSES), sorts=SORTS,
        count_cap=COUNT_CAP, cannot_submit=cannot_submit,
        confirm_email_first=cannot_submit == services.UNCONFIRMED_EMAIL,
        can_import=_can_import(idea_window),
        voting=voting_context(current_user, idea_window, [i.id for i in page.items]),
    )


def _back_to_list(idea: Idea) -> str:
    """The window's list as the person left it (search, filters, page), when they came from
    it; else the list itself."""
    plain = url_for("intake.window", window_id=idea.window_id)
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.path == plain:
        return local_path(f"{plain}?{referrer.query}" if referrer.query else plain, plain)
    return plain


@bp.route("/ideas/<int:idea_id>")
@public
def idea(idea_id: int):
    found = db.session.get(Idea, idea_id)
    if not services.visible_to(found, current_user):
        abort(404)
    if found.hidden_at is not None and not (current_user.is_authenticated and (
            current_user.is_staff or current_user.id == found.author_id)):
        return render_template("intake/idea_hidden.html", idea=found,
                               reason=ReportReason(found.hidden_reason))
    merged_into = found.merged_into if found.status == IdeaStatus.MERGED else None
    return render_template("intake/idea.html", idea=found, back=_back_to_list(found),
                           author=services.public_author(found),
                           can_edit=services.can_edit(current_user, found),
                           voting=voting_context(current_user, found.window, [found.id]),
                           following=voting_services.is_following(current_user, found),
                           types=confirmed_types(found), merged_into=merged_into,
                           unique_supporters=unique_supporters(found))


@bp.route("/my-ideas")
@signed_in
def my_ideas():
    ideas = services.my_ideas(current_user)
    editable = {idea.id for idea in ideas if services.can_edit(current_user, idea)}
    return render_template("intake/my_ideas.html", ideas=ideas, editable=editable)


@bp.route("/windows/<int:window_id>/submit", methods=["GET", "POST"])
@verified
def choose_source(window_id: int):
    idea_window = window_or_404(window_id)
    reason = services.why_cannot_submit(current_user, idea_window)
    if reason:
        return render_template("intake/cannot_submit.html", window=idea_window, reason=reason)
    options = services.submission_options(current_user, idea_window)
    if len(options) == 1:
        return redirect(url_for("intake.new_idea", window_id=window_id, submit_as=options[0].key))
    form = ChooseSourceForm()
    form.submit_as.choices = [SelectChoice(o.key, o.label) for o in options]
    if form.validate_on_submit():
        return redirect(url_for("intake.new_idea", window_id=window_id,
                                submit_as=form.submit_as.data))
    return render_template("intake/choose_source.html", form=form, window=idea_window)


def details_from(form: IdeaForm) -> services.IdeaDetails:
    return services.IdeaDetails(
        title=form.title.data, problem=form.problem.data, action=form.action.data or "",
        data=form.data.data or "", area_id=form.area.data or None,
        datasets=form.datasets.data or "", pledge_reference=form.pledge_reference.data,
        pledge_url=form.pledge_url.data)


def show_error(form, error: services.IntakeError) -> None:
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


def kept_answers() -> dict:
    """On a GET, the answers kept when this form was sent after the session timed out, as
    the form's data, saying so; else nothing."""
    answers = kept.kept_for(request.path) if request.method == "GET" else None
    if answers is None:
        return {}
    flash(kept.KEPT, "warning")
    return {"formdata": answers}


@bp.route("/windows/<int:window_id>/submit/<submit_as>", methods=["GET", "POST"])
@limiter.limit("60 per hour", methods=["POST"], key_func=per_person,
               error_message=because("posting"))
@verified
def new_idea(window_id: int, submit_as: str):
    idea_window = window_or_404(window_id)
    reason = services.why_cannot_submit(current_user, idea_window)
    if reason:
        return render_template("intake/cannot_submit.html", window=idea_window, reason=reason)
    option = services.find_option(current_user, idea_window, submit_as) or abort(404)
    form = IdeaForm(source=option.source, areas=idea_window.areas, **kept_answers())
    if form.validate_on_submit():
        try:
            draft = services.create_draft(current_user, idea_window, option, details_from(form))
        except services.IntakeError as error:
            show_error(form, error)
        else:
            kept.forget()
            return redirect(url_for("intake.check_idea", idea_id=draft.id))
    return render_template("intake/idea_form.html", form=form, window=idea_window,
                           option=option, editing=None)


@bp.route("/ideas/<int:idea_id>/edit", methods=["GET", "POST"])
@verified
def edit_idea(idea_id: int):
    found = own_idea_or_404(idea_id)
    if not services.can_edit(current_user, found):
        flash(services.why_cannot_edit(found), "warning")
        return redirect(url_for("intake.idea", idea_id=found.id))
    answers = kept_answers()
    fill_from_idea = request.method == "GET" and not answers
    form = IdeaForm(obj=found if fill_from_idea else None, source=found.source,
                    areas=found.window.areas, **answers)
    if fill_from_idea:
        form.area.data = found.area_id or 0
        form.consent.data = True
    if form.validate_on_submit():
        try:
            changed = services.update_idea(current_user, found, details_from(form))
        except services.IntakeError as error:
            show_error(form, error)
        else:
            kept.forget()
            if found.status == IdeaStatus.DRAFT:
                return redirect(url_for("intake.check_idea", idea_id=found.id))
            if changed:
                flash("Your idea has been updated.", "success")
            else:
                flash("Nothing changed: your idea is as it was.", "info")
            return redirect(url_for("intake.idea", idea_id=found.id))
    option = services.SubmitAs("", found.source, found.organisation, "")
    return render_template("intake/idea_form.html", form=form, window=found.window,
                           option=option, editing=found)


@bp.route("/ideas/<int:idea_id>/check")
@verified
def check_idea(idea_id: int):
    draft = own_idea_or_404(idea_id)
    if draft.status != IdeaStatus.DRAFT:
        return redirect(url_for("intake.idea", idea_id=draft.id))
    # Staff are told after publication too, but the author can still take it out now.
    personal = [pii.LABELS[kind] for kind in pii.personal_information_in(draft)]
    similar = similar_to(draft)
    # Each with its support button, which comes back to this page after a support.
    ideas, votings = voting_services.support_state(current_user, [s.id for s in similar])
    return render_template("intake/check_idea.html", idea=draft, form=ButtonForm(),
                           cannot_submit=services.why_cannot_submit(current_user, draft.window),
                           similar=[s for s in similar if s.id in ideas], similar_ideas=ideas,
                           votings=votings, personal=personal)


def similar_to(draft: Idea) -> list:
    """Ideas like a draft; the check-your-answers page shows them to people without
    JavaScript (the form shows them while people type)."""
    return similar_ideas(draft.title, draft.problem, draft.window, exclude={draft.id})


@bp.route("/ideas/<int:idea_id>/publish", methods=["POST"])
@verified
def publish_idea(idea_id: int):
    draft = own_idea_or_404(idea_id)
    if not ButtonForm().validate_on_submit():
        return redirect(url_for("intake.check_idea", idea_id=draft.id))
    try:
        shown = [s.id for s in similar_to(draft)]
        services.publish_idea(current_user, draft,
                              current_app.config["IDEA_SUBMISSIONS_PER_DAY"], shown)
    except services.IntakeError as error:
        flash(error.message, "warning")
        return redirect(url_for("intake.check_idea", idea_id=draft.id))
    return redirect(url_for("intake.idea_published", idea_id=draft.id))


@bp.route("/ideas/<int:idea_id>/published")
@verified
def idea_published(idea_id: int):
    return render_template("intake/idea_published.html", idea=own_idea_or_404(idea_id))


@bp.route("/ideas/<int:idea_id>/discard", methods=["GET", "POST"])
@verified
def discard_idea(idea_id: int):
    """Asks first (GET), then deletes the draft (POST)."""
    draft = own_idea_or_404(idea_id)
    if draft.status != IdeaStatus.DRAFT:
        flash("Only drafts can be deleted. You can withdraw a published idea instead.",
              "warning")
        return redirect(url_for("intake.idea", idea_id=draft.id))
    form = ButtonForm()
    if request.method == "GET":
        return render_template("intake/discard_idea.html", idea=draft, form=form)
    if form.validate_on_submit():
        try:
            services.discard_draft(current_user, draft)
        except services.IntakeError as error:
            flash(error.message, "warning")
        else:
            flash("Your draft has been deleted.", "success")
    return redirect(url_for("intake.my_ideas"))


@bp.route("/ideas/<int:idea_id>/withdraw", methods=["GET", "POST"])
@verified
def withdraw_idea(idea_id: int):
    found = own_idea_or_404(idea_id)
    if found.status in (IdeaStatus.DRAFT, IdeaStatus.WITHDRAWN):
        flash("This idea has already been withdrawn." if found.status == IdeaStatus.WITHDRAWN
              else "Drafts are not public: delete the draft instead.", "warning")
        return redirect(url_for("intake.idea", idea_id=found.id))
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            services.withdraw_idea(current_user, found, form.reason.data)
        except services.IntakeError as error:
            flash(error.message, "warning")
        else:
            flash("Your idea has been withdrawn.", "success")
        return redirect(url_for("intake.idea", idea_id=found.id))
    return render_template("intake/withdraw.html", idea=found, form=form)


def _mayors_office_organisation():
    return next((m.organisation for m in current_user.approved_memberships()
                 if m.organisation.kind == OrganisationKind.MAYORS_OFFICE), None) \
        if current_user.is_authenticated else None


def _can_import(idea_window: IdeaWindow) -> bool:
    return (current_user.is_authenticated and current_user.role == Role.MAYORS_OFFICE
            and idea_window.accepts_mayoral and idea_window.is_open_for_ideas())


@bp.route("/windows/<int:window_id>/pledges/import", methods=["GET", "POST"])
@roles_required(Role.MAYORS_OFFICE)
def import_pledges(window_id: int):
    idea_window = window_or_404(window_id)
    organisation = _mayors_office_organisation() or abort(403)
    reason = services.why_cannot_submit(current_user, idea_window)
    if reason or not idea_window.accepts_mayoral:
        return render_template("intake/cannot_submit.html", window=idea_window,
                               reason=reason or "This window does not take mayoral pledges.")
    form = PledgeImportForm()
    if form.validate_on_submit():
        try:
            text = pledges.decode(form.file.data.read())
        except services.IntakeError as error:
            form.file.errors = [*form.file.errors, error.message]
        else:
            checked = pledges.read_pledges(text, idea_window)
            return render_template("intake/pledges_checked.html", window=idea_window,
                                   checked=checked, confirm=PledgeConfirmForm(content=text),
                                   organisation=organisation, page_has_errors=not checked.ok)
    return render_template("intake/pledges_import.html", form=form, window=idea_window,
                           columns=pledges.COLUMNS)


@bp.route("/windows/<int:window_id>/pledges/confirm", methods=["POST"])
@roles_required(Role.MAYORS_OFFICE)
def confirm_pledges(window_id: int):
    idea_window = window_or_404(window_id)
    organisation = _mayors_office_organisation() or abort(403)
    form = PledgeConfirmForm()
    if not form.validate_on_submit():
        return redirect(url_for("intake.import_pledges", window_id=window_id))
    try:
        imported = pledges.import_pledges(current_user, organisation, idea_window,
                                          form.content.data)
    except services.IntakeError as error:
        checked = pledges.read_pledges(form.content.data, idea_window)
        flash(error.message, "warning")
        return render_template("intake/pledges_checked.html", window=idea_window,
                               checked=checked, confirm=form, organisation=organisation,
                               page_has_errors=not checked.ok)
    # Post, then redirect: refreshing the result page must not send the file again.
    ids = [idea.id for idea in imported]
    return redirect(url_for("intake.pledges_imported", window_id=window_id,
                            first=min(ids, default=0), last=max(ids, default=0)))


@bp.route("/windows/<int:window_id>/pledges/imported")
@roles_required(Role.MAYORS_OFFICE)
def pledges_imported(window_id: int):
    """What an import just published: this office's pledges with ids from `first` to `last`
    (one import's ideas are numbered together)."""
    idea_window = window_or_404(window_id)
    organisation = _mayors_office_organisation() or abort(403)
    first = bounded_id(request.args.get("first", type=int)) or 0
    last = bounded_id(request.args.get("last", type=int)) or 0
    ideas = pledges.imported_between(idea_window, organisation, first, last)
    return render_template("intake/pledges_imported.html", window=idea_window, ideas=ideas)
