"""Firing requests at the same moment, for the tests that prove limits hold under concurrency."""

import threading


def run_together(functions, timeout: float = 60):
    """Start every function at the same moment in its own thread; return their results."""
    barrier = threading.Barrier(len(functions))
    results = [None] * len(functions)

    def run(index, function):
        barrier.wait()
        results[index] = function()

    threads = [threading.Thread(target=run, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results
