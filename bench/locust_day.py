"""The demo partnership's day, for locust (run by bench/bench_load.py, which sets the environment).

Each simulated user is a session of its own, signed in through the real pages: the sign-in form,
then the second-factor form with one of the recovery codes the driver issued (HEARTH_LOAD_CODES).
Every form is read from the page first (CSRF token, the referral's fresh idempotency key, the
choices offered) and posted as a browser would. Every step says what it expects; anything else is
a failure (locust counts it as an error). Where two workers race for one thing (accepting the
same referral, the last of an item in stock), the service's polite refusal is the expected answer
of the loser: the step succeeds and the outcome is counted (in HEARTH_LOAD_RESULTS, with the figures).
"""

from __future__ import annotations

import json
import os
import random
import re
import sys
from collections import Counter
from datetime import date
from pathlib import Path

from locust import HttpUser, between, events, task

sys.path.insert(0, str(Path(__file__).resolve().parent))

from htmlforms import form_with  # noqa: E402

PASSWORD = "hearth-demo-2026"  # noqa: S105 - the demo's printed password (hearth.demo.world)
CODES: dict[str, list[str]] = json.loads(Path(os.environ["HEARTH_LOAD_CODES"]).read_text())
OUTCOMES: Counter = Counter()
LOW, HIGH = (float(x) for x in os.environ.get("HEARTH_LOAD_THINK", "0.5-1.5").split("-"))
# Surnames of the demo's people (hearth.demo.world.FAMILY): what staff type into the search.
SURNAMES = ["Walker", "Hussain", "Nowak", "Popa", "Bennett", "Khan", "Wozniak", "Stan", "Barlow", "Ahmed",
            "Lewandowski", "Dumitru", "Hollins", "Iqbal", "Shenton", "Rogers", "Mahmood"]
# The service's answer to the loser of a race: expected, not an error.
ALREADY_ANSWERED = "Only a referral awaiting a response can be accepted."
STOCK_TAKEN = ("available at", "no longer open", "still needed")


@events.quitting.add_listener
def _save_results(environment, **_kwargs):
    """The figures as locust holds them when it quits (after the last task has finished, unlike
    its CSV files): per named request, the sign-ins apart, the day's work and all requests."""
    from locust.stats import StatsEntry

    def row(entry, name=None):
        return {"name": name or f"{entry.method} {entry.name}", "requests": entry.num_requests,
                "errors": entry.num_failures, "rps": entry.total_rps, "max": entry.max_response_time,
                **{p: entry.get_response_time_percentile(q) if entry.num_requests else 0
                   for p, q in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99))}}

    stats = environment.stats
    entries = sorted(stats.entries.values(), key=lambda e: (e.name.startswith("sign-in"), e.name))
    work = StatsEntry(stats, "the day's work", "", use_response_times_cache=False)
    for entry in entries:
        if not entry.name.startswith("sign-in"):
            work.extend(entry)
    work.start_time, work.last_request_timestamp = stats.total.start_time, stats.total.last_request_timestamp
    Path(os.environ["HEARTH_LOAD_RESULTS"]).write_text(json.dumps({
        "rows": [row(e) for e in entries],
        "work": row(work, "**the day's work (all but signing in)**"),
        "total": row(stats.total, "**all requests**"),
        "errors": [{"request": f"{e.method} {e.name}", "error": str(e.error), "count": e.occurrences}
                   for e in stats.errors.values()],
        "outcomes": dict(OUTCOMES),
    }, indent=1))


def _today() -> str:
    today = date.today()
    return f"{today.day} {today.month} {today.year}"


def _ids(html: str, pattern: str) -> list[str]:
    return sorted(set(re.findall(pattern, html)), key=int)


