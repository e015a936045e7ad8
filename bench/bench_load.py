"""The partnership's day under load (issue 13, item 6): locust drives the demo partnership's staff
against gunicorn and PostgreSQL for a fixed time and reports throughput, p50/p95/p99 and errors.

    nice -n 19 .venv/bin/python bench/bench_load.py                    # 60 s, writes docs/performance.md
    nice -n 19 .venv/bin/python bench/bench_load.py --duration 30 --no-docs

What it does:
1. makes its own database again (``HEARTH_BENCH_LOAD_DATABASE_URL``, default ``hearth_bench_load``;
   never ``hearth``, ``test`` or ``test_*``: it is dropped on every run), migrates it and loads the
   demo partnership (``hearth.demo.world.load()``), with production settings and keys of its own
   (``county.bench_environment()``);
2. issues each demo user taking part a fresh set of recovery codes (``recovery_codes_replace``):
   every simulated user signs in through the real pages (password, then a recovery code as its
   second factor, as someone without their phone would; a TOTP code works once per 30 seconds,
   too few for several sessions of one demo user), so no session is written behind the server's back;
3. starts gunicorn (2 workers, production settings, 127.0.0.1 only) and the task worker
   (``manage.py run_worker``, which sends the notifications the referrals queue);
4. runs locust headless (``bench/locust_day.py``) for ``--duration`` seconds: police officers
   search, open people and refer them to the Alice Charity; charity workers work their inbox,
   accept referrals, open support cases, record needs and reserve stock; IDVAs open their caseload
   and people's risk pages and complete DASH assessments;
5. lets the task worker catch up (at most 30 s) and counts the background tasks by state;
6. prints requests per second, p50/p95/p99 per named request, for the day's work and overall,
   the errors and the outcomes of the steps, writes them to docs/performance.md (section "load"),
   and exits non-zero on any error or failed task. An error is any answer other than the one the step expects
   (a 4xx or 5xx, a form shown again with errors, a redirect to the sign-in page). A referral
   another worker accepted first is answered politely by the service ("already accepted"): that
   is the expected outcome of a race, counted as such, not an error.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HEARTH_BENCH_DATABASE_URL", os.environ.get(
    "HEARTH_BENCH_LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hearth_bench_load"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import county  # noqa: E402

# The worker sends mail: production's SMTP relay is not here, so mail goes nowhere.
os.environ["HEARTH_EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"
os.environ.setdefault("HEARTH_BENCH_STATIC_ROOT", "/tmp/hearth_bench_load_static")  # noqa: S108
county.STATIC_ROOT = Path(os.environ["HEARTH_BENCH_STATIC_ROOT"])
county.setup_django("settings_county")

from common import machine, say, write_section  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from hearth.platform.models import Agency, User  # noqa: E402
from hearth.staff.services import recovery_codes_replace  # noqa: E402

LOCUSTFILE = Path(__file__).resolve().parent / "locust_day.py"
# Who takes part, and how many sessions of each (locust's fixed_count in locust_day.py).
ROLES = {"police.officer": "police officer", "charity.worker": "charity worker", "idva": "IDVA"}


def prepare() -> dict:
    """The database again, migrated, with the demo; recovery codes for the users taking part."""
    from hearth.demo import world

    county.recreate_database()
    connection.close()
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    counts = world.load()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    say(f"database {county.database_name()}: migrated and demo loaded in {time.perf_counter() - started:.0f} s "
        f"({counts.get('people')} people)")
    call_command("collectstatic", interactive=False, verbosity=0)
    codes = {username: recovery_codes_replace(user=User.objects.get(username=username)) for username in ROLES}
    os.environ["HEARTH_LOAD_CHARITY_AGENCY"] = str(Agency.objects.get(slug="alice-charity").pk)
    connection.close()
    return codes


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env() -> dict:
    return {**os.environ, **county.bench_environment(), "DJANGO_SETTINGS_MODULE": "settings_county",
            "PYTHONPATH": f"{county.ROOT / 'src'}:{county.ROOT / 'bench'}"}


def start_server(port: int, workers: int) -> subprocess.Popen:
    import http.client

    gunicorn = Path(sys.executable).with_name("gunicorn")
    if not gunicorn.exists():
        raise SystemExit("gunicorn is missing: pip install -e '.[bench]'")
    server = subprocess.Popen(
        [str(gunicorn), "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
         "--timeout", "120", "hearth.wsgi:application"], env=_env(), cwd=county.ROOT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", "/bench/baseline/")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise SystemExit("gunicorn did not answer within 60 s")


WORKER_LOG = Path(tempfile.gettempdir()) / "hearth_bench_load_worker.log"


def start_worker() -> subprocess.Popen:
    # Its log (a line per task) goes to a file: read it if the notifications misbehave.
    with open(WORKER_LOG, "w") as log:
        return subprocess.Popen([sys.executable, "manage.py", "run_worker", "--interval", "0.5"], env=_env(),
                                cwd=county.ROOT, stdout=log, stderr=subprocess.STDOUT)


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def run_locust(port: int, args, codes: dict, out: Path) -> dict:
    """Run the day; locust_day.py writes its figures to results.json when locust quits."""
    locust = Path(sys.executable).with_name("locust")
    if not locust.exists():
        raise SystemExit("locust is missing: pip install -e '.[bench]'")
    (out / "codes.json").write_text(json.dumps(codes))
    env = {**_env(), "HEARTH_LOAD_CODES": str(out / "codes.json"), "HEARTH_LOAD_RESULTS": str(out / "results.json"),
           "HEARTH_LOAD_POLICE": str(args.police), "HEARTH_LOAD_CHARITY": str(args.charity),
           "HEARTH_LOAD_IDVA": str(args.idva)}
    users = args.police + args.charity + args.idva
    # --stop-timeout: when the time is up, each user finishes the step it is in (a user stopped
    # half-way through a form would leave a request cut off, not an answer).
    subprocess.run(
        [str(locust), "-f", str(LOCUSTFILE), "--headless", "--host", f"http://127.0.0.1:{port}",
         "--users", str(users), "--spawn-rate", str(users), "--run-time", f"{args.duration}s",
         "--stop-timeout", "60", "--only-summary", "--loglevel", "WARNING", "--exit-code-on-error", "0"],
        env=env, cwd=county.ROOT, check=True, timeout=args.duration + 300)
    return json.loads((out / "results.json").read_text())


def _ms(value: float) -> str:
    return f"{value / 1000:.1f} s" if value >= 10_000 else f"{value:.0f} ms"


def table(results: dict) -> str:
    lines = ["| request | requests | errors | req/s | p50 | p95 | p99 | max |", "|---|---|---|---|---|---|---|---|"]
    for row in [*results["rows"], results["work"], results["total"]]:
        lines.append(f"| {row['name']} | {row['requests']} | {row['errors']} | {row['rps']:.1f} | {_ms(row['p50'])} "
                     f"| {_ms(row['p95'])} | {_ms(row['p99'])} | {_ms(row['max'])} |")
    return "\n".join(lines)


def section(results: dict, args, seconds: float, load: str, tasks: dict[str, int]) -> str:
    errors = results["total"]["errors"]
    queued = ", ".join(f"{v:,} {k.lower()}" for k, v in sorted(tasks.items())) or "none"
    happened = ", ".join(f"{k}: {v:,}" for k, v in sorted(results["outcomes"].items())) or "none recorded"
    return "\n".join([
        "## The partnership's day under load (issue 13)", "",
        f"`bench/bench_load.py` (locust {_locust_version()}, `bench/locust_day.py`): {args.police} police officers, "
        f"{args.charity} charity workers and {args.idva} IDVAs, each a session of its own signed in through the "
        "real sign-in and second-factor pages (a recovery code each), with a think time of "
        f"{args.think} s between steps, for {args.duration} s against gunicorn ({args.workers} workers, production "
        "settings, `CONN_MAX_AGE` 0 as shipped) and PostgreSQL, with the task worker running. The database is "
        "made again each run: the demo partnership as `load_demo` loads it.", "",
        "- **Police officer**: searches people (`/people/?q=` a surname), opens a person's page, opens the "
        "referral form and refers them to the Alice Charity (the form's own CSRF token and fresh idempotency "
        "key each time).",
        "- **Charity worker**: opens the inbox of new referrals, opens one and accepts it (assigning a worker), "
        "opens the support case from it, records a need, reserves stock for it; opens the dashboard, the support "
        "cases and a case.",
        "- **IDVA**: opens her caseload and a risk page; searches, opens a person's page and risk page and, "
        "where the page offers it, completes a DASH risk checklist (every question answered) and submits it.", "",
        f"Machine: {machine()}, shared with other engineers' test runs while it ran (load average {load} "
        "at the end; the whole benchmark runs under `nice -n 19`, so the server got what was left). "
        f"The run took {seconds:.0f} s.", "",
        f"**Errors: {errors}**, and {tasks.get('FAILED', 0)} failed background tasks. An error is any answer "
        "other than the one the step expects: a 4xx or 5xx, a form "
        "shown again with errors, a redirect to the sign-in page. The loser of a race (two charity workers "
        "accepting one referral, or taking the last of an item) gets the service's polite refusal, which is "
        "the expected answer and counted among the outcomes, not as an error.", "",
        f"Outcomes: {happened}. Background tasks (notifications the steps queued), once the worker had "
        f"caught up: {queued}.", "",
        table(results), "",
        "Zero errors is the bar. The latencies are for comparing versions on the same machine: two shared cores "
        "run gunicorn, PostgreSQL, the task worker and locust itself; a row of a few dozen requests has for p95 "
        "and p99 its slowest one or two, so compare the two totals. Signing in is slow on purpose (argon2 "
        "hashing the password), and every user signs in at the same moment, so it is kept apart from the day's "
        "work. Run it with `make bench` (every benchmark; this one for `BENCH_LOAD_SECONDS`, default 60) or "
        "alone: `nice -n 19 .venv/bin/python bench/bench_load.py [--duration 60] [--police 4 --charity 2 "
        "--idva 2] [--no-docs]`.",
    ] + ([] if not results["errors"] else ["", "Errors seen:", "",
                                           *[f"- {e['request']}: {e['error']} ({e['count']}×)"
                                             for e in results["errors"]]]))


def tasks_after(wait: float = 30.0) -> dict[str, int]:
    """Let the worker finish what the day queued (at most ``wait`` seconds), then count the tasks
    by state: a failed notification is an error of the day too."""
    from django.db.models import Count
    from django_tasks_db.models import DBTaskResult

    deadline = time.monotonic() + wait
    while DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).exists() and time.monotonic() < deadline:
        time.sleep(0.5)
    counts = dict(DBTaskResult.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    connection.close()
    return counts


def _locust_version() -> str:
    from importlib.metadata import version

    return version("locust")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=int(os.environ.get("BENCH_LOAD_SECONDS", "60")),
                        help="seconds of load (default 60, or BENCH_LOAD_SECONDS)")
    parser.add_argument("--police", type=int, default=4, help="police officer sessions")
    parser.add_argument("--charity", type=int, default=2, help="charity worker sessions")
    parser.add_argument("--idva", type=int, default=2, help="IDVA sessions")
    parser.add_argument("--think", default="0.5-1.5", help="seconds between a user's steps, low-high")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--no-docs", action="store_true", help="do not write docs/performance.md")
    args = parser.parse_args()
    for n in (args.police, args.charity, args.idva):
        if not 0 <= n <= 10:
            raise SystemExit("at most 10 sessions per role: each signs in with one of 10 recovery codes")
    os.environ["HEARTH_LOAD_THINK"] = args.think
    codes = prepare()
    port = free_port()
    server = start_server(port, args.workers)
    worker = start_worker()
    started = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory(prefix="hearth_load_") as tmp:
            results = run_locust(port, args, codes, Path(tmp))
        seconds = time.perf_counter() - started
        tasks = tasks_after()
    finally:
        stop(worker)
        stop(server)
    load = f"{os.getloadavg()[0]:.1f}"
    text = section(results, args, seconds, load, tasks)
    say(text)
    if not args.no_docs:
        write_section("load", text)
    errors, requests = results["total"]["errors"], results["total"]["requests"]
    if errors or tasks.get("FAILED") or not results["work"]["requests"]:
        raise SystemExit(f"load benchmark: {errors} errors in {requests} requests, "
                         f"{tasks.get('FAILED', 0)} failed tasks (log: {WORKER_LOG})")


if __name__ == "__main__":
    main()
