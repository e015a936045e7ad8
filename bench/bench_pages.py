"""Staff pages at a county's scale (issue 14): SQL queries, p50/p95 for one user, and throughput
under concurrency as a share of a bare one-read view served by the same server, at the demo's
scale and at a loaded scale side by side.

    nice -n 19 .venv/bin/python bench/bench_pages.py --quick              # 20,000 people, minutes
    nice -n 19 .venv/bin/python bench/bench_pages.py --people 1000000     # the issue's scale

For each scale: the bench database (bench/county.py) is loaded, gunicorn serves it (2 workers,
production settings, 127.0.0.1 only) and the demo's police officer, charity worker, IDVA, MARAC
coordinator and DPO are signed in by sessions written the way the tests' ``sign_in`` writes them
(password session, second-factor device, acting membership). Each page is then
1. requested once in this process against the same database, counting its SQL queries
   (``CaptureQueriesContext``; not timed);
2. requested ``--requests`` times, one after another, over HTTP: p50 and p95;
3. loaded by wrk (``--concurrency`` connections for ``--duration`` seconds): requests per second,
   as a share of the baseline view's in the same run.
The table goes into docs/performance.md (section "pages"); ``--json`` keeps the raw figures.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import county  # noqa: E402

county.setup_django("settings_county")

from common import machine, say, write_section  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from hearth.people.models import Person  # noqa: E402
from hearth.platform import access  # noqa: E402
from hearth.platform.middleware import SESSION_MEMBERSHIP  # noqa: E402
from hearth.platform.models import Membership  # noqa: E402
from hearth.referrals.models import Referral  # noqa: E402
from hearth.support.models import SupportCase  # noqa: E402

# The staff the pages are measured as: (username, agency slug).
STAFF = {
    "police": ("police.officer", "stoke-north-hub"),
    "charity": ("charity.worker", "alice-charity"),
    "idva": ("idva", "new-era-victims"),
    "marac": ("marac.coordinator", "stoke-marac"),
    "dpo": ("police.dpo", "stoke-north-hub"),
}


@dataclass
class Page:
    name: str
    who: str
    url: str
    queries: int | None = None
    status: int | None = None
    p50: float | None = None
    p95: float | None = None
    rps: float | None = None
    errors: int = 0


@dataclass
class Scale:
    label: str
    counts: dict
    baseline_rps: float = 0.0
    baseline_p50: float = 0.0
    pages: list[Page] = field(default_factory=list)
    explain: dict = field(default_factory=dict)


def pages() -> list[Page]:
    """The pages, with concrete records of the demo's stories (present at every scale)."""
    mother = Person.objects.filter(given_name="Elizabeth", family_name="Walker").order_by("pk").first()
    to_charity = Referral.objects.filter(person=mother, to_agency__slug="alice-charity").order_by("pk").first()
    case = SupportCase.objects.filter(agency__slug="alice-charity").order_by("pk").first()
    found = [
        Page("person page (police)", "police", f"/people/{mother.pk}/"),
        Page("person page (charity)", "charity", f"/people/{mother.pk}/"),
        Page("person page (IDVA)", "idva", f"/people/{mother.pk}/"),
        Page("referral detail (charity)", "charity", f"/referrals/{to_charity.pk}/"),
        Page("referral inbox (charity)", "charity", "/referrals/"),
        Page("person list search (police)", "police", "/people/?q=walker"),
        Page("audit search by user (DPO)", "dpo", "/audit/?username=police.officer"),
        Page("MARAC dashboard", "marac", "/marac/"),
        Page("staff home (police)", "police", "/home/"),
        Page("IDVA caseload", "idva", "/risk/caseload/"),
        Page("support cases (charity)", "charity", "/support/families/"),
        Page("unmet needs (charity)", "charity", "/support/unmet-needs/"),
        Page("charity dashboard", "charity", "/support/"),
    ]
    if case is not None:
        found.insert(-3, Page("support case (charity)", "charity", f"/support/families/{case.pk}/"))
    return found


def sign_in(username: str, slug: str) -> Client:
    """A session as tests/conftest.py's ``sign_in`` makes one: password, second factor, agency."""
    membership = Membership.objects.select_related("user").get(user__username=username, agency__slug=slug)
    client = Client()
    client.force_login(membership.user, backend="hearth.platform.auth.backends.EmailOrUsernameBackend")
    device = TOTPDevice.objects.filter(user=membership.user, confirmed=True).first()
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session[SESSION_MEMBERSHIP] = membership.pk
    session.save()
    return client


def cookie_of(client: Client) -> str:
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def count_queries(client: Client, url: str) -> tuple[int, int]:
    client.get(url)  # warm caches (content types, templates) as a running server would have them
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return len(queries.captured_queries), response.status_code


