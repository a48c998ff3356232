"""Benchmark: triage at 10,000 and 100,000 ideas, through the app.

    .venv/bin/python bench/triage.py                     # SQLite; about ten minutes
    .venv/bin/python bench/triage.py --sizes 10000       # quicker

Prints, for each size:
- the similar-ideas endpoint over HTTP: gunicorn (2 workers) on loopback, each worker's first
  request (it builds its index), then p50/p99 of 300 requests with different titles;
- `flask triage run` as a separate process: wall time and peak memory (maxrss), and at the
  end the 100,000 / 10,000 time ratio next to the n log n ratio;
- type suggestions per second (the classifier on idea texts, in process).
Then the embeddings backend for the endpoint on a smaller window, when the [embeddings]
extra is installed (each worker embeds every idea on its first look: about 40 a second on
2 cores, so 100,000 ideas would take most of an hour).

Goals (issue 6): endpoint p99 under 50 ms at 100,000 ideas with the default backend; run
under 60 s and 2 GB; no faster growth than n log n; at least 1,000 type suggestions a second.
"""

import argparse
import http.client
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import free_port, start_gunicorn, stop  # noqa: E402

SECRET = "bench-triage-secret"  # noqa: S105 - a throwaway benchmark database
QUERIES = ["Grit the side roads on our estate", "Buses to the hospital start too late",
           "Potholes come back every winter", "Older people alone in cold homes",
           "Fly-tipping behind the shops", "Street lights out on the ring road",
           "Flooded underpass near the station", "Damp and mould in council flats",
           "Missed bin collections after snow", "Speeding traffic outside the school"]


def environment(url: str, backend: str = "tfidf") -> dict[str, str]:
    return {**os.environ, "APP_ENV": "production", "SECRET_KEY": SECRET, "DATABASE_URL": url,
            "PUBLIC_BASE_URL": "http://127.0.0.1", "RATELIMIT_ENABLED": "false",
            "SESSION_COOKIE_SECURE": "false", "LOG_LEVEL": "WARNING",
            "SIMILAR_BACKEND": backend, "TRIAGE_BACKEND": "tfidf",
            "ODA_TRIAGE_EMBEDDINGS": "1" if backend != "tfidf" else "0",
            "PYTHONPATH": str(ROOT)}


def prepare(url: str, ideas: int, window_id: int | None = None) -> int:
    """Migrate (first time) and add generated ideas to one window; return its id."""
    os.environ.update(environment(url))
    from flask_migrate import upgrade

    from app import create_app
    from app.cli import bulk_window
    from app.demo.bulk import add_bulk_ideas
    from app.extensions import db
    from app.models import IdeaWindow
    from config import ProductionConfig

    app = create_app(ProductionConfig, {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET})
    with app.app_context():
        if window_id is None:
            upgrade()
            window = bulk_window()
        else:
            window = db.session.get(IdeaWindow, window_id)
        add_bulk_ideas(window, ideas, seed=ideas)
        return window.id


def endpoint(url: str, window_id: int, backend: str, requests: int = 300) -> dict:
    port = free_port()
    server = start_gunicorn("wsgi:app", port, environment(url, backend))
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=3600)
        rng = random.Random(1)

        def get(title: str) -> float:
            path = f"/windows/{window_id}/similar?" + urllib.parse.urlencode({"title": title})
            started = time.perf_counter()
            connection.request("GET", path, headers={"Accept": "application/json"})
            response = connection.getresponse()
            response.read()
            assert response.status == 200, response.status
            return (time.perf_counter() - started) * 1000

        # One request per worker builds that worker's index; keep asking until both have.
        first = [get(QUERIES[0]) for _ in range(6)]
        timings = sorted(get(f"{rng.choice(QUERIES)} {rng.randrange(100)}")
                         for _ in range(requests))
    finally:
        stop(server)
    return {"first": max(first), "p50": statistics.median(timings),
            "p99": timings[int(len(timings) * 0.99) - 1]}


def clustering_run(url: str, window_id: int) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MB) of `flask triage run --window`."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "flask", "triage", "run", "--window",
                                str(window_id)], env={**environment(url), "FLASK_APP": "wsgi:app"},
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True)
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if status != 0:
        raise RuntimeError(f"flask triage run failed ({status})")
    print(f"    {process.stdout.read().strip()}")
    return seconds, usage.ru_maxrss / 1024


def suggestion_rate(count: int = 5000, use_embeddings: bool = False) -> float:
    """Ideas a second that the type model suggests for (TF-IDF only, or with embeddings)."""
    from app.demo.bulk import _idea_text
    from app.triage.nlp.types import TypeClassifier, load_seed

    texts, labels = load_seed()
    classifier = TypeClassifier(use_embeddings=use_embeddings).fit(texts, labels)
    rng = random.Random(2)
    ideas = ["\n".join(_idea_text(rng).values()) for _ in range(count)]
    classifier.suggest(ideas[:50])
    started = time.perf_counter()
    classifier.suggest(ideas)
    return count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--embeddings-ideas", type=int, default=2000,
                        help="Window size for the embeddings figures (0 to skip).")
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}, SQLite")
    runs: dict[int, float] = {}
    url = f"sqlite:///{tempfile.mkdtemp(prefix='oda-triage-')}/bench.db"
    window_id, have = None, 0
    for size in sorted(int(s) for s in args.sizes.split(",")):
        window_id = prepare(url, size - have, window_id)
        have = size
        print(f"\n{size:,} ideas")
        figures = endpoint(url, window_id, "tfidf")
        print(f"  similar-ideas endpoint over HTTP (TF-IDF): first request {figures['first']:.0f}"
              f" ms (builds the worker's index), then p50 {figures['p50']:.1f} ms, "
              f"p99 {figures['p99']:.1f} ms (goal p99 < 50 ms)")
        seconds, peak = clustering_run(url, window_id)
        runs[size] = seconds
        print(f"  flask triage run: {seconds:.1f} s, peak memory {peak:,.0f} MB "
              f"(goal < 60 s and < 2,048 MB)")
    if len(runs) >= 2:
        small, large = min(runs), max(runs)
        ratio = runs[large] / runs[small]
        nlogn = (large * math.log(large)) / (small * math.log(small))
        print(f"\nrun time {large:,} / {small:,}: {ratio:.1f}x; n log n would be {nlogn:.1f}x, "
              f"linear {large / small:.0f}x")
    print(f"\ntype suggestions: {suggestion_rate():,.0f} ideas a second (goal >= 1,000)")
    from app.triage.nlp import embeddings

    os.environ.pop("ODA_TRIAGE_EMBEDDINGS")  # prepare() switched them off for the TF-IDF runs
    if embeddings.available():  # each new text is encoded by MiniLM: far slower
        print(f"type suggestions with the embeddings part: "
              f"{suggestion_rate(500, use_embeddings=True):,.0f} ideas a second")
    if args.embeddings_ideas and embeddings.available():
        small_url = f"sqlite:///{tempfile.mkdtemp(prefix='oda-triage-emb-')}/bench.db"
        small_window = prepare(small_url, args.embeddings_ideas)
        figures = endpoint(small_url, small_window, "embeddings", requests=100)
        print(f"\nembeddings backend, {args.embeddings_ideas:,} ideas: first request "
              f"{figures['first'] / 1000:.0f} s (embeds every idea), then p50 "
              f"{figures['p50']:.1f} ms, p99 {figures['p99']:.1f} ms")
    elif args.embeddings_ideas:
        print("\nembeddings backend: not installed (pip install .[embeddings])")


if __name__ == "__main__":
    main()
