"""Benchmark: supports per second through the real app under gunicorn, against a bare Flask
endpoint doing one INSERT on the same database, machine and run.

    .venv/bin/python bench/voting.py                       # SQLite (WAL), then PostgreSQL
    .venv/bin/python bench/voting.py --backends sqlite --seconds 10
    .venv/bin/python bench/voting.py --floor               # and a hand-written endpoint

For each database: migrate a fresh database, seed a window open for voting with 10,000 ideas
and 20,000 residents, start gunicorn (2 workers, gthread) on loopback for the app and for the
bare endpoint, drive each with the same load generator (2 processes x 8 threads, keep-alive
HTTP), and print requests per second and p50/p99 latency for both, the ratio, the errors,
and whether every count is still exact afterwards (`recount` finds no drift). Goal: the app
does at least half the bare endpoint's throughput, with zero errors and exact counts.
Rate limiting is switched off for the run: one load generator is one network address.
"""

import argparse
import http.client
import multiprocessing
import os
import random
import secrets
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import database_url, free_port, start_gunicorn, stop  # noqa: E402

IDEAS = 10_000
RESIDENTS = 20_000
PROCESSES = 2
THREADS = 8
USER_AGENT = "oda-ideas-bench/1"
SECRET = "bench-secret-" + secrets.token_hex(8)
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/oda_ideas_bench_voting"


def environment(url: str) -> dict[str, str]:
    return {**os.environ, "APP_ENV": "production", "SECRET_KEY": SECRET, "DATABASE_URL": url,
            "PUBLIC_BASE_URL": "http://127.0.0.1", "RATELIMIT_ENABLED": "false",
            "SESSION_COOKIE_SECURE": "false", "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT)}


# ---- The servers ---------------------------------------------------------------------------

def full_app():
    """gunicorn entry point: the real app."""
    from app import create_app

    return create_app("production")


def bare_app():
    """gunicorn entry point: Flask with one route that does one INSERT."""
    from flask import Flask
    from sqlalchemy import create_engine, text

    import app.database  # noqa: F401  (the same SQLite settings as the app: WAL, busy timeout)
    from config import normalise_database_url

    engine = create_engine(normalise_database_url(os.environ["DATABASE_URL"]),
                           pool_pre_ping=True)
    bare = Flask("bare")

    @bare.post("/insert")
    def insert():
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO bench_inserts (value) VALUES (:v)"),
                               {"v": random.randint(1, 10**9)})
        return {"ok": True}

    return bare


def floor_app():
    """gunicorn entry point (--floor): the least a support endpoint with the same checks can
    do, written by hand: the session cookie and CSRF token checked, the person's and the
    idea's rows read, the app's one write and one read; no Flask-Login, ORM, limiter or
    headers. It shows how close any implementation on this stack could come to the bare endpoint."""
    from datetime import UTC, datetime

    from flask import Flask, abort, request, session
    from flask_wtf.csrf import validate_csrf
    from sqlalchemy import create_engine, text

    import app.database  # noqa: F401
    from app.voting import services
    from config import normalise_database_url

    url = os.environ["DATABASE_URL"]
    engine = create_engine(normalise_database_url(url), pool_pre_ping=True)
    naive = not url.startswith("postgres")
    floor = Flask("floor")
    floor.config.update(SECRET_KEY=os.environ["SECRET_KEY"], SESSION_COOKIE_NAME="oda_session")
    person = text("SELECT id, role, email_verified_at, session_version FROM users "
                  "WHERE id = :id")
    idea = text("SELECT i.window_id, w.support_limit FROM ideas i "
                "JOIN idea_windows w ON w.id = i.window_id WHERE i.id = :id")

    def keys(connection, idea_id):
        validate_csrf(request.form.get("csrf_token"))
        user_id = int(session["_user_id"].split(".")[0])
        if connection.execute(person, {"id": user_id}).first() is None:
            abort(403)
        window_id, limit = connection.execute(idea, {"id": idea_id}).one()
        return {"user_id": user_id, "idea_id": idea_id, "window_id": window_id}, limit

    @floor.post("/ideas/<int:idea_id>/support")
    def support(idea_id):
        with engine.begin() as connection:
            ids, _limit = keys(connection, idea_id)
            now = datetime.now(UTC)
            connection.execute(services.INSERT_SUPPORT, {
                **ids, "created_at": now.replace(tzinfo=None) if naive else now,
                "network": None})
            count, used = connection.execute(services.POSITION, ids).one()
        return {"count": count, "used": used}

    @floor.post("/ideas/<int:idea_id>/unsupport")
    def unsupport(idea_id):
        with engine.begin() as connection:
            ids, _limit = keys(connection, idea_id)
            connection.execute(services.REMOVE_SUPPORT, ids)
            count, used = connection.execute(services.POSITION, ids).one()
        return {"count": count, "used": used}

    return floor


