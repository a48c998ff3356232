"""Shared pieces of the benchmark scripts: ports, gunicorn, a throwaway PostgreSQL database."""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A TCP port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(target: str, port: int, env: dict[str, str], workers: int = 2,
                   threads: int = 4, timeout: float = 120) -> subprocess.Popen:
    """Serve `target` (module:callable) on loopback and wait until it accepts connections."""
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--worker-class",
         "gthread", "--threads", str(threads), "--bind", f"127.0.0.1:{port}", "--timeout",
         "600", "--log-level", "warning", "--chdir", str(ROOT), target],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"gunicorn did not start: {process.stderr.read()}")


def stop(process: subprocess.Popen) -> None:
    """Stop gunicorn politely, then firmly."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


def postgres_database(default: str) -> str | None:
    """The benchmark's PostgreSQL database (BENCH_POSTGRES_URL, else `default`), created if
    missing; None when no server answers."""
    import psycopg

    url = os.environ.get("BENCH_POSTGRES_URL", default)
    base, name = url.rsplit("/", 1)
    try:
        with psycopg.connect(f"{base}/postgres", autocommit=True, connect_timeout=3) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                (name,)).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as error:
        print(f"PostgreSQL not reachable ({error.__class__.__name__}); skipping it.")
        return None
    return url


def database_url(backend: str, postgres_default: str) -> str | None:
    """A database for one benchmark run: a new SQLite file for "sqlite", else the PostgreSQL
    database of :func:`postgres_database` (None when no server answers)."""
    if backend == "sqlite":
        return f"sqlite:///{tempfile.mkdtemp(prefix='oda-bench-')}/bench.db"
    return postgres_database(postgres_default)
