"""The matcher inside the product: the hashed key index, ranking, reasons cut to what the user may see."""

from __future__ import annotations

from hearth.people import matching
from hearth.people.linkage import LINK
from hearth.people.models import BlockingKey, Person

NEW_LIZ = {"given_name": "Liz", "family_name": "Walker", "gender": "woman",
           "safe_address": "Room 4, 2 Lichfield Street, Hanley", "postcode": "ST1 3EA", "phone": "07700 900431"}


def _mother():
    return Person.objects.get(given_name="Elizabeth", family_name="Walker")


def _liz_form(**extra):
    dob = _mother().date_of_birth
    return {**NEW_LIZ, "date_of_birth": f"{dob.day} {dob.month} {dob.year}", **extra}


def test_the_key_index_holds_no_name_phone_or_postcode_in_the_clear(demo):
    keys = list(BlockingKey.objects.filter(person=_mother()).values_list("key", flat=True))
    assert len(keys) >= 5
    assert all(len(k) == 64 and "walker" not in k.lower() and "900431" not in k for k in keys)


def test_the_entered_person_is_ranked_first_with_her_reasons(demo):
    mother = _mother()
    record = matching.record_from_form({"given_name": "Liz", "family_name": "Walker",
                                        "date_of_birth": mother.date_of_birth, "postcode": "ST1 3EA"})
    found = matching.candidates_for(record)
    assert found[0].person == mother
    assert found[0].band == LINK
    assert "date of birth agrees" in found[0].reasons


def test_a_record_the_user_cannot_open_shows_no_reason_about_address_or_phone(client_for):
    response = client_for("social.worker").post("/people/new/", _liz_form())
    candidates = response.context["candidates"]
    hidden = [c for c in candidates if not c.visible]
    assert hidden, "the police record of Liz is offered without its details"
    for c in hidden:
        assert all("phone" not in r and "address" not in r and "postcode" not in r for r in c.reasons)
    assert "phone agrees" not in response.content.decode()


def test_a_record_the_user_may_see_shows_the_reasons_for_its_visible_parts(client_for):
    response = client_for("police.officer").post("/people/new/", _liz_form())
    top = response.context["candidates"][0]
    assert top.person_id == _mother().pk and top.visible
    assert "phone agrees" in top.reasons


def test_a_record_marked_not_the_same_person_is_not_offered_for_it(client_for, demo):
    from hearth.people import services
    from hearth.platform import context

    police = demo.user("police.officer")
    police.membership = demo.membership("police.officer")
    with context.acting_as(police, police.membership):
        dean = Person.objects.get(given_name="Dean", family_name="Walker")
        twin = services.person_create(actor=police, given_name="Dean", family_name="Walker",
                                      date_of_birth=dean.date_of_birth)
        assert dean.pk in [c.person.pk for c in matching.candidates_for(matching.record_of(twin),
                                                                         exclude_person=twin.pk)]
        services.person_mark_not_same(actor=police, person=twin, other=dean)
    assert dean.pk not in [c.person.pk for c in matching.candidates_for(matching.record_of(twin),
                                                                         exclude_person=twin.pk)]


def test_the_linkage_module_links_a_nickname_to_her_record(demo):
    from hearth.people.linkage import Record, blocking_keys, shipped_model
    from hearth.people.linkage.normalise import name_groups

    assert min(name_groups("Liz")) == min(name_groups("Elizabeth"))
    a = Record("1", "Liz", "Walker", _mother().date_of_birth)
    assert blocking_keys(a)
    assert shipped_model().compare(a, matching.record_of(_mother())).band == LINK


def test_rebuilding_the_keys_restores_a_lost_index(demo):
    from io import StringIO

    from django.core.management import call_command

    mother = _mother()
    BlockingKey.objects.filter(person=mother).delete()
    record = matching.record_of(mother)
    assert mother.pk not in matching.candidate_ids(record)
    out = StringIO()
    call_command("rebuild_blocking_keys", stdout=out)
    assert "Rewrote the matching keys of" in out.getvalue()
    assert matching.candidate_ids(record)[0] == mother.pk


def _stored(demo, given_name, family_name, **fields):
    """A person record with its keys in the index, as the product stores it."""
    from hearth.people.models import Identity

    member = demo.membership("police.officer")
    person = Person.objects.create(identity=Identity.objects.create(), owner_agency=member.agency,
                                   created_by=member.user, given_name=given_name, family_name=family_name, **fields)
    matching.blocking_keys_store(person)
    return person


def _keyed(demo, count, keys):
    """``count`` new records holding exactly ``keys`` in the index."""
    people = [_stored(demo, f"Namesake{i}", "Keyed") for i in range(count)]
    BlockingKey.objects.filter(person__in=people).delete()
    BlockingKey.objects.bulk_create(BlockingKey(person=p, key=k) for p in people for k in keys)
    return people


