"""One race harness for the concurrency tests: real threads, each with its own app context, session and
database connection, released together at the contended step.

    results = race(app, job_a, job_b)

Each job is called as ``job(session, start)``: it reads what it needs, calls ``start()`` (a barrier every
job waits at) and then does the contended step.  ``race`` returns, in the jobs' order, what each returned or
the exception it raised (after rolling its session back), and fails if a thread hangs.
"""
from __future__ import annotations

import threading

TIMEOUT = 60  # seconds a thread may take; longer means a deadlock


def race(app, *jobs):
    from wxk_admin.models import db

    barrier = threading.Barrier(len(jobs))
    results: list[object] = [None] * len(jobs)

    def run(i, job):
        with app.app_context():
            try:
                results[i] = job(db.session, lambda: barrier.wait(TIMEOUT))
            except Exception as exc:  # noqa: BLE001 — handed to the caller, who asserts on it
                barrier.abort()  # a job that fails before start() must not keep the others waiting
                db.session.rollback()
                results[i] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a thread hung (deadlock?)"
    return results
