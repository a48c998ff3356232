"""`flask triage ...`: clustering runs, training, and evaluation on files of real data."""

import json
import sys
import time

import click
from flask.cli import AppGroup
from sqlalchemy.exc import OperationalError, ProgrammingError

from app.extensions import db
from app.filters import plural
from app.models import IdeaWindow
from app.triage import services
from app.triage.nlp import evaluation, petitions
from app.triage.nlp import types as type_model

triage = AppGroup("triage", help="Duplicate clusters, opportunity types and their evaluation.")


@triage.command("run")
@click.option("--window", "window_id", type=int, help="Only this window (default: all).")
def run_command(window_id: int | None) -> None:
    """Cluster near-duplicate ideas and store the groups, with a progress bar."""
    window = None
    if window_id is not None:
        window = db.session.get(IdeaWindow, window_id)
        if window is None:
            raise click.ClickException(f"There is no window {window_id}")
    bar = click.progressbar(length=100, label="Finding similar ideas", file=sys.stderr)
    shown = 0

    def progress(done: int, total: int) -> None:
        nonlocal shown
        target = int(100 * done / max(total, 1))
        if target > shown:
            bar.update(target - shown)
            shown = target

    started = time.perf_counter()
    with bar:
        run = services.run_clustering(window, None, progress)
        bar.update(100 - shown)
    themes = sum(found.get("themes") or 0 for found in run.settings.get("windows", {}).values())
    click.echo(f"Run {run.id}: {plural(run.idea_count, 'idea')}, "
               f"{plural(run.cluster_count, 'group')} of similar ideas and "
               f"{plural(themes, 'theme')}, in {time.perf_counter() - started:.1f} s (method "
               f"{run.model_version}, threshold {run.settings['threshold']}).")


@triage.command("train")
@click.option("--folds", default=5, show_default=True, type=click.IntRange(2, 20),
              help="Cross-validation folds for the reported accuracy.")
def train_command(folds: int) -> None:
    """Retrain the opportunity-type model on the seed set and staff confirmations."""
    click.echo(f"Training, with {folds}-fold cross-validation...", err=True)
    model = services.train_types(None, folds=folds)
    metrics = model.metrics
    click.echo(f"Model {model.version}: {model.examples} examples ({model.confirmed_examples} "
               f"confirmed by staff). Cross-validated top-1 accuracy "
               f"{metrics.get('accuracy'):.3f}, top-2 {metrics.get('top2'):.3f}, "
               f"macro-F1 {metrics.get('macro_f1'):.3f}.")


@triage.command("suggest")
@click.option("--window", "window_id", type=int, help="Only this window (default: all).")
def suggest_command(window_id: int | None) -> None:
    """Suggest opportunity types for every public idea (after training a new model)."""
    from sqlalchemy import select

    from app.models import Idea

    statement = select(Idea).where(services.indexed())
    if window_id:
        statement = statement.where(Idea.window_id == window_id)
    ideas = list(db.session.scalars(statement))
    with click.progressbar(range(0, len(ideas), 500), label="Suggesting types",
                           file=sys.stderr) as chunks:
        for start in chunks:
            services.suggest_types(ideas[start:start + 500])
            db.session.commit()
    click.echo(f"Suggested types for {len(ideas):,} ideas.")


@triage.command("evaluate-duplicates")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--backend", type=click.Choice(["auto", "tfidf", "embeddings"]), default=None,
              help="Default: the TRIAGE_BACKEND setting.")
@click.option("--rankings", type=click.File("w"), help="Write each query's ten best ids here.")
@click.option("--assignments", type=click.File("w"), help="Write each petition's cluster here.")
def evaluate_duplicates_command(path, rankings, assignments, backend) -> None:
    """Measure similar ideas and clustering on a petitions file; print one JSON object."""
    from flask import current_app

    try:
        rows = petitions.read_petitions(path)
    except ValueError as error:
        raise click.ClickException(f"{path} has lines that cannot be read:\n{error}") from None
    result = evaluation.evaluate_duplicates(
        rows, backend=backend or current_app.config["TRIAGE_BACKEND"],
        rankings_out=rankings, assignments_out=assignments)
    click.echo(json.dumps(result, indent=2))


@triage.command("evaluate-types")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--predictions", type=click.File("w"), help="Write each input's ranking here.")
def evaluate_types_command(path, predictions) -> None:
    """Measure the type model on lines of {"text", "label"}; print one JSON object."""
    with open(path, encoding="utf-8") as lines:
        try:
            rows = evaluation.read_labelled_texts(lines.readlines())
        except ValueError as error:
            raise click.ClickException(f"{path} has lines that cannot be read:\n{error}"
                                       ) from None
    use_embeddings = services.type_embeddings_setting()
    try:
        classifier = services.shared_classifier.get()
    except (OperationalError, ProgrammingError):
        # No tables yet (a fresh checkout before `flask db upgrade`): measure what a new
        # deployment would serve, the seed set alone, rather than fail with a traceback.
        db.session.rollback()
        click.echo("The database has no type models table yet (run `flask db upgrade`); "
                   "measuring a model trained on the seed set alone.", err=True)
        classifier = type_model.TypeClassifier(use_embeddings=use_embeddings).fit(
            *type_model.load_seed())
    result = evaluation.evaluate_types(rows, classifier, predictions_out=predictions,
                                       use_embeddings=use_embeddings is not False)
    click.echo(json.dumps(result, indent=2))
