"""A kernel that knows no app (issue 12, items 2 and 3): the kernel imports no domain app, risk
does not import marac, and nothing outside the kernel writes the policy's own tables."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.apps import apps

import hearth

SRC = Path(hearth.__file__).parent
KERNEL = "hearth.platform"
# The policy's own data: relationships, seals, break-glass. Written by the kernel only.
GUARDED = {"AccessGrant", "RecordSeal", "BreakGlassGrant"}
# Related managers that reach them from a kernel model (Agency.grants, RecordSeal.named_users).
GUARDED_RELATIONS = {"grants", "named_users"}
WRITES = {"create", "bulk_create", "update", "bulk_update", "delete", "get_or_create", "update_or_create",
          "set", "add", "remove", "clear", "save"}


def _domain_apps() -> list[str]:
    return sorted(a.name for a in apps.get_app_configs() if a.name.startswith("hearth.") and a.name != KERNEL)


def _modules(package: str):
    """(dotted name, path, parsed tree) of every module in the package, migrations included."""
    root = SRC.joinpath(*package.split(".")[1:])
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(SRC.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        yield name, path, ast.parse(path.read_text(), filename=str(path))


def _imports(module: str, is_package: bool, tree: ast.AST) -> list[tuple[int, str]]:
    """Every module a file imports, at any level (function-level imports too), relative ones resolved;
    and every dotted name handed to import_module / import_string / __import__."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base if is_package else base[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.append((node.lineno, target))
            found += [(node.lineno, f"{target}.{alias.name}") for alias in node.names]
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) \
                and isinstance(node.args[0].value, str):
            func = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if func in {"import_module", "import_string", "__import__"}:
                found.append((node.lineno, node.args[0].value))
    return found


def _importers_of(package: str, forbidden: list[str]) -> list[str]:
    bad = []
    for module, path, tree in _modules(package):
        for line, target in _imports(module, path.name == "__init__.py", tree):
            if any(target == app or target.startswith(app + ".") for app in forbidden):
                bad.append(f"{path.relative_to(SRC.parent)}:{line} imports {target}")
    return bad


def test_the_domain_apps_are_every_hearth_app_but_the_kernel():
    assert "hearth.notify" in _domain_apps() and "hearth.people" in _domain_apps()
    assert KERNEL not in _domain_apps()


def test_the_kernel_imports_no_domain_app():
    assert _importers_of(KERNEL, _domain_apps()) == []


def test_risk_does_not_import_marac():
    """marac builds on risk; risk reaches MARAC through hearth.risk.ports only."""
    assert _importers_of("hearth.risk", ["hearth.marac"]) == []


def test_the_import_walk_sees_function_level_and_relative_imports():
    tree = ast.parse("def f():\n    from hearth.notify.services import notice_send\n"
                     "from ...notify import models\nimport_string('hearth.risk.x')\n")
    targets = [t for _, t in _imports("hearth.platform.views.home", False, tree)]
    assert "hearth.notify.services" in targets
    assert "hearth.notify" in targets  # from ...notify, in hearth.platform.views
    assert "hearth.risk.x" in targets


# ---------------------------------------------------------------------------
# Writes to AccessGrant, RecordSeal, BreakGlassGrant only in the kernel
# ---------------------------------------------------------------------------

def _chain_names(node: ast.AST) -> list[str]:
    """The names along a call chain: ``A.objects.filter(x).update(y)`` -> [A, objects, filter, update]."""
    names = []
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            names.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Name):
            names.append(node.id)
            return names[::-1]
        else:
            return names[::-1]


def _guarded_writes(tree: ast.AST) -> list[int]:
    """Lines writing a guarded table: a write method reached from a guarded model or relation,
    a guarded model constructed, or an object fetched from a guarded model saved or deleted."""
    lines = []
    bound = set()  # local names assigned from a guarded model's manager
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            if _chain_names(node.value)[:1] and _chain_names(node.value)[0] in GUARDED:
                bound |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        chain = _chain_names(node)
        if not chain:
            continue
        if chain == [chain[0]] and chain[0] in GUARDED:
            lines.append(node.lineno)  # AccessGrant(...)
        elif chain[-1] in WRITES and (chain[0] in GUARDED | bound or GUARDED_RELATIONS & set(chain[1:-1])):
            lines.append(node.lineno)
    return lines


def test_nothing_outside_the_kernel_writes_relationships_seals_or_break_glass():
    bad = []
    for app in _domain_apps():
        for _, path, tree in _modules(app):
            bad += [f"{path.relative_to(SRC.parent)}:{line}" for line in _guarded_writes(tree)]
    assert bad == [], "write through hearth.platform.grants (or the kernel's services): " + ", ".join(bad)


@pytest.mark.parametrize("code", [
    "AccessGrant.objects.filter(pk=1).update(ends_at=None)",
    "AccessGrant.objects.create(agency=a)",
    "AccessGrant(agency=a).save()",
    "RecordSeal.objects.filter(pk=1).delete()",
    "BreakGlassGrant.objects.filter(pk=g.pk).update(starts_at=s)",
    "g = BreakGlassGrant.objects.get(pk=1)\ng.save()",
    "agency.grants.update(ends_at=None)",
    "seal.named_users.set([u])",
])
def test_the_write_check_catches_what_it_is_for(code):
    assert _guarded_writes(ast.parse(code))


def test_the_write_check_lets_reads_through():
    assert not _guarded_writes(ast.parse("AccessGrant.objects.filter(agency=a).exists()\n"
                                         "RecordSeal.objects.filter(pk=1).values_list('pk')"))
