"""A synthetic UK-style identity set with the truth: households, nicknames, transliterations,
changed surnames, day/month swaps, moves, typos and missing fields. Every person is fictional.

    .venv/bin/python bench/ukgen.py --people 20000 --seed 1 --out train.csv

``generate`` returns the records (dicts in the batch command's columns), the true pairs
(records of the same person) and the household pairs (records of different people in one
household: the pairs that must never be linked).
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from datetime import date, timedelta
from itertools import combinations

COLUMNS = ("record_id", "given_name", "surname", "date_of_birth", "address_line", "postcode", "phone", "email")

FEMALE = {  # formal name -> other forms seen in records (nicknames, spellings)
    "Elizabeth": ["Liz", "Beth", "Lizzie", "Eliza"], "Katherine": ["Kate", "Katie", "Kathryn", "Cathy"],
    "Rebecca": ["Becky", "Becca"], "Jennifer": ["Jenny", "Jen"], "Samantha": ["Sam", "Sammy"],
    "Victoria": ["Vicky", "Vikki"], "Christine": ["Chris", "Kirsty"], "Deborah": ["Debbie", "Debra"],
    "Susan": ["Sue", "Susie"], "Nicola": ["Nicky", "Nikki"], "Joanne": ["Jo", "Joanna"], "Stephanie": ["Steph"],
    "Margaret": ["Maggie", "Peggy"], "Amanda": ["Mandy"], "Jacqueline": ["Jackie"], "Natalie": ["Nat"],
    "Aisha": ["Ayesha", "Aysha"], "Fatima": ["Fatimah", "Fatma"], "Nasreen": ["Nasrin"], "Shazia": ["Shaziya"],
    "Samina": ["Sameena"], "Zainab": ["Zaynab"], "Maryam": ["Mariam"], "Agnieszka": ["Aga"],
    "Katarzyna": ["Kasia"], "Malgorzata": ["Gosia"], "Zofia": ["Zosia"], "Ioana": ["Joanna"],
    "Andreea": ["Andrea"], "Gemma": ["Jemma"], "Leanne": ["Lianne"], "Jodie": ["Jody"], "Amy": [],
    "Emma": [], "Sophie": ["Sophia"], "Hannah": ["Hanna"], "Chloe": [], "Lauren": [], "Laura": [], "Kelly": [],
    "Donna": [], "Claire": [], "Sarah": ["Sara"], "Emily": ["Emmy"], "Olivia": ["Liv"], "Jessica": ["Jess"],
    "Charlotte": ["Charlie", "Lottie"], "Grace": ["Gracie"], "Lucy": ["Lucie"], "Abigail": ["Abbie", "Abby"],
}
MALE = {
    "William": ["Will", "Bill", "Liam"], "Robert": ["Rob", "Bob", "Robbie"], "Richard": ["Rich", "Ricky"],
    "James": ["Jim", "Jamie"], "Michael": ["Mike", "Mick"], "Thomas": ["Tom", "Tommy"],
    "Christopher": ["Chris"], "Anthony": ["Tony"], "Daniel": ["Dan", "Danny"], "Matthew": ["Matt"],
    "Andrew": ["Andy"], "Joseph": ["Joe"], "David": ["Dave"], "Stephen": ["Steve", "Steven"], "Peter": ["Pete"],
    "Edward": ["Ed", "Eddie"], "Benjamin": ["Ben"], "Jonathan": ["Jon"], "Nicholas": ["Nick"],
    "Mohammed": ["Muhammad", "Mohamed", "Mohammad", "Muhammed"], "Ahmed": ["Ahmad"], "Hussain": ["Hussein"],
    "Yusuf": ["Yousef", "Yusef"], "Imran": ["Imraan"], "Bilal": ["Belal"], "Tariq": ["Tarik"], "Omar": ["Umar"],
    "Hassan": ["Hasan"], "Khalid": ["Khaled"], "Piotr": ["Peter"], "Tomasz": ["Tomas"], "Pawel": ["Paul"],
    "Wojciech": ["Wojtek"], "Mihai": ["Mihail"], "Andrzej": ["Andrei"], "Dean": [], "Craig": [], "Wayne": [],
    "Lee": ["Leigh"], "Gareth": ["Gary"], "Jack": [], "Harry": [], "Oliver": ["Ollie"], "George": [],
    "Jordan": [], "Kyle": [], "Ryan": [], "Adam": [], "Luke": [], "Callum": [], "Connor": [],
}
SURNAMES = [
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas", "Johnson", "Roberts",
    "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards", "Hughes", "Green", "Hall", "Lewis", "Harris",
    "Clarke", "Patel", "Jackson", "Wood", "Turner", "Martin", "Cooper", "Hill", "Ward", "Morris", "Moore", "Clark",
    "Lee", "King", "Baker", "Harrison", "Morgan", "Allen", "James", "Scott", "Phillips", "Watson", "Davis",
    "Parker", "Price", "Bennett", "Young", "Griffiths", "Mitchell", "Kelly", "Cook", "Carter", "Richardson",
    "Bailey", "Collins", "Bell", "Shaw", "Murphy", "Miller", "Cox", "Richards", "Khan", "Marshall", "Anderson",
    "Simpson", "Ellis", "Adams", "Singh", "Begum", "Wilkinson", "Foster", "Chapman", "Powell", "Webb", "Rogers",
    "Gray", "Mason", "Ali", "Hunt", "Hussain", "Campbell", "Matthews", "Owen", "Palmer", "Holmes", "Mills",
    "Barnes", "Knight", "Lloyd", "Butler", "Russell", "Barker", "Fisher", "Stevens", "Jenkins", "Murray", "Dixon",
    "Harvey", "Ahmed", "Akhtar", "Iqbal", "Mahmood", "Bibi", "Shah", "Rashid", "Nowak", "Kowalski", "Wozniak",
    "Lewandowski", "Kaminski", "Popa", "Stan", "Dumitru", "Barlow", "Hollins", "Shenton", "Bloor", "Mountford",
    "Capewell", "Birks", "Hulme", "Plant", "Salt", "Beech", "Boulton", "Wedgwood", "Spode", "Mottram", "Leese",
]
SURNAME_SPELLINGS = {"Hussain": "Husain", "Mahmood": "Mahmud", "Ahmed": "Ahmad", "Nowak": "Novak",
                     "Wozniak": "Vozniak", "Thompson": "Thomson", "Clarke": "Clark", "Begum": "Begam"}
STREETS = ["Leek Road", "Waterloo Road", "Victoria Road", "Werrington Road", "Uttoxeter Road", "King Street",
           "Lightwood Road", "Boothen Road", "Moorland Road", "Hartshill Road", "Church Street", "High Street",
           "Station Road", "Park Lane", "Mill Lane", "London Road", "Newcastle Road", "Trentham Road",
           "Hanley Road", "Etruria Road", "Festival Way", "Queens Road", "Albert Street", "Stone Road", "Oak Street",
           "Birches Head Road", "Dividy Road", "Weston Road", "Ash Grove", "Elm Close", "Birch Avenue", "Cedar Way"]
TOWNS = ["Hanley", "Burslem", "Tunstall", "Longton", "Fenton", "Stoke", "Meir", "Bentilee", "Abbey Hulton",
         "Smallthorne", "Trentham", "Blurton", "Shelton", "Etruria", "Normacot", "Newcastle-under-Lyme"]
DOMAINS = ["gmail.com", "hotmail.co.uk", "outlook.com", "yahoo.co.uk", "icloud.com", "btinternet.com"]
KEYBOARD = "abcdefghijklmnopqrstuvwxyz"


_ONSETS = ["B", "Br", "C", "Ch", "D", "F", "G", "H", "J", "K", "L", "M", "N", "P", "R", "S", "Sh", "St", "T",
           "W", "Wh", "Y"]
_MIDDLES = ["a", "e", "i", "o", "u", "ar", "er", "or", "ea", "oo", "ay", "ow"]
_ENDS = ["ley", "ton", "ford", "well", "wood", "by", "ham", "field", "son", "man", "ridge", "worth", "cott",
         "shaw", "land", "ick", "er", "ing", "den", "hurst", "low", "ston", "brook", "ell", "ard", "ins"]


def _surname(rng: random.Random) -> str:
    """Common surnames most of the time, otherwise one from a long tail, as in a real register."""
    if rng.random() < 0.65:
        return rng.choice(SURNAMES)
    return rng.choice(_ONSETS) + rng.choice(_MIDDLES) + rng.choice(_ENDS) + (rng.choice(["", "", "e", "s"]))


def _postcode(rng: random.Random) -> str:
    return f"ST{rng.randint(1, 12)} {rng.randint(0, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}" \
           f"{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"


def _address(rng: random.Random) -> tuple[str, str]:
    flat = f"Flat {rng.randint(1, 12)}, " if rng.random() < 0.2 else ""
    return f"{flat}{rng.randint(1, 220)} {rng.choice(STREETS)}, {rng.choice(TOWNS)}", _postcode(rng)


def _phone(rng: random.Random) -> str:
    return f"07{rng.randint(100, 999)} {rng.randint(100000, 999999)}"


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 3:
        return word
    i = rng.randrange(1, len(word))
    kind = rng.random()
    if kind < 0.3:
        return word[:i] + word[i + 1:]
    if kind < 0.6 and i < len(word) - 1:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if kind < 0.8:
        return word[:i] + rng.choice(KEYBOARD) + word[i + 1:]
    return word[:i] + rng.choice(KEYBOARD) + word[i:]


def _born(rng: random.Random, age_from: int, age_to: int, today: date) -> date:
    return today - timedelta(days=rng.randint(age_from * 365, age_to * 365 + 364))


def _people(rng: random.Random, n_people: int, today: date) -> list[dict]:
    """Whole households: the woman at risk, often a partner, children, sometimes her sister or mother."""
    people: list[dict] = []
    household = 0
    while len(people) < n_people:
        household += 1
        address, postcode = _address(rng)
        landline = f"01782 {rng.randint(200000, 899999)}" if rng.random() < 0.3 else ""
        family = _surname(rng)
        woman_born = _born(rng, 20, 60, today)
        members = [{"sex": "f", "surname": family, "born": woman_born, "maiden": _surname(rng)}]
        if rng.random() < 0.6:
            members.append({"sex": "m", "surname": family, "born": _born(rng, 20, 62, today)})
        for _ in range(rng.choice([0, 0, 1, 1, 2, 2, 3])):
            child_age = rng.randint(0, min(20, max(0, (today - woman_born).days // 365 - 16)))
            twin = members[-1]["born"] if members[-1].get("child") and rng.random() < 0.03 else None
            members.append({"sex": rng.choice("fm"), "surname": family, "child": True,
                            "born": twin or _born(rng, child_age, child_age, today)})
        if rng.random() < 0.12:  # her sister (same surname) still at the family address
            members.append({"sex": "f", "surname": family, "born": _born(rng, 18, 60, today)})
        if rng.random() < 0.06:  # her mother
            members.append({"sex": "f", "surname": family, "born": _born(rng, 55, 85, today)})
        used: set[str] = set()
        for m in members:
            names = FEMALE if m["sex"] == "f" else MALE
            # No two members share a name or one of its forms (that is another test: see below).
            given = rng.choice([g for g in names if g not in used and not used & set(names[g])] or list(names))
            used |= {given, *names[given]}
            people.append({**m, "given": given, "household": household, "address": address, "postcode": postcode,
                           "phone": _phone(rng) if not m.get("child") or rng.random() < 0.3 else "",
                           "landline": landline})
    return people[:n_people]


def _record(rng: random.Random, person: dict, *, variant: bool, today: date) -> dict:
    names = FEMALE if person["sex"] == "f" else MALE
    given, surname, born = person["given"], person["surname"], person["born"]
    address, postcode, phone = person["address"], person["postcode"], person["phone"] or person["landline"]
    email = ""
    if not person.get("child") and rng.random() < 0.5:
        email = f"{given.lower()}.{surname.lower()}{rng.randint(1, 99)}@{rng.choice(DOMAINS)}"
        person.setdefault("email", email)
        email = person["email"]
    if variant:
        if names[person["given"]] and rng.random() < 0.45:
            given = rng.choice(names[person["given"]])  # nickname or other spelling
        if rng.random() < 0.12:
            given = _typo(rng, given)
        if surname in SURNAME_SPELLINGS and rng.random() < 0.5:
            surname = SURNAME_SPELLINGS[surname]
        if person.get("maiden") and rng.random() < 0.2:
            surname = person["maiden"]  # back to her own surname after leaving
        elif rng.random() < 0.1:
            surname = _typo(rng, surname)
        r = rng.random()
        if r < 0.06 and born.day <= 12:
            born = born.replace(day=born.month, month=born.day)
        elif r < 0.12:
            try:
                born = born.replace(day=rng.randint(1, 28))
            except ValueError:
                pass
        elif r < 0.15 and not (born.month == 2 and born.day == 29):
            born = born.replace(year=born.year + rng.choice([-1, 1]))
        elif r < 0.25:
            born = None
        if rng.random() < 0.4:  # she has moved (a refuge, a new tenancy)
            address, postcode = _address(rng)
            phone = phone if rng.random() < 0.5 else ""
        elif rng.random() < 0.15:
            address = address.replace("Road", "Rd").replace("Street", "St")
        if rng.random() < 0.4:
            phone = ""
        elif rng.random() < 0.2:
            phone = _phone(rng)  # a new phone
        if rng.random() < 0.5:
            email = ""
        if rng.random() < 0.15:
            address, postcode = "", ""
    return {"given_name": given, "surname": surname, "date_of_birth": born.isoformat() if born else "",
            "address_line": address, "postcode": postcode, "phone": phone, "email": email}


def generate(n_people: int, *, seed: int = 1, duplicate_rate: float = 0.5, today: date = date(2026, 11, 1)):
    """(records, true pairs, household pairs) for ``n_people`` fictional people."""
    rng = random.Random(seed)
    people = _people(rng, n_people, today)
    records: list[dict] = []
    of_person: list[int] = []
    for p_index, person in enumerate(people):
        copies = 1 + (rng.choice([1, 1, 1, 2, 3]) if rng.random() < duplicate_rate else 0)
        for c in range(copies):
            records.append(_record(rng, person, variant=c > 0, today=today))
            of_person.append(p_index)
    order = list(range(len(records)))
    rng.shuffle(order)
    out, by_person, by_household = [], {}, {}
    for new_index, old in enumerate(order):
        record_id = f"r{new_index + 1}"
        out.append({"record_id": record_id, **records[old]})
        by_person.setdefault(of_person[old], []).append(record_id)
    for p_index, ids in by_person.items():
        by_household.setdefault(people[p_index]["household"], []).append(ids)
    truth = {tuple(sorted(pair)) for ids in by_person.values() for pair in combinations(ids, 2)}
    household_pairs = set()
    for members in by_household.values():
        for a, b in combinations(members, 2):
            household_pairs |= {tuple(sorted((x, y))) for x in a for y in b}
    return out, truth, household_pairs


def write_csv(records: list[dict], path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(records)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    recs, true_pairs, households = generate(args.people, seed=args.seed)
    write_csv(recs, args.out)
    print(f"{len(recs)} records, {len(true_pairs)} true pairs, {len(households)} household pairs", file=sys.stderr)
