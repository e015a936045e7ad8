"""Security checks that run with the suite: headers, deploy checks, static analysis."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

REPO = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "HEARTH_ENV": "production",
    "HEARTH_SECRET_KEY": "x" * 30 + "production-only-secret-key-for-checks-0123456789",
    "HEARTH_FIELD_KEYS": "hI4Y2cOfgIaQFjDYpDnuN0mfWm8vKE8NY8a0vJdrKhI=",
    "HEARTH_BLIND_INDEX_KEY": "production-blind-index-key-for-checks",
    "HEARTH_AUDIT_KEYS": "production-audit-chain-key-for-checks",
    "HEARTH_AUDIT_CHECKPOINT_FILE": "/var/lib/hearth/audit-checkpoints.log",
    "HEARTH_ALLOWED_HOSTS": "hearth.example.org",
}


def _clean_env() -> dict[str, str]:
    # Nothing from the test process (browser tests set DJANGO_ALLOW_ASYNC_UNSAFE) may leak in.
    return {k: v for k, v in os.environ.items()
            if not k.startswith("HEARTH_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"}


def _manage(*args, env_extra=None):
    env = _clean_env()
    env.update(env_extra or {})
    return subprocess.run([sys.executable, str(REPO / "manage.py"), *args], env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def test_deploy_checks_pass_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env_extra=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("missing", ["HEARTH_SECRET_KEY", "HEARTH_FIELD_KEYS",
                                     "HEARTH_BLIND_INDEX_KEY", "HEARTH_AUDIT_KEYS",
                                     "HEARTH_AUDIT_CHECKPOINT_FILE", "HEARTH_ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_its_secrets(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = _manage("check", env_extra=env)
    assert result.returncode != 0
    assert missing in result.stderr


def test_production_refuses_the_development_keys():
    from hearth import settings as dev

    env = dict(PRODUCTION_ENV, HEARTH_SECRET_KEY=dev._DEV_SECRET_KEY)
    result = _manage("check", env_extra=env)
    assert result.returncode != 0 and "development keys" in result.stderr


def test_demo_commands_refuse_production():
    result = _manage("demo_code", "police.officer", env_extra=PRODUCTION_ENV)
    assert result.returncode != 0


def _csp(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part for part in (p.strip() for p in header.split(";")) if part}


def test_public_pages_send_strict_headers(db):
    response = Client().get("/sign-in/")
    csp = _csp(response)
    assert csp["object-src"] == "object-src 'none'"
    assert csp["base-uri"] == "base-uri 'none'"
    assert csp["frame-ancestors"] == "frame-ancestors 'none'"
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cache-Control"] == "no-store"


def test_staff_pages_are_never_cached(client_for):
    client = client_for("police.officer")
    for url in ("/home/", "/people/", "/account/"):
        assert client.get(url)["Cache-Control"] == "no-store"


def test_hsts_is_at_least_a_year_in_production():
    script = ("import django,os;os.environ['DJANGO_SETTINGS_MODULE']='hearth.settings';"
              "from django.conf import settings as s;print(s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE,"
              " s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT)")
    env = _clean_env()
    env.update(PRODUCTION_ENV, PYTHONPATH=str(REPO / "src"))
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                         check=True).stdout.split()
    assert int(out[0]) >= 31536000
    assert out[1:] == ["True", "True", "True"]


def test_pages_have_no_inline_script(client_for):
    import re

    body = client_for("police.officer").get("/home/").content.decode()
    for tag in re.findall(r"<script\b[^>]*>", body):
        assert "src=" in tag, f"inline script: {tag}"


def test_bandit_finds_no_medium_or_high_issue():
    bandit = shutil.which("bandit", path=str(Path(sys.executable).parent))
    result = subprocess.run([bandit, "-q", "-r", str(REPO / "src"), "-ll", "-c",
                             str(REPO / "pyproject.toml")], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_project_semgrep_rules_pass():
    semgrep = shutil.which("semgrep", path=str(Path(sys.executable).parent))
    result = subprocess.run(
        [semgrep, "scan", "--metrics=off", "--disable-version-check", "--quiet", "--error",
         "--config", str(REPO / ".semgrep/hearth.yml"), str(REPO / "src")],
        capture_output=True, text=True, check=False, timeout=300,
        env={**os.environ, "SEMGREP_SEND_METRICS": "off"},
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_semgrep_rules_catch_what_they_are_for(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text(
        "from hearth.people.models import Person\n"
        "from django.utils.safestring import mark_safe\n"
        "def leak(pk):\n    return Person.objects.get(pk=pk)\n"
        "def html(x):\n    return mark_safe(x)\n"
        "def sql(c):\n    c.execute('select 1')\n"
    )
    semgrep = shutil.which("semgrep", path=str(Path(sys.executable).parent))
    result = subprocess.run(
        [semgrep, "scan", "--metrics=off", "--disable-version-check", "--json",
         "--config", str(REPO / ".semgrep/hearth.yml"), str(bad)],
        capture_output=True, text=True, check=False, timeout=300,
    )
    import json

    found = {r["check_id"].rsplit(".", 1)[-1] for r in json.loads(result.stdout)["results"]}
    assert {"hearth-case-query-not-through-visible-to", "hearth-no-mark-safe",
            "hearth-no-raw-sql"} <= found
