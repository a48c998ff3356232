"""How well the themes view's themes follow a real category, and how long they take.

    .venv/bin/python bench/themes.py [/work/shared/data/petitions-dev.jsonl]

The staff themes page finds a window's themes when it is viewed; the last lines time
`find_themes` on 1,000, 10,000 and 100,000 of the benchmark's generated ideas
(`app.demo.bulk`, as `bench/triage.py` puts in its windows).

The dev petitions carry `departments` (the department that responded) on 744 of them. For
windows of 30, 100 and 300 petitions drawn from those (five draws each) and for all 744, the
themes found by `app.triage.topics.find_themes` are scored against the first department:
normalised mutual information (0 = unrelated, 1 = the same partition) and purity (the share
of petitions whose theme's most common department is their own). Departments are coarse
(one joins energy bills and industry), so neither figure can reach 1; they compare versions.
Contains Parliamentary information licensed under the Open Parliament Licence v3.0.
"""

import json
import random
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.metrics import normalized_mutual_info_score

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.demo.bulk import _idea_text  # noqa: E402
from app.triage.nlp.petitions import petition_text  # noqa: E402
from app.triage.topics import find_themes  # noqa: E402

DEFAULT_FILE = "/work/shared/data/petitions-dev.jsonl"


def figures(petitions: list[dict], size: int, draws: int = 5) -> tuple[float, float]:
    """Mean NMI and purity of the themes of ``draws`` windows of ``size`` petitions."""
    nmis, purities = [], []
    for draw in range(draws if size < len(petitions) else 1):
        window = random.Random(draw).sample(petitions, size) if size < len(petitions) \
            else petitions
        gold = [p["departments"][0] for p in window]
        theme_of = {}
        for number, theme in enumerate(find_themes(list(range(len(window))),
                                                   [petition_text(p) for p in window])):
            theme_of.update(dict.fromkeys(theme.idea_ids, number))
        found = [theme_of.get(i, -1) for i in range(len(window))]
        nmis.append(normalized_mutual_info_score(gold, found))
        right = 0
        for theme in set(found):
            members = [g for g, f in zip(gold, found, strict=True) if f == theme]
            right += max(members.count(g) for g in set(members))
        purities.append(right / len(window))
    return float(np.mean(nmis)), float(np.mean(purities))


def main() -> None:
    path = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_FILE
    with open(path, encoding="utf-8") as handle:
        petitions = [p for p in map(json.loads, filter(str.strip, handle))
                     if p.get("departments")]
    warnings.filterwarnings("ignore", message="Maximum number of iterations")
    print(f"{len(petitions)} petitions with a department")
    print("  window size   NMI     purity")
    for size in (30, 100, 300, len(petitions)):
        nmi, purity = figures(petitions, size)
        print(f"  {size:>11,}   {nmi:.3f}   {purity:.3f}")
    rng = random.Random(1)
    ideas = ["\n".join(_idea_text(rng).values()) for _ in range(100_000)]
    print("find_themes on generated ideas")
    for size in (1_000, 10_000, 100_000):
        started = time.perf_counter()
        find_themes(list(range(size)), ideas[:size])
        print(f"  {size:>7,} ideas: {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
