"""Training the model without labels, as Splink does it.

``u`` (how often different people agree by chance) is counted on random pairs, which are
almost all different people. ``m`` and the prior are then found by expectation
maximisation on the blocked candidate pairs, with ``u`` held fixed. Both run on the counts
of distinct comparison vectors, so training on millions of pairs takes seconds.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Iterable, Sequence

from .compare import FIELDS, LEVELS, NULL, levels
from .model import Model
from .records import Prepared

SMOOTHING = 1e-4  # keeps a level never seen in training from having probability zero


def estimate_u(left: Sequence[Prepared], right: Sequence[Prepared] | None = None, *, pairs: int = 200_000,
               seed: int = 7) -> dict[str, list[float]]:
    """Level frequencies among random pairs (almost all of them two different people)."""
    rng = random.Random(seed)  # noqa: S311 - sampling pairs for training, not security
    other = right if right is not None else left
    if len(left) < 2 or len(other) < 1:
        raise ValueError("too few records to train on")
    counts = [[0.0] * len(LEVELS[f]) for f in FIELDS]
    for _ in range(pairs):
        i, j = rng.randrange(len(left)), rng.randrange(len(other))
        if right is None and i == j:
            continue
        for f, level in enumerate(levels(left[i], other[j])):
            if level != NULL:
                counts[f][level] += 1
    return {f: _normalised(counts[k]) for k, f in enumerate(FIELDS)}


def _normalised(row: list[float]) -> list[float]:
    total = sum(row) + SMOOTHING * len(row)
    return [(x + SMOOTHING) / total for x in row]


def expectation_maximisation(vectors: Counter[tuple[int, ...]] | Iterable[tuple[int, ...]], start: Model, *,
                             u: dict[str, list[float]] | None = None, iterations: int = 40,
                             tolerance: float = 1e-6) -> Model:
    """m and the prior for candidate pairs given their comparison vectors, u held fixed."""
    counted = vectors if isinstance(vectors, Counter) else Counter(vectors)
    if not counted:
        return start
    u = u or start.u
    m = {f: list(start.m[f]) for f in FIELDS}
    prior = min(max(start.prior, 1e-6), 0.5)
    total = sum(counted.values())
    patterns = list(counted.items())
    log_u = [[math.log(max(x, 1e-12)) for x in u[f]] for f in FIELDS]
    for _ in range(iterations):
        log_m = [[math.log(max(x, 1e-12)) for x in m[f]] for f in FIELDS]
        acc = [[0.0] * len(LEVELS[f]) for f in FIELDS]
        matches = 0.0
        lp, lq = math.log(prior), math.log(1 - prior)
        for vector, count in patterns:
            sm, su = lp, lq
            for f, level in enumerate(vector):
                if level != NULL:
                    sm += log_m[f][level]
                    su += log_u[f][level]
            diff = su - sm
            w = 1.0 / (1.0 + math.exp(diff)) if diff < 700 else 0.0
            weighted = w * count
            matches += weighted
            for f, level in enumerate(vector):
                if level != NULL:
                    acc[f][level] += weighted
        new_prior = min(max(matches / total, 1e-9), 0.999)
        new_m = {f: _normalised(acc[k]) for k, f in enumerate(FIELDS)}
        change = abs(new_prior - prior) + max(abs(a - b) for f in FIELDS for a, b in zip(m[f], new_m[f], strict=True))
        m, prior = new_m, new_prior
        if change < tolerance:
            break
    return Model(m=m, u={f: list(u[f]) for f in FIELDS}, prior=prior, meta=dict(start.meta))


# Each session blocks on one kind of key and learns m only for the fields that key does not
# constrain (a field the pairs were chosen to agree on says nothing about its own m).
SESSIONS: tuple[tuple[tuple[str, ...], frozenset[str]], ...] = (
    (("ds:",), frozenset({"date_of_birth", "surname"})),
    (("dg:",), frozenset({"date_of_birth", "given_name"})),
    (("nm:",), frozenset({"given_name", "surname"})),
)
MAX_TRAINING_PAIRS = 2_000_000


def train(left: Sequence[Prepared], right: Sequence[Prepared] | None = None, *, start: Model,
          max_block: int = 400, random_pairs: int = 300_000, min_pairs: int = 0,
          pair_budget: int | None = None) -> Model:
    """Unsupervised training: u from random pairs, m by EM in blocking sessions, then the prior.
    With fewer than ``min_pairs`` candidate pairs there is too little to learn from: ``start``
    is returned as it is."""
    from itertools import islice

    from .blocking import candidate_pairs

    other = right if right is not None else left
    def pairs(only: tuple[str, ...] = ()):
        return candidate_pairs(left, right, max_block=max_block, only=only, pair_budget=pair_budget)

    if min_pairs and sum(1 for _ in islice(pairs(), min_pairs)) < min_pairs:
        return start
    u = estimate_u(left, right, pairs=random_pairs)
    learned: dict[str, list[list[float]]] = {f: [] for f in FIELDS}
    for prefixes, ignored in SESSIONS:
        skip = [k for k, f in enumerate(FIELDS) if f in ignored]
        vectors: Counter[tuple[int, ...]] = Counter()
        for i, j in islice(pairs(prefixes), MAX_TRAINING_PAIRS):
            vector = list(levels(left[i], other[j]))
            for k in skip:
                vector[k] = NULL
            vectors[tuple(vector)] += 1
        if sum(vectors.values()) < 100:
            continue
        session = expectation_maximisation(vectors, start, u=u)
        for f in FIELDS:
            if f not in ignored:
                learned[f].append(session.m[f])
    m = {f: ([sum(col) / len(rows) for col in zip(*rows, strict=True)] if (rows := learned[f]) else list(start.m[f]))
         for f in FIELDS}
    fixed = Model(m=m, u=u, prior=start.prior, meta=dict(start.meta))
    vectors = Counter(levels(left[i], other[j]) for i, j in islice(pairs(), MAX_TRAINING_PAIRS))
    # The prior is the chance that two records picked at random are the same person, not
    # that a blocked pair is: blocked pairs were chosen for agreeing, and that agreement is
    # already counted in their comparison vectors.
    blocked = sum(vectors.values())
    total = len(left) * len(other) if right is not None else len(left) * (len(left) - 1) // 2
    prior = prior_by_em(vectors, fixed) * blocked / max(total, 1)
    return Model(m=m, u=u, prior=min(max(prior, 1e-12), 0.5), meta=dict(start.meta), family_guard=start.family_guard)


def prior_by_em(vectors: Counter[tuple[int, ...]], model: Model, *, iterations: int = 50) -> float:
    """The share of candidate pairs that are matches, with m and u held fixed."""
    if not vectors:
        return model.prior
    weights = [(model.weight_of(v) - model._prior_weight, c) for v, c in vectors.items()]
    total = sum(c for _, c in weights)
    prior = min(max(model.prior, 1e-6), 0.5)
    for _ in range(iterations):
        lo = math.log2(prior / (1 - prior))
        new = sum(c / (1 + 2.0 ** -(w + lo)) if (w + lo) > -60 else 0.0 for w, c in weights) / total
        new = min(max(new, 1e-9), 0.999)
        if abs(new - prior) < 1e-9:
            break
        prior = new
    return prior
