"""Benchmark: a window's idea list and keyword search at 10,000 and 100,000 ideas.

    .venv/bin/python bench/intake.py                  # SQLite, and PostgreSQL if reachable
    .venv/bin/python bench/intake.py --sizes 10000    # quicker
    BENCH_POSTGRES_URL=postgresql://user@host/db .venv/bin/python bench/intake.py

Each page is requested through the whole Flask app (routing, queries, templates) with the
WSGI test client, 30 times after 3 warm-up requests, and the median and 95th percentile are
printed against the goal: median under 100 ms. The PostgreSQL database named by
BENCH_POSTGRES_URL (default: oda_ideas_bench on 127.0.0.1) is created if needed and emptied.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import database_url  # noqa: E402

GOAL_MS = 100
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/oda_ideas_bench"
QUERIES = [
    ("list, page 1", ""),
    ("list, page 50", "page=50"),
    ("list, most supported", "sort=most-supported"),
    ("list, trending", "sort=trending"),
    ("filter by source", "source=resident"),
    ("filter by area and status", "area={area}&status=submitted"),
    ("search, common word", "q=council"),
    ("search, two words", "q=flooded+underpasses"),
    ("search, rare word", "q=zeppelin"),
    # Part of a word: a prefix before whole-word search (and found "gritting"), now nothing.
    ("search, part of a word", "q=gritt"),
    # A few hundred matches, in an order chosen; and a word in every idea, past the count cap.
    ("search, some, most supported", "q=potholes+estate&sort=most-supported"),
    ("search, some, trending", "q=potholes+estate&sort=trending"),
    ("search, some, default order", "q=potholes+estate"),
    ("search, all, most supported", "q=council&sort=most-supported"),
]


def build_app(url: str):
    from flask_migrate import upgrade
    from sqlalchemy import text

    from app import create_app
    from app.extensions import db
    from config import TestConfig, normalise_database_url

    app = create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": normalise_database_url(url),
                                  "RATELIMIT_ENABLED": False})
    with app.app_context():
        if url.startswith("postgres"):
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()
    return app


def fill(app, window_id: int | None, count: int) -> int:
    from app.cli import bulk_window
    from app.demo.bulk import add_bulk_ideas
    from app.extensions import db
    from app.models import Area, IdeaWindow

    with app.app_context():
        if window_id is None:
            for name in ("Riverside", "Eastfield", "Millbrook"):
                db.session.add(Area(name=name))
            db.session.commit()
            window = bulk_window()
        else:
            window = db.session.get(IdeaWindow, window_id)
        started, done = time.perf_counter(), 0

        def progress(step: int) -> None:
            nonlocal done
            done += step
            if done == count or done % 20_000 == 0:
                print(f"  added {done:,}/{count:,} ideas", flush=True)

        add_bulk_ideas(window, count, seed=window.id * 7919 + count, progress=progress)
        print(f"  ({time.perf_counter() - started:.0f} s to add them)")
        # What autovacuum does on a live PostgreSQL server; SQLite gathers statistics.
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
        else:
            with db.engine.begin() as connection:
                connection.exec_driver_sql("ANALYZE")
        return window.id


def measure(app, window_id: int, repeats: int = 30) -> list[tuple[str, float, float, int]]:
    from sqlalchemy import select

    from app.extensions import db
    from app.models import Area

    with app.app_context():
        area = db.session.scalar(select(Area.id).order_by(Area.id))
    client = app.test_client()
    results = []
    for label, query in QUERIES:
        url = f"/windows/{window_id}?{query.format(area=area)}"
        for _ in range(3):
            assert client.get(url).status_code == 200
        timings = []
        for _ in range(repeats):
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        timings.sort()
        results.append((label, statistics.median(timings), timings[int(len(timings) * 0.95) - 1],
                        len(response.data)))
    return results


def report(backend: str, size: int, results) -> None:
    print(f"\n{backend}, {size:,} ideas in the window")
    print(f"  {'page':<28}{'median ms':>10}{'p95 ms':>9}{'median/goal':>13}")
    for label, median, p95, _bytes in results:
        flag = "" if median < GOAL_MS else "  over goal"
        print(f"  {label:<28}{median:>10.1f}{p95:>9.1f}{median / GOAL_MS:>13.2f}{flag}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    print(f"Goal: median under {GOAL_MS} ms per page. Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs.")
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
            report(backend, size, measure(app, window_id))


if __name__ == "__main__":
    main()
