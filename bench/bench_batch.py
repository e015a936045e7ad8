"""Batch dedupe of a large file with the command anyone can run (no database): time and peak
memory of `python -m hearth.people.linkage dedupe`, including its unsupervised retraining on
the file, and the precision/recall against the truth.

    nice -n 19 .venv/bin/python bench/bench_batch.py --records 1000000
"""

from __future__ import annotations

import argparse
import csv
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import ukgen
from common import ROOT, say, scores, write_section


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--max-block", type=int, default=None,
                        help="the command's largest block (default: its own, 400)")
    parser.add_argument("--section", default="batch")
    args = parser.parse_args()
    extra = ["--max-block", str(args.max_block)] if args.max_block else []
    lines = ["## Batch dedupe of a large file", "",
             "`python -m hearth.people.linkage dedupe IN.csv --out PAIRS.csv` on synthetic UK-style files "
             "(`bench/ukgen.py`, seed 4), one process on this 2-core machine, including reading, blocking, "
             "unsupervised retraining on the file and writing the pairs. Peak memory is the command's maximum "
             "resident set size. The command scores at most 12 candidate pairs per record (see below), so on "
             "a file this size it leaves out the largest blocks; the generator's short lists of given names and "
             "surnames make those blocks far larger than real names would, which is what costs the recall here "
             "(0.91 at 209,000 records).", "",
             "| Records | time | peak memory | pairs written | precision | recall | F1 |",
             "|---|---|---|---|---|---|---|"]
    for n in args.records:
        with tempfile.TemporaryDirectory() as tmp:
            source, out = Path(tmp) / "in.csv", Path(tmp) / "pairs.csv"
            records, truth, _ = ukgen.generate(int(n / 1.55), seed=4)
            ukgen.write_csv(records, source)
            say(f"{len(records)} records written; deduping...")
            before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            started = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "hearth.people.linkage", "dedupe", str(source), "--out",
                                   str(out), *extra], cwd=ROOT, capture_output=True, text=True, check=False)
            seconds = time.perf_counter() - started
            peak = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) / 1024
            say(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "(no output)")
            if done.returncode != 0:
                raise SystemExit(done.stderr)
            with out.open(encoding="utf-8") as f:
                found = {tuple(sorted((r["record_id_l"], r["record_id_r"]))) for r in csv.DictReader(f)}
        s = scores(found, truth)
        size = f"{len(records):,}" + (f" (max block {args.max_block})" if args.max_block else "")
        lines.append(f"| {size} | {seconds:.0f} s | {peak:,.0f} MB | {len(found):,} | {s['precision']:.4f} | "
                     f"{s['recall']:.4f} | {s['f1']:.4f} |")
        say(lines[-1])
        write_section(args.section, "\n".join(lines))


if __name__ == "__main__":
    main()
