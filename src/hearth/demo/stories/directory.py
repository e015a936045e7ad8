"""Demo directory (the Stoke-on-Trent services in the seeds, national helplines) and story 4:
Tariq Hussain, in his 50s, refers himself to New Era from the public help site.

Entries are made through the directory's services as the partnership admin (audited); the
self-referral goes through the same public-site service a visitor's form does.
"""

from __future__ import annotations

from datetime import date

from hearth.directory.models import Location, Service, ServiceAtLocation
from hearth.directory.services import service_save, taxonomy_ensure
from hearth.people.models import Person
from hearth.platform import context
from hearth.referrals.models import Referral, Source

# name, organisation, description, phone, phone note, email, url, area, needs, audiences, languages,
# agency slug (the Hearth inbox behind the service), national, location (name, address, postcode, lat, long)
# or None
SERVICES = [
    ("New Era – victim services", "New Era",
     "Free, private support for anyone affected by domestic abuse in Stoke-on-Trent and Staffordshire: "
     "someone to talk to, safety planning, IDVAs who support you through the police and courts, and "
     "help for children and families.",
     "0300 303 3778", "24 hours", "new-era@victimsupport.org.uk", "", "Stoke-on-Trent and Staffordshire",
     ["advice-and-support", "idva", "children-and-families", "helpline"], ["women", "men", "lgbt", "nrpf",
                                                                          "children-young-people"],
     ["en", "ur", "pa", "pl"], "new-era-victims", False, None),
    ("New Era – perpetrator services", "New Era",
     "Help for people who want to stop being abusive to a partner or family member: a behaviour change "
     "programme, one-to-one work and support for their families.",
     "0300 373 5772", "", "behaviour-change@new-era.uk", "", "Stoke-on-Trent and Staffordshire",
     ["behaviour-change"], ["people-who-harm"], ["en"], "new-era-perpetrators", False, None),
    ("The Alice Charity – family support", "The Alice Charity",
     "A local charity, since 2011, helping families who have had to leave home in a crisis: the basics, "
     "household furniture and donated goods, usually through a referral from the police or a support worker.",
     "", "", "", "https://www.alicecharity.co.uk/", "Newcastle-under-Lyme and Stoke-on-Trent",
     ["practical-help", "children-and-families"], ["women", "men", "children-young-people"], ["en"], "alice-charity",
     False,
     ("The Alice Charity", "Newcastle-under-Lyme", "ST5 1", 53.0130, -2.2270)),
    ("Housing options", "Stoke-on-Trent City Council",
     "Advice if you need to leave home or are at risk of losing your home because of domestic abuse, "
     "including emergency accommodation and help to stay safely in your own home.",
     "01782 233696", "Monday to Friday", "", "https://www.stoke.gov.uk/", "Stoke-on-Trent",
     ["housing", "safe-accommodation"], ["women", "men", "lgbt", "nrpf"], ["en", "ur", "pl"], "stoke-housing", False,
     ("Civic Centre", "Glebe Street, Stoke", "ST4 1", 53.0050, -2.1800)),
    ("Staffordshire Police", "Staffordshire Police",
     "In an emergency call 999. If you cannot speak, call 999 from a mobile and press 55. "
     "For anything else call 101.",
     "999", "Emergency. Silent call: press 55", "", "https://www.staffordshire.police.uk/", "Staffordshire",
     ["emergency"], ["women", "men", "lgbt", "children-young-people", "nrpf"], ["en"], None, False, None),
    ("Potteries Refuge", "Potteries Refuge",
     "Safe, private accommodation and support for women and their children escaping domestic abuse. "
     "The address is never published: call the National Domestic Abuse Helpline or New Era to ask for a space.",
     "0808 2000 247", "Through the National Domestic Abuse Helpline, 24 hours", "", "", "Stoke-on-Trent",
     ["safe-accommodation"], ["women", "children-young-people"], ["en", "ur"], None, False,
     ("Refuge (confidential)", "Not published", "ST4 7", 53.0110, -2.1980)),
    ("National Domestic Abuse Helpline", "Refuge (national charity)",
     "Free, private helpline for anyone experiencing domestic abuse, and the usual way into a refuge space.",
     "0808 2000 247", "24 hours, free", "", "https://www.nationaldahelpline.org.uk/", "England",
     ["helpline", "advice-and-support", "safe-accommodation"], ["women", "lgbt", "nrpf"],
     ["en", "ur", "pa", "pl", "ar", "bn"], None, True, None),
    ("Men's Advice Line", "Respect",
     "Free, private helpline for men experiencing domestic abuse.",
     "0808 8010 327", "Free", "", "https://mensadviceline.org.uk/", "UK",
     ["helpline", "advice-and-support"], ["men"], ["en"], None, True, None),
    ("Galop – LGBT+ domestic abuse helpline", "Galop",
     "Free, private helpline for LGBT+ people experiencing domestic abuse.",
     "0800 999 5428", "Free", "", "https://galop.org.uk/", "UK",
     ["helpline", "advice-and-support"], ["lgbt"], ["en"], None, True, None),
    ("Respect Phoneline", "Respect",
     "Free, private helpline for people worried about their own behaviour towards a partner or family member.",
     "0808 8024 040", "Free", "", "https://respectphoneline.org.uk/", "UK",
     ["helpline", "behaviour-change"], ["people-who-harm"], ["en"], None, True, None),
]

