"""The service directory: search, service pages, the ORUK API, the import, the staff pages."""

from __future__ import annotations

import json
import uuid
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from hearth.directory import postcodes
from hearth.directory.models import Location, Service, TaxonomyTerm
from hearth.platform.models import AuditAction, AuditEvent

FIXTURE = Path(__file__).parent / "fixtures" / "council_feed.json"
REFUGE_SECRETS = ["Refuge (confidential)", "Not published"]


def _names(response) -> list[str]:
    import html
    import re

    return [html.unescape(name) for name in re.findall(r'<h3 class="govuk-heading-s[^"]*"><a class="govuk-link" href="[^"]+">([^<]+)</a>',
                      response.content.decode())]


# --- postcodes ------------------------------------------------------------------------------

def test_a_full_postcode_is_placed_at_its_sector_and_a_district_at_its_centre():
    assert postcodes.locate("st47nh").place == "Hartshill"
    assert postcodes.locate("ST13").place == "Leek"


@pytest.mark.parametrize(("value", "code"), [("hello", "format"), ("M1 1AA", "outside"), ("ST99 9ZZ", "unknown")])
def test_postcodes_that_cannot_be_placed_say_why(value, code):
    with pytest.raises(postcodes.PostcodeProblem) as problem:
        postcodes.locate(value)
    assert problem.value.code == code


def test_distances_are_in_miles():
    hanley, leek = postcodes.locate("ST1 1"), postcodes.locate("ST13")
    assert 8 < postcodes.distance_miles(hanley.latitude, hanley.longitude, leek.latitude, leek.longitude) < 11


# --- public search and pages -----------------------------------------------------------------

def test_search_by_need_finds_only_services_meeting_it(db):
    names = _names(Client().get("/directory/?need=behaviour-change"))
    assert set(names) == {"New Era – perpetrator services", "Respect Phoneline"}


@pytest.mark.parametrize(("audience", "expected"), [
    ("men", "Men's Advice Line"), ("lgbt", "Galop – LGBT+ domestic abuse helpline"),
    ("people-who-harm", "Respect Phoneline"), ("nrpf", "National Domestic Abuse Helpline"),
    ("children-young-people", "The Alice Charity – family support"), ("women", "Potteries Refuge"),
])
def test_search_by_who_it_is_for(db, audience, expected):
    names = _names(Client().get(f"/directory/?audience={audience}"))
    assert expected in names
    if audience == "men":
        assert "Potteries Refuge" not in names


def test_search_by_language(db):
    names = _names(Client().get("/directory/?language=ur"))
    assert "New Era – victim services" in names and "Men's Advice Line" not in names


def test_search_by_postcode_lists_the_nearest_first_then_phone_services(db):
    response = Client().get("/directory/?postcode=ST5+1AB")
    names = _names(response)
    body = response.content.decode()
    assert names[0] == "The Alice Charity – family support"  # Newcastle-under-Lyme, nearest to ST5
    assert names.index("Housing options") < names.index("National Domestic Abuse Helpline")
    assert "miles away" in body and "nearest to ST5 1AB" in body


def test_an_unknown_postcode_gets_a_clear_message_and_every_service(db):
    response = Client().get("/directory/?postcode=ST99+9ZZ")
    body = response.content.decode()
    assert response.status_code == 200
    assert "We cannot find that postcode." in body and "govuk-error-summary" in body
    assert len(_names(response)) == Service.objects.listed().count()


def test_a_postcode_outside_the_area_is_explained(db):
    body = Client().get("/directory/?postcode=M1+1AA").content.decode()
    assert "We can only sort by distance for Stoke-on-Trent and Staffordshire (ST) postcodes" in body


def test_a_made_up_filter_value_is_refused_with_the_error_summary(db):
    response = Client().get("/directory/?need=<script>")
    assert response.status_code == 400
    assert "govuk-error-summary" in response.content.decode() and "<script>" not in response.content.decode()


def test_a_service_page_shows_how_to_get_in_touch_and_offers_self_referral(db):
    new_era = Service.objects.get(agency__slug="new-era-victims")
    body = Client().get(reverse("directory:service", args=[new_era.number])).content.decode()
    assert "0300 303 3778" in body and "new-era@victimsupport.org.uk" in body
    assert f'/contact-form/?service={new_era.number}' in body


def test_refuge_addresses_never_appear_on_public_pages_or_in_the_api(db):
    refuge = Service.objects.get(name="Potteries Refuge")
    pages = [f"/directory/services/{refuge.number}/", "/directory/?postcode=ST4+7NH", "/directory/",
             f"/api/directory/services/{refuge.id}", "/api/directory/services?full_service=true&per_page=100",
             "/api/directory/service_at_locations?postcode=ST4+7NH&per_page=100",
             "/api/directory/service_at_locations?per_page=100"]
    for url in pages:
        body = Client().get(url).content.decode()
        for secret in REFUGE_SECRETS:
            assert secret not in body, f"{secret} on {url}"
    assert "Stoke-on-Trent" in Client().get(f"/directory/services/{refuge.number}/").content.decode()


