"""Batch identity matching from the command line, no database needed.

    python -m hearth.people.linkage dedupe IN.csv --out PAIRS.csv
    python -m hearth.people.linkage link A.csv B.csv --out PAIRS.csv
    python -m hearth.people.linkage dedupe --febrl dataset.csv --out PAIRS.csv
    python -m hearth.people.linkage train IN.csv --out model.json

Input columns: record_id,given_name,surname,date_of_birth,address_line,postcode,phone,email
(any may be empty; dates as YYYY-MM-DD). With --febrl: FEBRL's columns (soc_sec_id ignored).
Output: record_id_l,record_id_r,match_probability for the pairs judged the same person.
Problems with the input are reported on stderr with their row numbers; valid rows are
still matched. Exit status: 0 done, 1 nothing could be read, 2 wrong arguments.
"""

from __future__ import annotations

import argparse
import sys
import time

from . import batch
from .em import train
from .model import DEFAULT_THRESHOLD, Model, shipped_model, starting_model
from .records import prepare


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m hearth.people.linkage", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name, files in (("dedupe", ["input"]), ("link", ["left", "right"]), ("train", ["input"])):
        command = commands.add_parser(name)
        for f in files:
            command.add_argument(f)
        command.add_argument("--out", required=True, help="where to write the pairs (or the model, for train)")
        command.add_argument("--febrl", action="store_true", help="the input has FEBRL's columns")
        if name != "train":
            command.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD,
                                 help=f"lowest match probability written (default {DEFAULT_THRESHOLD})")
            command.add_argument("--model", help="a trained model.json (default: the one shipped)")
            command.add_argument("--family-guard", choices=("auto", "on", "off"), default="auto",
                                 help="never link records whose given name or date of birth clearly differs "
                                      "(different members of one household): on, off, or auto (default: on when "
                                      "the input has households, off for data without them, such as FEBRL)")
            command.add_argument("--no-family-guard", action="store_true", help=argparse.SUPPRESS)
            command.add_argument("--no-train", action="store_true",
                                 help="score with the model as it is, without re-estimating it on the input")
        command.add_argument("--max-block", type=int, default=400, help=argparse.SUPPRESS)
    return parser


def _read(path: str, febrl: bool) -> batch.ReadResult:
    result = batch.read_records(path, febrl=febrl)
    for message in result.messages:
        print(message, file=sys.stderr)
    return result


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command != "link" and not 0.0 < getattr(args, "threshold", 0.5) <= 1.0:
        print("--threshold must be between 0 and 1", file=sys.stderr)
        return 2
    started = time.perf_counter()
    inputs = [args.left, args.right] if args.command == "link" else [args.input]
    read = [_read(path, args.febrl) for path in inputs]
    if any(not r.records for r in read):
        print("no valid records to match", file=sys.stderr)
        return 1
    if args.command == "train":
        prepared = [prepare(r) for r in read[0].records]
        model = train(prepared, start=starting_model(), max_block=args.max_block, random_pairs=1_000_000)
        model.meta = {"trained_on": f"{len(prepared)} records of {args.input}",
                      "method": "u from 1,000,000 random pairs; m by EM in three blocking sessions (date of birth "
                                "+ surname initial, date of birth + given initial, given group + surname sound), "
                                "u held fixed; prior by EM over all candidate pairs. No labels used."}
        model.save(args.out)
        print(f"trained on {len(prepared)} records: prior {model.prior:.5f}; written to {args.out}", file=sys.stderr)
        return 0
    model = Model.load(args.model) if args.model else shipped_model()
    guard = "off" if args.no_family_guard else args.family_guard
    options = {"model": model, "train": not args.no_train, "threshold": args.threshold,
               "max_block": args.max_block, "family_guard": {"auto": "auto", "on": True, "off": False}[guard]}
    if args.command == "dedupe":
        result = batch.dedupe(read[0].records, **options)
    else:
        result = batch.link(read[0].records, read[1].records, **options)
    with open(args.out, "w", encoding="utf-8", newline="") as out:
        batch.write_pairs(result.pairs, out)
    skipped = sum(r.skipped for r in read)
    decided = f" (auto: {result.household_pairs} household-like pairs)" if guard == "auto" else ""
    print(f"family guard {'on' if result.family_guard else 'off'}{decided}", file=sys.stderr)
    print(f"{sum(len(r.records) for r in read)} records ({skipped} rows skipped), {result.candidate_pairs} "
          f"candidate pairs, {len(result.pairs)} pairs written to {args.out} in "
          f"{time.perf_counter() - started:.1f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
