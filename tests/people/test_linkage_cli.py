"""The batch command: dedupe, link, FEBRL columns, training, and bad input with row numbers."""

from __future__ import annotations

import csv
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

from hearth.people.linkage.__main__ import main

HEADER = "record_id,given_name,surname,date_of_birth,address_line,postcode,phone,email\n"
PEOPLE = (
    "a1,Elizabeth,Walker,1992-03-14,\"Flat 3, 27 Hartshill Road\",ST4 7NH,07700 900431,\n"
    "a2,Jodie,Walker,1997-12-01,14 Moorland Road,ST6 1DW,,\n"
    "a3,Mohammed,Hussain,1988-07-02,5 Leek Road,ST1 5NP,,m.hussain@example.org\n"
    "a4,Mia,Walker,2017-06-02,\"Flat 3, 27 Hartshill Road\",ST4 7NH,,\n"
)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _pairs(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_dedupe_writes_the_pairs_judged_the_same_person(tmp_path, capsys):
    source = _write(tmp_path, "in.csv", HEADER + PEOPLE + "a5,Liz,Walker,1992-03-14,2 Lichfield Street,ST1 3EA,,\n"
                    "a6,Muhammad,Husain,1988-02-07,,,,\n")
    out = tmp_path / "pairs.csv"
    assert main(["dedupe", str(source), "--out", str(out)]) == 0
    rows = _pairs(out)
    assert list(rows[0]) == ["record_id_l", "record_id_r", "match_probability"]
    found = {frozenset((r["record_id_l"], r["record_id_r"])) for r in rows}
    assert found == {frozenset({"a1", "a5"}), frozenset({"a3", "a6"})}
    assert all(0.5 <= float(r["match_probability"]) <= 1 for r in rows)
    assert "6 records" in capsys.readouterr().err


def test_link_matches_across_two_files(tmp_path):
    left = _write(tmp_path, "a.csv", HEADER + PEOPLE)
    right = _write(tmp_path, "b.csv", HEADER + "b1,Liz,Walker,1992-14-03,,,+44 7700 900431,\n"
                                               "b2,Mia,Walker,2017-06-02,,,,\n")
    out = tmp_path / "pairs.csv"
    assert main(["link", str(left), str(right), "--out", str(out)]) == 0
    found = {(r["record_id_l"], r["record_id_r"]) for r in _pairs(out)}
    assert found == {("a1", "b1"), ("a4", "b2")}


def test_febrl_columns_are_read_without_the_identifier(tmp_path):
    febrl = ("rec_id,given_name,surname,street_number,address_1,address_2,suburb,postcode,state,date_of_birth,"
             "soc_sec_id\n"
             "rec-1-org,kate,peat,12,miller street,,bega,2550,nsw,19700512,1111111\n"
             "rec-1-dup-0,katie,peta,12,miller st,,bega,2550,nsw,19701205,9999999\n"
             "rec-2-org,paul,nguyen,3,lee place,,kiama,2533,nsw,19811103,1111111\n")
    source = _write(tmp_path, "febrl.csv", febrl)
    out = tmp_path / "pairs.csv"
    assert main(["dedupe", "--febrl", str(source), "--out", str(out)]) == 0
    found = {frozenset((r["record_id_l"], r["record_id_r"])) for r in _pairs(out)}
    # The shared soc_sec_id of rec-1-org and rec-2-org is not used: they are not linked.
    assert found == {frozenset({"rec-1-org", "rec-1-dup-0"})}


def test_bad_input_is_reported_by_row_and_the_valid_rows_are_still_matched(tmp_path, capsys):
    text = ("record_id,given_name,surname,date_of_birth,address_line,postcode,phone,email,shoe_size\n"
            "a1,Elizabeth,Walker,1992-03-14,27 Hartshill Road,ST4 7NH,07700 900431,,5\n"
            "a2,Liz,Walker,1992-03-14,,,07700 900431,\n"  # one field short
            "a3,Liz,Walker,1992-02-30,,,07700 900431,,\n"  # impossible date
            "a4,Мария,Иванова,1980-02-02,,,,,\n"  # Cyrillic
            "a5,,,,,,,,\n"  # nothing at all
            "a6,,,1980-01-01,,,07700 900999,,\n"  # no name
            "a1,Dean,Walker,1989-08-09,,,,,\n"  # a repeated id
            ",Dean,Walker,1989-08-09,,,,,\n"  # no id
            "a9,Liz,Walker,14/03/1992,,,07700 900431,,\n")  # wrong date form
    source = _write(tmp_path, "bad.csv", text)
    out = tmp_path / "pairs.csv"
    assert main(["dedupe", str(source), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "row 1: unknown column(s) 'shoe_size' ignored" in err
    assert "row 3: has 8 fields where the header has 9: skipped" in err
    assert "row 4: date_of_birth '1992-02-30' is not a real date: matched without it" in err
    assert "row 5: given_name is written in Cyrillic script" in err
    assert "row 6: no name, date of birth, phone or email: nothing to match on, skipped" in err
    assert "row 7: no name: matched on the other fields only" in err
    assert "row 8: record_id 'a1' was used on an earlier row: skipped" in err
    assert "row 9: no record_id: skipped" in err
    assert "row 10: date_of_birth '14/03/1992' is not a date in the form YYYY-MM-DD" in err
    found = {frozenset((r["record_id_l"], r["record_id_r"])) for r in _pairs(out)}
    assert frozenset({"a1", "a3"}) in found  # the row with a bad date is still matched on the rest


def test_an_unreadable_or_empty_file_fails_clearly(tmp_path, capsys):
    out = tmp_path / "pairs.csv"
    assert main(["dedupe", str(tmp_path / "missing.csv"), "--out", str(out)]) == 1
    assert "cannot be read" in capsys.readouterr().err
    empty = _write(tmp_path, "empty.csv", "")
    assert main(["dedupe", str(empty), "--out", str(out)]) == 1
    assert "the file is empty" in capsys.readouterr().err


def test_bytes_that_are_not_utf8_are_reported_not_fatal(tmp_path, capsys):
    path = tmp_path / "latin1.csv"
    path.write_bytes((HEADER + "a1,Zo\xeb,Walker,1990-01-01,,,,\n").encode("latin-1"))
    assert main(["dedupe", str(path), "--out", str(tmp_path / "p.csv")]) == 0
    assert "row 2: contains bytes that are not UTF-8 text" in capsys.readouterr().err


def test_training_writes_a_model_the_dedupe_can_use(tmp_path):
    rows = [HEADER]
    for i in range(60):
        rows.append(f"t{i},Name{chr(97 + i % 26)}{i},Surname{i},19{50 + i % 40}-0{1 + i % 9}-1{i % 9},,,,\n")
    source = _write(tmp_path, "train.csv", "".join(rows))
    model = tmp_path / "model.json"
    assert main(["train", str(source), "--out", str(model)]) == 0
    assert '"prior"' in model.read_text()
    out = tmp_path / "pairs.csv"
    assert main(["dedupe", str(source), "--out", str(out), "--model", str(model), "--no-train"]) == 0


def test_it_runs_as_a_module_from_the_command_line(tmp_path):
    source = _write(tmp_path, "in.csv", HEADER + PEOPLE)
    out = tmp_path / "pairs.csv"
    done = subprocess.run([sys.executable, "-m", "hearth.people.linkage", "dedupe", str(source), "--out", str(out)],
                          capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    assert _pairs(out) == []  # sisters and a daughter: nobody here is the same person


def _twins_file(households: int, loners: int) -> str:
    """Pairs of twins (same surname, date of birth and address, different given names), and
    household pairs (a mother and a son at one address), and people living alone."""
    syllables = ("bar", "den", "fol", "gum", "hix", "jow", "kep", "lud", "mor", "niv")

    def surname(k: int) -> str:  # a clearly different made-up surname for each k
        return "".join(syllables[int(d)] for d in f"{k:04d}").title()

    def born(k: int, year: int) -> str:
        return (date(year, 1 + year % 7, 1) + timedelta(days=37 * k)).isoformat()

    rows = [HEADER.strip()]
    for k in range(households):
        rows.append(f"m{k},Sarah,{surname(k)},{born(k, 1950)},{k} Leek Road,ST4 {k % 9}AA,,")
        rows.append(f"s{k},Dean,{surname(k)},{born(k, 1990)},{k} Leek Road,ST4 {k % 9}AA,,")
    for k in range(loners):
        rows.append(f"t{k}a,Chloe,{surname(5000 + k)},{born(k, 1960)},{k} Mill Lane,ST3 {k % 9}PB,,")
        rows.append(f"t{k}b,Lauren,{surname(5000 + k)},{born(k, 1960)},{k} Mill Lane,ST3 {k % 9}PB,,")
    return "\n".join(rows) + "\n"


def _family_pairs(path: Path) -> set[tuple[str, str]]:
    """Linked pairs of two members of one made-up family (twins, or a mother and her son)."""
    found = {(r["record_id_l"], r["record_id_r"]) for r in _pairs(path)}
    family = {*((f"t{k}a", f"t{k}b") for k in range(1000)), *((f"m{k}", f"s{k}") for k in range(1000))}
    return {p for p in found if p in family or p[::-1] in family}


def test_the_family_guard_stays_on_for_a_file_with_households(tmp_path, capsys):
    source = _write(tmp_path, "in.csv", _twins_file(households=300, loners=300))
    out = tmp_path / "pairs.csv"
    assert main(["dedupe", str(source), "--out", str(out), "--no-train"]) == 0
    assert "family guard on (auto: 300 household-like pairs)" in capsys.readouterr().err
    assert not _family_pairs(out)  # neither the twins nor a mother and son are linked


def test_the_family_guard_is_off_only_for_a_large_file_without_households(tmp_path, capsys):
    source = _write(tmp_path, "in.csv", _twins_file(households=0, loners=600))
    out = tmp_path / "pairs.csv"
    assert main(["dedupe", str(source), "--out", str(out), "--no-train"]) == 0
    assert "family guard off (auto: 0 household-like pairs)" in capsys.readouterr().err
    found = {(r["record_id_l"], r["record_id_r"]) for r in _pairs(out)}
    assert {(f"t{k}a", f"t{k}b") for k in range(600)} <= found  # without households: one person each
    assert main(["dedupe", str(source), "--out", str(out), "--no-train", "--family-guard", "on"]) == 0
    assert not _family_pairs(out)


def test_a_small_file_keeps_the_family_guard(tmp_path, capsys):
    source = _write(tmp_path, "in.csv", _twins_file(households=0, loners=20))
    out = tmp_path / "pairs.csv"
    assert main(["dedupe", str(source), "--out", str(out)]) == 0
    assert "family guard on" in capsys.readouterr().err
    assert not _family_pairs(out)
