"""Shared pieces of the benchmarks: timing, scores, Splink runs and docs/performance.md sections."""

from __future__ import annotations

import logging
import os
import platform
import re
import resource
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))
DOC = ROOT / "docs" / "performance.md"
HEADER = """# Performance of identity matching

Figures written by `make bench` (scripts in `bench/`), on this machine: {machine}.
Each section is rewritten by its own script; Splink is run in the same script, on the same data,
so the figures side by side are comparable. "Hearth" is `hearth.people.linkage` at its default
threshold (match probability ≥ 0.7); Splink at 0.5, the issue's anchor.
"""


def machine() -> str:
    cpus = os.cpu_count()
    try:
        mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        mem = 0
    return f"{platform.machine()}, {cpus} cores, {mem:.0f} GB RAM, Python {platform.python_version()}"


def write_section(name: str, markdown: str) -> None:
    """Replace (or add) this benchmark's section of docs/performance.md."""
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else HEADER.format(machine=machine())
    begin, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    block = f"{begin}\n{markdown.strip()}\n{end}"
    if begin in text:
        text = re.sub(re.escape(begin) + r".*?" + re.escape(end), lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    DOC.write_text(text, encoding="utf-8")


@contextmanager
def timed(into: dict, key: str):
    started = time.perf_counter()
    yield
    into[key] = time.perf_counter() - started


def peak_memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def scores(found: set, truth: set) -> dict:
    tp = len(found & truth)
    precision = tp / len(found) if found else 0.0
    recall = tp / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "tp": tp, "fp": len(found) - tp,
            "fn": len(truth) - tp}


def row(name: str, s: dict, seconds: float, extra: str = "") -> str:
    return (f"| {name} | {s['precision']:.4f} | {s['recall']:.4f} | **{s['f1']:.4f}** | {s['fp']} | {s['fn']} | "
            f"{seconds:.1f} s |{extra}")


def quiet_splink() -> None:
    for name in ("splink", "duckdb"):
        logging.getLogger(name).setLevel(logging.ERROR)


def say(*parts) -> None:
    print(*parts, flush=True)
