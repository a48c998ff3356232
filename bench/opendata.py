"""Benchmark: pages of the open data API for a window of 100,000 ideas.

    .venv/bin/python bench/opendata.py                   # SQLite, and PostgreSQL if reachable
    .venv/bin/python bench/opendata.py --sizes 10000     # quicker
    .venv/bin/python bench/opendata.py --url sqlite:////tmp/bench.db --window 1   # filled before

Each page is requested through the whole Flask app with the WSGI test client, as
bench/intake.py does, with the window's ranking cached (OPENDATA_CACHE_SECONDS, the default)
and not cached (0): the first request after the cache is emptied, then 20 timed requests of
different pages. The ideas come from `add_bulk_ideas` (bench/intake.py fills the window the
same way); the PostgreSQL database is BENCH_POSTGRES_URL (default: oda_ideas_bench_opendata
on 127.0.0.1), created if needed and emptied.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import database_url  # noqa: E402
from bench.intake import build_app, fill  # noqa: E402

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/oda_ideas_bench_opendata"
REPEATS = 20


def existing_app(url: str):
    """The app on a database filled before (by this script or bench/intake.py)."""
    from app import create_app
    from config import TestConfig, normalise_database_url

    return create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": normalise_database_url(url),
                                   "RATELIMIT_ENABLED": False})


def timed(client, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (url, response.status_code)
    return elapsed


def measure(app, window_id: int, size: int, seconds: int
            ) -> list[tuple[str, float, float, float]]:
    """(page, first request ms, median ms, p95 ms) with the ranking cached for `seconds`."""
    from app.opendata import services

    app.config["OPENDATA_CACHE_SECONDS"] = seconds
    client = app.test_client()
    pages = [("ideas, 100 a page", 100), ("ideas, 500 a page", 500)]
    results = []
    for label, per_page in pages:
        url = f"/api/windows/{window_id}/ideas?per_page={per_page}&page="
        services.ranking_cache(app).clear()
        first = timed(client, f"{url}1")
        last = max(1, -(-size // per_page))
        # Pages spread over the window (2, 9, 16...), never past its last page.
        timings = sorted(timed(client, f"{url}{1 + (1 + n * 7) % last}")
                         for n in range(REPEATS))
        results.append((label, first, statistics.median(timings),
                        timings[int(len(timings) * 0.95) - 1]))
    return results


def report(backend: str, size: int, window_id: int, app) -> None:
    cached = app.config["OPENDATA_CACHE_SECONDS"] or 60
    print(f"\n{backend}, {size:,} ideas in the window")
    print(f"  {'page':<22}{'cache':>8}{'first ms':>10}{'median ms':>11}{'p95 ms':>9}")
    for seconds in (0, cached):
        for label, first, median, p95 in measure(app, window_id, size, seconds):
            cache = f"{seconds} s" if seconds else "off"
            print(f"  {label:<22}{cache:>8}{first:>10.1f}{median:>11.1f}{p95:>9.1f}")
    app.config["OPENDATA_CACHE_SECONDS"] = cached


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100000")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--url", help="a database filled before: measure its --window only")
    parser.add_argument("--window", type=int, default=1)
    args = parser.parse_args()
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average "
          f"{' '.join(f'{n:.1f}' for n in os.getloadavg())}.")
    if args.url:
        app = existing_app(args.url)
        from app.extensions import db
        from app.models import Idea

        with app.app_context():
            size = db.session.query(Idea).filter(Idea.window_id == args.window).count()
        report(args.url.split(":")[0], size, args.window, app)
        return
    sizes = sorted(int(s) for s in args.sizes.split(","))
    for backend in args.backends.split(","):
        url = database_url(backend, DEFAULT_PG)
        if url is None:
            continue
        print(f"\n== {backend}")
        app = build_app(url)
        window_id, have = None, 0
        for size in sizes:
            window_id = fill(app, window_id, size - have)
            have = size
            report(backend, size, window_id, app)


if __name__ == "__main__":
    main()
