"""The details page under load through gunicorn: requests per second against stock Flask-Admin's details and
the bare page on the same row (issue 19.6 measured the product at 0.62× stock's throughput this way).

    .venv/bin/python benchmarks/throughput.py [--size 10000] [--workers 2] [--clients 4] [--seconds 5] [--rounds 3]

Serves the app of ``run.py`` (the product, its ``/stock`` and ``/bare`` references; build the database there
first) with gunicorn's sync workers on a free local port, then keeps ``--clients`` threads requesting one
variant's page for ``--seconds``, the variants in turn for ``--rounds`` rounds (a slow spell of a shared machine
hits them all alike); prints each variant's requests per second (total requests ÷ total time) and the ratios.
The product is requested signed in as the office (a session cookie made by the test client with the same
secret key); ``stock+login`` is stock's page with that cookie.  The load generator runs on the same cores as the
server: compare the ratios, not the absolute numbers.
"""
from __future__ import annotations

import argparse
import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.run import add_references, database_url, login, make_app, middle_application  # noqa: E402


USER_AGENT = "wxk-throughput"


def served_app():
    """gunicorn's entry (``benchmarks.throughput:served_app()``): the benchmark app on WXK_BENCH_URL."""
    app = make_app(os.environ["WXK_BENCH_URL"])
    add_references(app)
    return app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def hammer(port: int, path: str, cookie: str | None, clients: int, seconds: float) -> int:
    """Requests answered 200 by ``clients`` threads in ``seconds``."""
    done = [0] * clients
    stop = time.monotonic() + seconds

    def client(i):
        jar = cookie  # each client keeps its session cookie as a browser does (last_seen moves once a minute)
        while time.monotonic() < stop:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", path, headers={"User-Agent": USER_AGENT, **({"Cookie": jar} if jar else {})})
            response = conn.getresponse()
            response.read()
            conn.close()
            if response.status != 200:
                raise SystemExit(f"{path}: HTTP {response.status}")
            if jar and response.getheader("Set-Cookie"):
                jar = response.getheader("Set-Cookie").split(";", 1)[0]
            done[i] += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done)


def main() -> None:
    from wxk_admin.models import db

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    url = database_url("sqlite", args.size)
    app = make_app(url)
    some_id = middle_application(app)
    signed_in = app.test_client()
    # The load generator sends this browser's name too: a session signed in from another one is marked
    # not fresh (Flask-Login's session protection) and re-sent on every answer.
    signed_in.environ_base["HTTP_USER_AGENT"] = USER_AGENT
    login(signed_in, "bench_office")
    # The cookie as a browser holds it after its first page (the session then has its CSRF token): this load
    # generator keeps no cookies, and a session without one would be re-signed and re-sent on every answer.
    signed_in.get(f"/admin/applications/details/?id={some_id}")
    session = signed_in.get_cookie(app.config["SESSION_COOKIE_NAME"])
    cookie = f"{session.key}={session.value}"
    with app.app_context():
        db.engine.dispose()

    port = free_port()
    # The production settings (gunicorn.conf.py), without the access log and the worker recycling (a worker
    # restarting in one variant's turn would count against it).
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "benchmarks.throughput:served_app()"],
        cwd=ROOT, env={**os.environ, "WXK_BENCH_URL": url, "BIND": f"127.0.0.1:{port}",
                       "WEB_CONCURRENCY": str(args.workers), "GUNICORN_MAX_REQUESTS": "0",
                       "GUNICORN_ACCESSLOG": "/dev/null", "GUNICORN_LOGLEVEL": "warning"})
    try:
        wait_until_up(port)
        variants = {"product": (f"/admin/applications/details/?id={some_id}", cookie),
                    "stock": (f"/stock/applications/details/?id={some_id}", None),
                    "stock+login": (f"/stock/applications/details/?id={some_id}", cookie),
                    "bare": (f"/bare/details/{some_id}", None)}
        for path, variant_cookie in variants.values():  # warm-up: every worker, every template
            hammer(port, path, variant_cookie, args.clients, 1)
        totals = {name: 0 for name in variants}
        for _ in range(args.rounds):
            for name, (path, variant_cookie) in variants.items():
                totals[name] += hammer(port, path, variant_cookie, args.clients, args.seconds)
    finally:
        server.terminate()
        server.wait(timeout=30)
    rps = {name: n / (args.seconds * args.rounds) for name, n in totals.items()}
    print(f"| rows | workers | clients | product (req/s) | stock | stock+login | bare | product/stock | "
          f"product/(stock+login) | product/bare |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(f"| {args.size:,} | {args.workers} | {args.clients} | {rps['product']:.0f} | {rps['stock']:.0f} | "
          f"{rps['stock+login']:.0f} | {rps['bare']:.0f} | {rps['product'] / rps['stock']:.2f} | "
          f"{rps['product'] / rps['stock+login']:.2f} | {rps['product'] / rps['bare']:.2f} |")


if __name__ == "__main__":
    main()