# ---- Seeding and session cookies ----------------------------------------------------------

def prepare(url: str):
    """Migrate, seed the window, ideas and residents; return (window_id, idea ids, cookies)."""
    os.environ.update(environment(url))
    from flask_login.utils import _create_identifier
    from flask_migrate import upgrade
    from itsdangerous import URLSafeTimedSerializer
    from sqlalchemy import insert, select, text

    from app import create_app
    from app.accounts.passwords import hash_password
    from app.cli import bulk_window
    from app.demo.bulk import add_bulk_ideas
    from app.extensions import db
    from app.models import Idea, User, utcnow
    from config import ProductionConfig

    app = create_app(ProductionConfig, {"SQLALCHEMY_DATABASE_URI": normalised(url),
                                        "SECRET_KEY": SECRET})
    with app.app_context():
        if url.startswith("postgres"):
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()
        with db.engine.begin() as connection:
            connection.execute(text("CREATE TABLE bench_inserts (id INTEGER PRIMARY KEY "
                                    + ("GENERATED ALWAYS AS IDENTITY" if url.startswith("postgres")
                                       else "AUTOINCREMENT") + ", value INTEGER NOT NULL)"))
        window = bulk_window()
        window.support_limit = 1000  # exercises the limit check without reaching it
        db.session.commit()
        print(f"  seeding {IDEAS:,} ideas and {RESIDENTS:,} residents", flush=True)
        add_bulk_ideas(window, IDEAS)
        password_hash = hash_password(secrets.token_urlsafe(16))
        now = utcnow()
        db.session.execute(insert(User), [
            {"email": f"voter{n}@bench.example.org", "display_name": f"Voter {n}",
             "password_hash": password_hash, "email_verified_at": now, "created_at": now}
            for n in range(RESIDENTS)])
        db.session.commit()
        user_ids = list(db.session.scalars(select(User.id).where(
            User.email.like("voter%@bench.example.org"))))
        idea_ids = list(db.session.scalars(select(Idea.id).where(Idea.window_id == window.id)))
        window_id = window.id
    sessions = app.session_interface.get_signing_serializer(app)
    csrf = URLSafeTimedSerializer(SECRET, salt="wtf-csrf-token")
    with app.test_request_context(environ_base={"REMOTE_ADDR": "127.0.0.1"},
                                  headers={"User-Agent": USER_AGENT}):
        identifier = _create_identifier()
    cookies = []
    for user_id in user_ids:
        raw = secrets.token_hex(20)
        cookie = sessions.dumps({"_user_id": f"{user_id}.1", "_fresh": True, "_id": identifier,
                                 "csrf_token": raw, "_permanent": True})
        cookies.append((f"oda_session={cookie}", csrf.dumps(raw)))
    return app, window_id, idea_ids, cookies


def normalised(url: str) -> str:
    from config import normalise_database_url

    return normalise_database_url(url)


# ---- The load generator --------------------------------------------------------------------

def client_thread(port, target, ideas, cookies, deadline, results, seed):
    rng = random.Random(seed)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    supported: dict[int, set[int]] = {}
    while time.perf_counter() < deadline:
        if target == "bare":
            path, body, headers = "/insert", "", {}
        else:
            person = rng.randrange(len(cookies))
            cookie, token = cookies[person]
            mine = supported.setdefault(person, set())
            if mine and rng.random() < 0.4:
                idea = rng.choice(sorted(mine))
                path, done = f"/ideas/{idea}/unsupport", ("withdraw", person, idea)
            else:
                idea = rng.choice(ideas)
                path, done = f"/ideas/{idea}/support", ("support", person, idea)
            body = f"csrf_token={token}"
            headers = {"Cookie": cookie, "Accept": "application/json",
                       "Content-Type": "application/x-www-form-urlencoded"}
        headers["User-Agent"] = USER_AGENT
        started = time.perf_counter()
        try:
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            ok = response.status == 200
        except (OSError, http.client.HTTPException):
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            ok = False
        results.append((time.perf_counter() - started, ok))
        if ok and target != "bare":
            kind, person, idea = done
            (supported[person].add if kind == "support" else supported[person].discard)(idea)


