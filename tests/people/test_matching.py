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


def test_the_old_matcher_names_still_work(demo):
    from hearth.people.identity_match import Record, blocking_keys, default_matcher, name_group

    assert name_group("Liz") == name_group("Elizabeth")
    a = Record("1", "Liz", "Walker", _mother().date_of_birth)
    assert blocking_keys(a)
    assert default_matcher().compare(a, matching.record_of(_mother())).band == LINK


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
