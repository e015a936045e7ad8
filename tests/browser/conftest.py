"""Browser tests: Playwright driving Debian's Chromium against a live server."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "guide" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing: `make test` installs Debian's chromium package.")
        pytest.skip("Chromium is not installed (make test installs it)")
    # Playwright's sync API runs an event loop; Django refuses ORM calls in async context
    # unless told this is a test process.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, transactional_db):
    from django.contrib.contenttypes.models import ContentType

    from hearth.demo import world

    ContentType.objects.clear_cache()
    # Each browser test starts from the demo as loaded: the first loads it (through the services,
    # as `make demo` does) and keeps a copy of every table; later ones put the copy back, which on
    # PostgreSQL takes well under a second instead of a full load.
    if not _demo_copy_restore():
        world.load()
        _demo_copy_take()
    ContentType.objects.clear_cache()
    SIGNED_IN.clear()  # the reloaded demo has fresh authenticators: their codes may be used again
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1100, "height": 900})
    page = context.new_page()
    yield page
    context.close()


# table -> its rows in PostgreSQL's COPY format, taken after the first demo load of the session.
_DEMO_COPY: dict[str, bytes] = {}


def _copied_tables() -> list[str]:
    from django.db import connection

    return [t for t in connection.introspection.table_names() if t != "django_migrations"]


def _demo_copy_take() -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in _copied_tables():
            chunks = []
            # Table names come from the database's own catalogue, not from input.
            with cursor.cursor.copy(f'COPY "{table}" TO STDOUT') as copy:
                chunks.extend(bytes(chunk) for chunk in copy)
            _DEMO_COPY[table] = b"".join(chunks)


def _demo_copy_restore() -> bool:
    """Put the copied demo back (empty every table, COPY the rows in, reset the sequences)."""
    from django.apps import apps
    from django.core.management.color import no_style
    from django.db import connection, transaction

    if connection.vendor != "postgresql" or not _DEMO_COPY:
        return False
    tables = _copied_tables()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")
        # Foreign keys are deferred to commit, so tables may be filled in any order.
        for table in tables:
            if _DEMO_COPY.get(table):
                with cursor.cursor.copy(f'COPY "{table}" FROM STDIN') as copy:
                    copy.write(_DEMO_COPY[table])
        for statement in connection.ops.sequence_reset_sql(no_style(), apps.get_models()):
            cursor.execute(statement)
    return True


# Users signed in with an authenticator code during the current test.
SIGNED_IN: set[str] = set()


def sign_in_as(page, username: str, agency_slug: str | None = None) -> None:
    """Sign a demo user in through the real pages: password, second factor, agency if asked."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from hearth.demo import world
    from hearth.platform.models import Membership, User
    from hearth.staff.services import recovery_codes_replace

    page.context.clear_cookies()
    page.goto("/sign-in/")
    page.get_by_label("Username or email address").fill(username)
    page.locator("#id_password").fill(world.DEMO_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/sign-in/code/")
    # Each authenticator code works once: signing the same person in again within 30 seconds
    # uses a recovery code instead, as a person without their phone would.
    user = User.objects.get(username=username)
    if username in SIGNED_IN:
        code = recovery_codes_replace(user=user)[0]
    else:
        code = world.current_code(TOTPDevice.objects.get(user=user, confirmed=True))
        SIGNED_IN.add(username)
    page.get_by_label("Security code").fill(code)
    page.get_by_role("button", name="Continue").click()
    if agency_slug:
        membership = Membership.objects.get(user__username=username, agency__slug=agency_slug)
        page.locator(f"input[name=membership][value='{membership.pk}']").check()
        page.get_by_role("button", name="Continue").click()
    page.wait_for_selector("h1")


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def assert_accessible(page) -> None:
    """axe-core (WCAG 2.2 A/AA rules) finds no violation on the current page."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": [
        "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}})
    violations = results.response["violations"]
    assert not violations, "\n".join(
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes: {v['nodes'][0]['target']})"
        for v in violations)
