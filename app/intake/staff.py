"""Staff pages for idea windows and the region's areas."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app.access import staff_required
from app.extensions import db
from app.filters import LONDON
from app.forms_common import ButtonForm, format_time
from app.intake import bp, services, window_rules
from app.intake.forms import AreaForm, WindowForm
from app.models import Area, IdeaWindow, Source


def staff_window_or_404(window_id: int) -> IdeaWindow:
    return db.session.get(IdeaWindow, window_id) or abort(404)


@bp.route("/staff/windows")
@staff_required
def staff_windows():
    return render_template("intake/staff/windows.html", windows=services.staff_windows(),
                           button=ButtonForm(), has_ideas=services.window_has_ideas,
                           why_cannot_publish=window_rules.why_cannot_publish)


def window_form(window: IdeaWindow | None = None) -> WindowForm:
    form = WindowForm()
    form.areas.choices = [SelectChoice(a.id, a.name) for a in services.list_areas()]
    if window is not None and request.method == "GET":
        form.title.data, form.theme.data = window.title, window.theme
        form.description.data = window.description
        for name in ("submissions_open", "submissions_close", "voting_open", "voting_close"):
            moment = getattr(window, f"{name}_at")
            getattr(form, f"{name}_date").data = moment.astimezone(LONDON).date()
            getattr(form, f"{name}_time").data = format_time(moment)
        form.sources.data = [s.value for s in window.accepted_sources]
        form.areas.data = [a.id for a in window.areas]
        form.support_limit.data = window.support_limit
        form.authors_may_support_own.data = window.authors_may_support_own
        form.premoderation.data = window.premoderation
    return form


def details_from(form: WindowForm) -> services.WindowDetails:
    sources = set(form.sources.data or [])
    return services.WindowDetails(
        title=form.title.data, theme=form.theme.data, description=form.description.data,
        submissions_open_at=form.moment("submissions_open"),
        submissions_close_at=form.moment("submissions_close"),
        voting_open_at=form.moment("voting_open"), voting_close_at=form.moment("voting_close"),
        accepts_residents=Source.RESIDENT.value in sources,
        accepts_councils=Source.COUNCIL.value in sources,
        accepts_mayoral=Source.MAYORAL.value in sources,
        area_ids=list(form.areas.data or []), support_limit=form.support_limit.data,
        authors_may_support_own=bool(form.authors_may_support_own.data),
        premoderation=bool(form.premoderation.data))


# The form field that shows each of the service's problems.
PROBLEM_FIELDS = {"submissions_open": "submissions_open_date",
                  "submissions_close": "submissions_close_date",
                  "voting_open": "voting_open_date", "voting_close": "voting_close_date"}


def show_problems(form: WindowForm, problems: dict[str, str]) -> None:
    """Put the service's reasons on the fields they are about, for the error summary, on
    fields the form has not already found wrong (one message a field: the first problem)."""
    for name, message in problems.items():
        field = getattr(form, PROBLEM_FIELDS.get(name, name))
        if not field.errors:
            field.errors = [message]


def sent_and_valid(form: WindowForm, window: IdeaWindow | None) -> bool:
    """Whether the form was sent with nothing the form itself finds wrong. When it finds
    something, what the service would refuse about the answers it could read is shown too,
    so that nobody fixes one error only to be shown the next."""
    if not form.is_submitted():
        return False
    if form.validate():
        return True
    show_problems(form, services.window_problems(window, details_from(form)))
    return False


def render_window_form(form: WindowForm, window: IdeaWindow | None):
    return render_template(
        "intake/staff/window_form.html", form=form, window=window,
        has_areas=bool(form.areas.choices),
        fixed=window_rules.what_is_fixed(window) if window else [],
        waiting=window_rules.awaiting_moderation(window) if window else 0,
        late=window_rules.why_cannot_publish(window)
        if window is not None and window.published_at is None else None,
        can_close_voting=window is not None and not window_rules.why_cannot_close_voting(window),
        can_close_submissions=window is not None
        and not window_rules.why_cannot_close_submissions(window))


@bp.route("/staff/windows/new", methods=["GET", "POST"])
@staff_required
def new_window():
    form = window_form()
    if request.method == "GET":
        form.sources.data = [s.value for s in Source]
    if sent_and_valid(form, None):
        try:
            created = services.create_window(current_user, details_from(form))
        except services.WindowChangeRefused as refused:
            show_problems(form, refused.problems)
        else:
            flash(f"“{created.title}” has been saved as a draft. Publish it when it is ready.",
                  "success")
            return redirect(url_for("intake.staff_windows"))
    return render_window_form(form, None)


@bp.route("/staff/windows/<int:window_id>/edit", methods=["GET", "POST"])
@staff_required
def edit_window(window_id: int):
    found = staff_window_or_404(window_id)
    form = window_form(found)
    if sent_and_valid(form, found):
        stage = found.stage()
        try:
            changed = services.update_window(current_user, found, details_from(form))
        except services.WindowChangeRefused as refused:
            show_problems(form, refused.problems)
        else:
            if not changed:
                flash(f"Nothing changed: “{found.title}” is as it was.", "info")
            else:
                said = [f"“{found.title}” has been saved."]
                if found.stage() != stage:
                    said.append(f"Its stage is now: {found.stage().label}.")
                if services.WINDOW_FIELDS["premoderation"] in changed:
                    said.append(window_rules.PREMODERATION_SWITCHED[found.premoderation])
                flash(" ".join(said), "success")
            return redirect(url_for("intake.staff_windows"))
    return render_window_form(form, found)


CONFIRMATIONS = {
    "close": ("Close {title}?", "Nobody will be able to submit or support ideas in it. Its "
              "ideas and decisions stay public. You can reopen it later.", "Close window"),
    "close_voting": ("Close voting in {title} now?", "", "Close voting now"),
    "close_submissions": ("Close ideas in {title} now?", "", "Close ideas now"),
    "reopen": ("Reopen {title}?", "", "Reopen window"),
    "delete": ("Delete {title}?", "The window is removed for good. Only windows with no ideas "
               "can be deleted.", "Delete window"),
}
# What the page that asks first says, for the actions whose effect depends on the window.
EXPLAINED = {"close_voting": window_rules.what_closing_voting_does,
             "close_submissions": window_rules.what_closing_submissions_does,
             "reopen": lambda window: [services.what_reopening_does(window)]}


def _window_action(window_id: int, action, done: str, confirm: str | None = None):
    found = staff_window_or_404(window_id)
    if request.method == "GET" and confirm:
        heading, explanation, button = CONFIRMATIONS[confirm]
        # Say so before the button, not after it, when the action would be refused; then
        # what it would do is beside the point.
        refused = services.why_window_action_refused(confirm, found)
        if confirm in EXPLAINED:
            paragraphs = [] if refused else EXPLAINED[confirm](found)
        else:
            paragraphs = [explanation]
        return render_template("intake/staff/confirm.html", window=found,
                               heading=heading.format(title=found.title),
                               paragraphs=paragraphs, button=button, form=ButtonForm(),
                               warning=confirm == "delete", refused=refused)
    if ButtonForm().validate_on_submit():
        title = found.title
        try:
            action(current_user, found)
        except services.IntakeError as error:
            flash(error.message, "warning")
        else:
            stage = found.stage().label if confirm != "delete" else ""
            flash(done.format(title=title, stage=stage), "success")
    return redirect(url_for("intake.staff_windows"))


@bp.route("/staff/windows/<int:window_id>/publish", methods=["POST"])
@staff_required
def publish_window(window_id: int):
    return _window_action(window_id, services.publish_window,
                          "“{title}” is published. Its stage is now: {stage}.")


@bp.route("/staff/windows/<int:window_id>/close", methods=["GET", "POST"])
@staff_required
def close_window(window_id: int):
    return _window_action(window_id, services.close_window, "“{title}” is closed.", "close")


@bp.route("/staff/windows/<int:window_id>/close-voting", methods=["GET", "POST"])
@staff_required
def close_voting(window_id: int):
    return _window_action(window_id, services.close_voting,
                          "Voting in “{title}” has closed. Its stage is now: {stage}.",
                          "close_voting")


@bp.route("/staff/windows/<int:window_id>/close-ideas", methods=["GET", "POST"])
@staff_required
def close_submissions(window_id: int):
    return _window_action(window_id, services.close_submissions,
                          "Ideas in “{title}” have closed. Its stage is now: {stage}.",
                          "close_submissions")


@bp.route("/staff/windows/<int:window_id>/reopen", methods=["GET", "POST"])
@staff_required
def reopen_window(window_id: int):
    return _window_action(window_id, services.reopen_window,
                          "“{title}” is no longer closed. Its stage is now: {stage}.", "reopen")


@bp.route("/staff/windows/<int:window_id>/delete", methods=["GET", "POST"])
@staff_required
def delete_window(window_id: int):
    return _window_action(window_id, services.delete_window, "“{title}” has been deleted.",
                          "delete")


@bp.route("/staff/areas", methods=["GET", "POST"])
@staff_required
def areas():
    form = AreaForm()
    if form.validate_on_submit():
        try:
            area = services.add_area(current_user, form.name.data)
        except services.IntakeError as error:
            form.name.errors = [*form.name.errors, error.message]
        else:
            flash(f"{area.name} has been added.", "success")
            return redirect(url_for("intake.areas"))
    return render_template("intake/staff/areas.html", form=form, areas=services.list_areas(),
                           button=ButtonForm(), in_use=services.area_in_use)


@bp.route("/staff/areas/<int:area_id>/delete", methods=["POST"])
@staff_required
def delete_area(area_id: int):
    area = db.session.get(Area, area_id) or abort(404)
    if ButtonForm().validate_on_submit():
        name = area.name
        try:
            services.remove_area(current_user, area)
        except services.IntakeError as error:
            flash(error.message, "warning")
        else:
            flash(f"{name} has been removed.", "success")
    return redirect(url_for("intake.areas"))