class Staff(HttpUser):
    abstract = True
    username = ""
    agency_choice = 0  # which of several memberships to act for (the order the page offers them)
    wait_time = between(LOW, HIGH)

    def on_start(self):
        code = CODES[self.username].pop()
        page = self.get("/sign-in/", "sign-in: form")
        form = form_with(page, "password")
        page = self.post("/sign-in/", form.data(username=self.username, password=PASSWORD), "sign-in: password",
                         ends="/sign-in/code/")
        form = form_with(page, "code")
        with self.client.post("/sign-in/code/", data=form.data(code=code), name="sign-in: second factor",
                              catch_response=True) as response:
            if response.status_code != 200 or not response.url.endswith(("/home/", "/sign-in/agency/")):
                response.failure(f"second factor not accepted: {response.status_code} {response.url}")
                raise RuntimeError(f"{self.username} could not sign in")
            page = response.text
        if response.url.endswith("/sign-in/agency/"):
            form = form_with(page, "membership")
            self.post("/sign-in/agency/", form.data(membership=form.choices["membership"][self.agency_choice]),
                      "sign-in: choose agency", ends="/home/")

    # -- requests that say what they expect ------------------------------------------------------

    def get(self, url: str, name: str) -> str:
        with self.client.get(url, name=name, catch_response=True) as response:
            if response.status_code != 200 or (response.history and _signed_out(response.url)):
                response.failure(f"{response.status_code} at {response.url}")
                raise _Stop
            return response.text

    def post(self, url: str, data, name: str, *, ends: str | None = None, polite: tuple[str, ...] = (),
             outcome: str = "", refused: str = "") -> str | None:
        """POST ``data``; success is a 200 after a redirect (to a page ending ``ends`` if given),
        counted under ``outcome``. A 400 whose page says one of ``polite`` is the service refusing
        the loser of a race: counted under ``refused`` and returned as None."""
        with self.client.post(url, data=data, name=name, catch_response=True) as response:
            moved = bool(response.history)
            if response.status_code == 200 and moved and (ends is None or response.url.endswith(ends)) and \
                    not _signed_out(response.url):
                if outcome:
                    OUTCOMES[outcome] += 1
                return response.text
            if response.status_code == 400 and any(p in response.text for p in polite):
                response.success()
                OUTCOMES[refused] += 1
                return None
            response.failure(f"{response.status_code} at {response.url}: {_errors(response.text)}")
            raise _Stop

    def csrf(self, html: str) -> str:
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def _signed_out(url: str) -> bool:
    return url.split("?")[0].rstrip("/").endswith(("/sign-in", "/signed-out"))


class _Stop(Exception):
    """A step failed (already counted by locust): end this task, go on with the next."""


def _errors(html: str) -> str:
    found = re.findall(r'<a href="#[^"]*">([^<]+)</a>', html.split("govuk-error-summary", 1)[-1][:5000]) \
        if "govuk-error-summary" in html else []
    return "; ".join(found) or "no error message on the page"


def _guard(step):
    def run(self):
        try:
            step(self)
        except _Stop:
            pass
    run.__name__ = step.__name__
    return run


class PoliceOfficer(Staff):
    """Searches, opens people, refers them to the Alice Charity."""

    username = "police.officer"
    fixed_count = int(os.environ.get("HEARTH_LOAD_POLICE", "4"))

    @task(3)
    @_guard
    def look_someone_up(self):
        page = self.get(f"/people/?q={random.choice(SURNAMES).lower()}", "police: search people")
        people = _ids(page, r'href="/people/(\d+)/"')
        if people:
            self.get(f"/people/{random.choice(people)}/", "police: person page")

    @task(2)
    @_guard
    def refer_to_the_charity(self):
        page = self.get(f"/people/?q={random.choice(SURNAMES).lower()}", "police: search people")
        people = _ids(page, r'href="/people/(\d+)/"')
        if not people:
            return
        person = random.choice(people)
        page = self.get(f"/people/{person}/", "police: person page")
        page = self.get(f"/referrals/new/for/{person}/", "police: referral form")
        form = form_with(page, "idempotency_key")
        charity = os.environ["HEARTH_LOAD_CHARITY_AGENCY"]
        if charity not in form.choices["to_agency"]:
            OUTCOMES["referral not offered to the charity"] += 1
            return
        parts = [p for p in ("identity", "risk_level", "needs") if p in form.choices["shared_parts"]]
        self.post(f"/referrals/new/for/{person}/", form.data(
            to_agency=charity, reasons="practical_items", shared_parts=parts, lawful_basis="consent",
            consent_taken_on=_today(), send_anyway="on", needs="Beds and bedding, a cooker.",
        ), "police: send referral", ends=None, outcome="referral sent")

    @task(1)
    @_guard
    def home(self):
        self.get("/home/", "police: home")


