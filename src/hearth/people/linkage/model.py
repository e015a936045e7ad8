"""A Fellegi–Sunter model: trained m and u probabilities per comparison level, a prior, bands.

For each field level, ``m`` is how often two records of the same person compare at that
level and ``u`` how often two different people do. A pair's match weight is the prior's
log-odds plus the sum of log2(m/u) over its fields; its probability is that weight turned
back into odds. The parameters are trained (``em.py``) and shipped in ``data/model.json``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

from .compare import FIELDS, LEVELS, NULL, levels
from .records import Prepared, Record, prepare

LINK, REVIEW, NO_LINK = "link", "review", "no_link"
# The batch command's "same person" threshold. Above an even chance on purpose: a false link
# puts one person's record in another's file, a missed link only leaves two records unjoined.
# On the synthetic UK set, 0.7 rather than 0.5 cuts false links by two thirds for 2% of recall.
DEFAULT_THRESHOLD = 0.7
# Product bands: "link" is offered first and marked likely; "review" is offered for a person
# to judge; below that nothing is shown.
LINK_THRESHOLD = 0.95
REVIEW_THRESHOLD = 0.2
# The family guard's ceiling (see ``Model.score``).
DIFFERENT_PERSON_CEILING = 0.01
ONE_DIFFERS_CEILING = 0.3
# Nothing but names to compare (see ``_names_alone``).
NAMES_ALONE_CEILING = 0.3

GIVEN, SURNAME, DOB, ADDRESS, LOCALITY, POSTCODE, PHONE, EMAIL = range(8)
MIN_WEIGHT, MAX_WEIGHT = -8.0, 16.0
TF_LIMIT = 5.0


@dataclass
class Comparison:
    """One scored pair: probability, band, the levels and the reasons in words."""

    probability: float
    band: str
    weight: float
    levels: tuple[int, ...] = ()
    reasons: list[str] = field(default_factory=list)
    # (field, reason) for each reason, so a page can leave out reasons about fields the
    # user may not see (an address agreeing with a record they cannot open says too much).
    reason_fields: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Model:
    m: dict[str, list[float]]
    u: dict[str, list[float]]
    prior: float  # probability that a blocked candidate pair is a match
    meta: dict = field(default_factory=dict)
    # Off only to measure what the guard costs on data without households (FEBRL).
    family_guard: bool = True
    # field -> normalised value -> share of records with it (term frequencies), counted per run.
    name_frequency: dict[str, dict[str, float]] | None = None

    def __post_init__(self) -> None:
        # Clamped: a level never seen for true matches in training (a changed email, say) must
        # not become proof of a different person in the field.
        self._weights = [
            _monotone([min(max(math.log2(max(m, 1e-6) / max(u, 1e-6)), MIN_WEIGHT), MAX_WEIGHT)
                       for m, u in zip(self.m[f], self.u[f], strict=True)])
            for f in FIELDS]
        self._prior_weight = math.log2(self.prior / (1 - self.prior))

    # -- scoring -------------------------------------------------------------------------

    def weight_of(self, vector: tuple[int, ...]) -> float:
        total = self._prior_weight
        for f, level in enumerate(vector):
            if level != NULL and f not in (ADDRESS, POSTCODE):
                total += self._weights[f][level]
        # Address and postcode are one piece of evidence (where someone lives), not two:
        # adding both would count a shared home twice.
        a = self._weights[ADDRESS][vector[ADDRESS]] if vector[ADDRESS] != NULL else 0.0
        p = self._weights[POSTCODE][vector[POSTCODE]] if vector[POSTCODE] != NULL else 0.0
        if a > 0 and p > 0:
            total += max(a, p) + 0.25 * min(a, p)
        else:
            total += a + p
        return total

    def probability_of(self, vector: tuple[int, ...]) -> float:
        weight = self.weight_of(vector)
        probability = _names_alone(vector, 1.0 / (1.0 + 2.0 ** -weight) if weight > -60 else 0.0)
        return self.guard(vector, probability) if self.family_guard else probability

    def frequency_adjustment(self, a: Prepared, b: Prepared, vector: tuple[int, ...]) -> float:
        """Term frequencies (as Splink's): agreeing on a rare name says more than on a common one.
        The level's u is the average chance of two records agreeing; this name's own chance is
        its frequency. Only where ``name_frequency`` was counted (batch runs on a whole file)."""
        if not self.name_frequency:
            return 0.0
        total = 0.0
        for name, value, exact in (("given_name", a.given, vector[GIVEN] == 4),
                                   ("surname", a.surname, vector[SURNAME] == 3 and a.surname == b.surname)):
            frequency = self.name_frequency.get(name, {}).get(value)
            if exact and frequency:
                u_level = self.u[name][len(self.u[name]) - 1]
                total += min(max(math.log2(u_level / frequency), -TF_LIMIT), TF_LIMIT)
        return total

    def probability_for(self, a: Prepared, b: Prepared, vector: tuple[int, ...]) -> float:
        """As ``probability_of``, knowing the values: a shared mobile phone is personal evidence,
        and a rare name counts for more than a common one."""
        weight = self.weight_of(vector) + self.frequency_adjustment(a, b, vector)
        probability = _names_alone(vector, 1.0 / (1.0 + 2.0 ** -weight) if weight > -60 else 0.0)
        if not self.family_guard:
            return probability
        mobile = vector[PHONE] == 2 and a.phone.startswith("07")
        return self.guard(vector, probability, personal_contact=mobile)

    @staticmethod
    def guard(vector: tuple[int, ...], probability: float, *, personal_contact: bool = False) -> float:
        """The family guard. Surname, address, postcode and a landline are shared by a household,
        so they cannot on their own make two records one person. A clearly different given name,
        or a clearly different date of birth, means a different person (a mother and daughter,
        sisters, a victim and her abuser): at most 1%, whatever else agrees (an abuser may hold his
        partner's phone). Only one of them clearly different (twins; a mother and the daughter
        named after her) is at most "review": a practitioner may be shown it to judge, it is never
        linked by itself, unless something personal agrees (the same email or mobile phone)."""
        if vector[GIVEN] == 0 and vector[DOB] in (0, NULL):
            return min(probability, DIFFERENT_PERSON_CEILING)
        if personal_contact or vector[EMAIL] == 2:
            return probability
        if vector[GIVEN] == 0 or vector[DOB] == 0:
            return min(probability, ONE_DIFFERS_CEILING)
        return probability

    def compare_prepared(self, a: Prepared, b: Prepared) -> Comparison:
        vector = levels(a, b)
        weight = self.weight_of(vector)
        probability = self.probability_for(a, b, vector)
        ranked = sorted(
            ((self._weights[f][lv], name, LEVELS[name][lv])
             for f, (name, lv) in enumerate(zip(FIELDS, vector, strict=True)) if lv != NULL),
            key=lambda item: -abs(item[0]))
        details = [(name, text) for w, name, text in ranked if abs(w) >= 0.5]
        return Comparison(round(probability, 4), band_of(probability), round(weight, 2), vector,
                          [text for _, text in details], details)

    def compare(self, a: Record, b: Record) -> Comparison:
        return self.compare_prepared(prepare(a), prepare(b))

    def rank(self, record: Record, candidates: list[Record]) -> list[tuple[Record, Comparison]]:
        """Candidates scored against ``record``, best first."""
        mine = prepare(record)
        scored = [(other, self.compare_prepared(mine, prepare(other))) for other in candidates]
        return sorted(scored, key=lambda pair: (-pair[1].probability, -pair[1].weight))

    # -- storage -------------------------------------------------------------------------

    def to_json(self) -> dict:
        return {
            "fields": {f: {"levels": LEVELS[f], "m": [round(x, 6) for x in self.m[f]],
                           "u": [round(x, 6) for x in self.u[f]]} for f in FIELDS},
            "prior": self.prior,
            "meta": self.meta,
        }

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_json(), indent=2) + "\n", encoding="utf-8")

    @classmethod
    def from_json(cls, data: dict) -> Model:
        fields = data["fields"]
        return cls(m={f: list(fields[f]["m"]) for f in FIELDS}, u={f: list(fields[f]["u"]) for f in FIELDS},
                   prior=float(data["prior"]), meta=dict(data.get("meta", {})))

    @classmethod
    def load(cls, path: str | Path) -> Model:
        return cls.from_json(json.loads(Path(path).read_text(encoding="utf-8")))


def _names_alone(vector: tuple[int, ...], probability: float) -> float:
    """A name alone is not an identity: where nothing but the names can be compared (no date of
    birth, address, postcode, phone or email on one side or the other), at most "review". On the
    UK set such links were right only about half the time, whatever the model said."""
    if all(level == NULL for level in vector[DOB:]):
        return min(probability, NAMES_ALONE_CEILING)
    return probability


def _monotone(weights: list[float]) -> list[float]:
    """Closer agreement is never weaker evidence than looser agreement: each level weighs at
    least what the level below it does. Training can say otherwise only for levels it rarely
    saw (an address that nearly agrees, absent from the training file, came out at -8)."""
    out: list[float] = []
    for weight in weights:
        out.append(max(weight, out[-1]) if out else weight)
    return out


def band_of(probability: float) -> str:
    if probability >= LINK_THRESHOLD:
        return LINK
    return REVIEW if probability >= REVIEW_THRESHOLD else NO_LINK


@cache
def shipped_model() -> Model:
    """The trained parameters shipped with Hearth (``data/model.json``)."""
    text = resources.files(__package__).joinpath("data", "model.json").read_text(encoding="utf-8")
    return Model.from_json(json.loads(text))


def starting_model() -> Model:
    """Rough parameters to start EM from when nothing is trained yet."""
    m = {f: [0.0] * len(LEVELS[f]) for f in FIELDS}
    u = {f: [0.0] * len(LEVELS[f]) for f in FIELDS}
    for f in FIELDS:
        k = len(LEVELS[f])
        # Matches mostly agree exactly; non-matches mostly disagree.
        m[f] = [0.05 / (k - 1)] * (k - 1) + [0.95]
        u[f] = [0.95] + [0.05 / (k - 1)] * (k - 1)
    return Model(m=m, u=u, prior=0.01, meta={"note": "untrained starting values"})