# The services whose agencies take self-referrals from the public help site; the others take
# referrals from partner agencies only (the charity works through referrals, as in the seeds).
SELF_REFERRAL_AGENCIES = {"new-era-victims", "new-era-perpetrators"}


def load(*, agencies, users) -> dict[str, int]:
    """Create the demo directory and Tariq's self-referral, once each."""
    taxonomy_ensure()
    admin = users["partnership.admin"]
    membership = admin.memberships.get(agency=agencies["da-board"])
    if not Service.objects.exists():
        with context.acting_as(admin, membership):
            admin.membership = membership
            for (name, org, description, phone, note, email, url, area, needs, audiences, languages, slug,
                 national, where) in SERVICES:
                service = service_save(
                    actor=admin, organization_name=org, name=name, description=description, phone=phone,
                    phone_description=note, email=email, url=url, area=area, needs=needs, audiences=audiences,
                    languages=languages, agency=agencies.get(slug) if slug else None,
                    accepts_self_referrals=slug in SELF_REFERRAL_AGENCIES, is_national=national)
                if where:
                    loc_name, address, postcode, lat, lng = where
                    location = Location.objects.create(
                        name=loc_name, address_1=address, postal_code=postcode, latitude=lat, longitude=lng,
                        city="Stoke-on-Trent", confidential=loc_name.startswith("Refuge"))
                    ServiceAtLocation.objects.create(service=service, location=location)
    _tariq_self_refers(agencies)
    return {"directory_services": Service.objects.count(),
            "self_referrals": Referral.objects.filter(source=Source.SELF_REFERRAL).count()}


def _tariq_self_refers(agencies) -> None:
    """Story 4: he found the help page and the directory, and asked New Era to text him after 6pm."""
    new_era = agencies["new-era-victims"]
    tariq = Person.objects.filter(given_name="Tariq", family_name="Hussain", owner_agency=new_era,
                                  date_of_birth__month=1, date_of_birth__day=23).first()
    if Referral.objects.filter(source=Source.SELF_REFERRAL, to_agency=new_era,
                               person__given_name="Tariq", person__family_name="Hussain").exists():
        return
    from hearth.public.services import self_referral_send

    service = Service.objects.get(agency=new_era)
    born = tariq.date_of_birth if tariq is not None and tariq.date_of_birth else date(1972, 1, 23)
    self_referral_send(service=service, answers={
        "given_name": "Tariq", "family_name": "Hussain", "date_of_birth": born, "phone": "07700 900119",
        "how": "contact_me", "ways": ["text"], "safe_times": "After 6pm",
        "needs": "My son takes my bank card and my wages, and I have to ask him for money. I want advice.",
    }, language="en-gb")