class CharityWorker(Staff):
    """Works the inbox: accepts referrals, opens support cases, records needs, reserves stock."""

    username = "charity.worker"
    fixed_count = int(os.environ.get("HEARTH_LOAD_CHARITY", "2"))

    @task(3)
    @_guard
    def accept_and_support(self):
        page = self.get("/referrals/?view=new", "charity: inbox (new)")
        waiting = re.findall(r'href="/referrals/(\d+)/"', page)
        if not waiting:
            OUTCOMES["inbox empty"] += 1
            return
        # Half the time the top of the inbox, as the queue is worked: two workers then race for
        # one referral, and the loser must get the service's polite refusal, never an error.
        referral = waiting[0] if random.random() < 0.5 else random.choice(waiting)
        page = self.get(f"/referrals/{referral}/", "charity: referral")
        form = next((f for f in _forms_of(page) if f.action.endswith("/accept/")), None)
        if form is None:  # answered by the other worker since the inbox was read
            OUTCOMES["referral already answered when opened"] += 1
            return
        worker = random.choice([c for c in form.choices["assigned_to"] if c])
        if self.post(form.action, form.data(assigned_to=worker), "charity: accept referral",
                     ends=f"/referrals/{referral}/", polite=(ALREADY_ANSWERED,), outcome="referral accepted",
                     refused="acceptance refused: another worker had accepted it") is None:
            return
        page = self.post(f"/support/families/open/{referral}/", {"csrfmiddlewaretoken": self.csrf(page)},
                         "charity: open support case", outcome="support case opened")
        case = re.search(r'/support/families/(\d+)/needs/new/', page)
        if case:
            self.record_need_and_reserve(case.group(1))

    def record_need_and_reserve(self, case: str):
        page = self.get(f"/support/families/{case}/", "charity: support case")
        before = set(_ids(page, r'/support/needs/(\d+)/allocate/'))
        page = self.get(f"/support/families/{case}/needs/new/", "charity: need form")
        form = form_with(page, "item")
        item = random.choice([c for c in form.choices["item"] if c])
        # A size for every item: clothes and uniform need one; the rest ignore it.
        data = form.data(item=item, quantity=1, size="age 9", urgency="this_week")
        page = self.post(f"/support/families/{case}/needs/new/", data, "charity: record need",
                         ends=f"/support/families/{case}/", outcome="need recorded")
        mine = [n for n in _ids(page, r'/support/needs/(\d+)/allocate/') if n not in before]
        if not mine:
            return
        need = mine[-1]
        page = self.get(f"/support/needs/{need}/allocate/", "charity: reserve form")
        form = form_with(page, "quantity")
        if not dict(form.values).get("quantity"):
            OUTCOMES["nothing in stock to reserve"] += 1
            return
        self.post(f"/support/needs/{need}/allocate/", form.data(), "charity: reserve stock",
                  ends=f"/support/families/{case}/", polite=STOCK_TAKEN, outcome="stock reserved",
                  refused="reservation refused: another worker took the stock")

    @task(1)
    @_guard
    def overview(self):
        self.get("/support/", "charity: dashboard")
        page = self.get("/support/families/", "charity: support cases")
        cases = _ids(page, r'href="/support/families/(\d+)/"')
        if cases:
            self.get(f"/support/families/{random.choice(cases)}/", "charity: support case")


class Idva(Staff):
    """Opens the caseload and people's risk pages; completes DASH assessments."""

    username = "idva"
    agency_choice = 0  # New Era – victim services (her other membership is the MARAC)
    fixed_count = int(os.environ.get("HEARTH_LOAD_IDVA", "2"))

    @task(2)
    @_guard
    def caseload(self):
        page = self.get("/risk/caseload/", "idva: caseload")
        people = _ids(page, r'href="/risk/person/(\d+)/"')
        if people:
            self.get(f"/risk/person/{random.choice(people)}/", "idva: risk page")

    @task(3)
    @_guard
    def assess(self):
        page = self.get(f"/people/?q={random.choice(SURNAMES).lower()}", "idva: search people")
        people = _ids(page, r'href="/people/(\d+)/"')
        if not people:
            return
        person = random.choice(people)
        self.get(f"/people/{person}/", "idva: person page")
        page = self.get(f"/risk/person/{person}/", "idva: risk page")
        if f"/risk/person/{person}/assessments/new/" not in page:
            OUTCOMES["no assessment offered (not hers to assess)"] += 1
            return
        page = self.get(f"/risk/person/{person}/assessments/new/?tool_version=1", "idva: DASH form")
        form = form_with(page, "q_injury")
        answers = {name: random.choice(values) for name, values in form.choices.items() if name.startswith("q_")}
        self.post(f"/risk/person/{person}/assessments/new/", form.data(
            **answers, mode="with_survivor", assessed_on=_today(), fears_most="That he will find the new address.",
            action="submit"), "idva: submit DASH", outcome="DASH assessment submitted")


def _forms_of(html: str):
    from htmlforms import forms

    return forms(html)
