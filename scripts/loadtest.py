#!/usr/bin/env python3
"""A bounded load test of the running console (loopback only, standard library only).

    .venv/bin/python scripts/loadtest.py --base http://127.0.0.1:8000 [--base http://127.0.0.1:8001] \\
        --users 20 --duration 60 --login office:PASSWORD [--login admin_a:PASSWORD]

Each of ``--users`` virtual users loops for ``--duration`` seconds over the
application list (申请入会管理, page 1 and a later page) and the details page of
an application seen on the list, spreading requests over every ``--base``.  The
virtual users share the sessions of the ``--login`` accounts (one login per
account, so the login throttle is not what is measured).  Every answer other
than 200 with the expected Chinese page is an error.  Prints one JSON object:
requests, errors, requests/s and latency percentiles (ms).

Refuses any base URL that is not loopback: this is not a tool to point at others.
"""
from __future__ import annotations

import argparse
import http.cookiejar
import json
import random
import re
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
DETAILS_RE = re.compile(r'/admin/applications/details/\?id=(\d+)')
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def opener(jar=None, follow=True):
    handlers = [urllib.request.HTTPCookieProcessor(jar if jar is not None else http.cookiejar.CookieJar())]
    if not follow:
        handlers.append(NoRedirect())
    return urllib.request.build_opener(*handlers)


def fetch(op, url, data=None, timeout=30):
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    try:
        with op.open(url, body, timeout=timeout) as r:
            return r.status, r.read().decode("utf-8", "replace"), r.headers, r.geturl()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace"), e.headers, url


def login(base: str, username: str, password: str) -> http.cookiejar.CookieJar:
    """Log in through the real form; return the cookie jar (valid on every instance sharing SECRET_KEY)."""
    jar = http.cookiejar.CookieJar()
    op = opener(jar, follow=False)
    status, page, _, _ = fetch(op, base + "/admin/account/login/")
    token = CSRF_RE.search(page).group(1)
    status, page, headers, _ = fetch(op, base + "/admin/account/login/",
                                  {"username": username, "password": password, "csrf_token": token})
    if status != 302:
        raise SystemExit(f"login of {username} failed: HTTP {status}")
    return jar


def run(bases: list[str], logins: list[tuple[str, str]], users: int, duration: float) -> dict:
    for base in bases:
        host = urllib.parse.urlsplit(base).hostname
        if host not in LOOPBACK:
            raise SystemExit(f"refusing non-loopback target {base}")
    jars = [login(bases[0], u, p) for u, p in logins]
    latencies: list[float] = []
    errors: list[str] = []
    counts = {"list": 0, "details": 0}
    lock = threading.Lock()
    deadline = time.monotonic() + duration

    def worker(n: int):
        rng = random.Random(n)
        op = opener(jars[n % len(jars)])
        ids: list[str] = []
        i = 0
        while time.monotonic() < deadline:
            base = bases[(n + i) % len(bases)]
            i += 1
            if not ids or rng.random() < 0.4:
                kind, url, must = "list", base + "/admin/applications/" + ("?page=1" if rng.random() < 0.3 else ""), "申请入会管理"
            else:
                kind, url, must = "details", base + f"/admin/applications/details/?id={rng.choice(ids)}", "姓名"
            t0 = time.perf_counter()
            try:
                status, page, _, final = fetch(op, url)
            except Exception as exc:  # noqa: BLE001 — every failure is counted
                status, page, final = 0, repr(exc), url
            dt_ms = (time.perf_counter() - t0) * 1000
            # A redirect to the login page (session lost) ends on a 200 page too: count it as an error.
            ok = status == 200 and must in page and "/admin/account/login/" not in final
            if kind == "list" and ok:
                ids = DETAILS_RE.findall(page) or ids
            with lock:
                latencies.append(dt_ms)
                counts[kind] += 1
                if not ok:
                    errors.append(f"{status} {url} {page[:120]!r}")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(users)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    latencies.sort()

    def pct(p):
        return round(latencies[min(len(latencies) - 1, int(len(latencies) * p))], 1) if latencies else None

    return {"bases": bases, "users": users, "duration_s": round(elapsed, 1), "requests": len(latencies),
            "list_requests": counts["list"], "details_requests": counts["details"], "errors": len(errors),
            "error_samples": errors[:5], "requests_per_s": round(len(latencies) / elapsed, 1) if elapsed else 0,
            "p50_ms": pct(0.50), "p95_ms": pct(0.95), "p99_ms": pct(0.99),
            "max_ms": round(latencies[-1], 1) if latencies else None}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base", action="append", required=True, help="http://127.0.0.1:PORT (repeatable)")
    ap.add_argument("--login", action="append", required=True, help="username:password (repeatable)")
    ap.add_argument("--users", type=int, default=20)
    ap.add_argument("--duration", type=float, default=60)
    args = ap.parse_args(argv)
    if args.duration > 600 or args.users > 200:
        raise SystemExit("bounded: at most 600 s and 200 users")
    logins = [tuple(x.split(":", 1)) for x in args.login]
    result = run([b.rstrip("/") for b in args.base], logins, args.users, args.duration)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0 if result["errors"] == 0 and result["requests"] > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
