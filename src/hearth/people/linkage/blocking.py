"""Blocking keys: cheap keys that two records of the same person very probably share.

Only pairs sharing at least one key are scored. Each key tolerates a different kind of
variation, so that together they survive typos, nicknames, transliterations, changed
surnames, day/month swaps, moves and missing fields:

- date of birth (or its day/month swap) + first letter of the given name's group
  (Liz and Elizabeth both start "e": their group is "elizabeth");
- date of birth + the surname's first sound (a given name typed badly);
- given name group + surname sound (a wrong or missing date of birth);
- given name group + year and month of birth, or + day and month (a changed surname,
  or that and a mistyped year);
- surname sound + year and month of birth (an unusual nickname);
- both names' sounds in either order, and date of birth + both initials in either order
  (given name and surname entered the wrong way round);
- postcode + house number (names and date of birth both badly typed);
- postcode + given name group initial; phone; email.

Batch runs on small files add one-field keys (see ``keys_of``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence

from .normalise import name_groups, phonetic, swapped
from .records import Prepared

BROAD_UP_TO = 12_000
FLAT_WORDS = frozenset({"flat", "room", "unit"})  # normal_address writes apt and apartment as flat


def street_key(p: Prepared) -> str:
    """House number, street and area (``sa:12|leek|ST4``), read past a flat's number: "Flat 4, 12 Leek
    Road" is the building at 12 Leek Road, not house 4 on a street called "flat" (a key every flat 4
    in the area would share)."""
    words = p.address.split()
    if len(words) > 2 and words[0] in FLAT_WORDS and any(ch.isdigit() for ch in words[1]):
        words = words[2:]
    house = next((w for w in words if any(ch.isdigit() for ch in w)), "")
    street = next((w for w in words if w.isalpha() and len(w) > 3), "")
    if not (house and street) or street in FLAT_WORDS:  # a flat's number and nothing else
        return ""
    return f"sa:{house}|{street}|{p.locality[:3] or p.postcode[:3]}"


def keys_of(p: Prepared, *, broad: bool = False) -> set[str]:
    """The record's blocking keys. ``broad`` adds one-field keys (given name, surname, date of
    birth, postcode alone) for batch runs, where blocks too big to be useful are skipped anyway;
    the product's index stores only the narrow keys."""
    keys: set[str] = set()
    if broad:
        # A name by its letters in any order and in either box: survives a transposed pair of
        # letters (Filnay for Finlay) and a name typed in the other name's box.
        keys |= {f"bn:{''.join(sorted(v))}" for v in (p.given, p.surname) if v}
        keys |= {f"b{k}:{v}" for k, v in (("d", p.born and p.born.isoformat()), ("p", p.postcode),
                                             ("l", p.locality)) if v}
    groups = set(p.given_groups)
    for other in p.other_names:  # aliases may be nicknames or earlier surnames: key both ways
        groups |= name_groups(other)
    initials = {g[:1] for g in groups} | ({p.given[:1]} if p.given else set())
    sound = p.surname_sound
    sounds = {sound} | {phonetic(o) for o in p.other_names}
    for born in filter(None, (p.born, swapped(p.born))):
        iso = born.isoformat()
        for initial in initials:
            keys.add(f"dg:{iso}|{initial}")
        if sound:
            keys.add(f"ds:{iso}|{sound[:1]}")
        if p.given and p.surname:  # the same whichever way round the names were entered
            keys.add(f"dx:{iso}|{''.join(sorted((p.given[:1], p.surname[:1])))}")
    if p.born is not None:
        month = f"{p.born.year}-{p.born.month:02d}"
        day = f"{p.born.month:02d}-{p.born.day:02d}"
        for group in groups:
            keys.add(f"gy:{group}|{month}")
            keys.add(f"gm:{group}|{day}")  # the year mistyped
        if sound:
            keys.add(f"sy:{sound}|{month}")
    for group in groups:
        for s in sounds:
            if s:
                keys.add(f"nm:{group}|{s}")
    if p.given_sound and sound:
        keys.add(f"nx:{'|'.join(sorted((p.given_sound, sound)))}")
    if p.locality:  # FEBRL-style data with a town: a name or a date of birth kept within it
        if p.born is not None:
            keys.add(f"dl:{p.born.isoformat()}|{p.locality}")
        for group in groups:
            keys.add(f"gl:{group}|{p.locality}")
    if p.postcode and p.house:
        keys.add(f"ah:{p.postcode}|{p.house}")
    if p.postcode and p.born is not None:
        keys.add(f"dp:{p.born.isoformat()}|{p.postcode}")
    if p.postcode and sound:
        keys.add(f"sp:{sound}|{p.postcode}")
    if street := street_key(p):
        keys.add(street)
    if p.postcode:
        for initial in initials:
            keys.add(f"pc:{p.postcode}|{initial}")
    if p.phone:
        keys.add(f"p:{p.phone}")
    if p.email:
        keys.add(f"e:{p.email}")
    return keys


