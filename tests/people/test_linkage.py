"""The matcher on small fixed examples of each kind of variation (no database)."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from hearth.people.linkage import LINK, NO_LINK, Record, blocking_keys, prepare, shipped_model
from hearth.people.linkage import normalise as n
from hearth.people.linkage.compare import FIELDS, LEVELS, levels
from hearth.people.linkage.em import expectation_maximisation
from hearth.people.linkage.model import DEFAULT_THRESHOLD, DIFFERENT_PERSON_CEILING, ONE_DIFFERS_CEILING, starting_model

LIZ = Record("1", "Elizabeth", "Walker", date(1992, 3, 14), "Flat 3, 27 Hartshill Road, Stoke-on-Trent", "ST4 7NH",
             "07700 900431", "")


def score(a: Record, b: Record):
    return shipped_model().compare(a, b)


def shares_a_key(a: Record, b: Record) -> bool:
    return bool(blocking_keys(a) & blocking_keys(b))


# -- normalising ------------------------------------------------------------------------

def test_names_lose_case_accents_and_punctuation():
    assert n.normal_name("  O'Brien ") == "obrien"
    assert n.normal_name("Łucja") == "lucja"
    assert n.normal_name("Zoë") == "zoe"


def test_a_name_in_another_script_is_kept_in_its_own_letters():
    assert n.normal_name("Мария") == "мария"
    assert not n.is_latin("محمد")


def test_nicknames_and_transliterations_share_a_group():
    assert n.name_groups("Liz") & n.name_groups("Elizabeth")
    assert n.name_groups("Muhammad") & n.name_groups("Mohammed")
    assert n.name_groups("Kasia") & n.name_groups("Katarzyna")
    assert not n.name_groups("Jodie") & n.name_groups("Elizabeth")


def test_postcodes_phones_and_emails_are_normalised():
    assert n.normal_postcode("st4 7nh") == n.normal_postcode("ST47NH") == "ST47NH"
    assert n.normal_phone("+44 7700 900431") == n.normal_phone("07700-900-431") == "07700900431"
    assert n.normal_phone("123") == ""
    assert n.normal_email("Liz.Walker+hearth@GoogleMail.com") == "lizwalker@gmail.com"
    assert n.normal_email("not an email") == ""


def test_dates_parse_in_iso_and_febrl_form_and_impossible_dates_are_refused():
    assert n.parse_date("1992-03-14") == n.parse_date("19920314") == date(1992, 3, 14)
    with pytest.raises(ValueError, match="not a real date"):
        n.parse_date("1992-02-30")
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        n.parse_date("14/03/1992")
    assert n.swapped(date(1992, 3, 4)) == date(1992, 4, 3)
    assert n.swapped(date(1992, 3, 14)) is None


# -- each kind of variation -------------------------------------------------------------

def test_a_nickname_and_a_new_address_is_still_her():
    again = Record("2", "Liz", "Walker", date(1992, 3, 14), "Room 4, 2 Lichfield Street, Hanley", "ST1 3EA")
    result = score(LIZ, again)
    assert result.band == LINK
    assert "given name agrees (nickname, alias or other spelling)" in result.reasons
    assert shares_a_key(LIZ, again)


def test_an_alias_on_the_record_counts_as_her_name():
    known_as = Record("1", "Beatrice", "Walker", date(1992, 3, 14), other_names=("Trixie",))
    assert score(known_as, Record("2", "Trixie", "Walker", date(1992, 3, 14))).band == LINK


def test_a_transliteration_of_a_given_name_agrees():
    a = Record("1", "Mohammed", "Hussain", date(1988, 7, 2), postcode="ST1 5NP")
    b = Record("2", "Muhammad", "Husain", date(1988, 7, 2))
    assert score(a, b).band == LINK
    assert shares_a_key(a, b)


def test_a_typing_slip_in_a_surname_still_agrees():
    a = Record("1", "Gemma", "Thompson", date(1990, 1, 21))
    b = Record("2", "Gemma", "Thomson", date(1990, 1, 21))
    assert score(a, b).band == LINK


def test_day_and_month_swapped_still_agrees():
    a = Record("1", "Agnieszka", "Nowak", date(1985, 4, 7), phone="07700 900111")
    b = Record("2", "Agnieszka", "Nowak", date(1985, 7, 4))
    result = score(a, b)
    assert "date of birth agrees with day and month swapped" in result.reasons
    assert result.band == LINK
    assert shares_a_key(a, b)


def test_a_changed_surname_is_found_by_name_date_of_birth_and_phone():
    a = Record("1", "Leanne", "Barlow", date(1991, 9, 30), phone="07700 900222")
    b = Record("2", "Leanne", "Hollins", date(1991, 9, 30), phone="+44 7700 900222")
    assert score(a, b).probability >= 0.5
    assert shares_a_key(a, b)


def test_names_entered_the_wrong_way_round_still_agree():
    a = Record("1", "Shenton", "Kirsty", date(1979, 12, 3))
    b = Record("2", "Kirsty", "Shenton", date(1979, 12, 3))
    assert score(a, b).band == LINK
    assert shares_a_key(a, b)


def test_missing_fields_are_no_evidence_either_way():
    a = Record("1", "Ioana", "Popa", date(1995, 5, 5), "12 Leek Road", "ST4 2HU", "07700 900333")
    b = Record("2", "Ioana", "Popa", date(1995, 5, 5))
    vector = levels(prepare(a), prepare(b))
    assert vector[FIELDS.index("phone")] == -1
    assert score(a, b).band == LINK


def test_a_name_in_another_script_agrees_only_with_the_same_spelling():
    a = Record("1", "Мария", "Иванова", date(1980, 2, 2))
    assert score(a, Record("2", "Мария", "Иванова", date(1980, 2, 2))).band == LINK
    assert score(a, Record("3", "Maria", "Ivanova", date(1980, 2, 2))).band != LINK


# -- households: never linked -----------------------------------------------------------

def test_her_daughter_at_the_same_address_is_not_her():
    mia = Record("2", "Mia", "Walker", date(2017, 6, 2), LIZ.address_line, LIZ.postcode)
    result = score(LIZ, mia)
    assert result.probability <= DIFFERENT_PERSON_CEILING
    assert result.band == NO_LINK


def test_her_sister_at_the_old_address_sharing_the_landline_is_not_her():
    jodie = Record("3", "Jodie", "Walker", date(1997, 12, 1), "14 Moorland Road, Burslem", "ST6 1DW", "01782 123456")
    liz = Record("1", "Liz", "Walker", LIZ.date_of_birth, "14 Moorland Road, Burslem", "ST6 1DW", "01782 123456")
    assert score(liz, jodie).band == NO_LINK


def test_twins_with_different_given_names_are_never_linked_only_offered_for_review():
    a = Record("1", "Chloe", "Bennett", date(2015, 8, 8), "5 King Street", "ST4 6QQ")
    b = Record("2", "Lauren", "Bennett", date(2015, 8, 8), "5 King Street", "ST4 6QQ")
    assert score(a, b).probability <= ONE_DIFFERS_CEILING < DEFAULT_THRESHOLD


def test_a_mother_and_the_daughter_named_after_her_are_never_linked_only_offered_for_review():
    mother = Record("1", "Sarah", "Rogers", date(1970, 5, 1), "9 Boothen Road", "ST4 4AA", "01782 111222")
    daughter = Record("2", "Sarah", "Rogers", date(1996, 11, 23), "9 Boothen Road", "ST4 4AA", "01782 111222")
    result = score(mother, daughter)
    assert result.probability <= ONE_DIFFERS_CEILING
    assert result.band != LINK
    assert "date of birth differs" in result.reasons


def test_a_victim_and_her_abuser_sharing_surname_address_and_mobile_are_not_linked_without_a_shared_name():
    victim = Record("1", "Kirsty", "Rogers", date(1989, 1, 9), "2 Mill Lane", "ST3 1PB", "07700 900444")
    abuser = Record("2", "Wayne", "Rogers", date(1986, 3, 17), "2 Mill Lane", "ST3 1PB", "07700 900444")
    assert score(victim, abuser).band != LINK


# -- the model --------------------------------------------------------------------------

def test_the_shipped_model_has_a_probability_for_every_level():
    model = shipped_model()
    for f in FIELDS:
        assert len(model.m[f]) == len(model.u[f]) == len(LEVELS[f])
        assert sum(model.m[f]) == pytest.approx(1, abs=1e-3)
        assert sum(model.u[f]) == pytest.approx(1, abs=1e-3)
    assert 0 < model.prior < 0.5
    assert model.meta.get("method")


def test_more_agreement_never_lowers_the_probability():
    model = shipped_model()
    base = [4, 3, -1, -1, -1, -1, -1, -1]
    with_dob = [4, 3, 4, -1, -1, -1, -1, -1]
    assert model.probability_of(tuple(with_dob)) > model.probability_of(tuple(base))


def test_em_finds_the_share_of_matches_among_candidate_pairs():
    start = starting_model()
    agree = tuple(len(LEVELS[f]) - 1 for f in FIELDS)
    disagree = tuple(0 for _ in FIELDS)
    trained = expectation_maximisation(Counter({agree: 100, disagree: 9900}), start)
    assert trained.prior == pytest.approx(0.01, rel=0.05)
    assert trained.m["surname"][-1] > 0.9


# -- names in the wrong box, bare house numbers, small files -------------------------------

def test_a_surname_typed_in_the_given_name_box_is_compared_crossed_over():
    a = prepare(Record("1", "Alicia", "Heron", date(1932, 1, 31)))
    b = prepare(Record("2", "Heron", "Brooke"))
    given, surname = levels(a, b)[:2]
    assert (given, surname) == (0, 3)  # her surname agrees; "Brooke" is not "Alicia"


def test_a_family_sharing_a_surname_is_not_crossed_over():
    mother = prepare(Record("1", "Sarah", "Thomas", date(1970, 5, 1)))
    son = prepare(Record("2", "Thomas", "Thomas", date(2001, 2, 2)))
    # Straight, the surnames agree already: nothing is crossed and the given names still differ.
    assert levels(mother, son)[:2] == (0, 3)


def test_a_bare_house_number_is_no_evidence_about_the_address():
    street = prepare(Record("1", "Kynan", "Sincovich", address_line="95 Grylls Crescent"))
    assert levels(street, prepare(Record("2", "Kynan", "Sincovich", address_line="95")))[FIELDS.index("address")] == -1
    assert levels(street, prepare(Record("3", "Kynan", "Sincovich", address_line="12")))[FIELDS.index("address")] == 0


def test_small_batch_files_also_block_on_a_name_with_letters_transposed():
    from hearth.people.linkage.blocking import candidate_pairs

    a = prepare(Record("1", "Finlay", "White", date(1964, 1, 21), "15 Goodwin Street", "4227"))
    b = prepare(Record("2", "Filnay", "Whige", date(1970, 3, 9), "15 Goodwintsreet", "4228"))
    assert not shares_a_key(Record("1", "Finlay", "White", date(1964, 1, 21)), Record("2", "Filnay", "Whige"))
    assert list(candidate_pairs([a, b])) == [(0, 1)]


def test_a_pair_budget_leaves_out_the_largest_blocks_first():
    from hearth.people.linkage.blocking import candidate_pairs

    # 30 namesakes born the same day (one big block) and two pairs sharing a phone (small blocks).
    crowd = [prepare(Record(str(k), "Jack", "Smith", date(1990, 1, 1))) for k in range(30)]
    pairs = [prepare(Record(f"p{k}", f"Name{k}", "Other", phone=f"07700 90{k // 2:04d}")) for k in range(4)]
    everyone = crowd + pairs
    unlimited = set(candidate_pairs(everyone, max_block=400))
    budgeted = set(candidate_pairs(everyone, max_block=400, pair_budget=10))
    assert (30, 31) in budgeted and (32, 33) in budgeted
    assert (0, 1) in unlimited and (0, 1) not in budgeted


def test_a_name_alone_is_at_most_review():
    # Many people share a name: with nothing else to compare, it is for a person to judge.
    from hearth.people.linkage.model import NAMES_ALONE_CEILING

    result = score(Record("1", "Shazia", "Adams"),
                   Record("2", "Shazia", "Adams", date(1993, 10, 15), "85 Church Street", "ST7 7LH"))
    assert result.probability <= NAMES_ALONE_CEILING and result.band != LINK
    assert score(Record("1", "Shazia", "Adams", date(1993, 10, 15)),
                 Record("2", "Shazia", "Adams", date(1993, 10, 15))).band == LINK


def test_closer_agreement_never_weighs_less_than_looser_agreement():
    model = shipped_model()
    for f, name in enumerate(FIELDS):
        weights = []
        for level in range(len(LEVELS[name])):
            vector = [-1] * len(FIELDS)
            vector[f] = level
            weights.append(model.weight_of(tuple(vector)))
        assert weights == sorted(weights), name
