"""Real threads started together, each with its own database connection, for the race tests."""

import threading

from django.db import connections


def at_once(count: int, action) -> list:
    """Runs `action()` in `count` threads released at the same moment; returns what each returned."""
    barrier = threading.Barrier(count)
    results, lock = [], threading.Lock()

    def run():
        try:
            barrier.wait()
            result = action()
            with lock:
                results.append(result)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results