def _capped(sizes: Iterator[tuple[int, int]], max_block: int, budget: int) -> int:
    """The largest block size up to ``max_block`` whose blocks together give at most ``budget``
    pairs (sizes are (left, right) block sizes; a dedupe block of n gives n(n-1)/2 pairs)."""
    pairs_at: dict[int, int] = defaultdict(int)
    for n_left, n_right in sizes:
        size = max(n_left, n_right)
        if size <= max_block:
            pairs_at[size] += n_left * n_right if n_right >= 0 else n_left * (n_left - 1) // 2
    total, cap = 0, 1
    for size in sorted(pairs_at):
        total += pairs_at[size]
        if total > budget:
            break
        cap = size
    return max(cap, min(max_block, MIN_BLOCK_CAP))


MIN_BLOCK_CAP = 20


def candidate_pairs(left: Sequence[Prepared], right: Sequence[Prepared] | None = None, *,
                    max_block: int = 400, only: tuple[str, ...] = (), broad: bool | None = None,
                    pair_budget: int | None = None) -> Iterator[tuple[int, int]]:
    """Index pairs (i, j) that share a key: within ``left`` (dedupe, i < j) or across
    ``left`` and ``right`` (link). Blocks larger than ``max_block`` on one side are skipped:
    such a key (a very common name) says too little to be worth the pairs. With ``pair_budget``
    the largest blocks are skipped too, until the blocks give at most that many pairs (the
    work then grows with the file, not with its square). ``only`` limits the keys to those
    with the given prefixes (``("dg:",)``), for training."""
    if broad is None:  # one-field keys only where their pairs are affordable
        broad = len(left) + len(right or ()) <= BROAD_UP_TO
    index: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(left):
        for key in keys_of(p, broad=broad):
            if not only or key.startswith(only):
                index[key].append(i)
    seen: set[int] = set()
    if right is None:
        if pair_budget is not None:
            max_block = _capped(((len(m), -1) for m in index.values() if len(m) > 1), max_block, pair_budget)
        width = len(left)
        for members in index.values():
            if len(members) < 2 or len(members) > max_block:
                continue
            for x in range(len(members)):
                i = members[x]
                for j in members[x + 1:]:
                    code = i * width + j
                    if code not in seen:
                        seen.add(code)
                        yield i, j
        return
    width = len(right)
    other: dict[str, list[int]] = defaultdict(list)
    for j, p in enumerate(right):
        for key in keys_of(p, broad=broad):
            if key in index:
                other[key].append(j)
    if pair_budget is not None:
        max_block = _capped(((len(index[k]), len(js)) for k, js in other.items()), max_block, pair_budget)
    for key, js in other.items():
        is_ = index[key]
        if len(is_) > max_block or len(js) > max_block:
            continue
        for i in is_:
            for j in js:
                code = i * width + j
                if code not in seen:
                    seen.add(code)
                    yield i, j