def client_process(port, target, ideas, cookies, seconds, queue, seed):
    import threading

    results: list = []
    deadline = time.perf_counter() + seconds
    # Each process drives its own half of the residents, so one person never has two
    # requests in flight from two processes (the app would handle it; the tally would not).
    share = cookies[seed % PROCESSES::PROCESSES]
    threads = [threading.Thread(target=client_thread,
                                args=(port, target, ideas, share[t::THREADS], deadline, results,
                                      seed * 100 + t))
               for t in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    queue.put(results)


def drive(port: int, target: str, ideas, cookies, seconds: float) -> dict:
    queue = multiprocessing.Queue()
    processes = [multiprocessing.Process(target=client_process,
                                         args=(port, target, ideas, cookies, seconds, queue, p))
                 for p in range(PROCESSES)]
    started = time.perf_counter()
    for process in processes:
        process.start()
    results = [row for _ in processes for row in queue.get()]
    for process in processes:
        process.join()
    elapsed = time.perf_counter() - started
    latencies = sorted(seconds for seconds, _ok in results)
    return {"requests": len(results), "errors": sum(1 for _s, ok in results if not ok),
            "rps": len(results) / elapsed,
            "p50": statistics.median(latencies) * 1000,
            "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000}


def run(backend: str, url: str, seconds: float, with_floor: bool) -> None:
    print(f"\n== {backend}", flush=True)
    app, window_id, ideas, cookies = prepare(url)
    env = environment(url)
    targets = [("bare INSERT endpoint", "bare_app()"), ("support/withdraw", "full_app()")]
    if with_floor:
        targets.append(("floor (hand-written)", "floor_app()"))
    results = {}
    for label, target in targets:
        port = free_port()
        server = start_gunicorn(f"bench.voting:{target}", port, env)
        try:
            kind = "bare" if target == "bare_app()" else "app"
            drive(port, kind, ideas, cookies, 2)  # warm-up
            figures = drive(port, kind, ideas, cookies, seconds)
        finally:
            stop(server)
        figures["label"] = label
        print(f"  {label:<22} {figures['rps']:8.0f} req/s   p50 {figures['p50']:6.1f} ms   "
              f"p99 {figures['p99']:6.1f} ms   {figures['requests']:,} requests, "
              f"{figures['errors']} errors", flush=True)
        results[target] = figures
    bare, figures = results["bare_app()"], results["full_app()"]
    ratio = figures["rps"] / bare["rps"]
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import Idea, Support
    from app.voting.services import recount

    with app.app_context():
        drift = recount(fix=False)
        rows = db.session.scalar(select(func.count(Support.id)))
        counted = db.session.scalar(select(func.sum(Idea.support_count)))
    verdict = "meets" if ratio >= 0.5 and figures["errors"] == 0 and not drift else "misses"
    print(f"  ratio app/bare: {ratio:.2f} (goal >= 0.50, {verdict} it); supports now {rows:,}, "
          f"sum of counters {counted:,}, drift found by recount: {len(drift)}", flush=True)
    if with_floor:
        print(f"  ratio floor/bare: {results['floor_app()']['rps'] / bare['rps']:.2f} (the "
              f"most any endpoint with these checks reached here)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--floor", action="store_true",
                        help="also drive a hand-written endpoint with the same checks")
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs; load: {PROCESSES} processes x {THREADS} threads, "
          f"{args.seconds:.0f} s per target after a 2 s warm-up")
    for backend in args.backends.split(","):
        url = database_url(backend, DEFAULT_PG)
        if url is None:
            continue
        run(backend, url, args.seconds, args.floor)


if __name__ == "__main__":
    main()
