"""Benchmark: the CPU a support costs inside one process, without HTTP or other processes.

    .venv/bin/python bench/voting_inprocess.py [REQUESTS]      # default 3,000
    .venv/bin/python bench/voting_inprocess.py 2000 --profile  # cProfile, by cumulative time

Seeds the same SQLite window as bench/voting.py (10,000 ideas, 20,000 residents), then sends
support and withdraw requests through Flask's test client one after another and prints the
milliseconds per request next to bench/voting.py's bare INSERT endpoint, also through the
test client. Under gunicorn on two CPUs the throughput ratio follows these costs: a rough
model is (F + bare) / (F + app), F being what every request costs outside Flask (gunicorn,
the load generator, the kernel), about 0.5 ms on this machine.
"""

import cProfile
import os
import pstats
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import voting  # noqa: E402


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 3000
    url = f"sqlite:///{tempfile.mkdtemp(prefix='oda-vote-')}/bench.db"
    _app, _window_id, ideas, cookies = voting.prepare(url)
    os.environ.update(voting.environment(url))
    client = voting.full_app().test_client(use_cookies=False)
    rng = random.Random(1)
    supported: dict[int, set[int]] = {}

    def send(n: int) -> None:
        for _ in range(n):
            person = rng.randrange(len(cookies))
            cookie, token = cookies[person]
            mine = supported.setdefault(person, set())
            if mine and rng.random() < 0.4:
                idea, action = mine.pop(), "unsupport"
            else:
                idea, action = rng.choice(ideas), "support"
                mine.add(idea)
            response = client.post(
                f"/ideas/{idea}/{action}", data=f"csrf_token={token}",
                headers={"Cookie": cookie, "Accept": "application/json",
                         "Content-Type": "application/x-www-form-urlencoded",
                         "User-Agent": voting.USER_AGENT},
                environ_base={"REMOTE_ADDR": "127.0.0.1"})
            assert response.status_code == 200, (response.status_code, response.data[:200])

    send(200)  # warm-up: pools, caches of compiled SQL
    if "--profile" in sys.argv:
        profile = cProfile.Profile()
        profile.enable()
        send(count)
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(60)
        return
    started = time.perf_counter()
    send(count)
    app_ms = (time.perf_counter() - started) / count * 1000
    bare = voting.bare_app().test_client()
    started = time.perf_counter()
    for _ in range(count):
        bare.post("/insert")
    bare_ms = (time.perf_counter() - started) / count * 1000
    print(f"support/withdraw {app_ms:.3f} ms per request, bare INSERT {bare_ms:.3f} ms "
          f"({count:,} requests each, one thread)")


if __name__ == "__main__":
    main()