# ---------------------------------------------------------------------------
# The server
# ---------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    if not gunicorn.exists():
        raise SystemExit("gunicorn is missing: pip install -e '.[bench]'")
    env = {**os.environ, **county.bench_environment(), "DJANGO_SETTINGS_MODULE": "settings_county"}
    server = subprocess.Popen(
        [str(gunicorn), "--workers", "2", "--bind", f"127.0.0.1:{port}", "--pythonpath",
         f"{county.ROOT / 'src'},{county.ROOT / 'bench'}", "--log-level", "warning", "--timeout", "120",
         "hearth.wsgi:application"], env=env, cwd=county.ROOT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if get(port, "/bench/baseline/")[0] == 200:
                return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise SystemExit("gunicorn did not answer within 60 s")


def stop_server(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()


def get(port: int, url: str, cookie: str = "") -> tuple[int, float]:
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request("GET", url, headers={"Cookie": cookie} if cookie else {})
        response = conn.getresponse()
        response.read()
        return response.status, (time.perf_counter() - started) * 1000
    finally:
        conn.close()


def latency(port: int, url: str, cookie: str, n: int, budget: float = 120.0) -> tuple[float, float, int]:
    """p50 and p95 of ``n`` requests one after another (fewer, but at least 5, once ``budget``
    seconds are spent: a page taking seconds at 1M would otherwise hold the run for an hour)."""
    get(port, url, cookie)  # each worker warms up on its own
    get(port, url, cookie)
    times, errors = [], 0
    started = time.monotonic()
    for _ in range(n):
        status, ms = get(port, url, cookie)
        errors += status != 200
        times.append(ms)
        if len(times) >= 5 and time.monotonic() - started > budget:
            break
    times.sort()
    return statistics.median(times), times[max(int(0.95 * len(times) + 0.5) - 1, 0)], errors


def throughput(port: int, url: str, cookie: str, duration: int, concurrency: int) -> tuple[float, int]:
    """Requests per second under wrk (bounded by ``duration``), and the non-2xx answers."""
    command = ["wrk", "-t", "2", "-c", str(concurrency), "-d", f"{duration}s", "--timeout", "60s"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run([*command, f"http://127.0.0.1:{port}{url}"], capture_output=True, text=True,
                         timeout=duration + 90, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return rps, int(bad.group(1)) if bad else 0


# ---------------------------------------------------------------------------
# One person check, explained
# ---------------------------------------------------------------------------

def explain_person_check() -> dict:
    """EXPLAIN ANALYZE of ``visible_to`` answering for one person, as the police and the charity."""
    mother = Person.objects.filter(given_name="Elizabeth", family_name="Walker").order_by("pk").first()
    found = {}
    for who in ("police", "charity"):
        membership = Membership.objects.select_related("user", "agency").get(
            user__username=STAFF[who][0], agency__slug=STAFF[who][1])
        user = membership.user
        user.membership = membership
        query = access.visible_to(user, Person.objects.filter(pk=mother.pk)).only("pk")
        plan = query.explain(analyze=True)
        took = re.search(r"Execution Time: ([\d.]+) ms", plan)
        found[who] = {"ms": float(took.group(1)) if took else None, "plan": plan}
    return found


# ---------------------------------------------------------------------------
# A run
# ---------------------------------------------------------------------------

def measure_scale(label: str, people: int, args) -> Scale:
    if args.reuse:
        say(f"[{label}] reusing the loaded database")
    else:
        say(f"[{label}] loading {people:,} people...")
        county.load(people)
    scale = Scale(label=label, counts=county.database_counts())
    say(f"[{label}] " + ", ".join(f"{v:,} {k}" for k, v in scale.counts.items()))
    clients = {who: sign_in(*STAFF[who]) for who in STAFF}
    measured = [p for p in pages() if not args.only or any(o in p.name for o in args.only)]
    for page in measured:
        page.queries, page.status = count_queries(clients[page.who], page.url)
    scale.explain = explain_person_check()
    connection.close()
    port = free_port()
    server = start_server(port)
    try:
        scale.baseline_p50, _p95, _ = latency(port, "/bench/baseline/", "", args.requests)
        scale.baseline_rps, _ = throughput(port, "/bench/baseline/", "", args.duration, args.concurrency)
        say(f"[{label}] baseline: p50 {scale.baseline_p50:.1f} ms, {scale.baseline_rps:.0f} req/s")
        for page in measured:
            cookie = cookie_of(clients[page.who])
            page.p50, page.p95, errors = latency(port, page.url, cookie, args.requests)
            page.rps, page.errors = throughput(port, page.url, cookie, args.duration, args.concurrency)
            page.errors += errors
            say(f"[{label}] {page.name}: {page.queries} queries (status {page.status}), p50 {page.p50:.1f} ms, "
                f"p95 {page.p95:.1f} ms, {page.rps:.1f} req/s ({page.rps / scale.baseline_rps:.1%} of baseline)"
                + (f", {page.errors} answers not 200" if page.errors else ""))
    finally:
        stop_server(server)
    scale.pages = measured
    return scale


def _ms(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value / 1000:.1f} s" if value >= 10_000 else f"{value:.0f} ms" if value >= 100 else f"{value:.1f} ms"


def table(scales: list[Scale], args) -> str:
    small, large = scales[0], scales[-1]
    head = (f"| page | as | queries ({small.label}) | queries ({large.label}) | p50 / p95 ({small.label}) "
            f"| p50 / p95 ({large.label}) | req/s ({small.label}) | req/s ({large.label}) "
            f"| share of baseline ({large.label}) |")
    lines = [head, "|" + "---|" * 9]
    for before, after in zip(small.pages, large.pages, strict=True):
        flag = "" if after.status == 200 and not after.errors else f" (**{after.status}, {after.errors} not 200**)"
        lines.append(
            f"| {after.name}{flag} | {STAFF[after.who][0]} | {before.queries} | {after.queries} | "
            f"{_ms(before.p50)} / {_ms(before.p95)} | **{_ms(after.p50)} / {_ms(after.p95)}** | "
            f"{before.rps:.1f} | {after.rps:.1f} | **{after.rps / large.baseline_rps:.1%}** |")
    lines.append(f"| *bare one-read view* | anonymous | 1 | 1 | {_ms(small.baseline_p50)} | {_ms(large.baseline_p50)} "
                 f"| {small.baseline_rps:.0f} | {large.baseline_rps:.0f} | 100% |")
    return "\n".join(lines)


def section(scales: list[Scale], args) -> str:
    def held(scale: Scale) -> str:
        return ", ".join(f"{v:,} {k}" for k, v in scale.counts.items())

    explain = "; ".join(
        f"{scale.label}: police {scale.explain['police']['ms']:.2f} ms, charity {scale.explain['charity']['ms']:.2f} ms"
        for scale in scales)
    return "\n".join([
        "## Staff pages at a county's scale (issue 14)", "",
        f"`bench/bench_pages.py` ({'`--quick`, ' if args.quick else ''}{args.requests} requests per page one after "
        f"another for p50/p95; wrk with {args.concurrency} connections for {args.duration} s for throughput), "
        f"on this machine ({machine()}, shared with other work while it ran). "
        "Database built by `bench/county.py` (set-based SQL and COPY on PostgreSQL, real ciphertexts, blocking "
        "keys, a valid audit chain; see its docstring); gunicorn with 2 workers, production settings "
        "(`HEARTH_ENV=production`, `DEBUG` off, `CONN_MAX_AGE` 0 as shipped), on 127.0.0.1. Queries are counted "
        "in-process on the same database, apart from the timed requests. *Share of baseline* = the page's "
        "requests per second ÷ those of a bare view doing one indexed read, served by the same server in the "
        "same run (`bench/urls_county.py`). Pages are those of the demo's stories (Liz Walker's record and "
        "referral), which are in the database at every scale.", "",
        f"- **{scales[0].label}**: {held(scales[0])}.",
        f"- **{scales[-1].label}**: {held(scales[-1])}.", "",
        table(scales, args), "",
        f"One person check (`visible_to` for Liz's record, EXPLAIN ANALYZE execution time): {explain}.", "",
        "Goal (issue 14), at 1M people: every staff page p95 ≤ 50 ms for one user and ≥ 25% of the baseline's "
        "throughput; dashboards ≤ 300 ms; queries per page bounded by a constant.",
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=1_000_000, help="the loaded scale (the demo is the other)")
    parser.add_argument("--quick", action="store_true", help="20,000 people, fewer requests, shorter loads")
    parser.add_argument("--requests", type=int, default=None, help="sequential requests per page (p50/p95)")
    parser.add_argument("--duration", type=int, default=None, help="seconds of wrk per page")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--only", nargs="*", help="measure only pages whose name contains one of these")
    parser.add_argument("--skip-demo", action="store_true", help="measure the loaded scale only")
    parser.add_argument("--reuse", action="store_true", help="measure the database as loaded (one scale)")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    parser.add_argument("--no-docs", action="store_true", help="do not write docs/performance.md")
    args = parser.parse_args()
    if args.quick:
        args.people = min(args.people, 20_000)
    args.requests = args.requests or (20 if args.quick else 100)
    args.duration = args.duration or (5 if args.quick else 15)
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk (Debian's package)")
    say("collecting static files for production settings...")
    call_command("collectstatic", interactive=False, verbosity=0)
    plan = [(f"{args.people:,} people", args.people)]
    if not (args.skip_demo or args.reuse):
        plan.insert(0, ("demo", 0))
    scales = [measure_scale(label, people, args) for label, people in plan]
    if args.json:
        args.json.write_text(json.dumps([asdict(s) for s in scales], indent=1, default=str))
    text = section(scales, args)
    say(text)
    if not args.no_docs:
        write_section("pages", text)


if __name__ == "__main__":
    main()