def test_one_rare_key_shared_outranks_several_common_ones(demo, monkeypatch):
    # 30 records share two keys with the one entered, one record shares a single key no other
    # record has (say, her phone): counting keys would rank the 30 first, weighing them by
    # rarity ranks her first.
    common = _keyed(demo, 30, ["common-a", "common-b"])
    rare = _keyed(demo, 1, ["rare"])[0]
    monkeypatch.setattr(matching, "hashed_keys", lambda record: {"common-a", "common-b", "rare"})
    monkeypatch.setattr(matching, "_store_size", lambda: 200)
    ids = matching.candidate_ids(matching.Record("new"), limit=5)
    assert ids[0] == rare.pk
    assert set(ids[1:]) <= {p.pk for p in common}
    assert matching.key_weights(["rare", "common-a"])["rare"] > 2 * matching.key_weights(["common-a"])["common-a"]


def test_a_key_held_by_too_many_records_is_left_out_unless_there_is_no_other(demo, monkeypatch):
    crowd = _keyed(demo, 12, ["crowd"])
    few = _keyed(demo, 4, ["crowd", "few"])
    monkeypatch.setattr(matching, "COMMON_KEY", 10)
    assert set(matching.key_weights(["crowd", "few"])) == {"few"}
    monkeypatch.setattr(matching, "hashed_keys", lambda record: {"crowd", "few"})
    assert set(matching.candidate_ids(matching.Record("new"))) == {p.pk for p in few}
    # Every key common: the rarest is still searched, so the page is never empty for it.
    monkeypatch.setattr(matching, "hashed_keys", lambda record: {"crowd"})
    assert set(matching.candidate_ids(matching.Record("new"))) == {p.pk for p in crowd + few}


def test_a_given_name_with_two_letters_swapped_is_still_found(demo):
    # Nothing but the names to go on, and the given name mistyped: "Haryr" shares no key of
    # its own with "Harry", but is one slip from a known name, so it is keyed as Harry too.
    harry = _stored(demo, "Harry", "Sowbys")
    _stored(demo, "Henrietta", "Sowbys")
    record = matching.record_from_form({"given_name": "Haryr", "family_name": "Sowbys"})
    assert harry.pk in matching.candidate_ids(record)
    assert matching.candidates_for(record, keep_no_link=True)[0].person == harry


def test_only_a_name_that_is_not_known_is_corrected():
    from hearth.people.linkage.index_keys import corrected_groups

    assert corrected_groups("haryr") == {"henry"}  # Harry's group
    assert corrected_groups("harry") == frozenset()  # a known name stays itself
    assert corrected_groups("eimly") == {"emily"}
    assert corrected_groups("kelly") == frozenset()  # not in the lists: nothing to correct it to
    assert corrected_groups("jo") == frozenset()  # too short to say which name it was meant to be


def test_candidates_are_scored_as_their_full_records_would_be(demo):
    # Scoring reads the encrypted fields only where the record entered has them too: the
    # figures and reasons are those of the whole stored record all the same.
    from hearth.people.linkage import shipped_model

    record = matching.record_from_form({**NEW_LIZ, "date_of_birth": _mother().date_of_birth, "email": ""})
    found = matching.candidates_for(record, keep_no_link=True)
    assert found
    for c in found:
        full = shipped_model().compare(record, matching.record_of(c.person))
        assert (c.probability, c.reasons) == (full.probability, full.reasons)


def test_a_flat_is_keyed_by_its_building_not_its_number():
    # Not "house 4 on the street 'flat'", a key every flat 4 in the area would share.
    from hearth.people.linkage import Record, blocking_keys, prepare
    from hearth.people.linkage.blocking import street_key

    flat = Record("1", "Ann", "Lee", address_line="Flat 4, 12 Leek Road, Hanley", postcode="ST4 7NH")
    assert street_key(prepare(flat)) == "sa:12|leek|ST4"
    assert [k for k in blocking_keys(flat) if k.startswith("sa:")] == ["sa:12|leek|ST4"]
    assert street_key(prepare(Record("2", address_line="Flat 4", postcode="ST4 7NH"))) == ""


def test_a_mistyped_year_and_a_slip_in_an_unlisted_given_name_are_found_by_surname_and_birthday(demo):
    from datetime import date

    jordan = _stored(demo, "Jordan", "Turner", date_of_birth=date(2017, 12, 23))
    record = matching.record_from_form({"given_name": "Jodan", "family_name": "Turner",
                                        "date_of_birth": date(2018, 12, 23)})
    assert jordan.pk in matching.candidate_ids(record)
