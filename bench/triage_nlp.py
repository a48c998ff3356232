"""Benchmark of the triage NLP core (app/triage/nlp) on synthetic ideas.

    .venv/bin/python bench/triage_nlp.py                  # 10k and 100k ideas, TF-IDF
    .venv/bin/python bench/triage_nlp.py --sizes 10000 --embeddings

Prints the machine, then for each size: similar-ideas fit time, single-query latency (p50 and
p99 for title queries and for title+description queries), peak memory, clustering time and
peak memory, and the growth of clustering time against n log n; then suggest() throughput.
Each measurement runs in a fresh subprocess, so peak memory (ru_maxrss) is its own. The last
line is all the figures as one JSON object.

Synthetic ideas: titles and sentences of shared/data/petitions-dev.jsonl and of the seed set
spliced together (two sources per sentence) with about 10% of words dropped or replaced, and
10% of ideas an edited copy of an earlier one (so clustering has near-duplicates to find).
Contains Parliamentary information licensed under the Open Parliament Licence v3.0.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PETITIONS = Path(os.environ.get("PETITIONS", ROOT.parent / "shared" / "data"
                                / "petitions-dev.jsonl"))
if not PETITIONS.exists():
    PETITIONS = Path("/work/shared/data/petitions-dev.jsonl")
SEED = ROOT / "app" / "triage" / "seed" / "opportunity_types.jsonl"


# -- synthetic ideas -----------------------------------------------------------------------------
def load_sources() -> tuple[list[str], list[str]]:
    titles, sentences = [], []
    split = re.compile(r"(?<=[.!?])\s+|\n+")
    if PETITIONS.exists():
        for line in PETITIONS.open(encoding="utf-8"):
            row = json.loads(line)
            titles.append(row["action"])
            for name in ("background", "additional_details"):
                sentences += [s.strip() for s in split.split(row.get(name) or "")
                              if len(s.strip()) > 20]
    for line in SEED.open(encoding="utf-8"):
        parts = [s.strip() for s in split.split(json.loads(line)["text"]) if s.strip()]
        titles.append(parts[0])
        sentences += parts[1:]
    return titles, sentences


def _edit(words, rng, vocab, rate=0.1):
    out = []
    for w in words:
        x = rng.random()
        if x < rate / 2:
            continue
        out.append(rng.choice(vocab) if x < rate else w)
    return out or words


def _splice(a, b, rng):
    i = rng.randint(1, max(1, len(a) - 1))
    j = rng.randint(0, max(0, len(b) - 1))
    return a[:i] + b[j:]


def synthetic_ideas(n: int, seed: int = 0, near_duplicates: float = 0.1) -> list[str]:
    """``n`` varied "title\\nproblem" texts of a few hundred characters."""
    titles, sentences = load_sources()
    rng = random.Random(seed)
    vocab = [w for s in sentences[:20000] for w in s.split()]
    title_words = [t.split() for t in titles]
    sentence_words = [s.split() for s in sentences]
    out: list[str] = []
    for _ in range(n):
        if out and rng.random() < near_duplicates:
            title, body = rng.choice(out).split("\n", 1)
            out.append(" ".join(_edit(title.split(), rng, vocab, 0.15)) + "\n"
                       + " ".join(_edit(body.split(), rng, vocab, 0.2)))
            continue
        title = " ".join(_edit(_splice(rng.choice(title_words), rng.choice(title_words), rng),
                               rng, vocab))
        body: list[str] = []
        target = rng.randint(150, 450)
        while sum(len(s) for s in body) < target:
            body.append(" ".join(_edit(_splice(rng.choice(sentence_words),
                                               rng.choice(sentence_words), rng), rng, vocab)))
        out.append(title + "\n" + " ".join(body))
    return out


# -- measurements (each in its own process) -----------------------------------------------------
def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _percentiles(values):
    values = sorted(values)

    def pick(q):
        return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]
    return round(pick(0.5) * 1000, 2), round(pick(0.99) * 1000, 2)


def measure_similarity(n: int, backend: str) -> dict:
    from app.triage.nlp.similarity import SimilarityIndex

    texts = synthetic_ideas(n)
    baseline = _peak_mb()
    started = time.perf_counter()
    index = SimilarityIndex(backend=backend).fit(list(range(n)), texts)
    fit = time.perf_counter() - started
    queries = synthetic_ideas(300, seed=99)
    title_times, long_times = [], []
    for q in queries[:30]:  # warm-up
        index.query(q.split("\n")[0], k=10)
    for q in queries:
        started = time.perf_counter()
        index.query(q.split("\n")[0], k=10)
        title_times.append(time.perf_counter() - started)
    for q in queries[:150]:
        started = time.perf_counter()
        index.query(q, k=10)
        long_times.append(time.perf_counter() - started)
    started = time.perf_counter()
    index.add([n + i for i in range(100)], queries[:100])
    add = time.perf_counter() - started
    return {"n": n, "backend": index.backend_name, "fit_s": round(fit, 2),
            "title_query_ms_p50_p99": _percentiles(title_times),
            "long_query_ms_p50_p99": _percentiles(long_times),
            "add_100_s": round(add, 3), "peak_rss_mb": round(_peak_mb(), 1),
            "rss_before_fit_mb": round(baseline, 1)}


def measure_clustering(n: int, backend: str) -> dict:
    from app.triage.nlp.clustering import cluster_details

    texts = synthetic_ideas(n)
    baseline = _peak_mb()
    started = time.perf_counter()
    result = cluster_details(list(range(n)), texts, backend=backend)
    seconds = time.perf_counter() - started
    groups = result["groups"]
    return {"n": n, "backend": result["backend"], "seconds": round(seconds, 2),
            "groups": len(groups), "ideas_in_groups": sum(len(g) for g in groups),
            "largest_group": max((len(g) for g in groups), default=0),
            "edges": result["edges"], "peak_rss_mb": round(_peak_mb(), 1),
            "rss_before_mb": round(baseline, 1)}


def measure_types(n: int) -> dict:
    from app.triage.nlp.types import TypeClassifier, load_seed

    started = time.perf_counter()
    model = TypeClassifier(use_embeddings=False).fit(*load_seed())  # the default install
    fit = time.perf_counter() - started
    texts = synthetic_ideas(n, seed=5)
    model.suggest(texts[:100])
    started = time.perf_counter()
    model.suggest(texts)
    seconds = time.perf_counter() - started
    return {"n": n, "fit_s": round(fit, 2), "suggest_s": round(seconds, 3),
            "ideas_per_second": round(n / seconds), "peak_rss_mb": round(_peak_mb(), 1)}


def measure_embeddings(n: int) -> dict:
    from app.triage.nlp import embeddings

    if not embeddings.available():
        return {"available": False}
    texts = synthetic_ideas(n, seed=11)
    started = time.perf_counter()
    embeddings.encode(texts[:2])
    load = time.perf_counter() - started
    started = time.perf_counter()
    embeddings.encode(texts[2:])
    seconds = time.perf_counter() - started
    times = []
    for q in synthetic_ideas(40, seed=12):
        started = time.perf_counter()
        embeddings.encode([q.split("\n")[0]])
        times.append(time.perf_counter() - started)
    return {"available": True, "model": embeddings.MODEL_NAME, "load_s": round(load, 2),
            "texts_per_second": round((n - 2) / seconds, 1),
            "single_title_encode_ms_p50_p99": _percentiles(times),
            "peak_rss_mb": round(_peak_mb(), 1)}


MEASURES = {"similarity": measure_similarity, "clustering": measure_clustering,
            "types": measure_types, "embeddings": measure_embeddings}


def run_child(kind: str, *args) -> dict:
    command = [sys.executable, __file__, "--child", kind, *map(str, args)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        return {"error": done.stderr.strip().splitlines()[-1:] or ["failed"]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def machine() -> dict:
    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    import numpy
    import scipy
    import sklearn
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": memory,
            "python": platform.python_version(), "platform": platform.platform(),
            "numpy": numpy.__version__, "scipy": scipy.__version__,
            "scikit_learn": sklearn.__version__}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--backend", default="tfidf", choices=["tfidf", "auto", "embeddings"])
    parser.add_argument("--embeddings", action="store_true",
                        help="also measure the optional MiniLM embeddings (slow)")
    parser.add_argument("--types-n", type=int, default=5000)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        values = [int(rest[0])] + rest[1:]
        print(json.dumps(MEASURES[kind](*values)))
        return

    sizes = [int(s) for s in args.sizes.split(",")]
    report = {"machine": machine(), "similarity": [], "clustering": []}
    print("machine:", json.dumps(report["machine"]))
    for n in sizes:
        sim = run_child("similarity", n, args.backend)
        report["similarity"].append(sim)
        print(f"similarity n={n}: {json.dumps(sim)}", flush=True)
        clu = run_child("clustering", n, args.backend)
        report["clustering"].append(clu)
        print(f"clustering n={n}: {json.dumps(clu)}", flush=True)
    timed = [c for c in report["clustering"] if "seconds" in c]
    if len(timed) >= 2:
        small, large = timed[0], timed[-1]
        ratio = large["seconds"] / max(small["seconds"], 1e-9)
        nlogn = (large["n"] * math.log(large["n"])) / (small["n"] * math.log(small["n"]))
        report["clustering_growth"] = {"ratio": round(ratio, 2), "n_log_n": round(nlogn, 2),
                                       "linear": round(large["n"] / small["n"], 2)}
        print(f"clustering t({large['n']})/t({small['n']}) = {ratio:.2f} "
              f"(n log n predicts {nlogn:.2f}, linear {large['n'] / small['n']:.0f})")
    report["types"] = run_child("types", args.types_n)
    print(f"types: {json.dumps(report['types'])}", flush=True)
    if args.embeddings:
        report["embeddings"] = run_child("embeddings", 200)
        print(f"embeddings: {json.dumps(report['embeddings'])}", flush=True)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