def test_an_inactive_service_is_not_shown(db):
    Service.objects.filter(name="Men's Advice Line").update(status="inactive")
    assert "Men's Advice Line" not in _names(Client().get("/directory/"))
    number = Service.objects.get(name="Men's Advice Line").number
    assert Client().get(f"/directory/services/{number}/").status_code == 404


# --- the ORUK API ---------------------------------------------------------------------------

ENVELOPE = {"total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty", "contents"}


def test_the_api_root_names_the_version_and_profile(db):
    data = Client().get("/api/directory/").json()
    assert data["version"] == "3.0" and "openreferraluk" in data["profile"] and data["openapi_url"]


def test_services_are_listed_in_the_oruk_page_envelope(db):
    data = Client().get("/api/directory/services?per_page=3&page=2").json()
    assert set(data) == ENVELOPE
    total = Service.objects.listed().count()
    assert data["total_items"] == total and data["size"] == 3 and data["page_number"] == 2
    assert data["total_pages"] == -(-total // 3) and not data["first_page"]
    service = data["contents"][0]
    uuid.UUID(service["id"])
    for key in ("name", "description", "status", "organization", "contacts", "schedules", "service_areas",
                "languages", "cost_options"):
        assert key in service


def test_services_filter_by_taxonomy_term_and_text(db):
    term = TaxonomyTerm.objects.get(code="men")
    data = Client().get(f"/api/directory/services?taxonomy_term_id={term.id}").json()
    assert {s["name"] for s in data["contents"]} == {"Men's Advice Line", "New Era – victim services",
                                                     "Housing options", "Staffordshire Police",
                                                     "The Alice Charity – family support"}
    data = Client().get("/api/directory/services?search=Galop").json()
    assert [s["name"] for s in data["contents"]] == ["Galop – LGBT+ domestic abuse helpline"]
    assert Client().get("/api/directory/services?taxonomy_term_id=nonsense").json()["total_items"] == 0


def test_bad_paging_is_a_400_with_a_reason(db):
    response = Client().get("/api/directory/services?page=abc")
    assert response.status_code == 400 and "page" in response.json()["error"]


def test_one_service_is_fully_nested_by_uuid_or_number(db):
    new_era = Service.objects.get(agency__slug="new-era-victims")
    by_id = Client().get(f"/api/directory/services/{new_era.id}").json()
    by_number = Client().get(f"/api/directory/services/{new_era.number}").json()
    assert by_id == by_number
    assert by_id["contacts"][0]["phones"][0]["number"] == "0300 303 3778"
    assert {a["taxonomy_term"]["code"] for a in by_id["attributes"]} >= {"idva", "women", "men"}
    assert Client().get(f"/api/directory/services/{uuid.uuid4()}").status_code == 404


def test_taxonomies_and_terms_are_listed(db):
    taxonomies = Client().get("/api/directory/taxonomies").json()
    assert {"Hearth needs", "Hearth who it is for"} <= {t["name"] for t in taxonomies["contents"]}
    terms = Client().get("/api/directory/taxonomy_terms?per_page=100").json()
    assert set(terms) == ENVELOPE
    assert "LGBT+ people" in {t["name"] for t in terms["contents"]}


def test_service_at_locations_by_postcode_and_proximity(db):
    data = Client().get("/api/directory/service_at_locations?postcode=ST5+1AB&proximity=3000").json()
    names = [row["service"]["name"] for row in data["contents"]]
    assert names == ["The Alice Charity – family support"]
    assert data["contents"][0]["distance_miles"] < 1
    wider = Client().get("/api/directory/service_at_locations?postcode=ST5+1AB&proximity=20000").json()
    assert [r["service"]["name"] for r in wider["contents"]] == ["The Alice Charity – family support",
                                                                 "Housing options"]
    bad = Client().get("/api/directory/service_at_locations?postcode=ST99+9ZZ")
    assert bad.status_code == 400 and bad.json()["error"] == "postcode not found"


# --- importing an ORUK feed -------------------------------------------------------------------

def test_the_import_command_loads_a_council_feed(db):
    out = StringIO()
    call_command("directory_import", str(FIXTURE), stdout=out)
    assert "2 new, 0 updated, 1 skipped" in out.getvalue()
    assert "not-a-uuid" in out.getvalue()
    hub = Service.objects.get(pk="0b7f4b2e-6d0a-4b8e-9a55-2f4b1a0c1111")
    assert hub.organization.name == "Stoke-on-Trent Family Hubs"
    assert hub.contacts.get().phone == "01782 000111"
    assert hub.schedules.get().byday == "MO,TU,WE,TH,FR"
    assert hub.languages == ["en", "ro"] and hub.maximum_age == 18
    assert hub.terms.get().name == "Family support"
    assert "Burslem Family Hub" in _names(Client().get("/directory/?postcode=ST6+3AA"))
    assert AuditEvent.objects.filter(object_type="directory.import", action=AuditAction.CREATE).exists()


def test_importing_the_same_feed_again_updates_rather_than_duplicates(db):
    call_command("directory_import", str(FIXTURE), stdout=StringIO())
    count = Service.objects.count()
    out = StringIO()
    call_command("directory_import", str(FIXTURE), stdout=out)
    assert "0 new, 2 updated" in out.getvalue() and Service.objects.count() == count


def test_imported_safe_accommodation_locations_become_confidential(db):
    call_command("directory_import", str(FIXTURE), stdout=StringIO())
    assert Location.objects.get(name="Safe house").confidential
    service = Service.objects.get(name="Emergency accommodation for women")
    assert "12 Secret Street" not in Client().get(f"/directory/services/{service.number}/").content.decode()
    assert "12 Secret Street" not in Client().get(f"/api/directory/services/{service.id}").content.decode()


def test_a_feed_that_is_not_json_is_refused(tmp_path, db):
    bad = tmp_path / "feed.json"
    bad.write_text("<html>not json</html>")
    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("directory_import", str(bad), stdout=StringIO())


def test_a_json_file_that_is_not_an_oruk_feed_is_refused(tmp_path, db):
    bad = tmp_path / "feed.json"
    bad.write_text(json.dumps({"hello": "world"}))
    with pytest.raises(CommandError, match="not ORUK JSON"):
        call_command("directory_import", str(bad), stdout=StringIO())


def test_a_missing_file_is_refused(db):
    with pytest.raises(CommandError, match="No such file"):
        call_command("directory_import", "/nonexistent/feed.json", stdout=StringIO())


# --- the partnership admin's staff pages ------------------------------------------------------

def _entry(**overrides):
    data = {"organization_name": "Saheli Women's Group", "name": "Saheli drop-in",
            "description": "A weekly drop-in for South Asian women.", "phone": "01782 000222",
            "phone_description": "Tuesdays", "area": "Stoke-on-Trent", "needs": ["advice-and-support"],
            "audiences": ["women"], "languages": ["ur", "pa"], "status": "active"}
    data.update(overrides)
    return data


def test_a_partnership_admin_adds_a_service_the_public_sees_at_once(client_for):
    response = client_for("partnership.admin").post(reverse("directory:manage_new"), _entry())
    assert response.status_code == 302
    service = Service.objects.get(name="Saheli drop-in")
    assert "Saheli drop-in" in _names(Client().get("/directory/?language=pa"))
    assert AuditEvent.objects.filter(object_type="directory.service", object_id=str(service.pk),
                                     action=AuditAction.CREATE).exists()


def test_a_service_without_any_contact_is_refused_and_keeps_what_was_typed(client_for):
    response = client_for("partnership.admin").post(reverse("directory:manage_new"), _entry(phone=""))
    body = response.content.decode()
    assert "govuk-error-summary" in body and "Enter at least one way to reach the service" in body
    assert 'value="Saheli drop-in"' in body
    assert not Service.objects.filter(name="Saheli drop-in").exists()


def test_self_referrals_need_an_onboarded_agency_inbox(client_for):
    response = client_for("partnership.admin").post(reverse("directory:manage_new"),
                                                    _entry(accepts_self_referrals="on"))
    assert "Link an onboarded agency to take self-referrals" in response.content.decode()
    assert not Service.objects.filter(name="Saheli drop-in").exists()


def test_a_partnership_admin_changes_an_entry(client_for):
    galop = Service.objects.get(name__startswith="Galop")
    response = client_for("partnership.admin").post(
        reverse("directory:manage_edit", args=[galop.number]),
        _entry(organization_name="Galop", name=galop.name, status="temporarily closed", phone="0800 999 5428"))
    assert response.status_code == 302
    galop.refresh_from_db()
    assert galop.status == "temporarily closed"
    assert "temporarily closed" in Client().get(f"/directory/services/{galop.number}/").content.decode()


def test_only_a_partnership_admin_manages_the_directory(client_for):
    idva = client_for("idva", "new-era-victims")
    assert idva.get(reverse("directory:manage_list")).status_code == 403
    assert idva.post(reverse("directory:manage_new"), _entry()).status_code == 403
    assert not Service.objects.filter(name="Saheli drop-in").exists()
