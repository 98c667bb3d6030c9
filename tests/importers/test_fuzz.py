"""Short fuzz runs of every importer in the suite (the long campaign is bench/fuzz.py).

Hypothesis picks a seed file from tests/data and one to four mutations (bit flips,
truncation, repeated ranges, hostile fragments such as long whitespace runs, deep
nesting, odd XML declarations and huge numbers); the reader must return activities or
refuse the input with its own error, never raise anything else, never need its guard,
and never echo unbounded content (see ``fuzz_targets``). Hypothesis shrinks any failure
to a short list of mutations, which ``bench/fuzz.py --replay`` can rerun from a file.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hipcoach.importers.sources import Item, read_item

from .fuzz_targets import FRAGMENTS, OPS, TARGETS, Mutation, mutate, zip_seeds

MUTATIONS = st.lists(
    st.tuples(
        st.integers(0, OPS - 1),
        st.floats(0, 1, allow_nan=False),
        st.integers(0, (1 << 16) - 1),
    ),
    min_size=1,
    max_size=4,
)
# Examples per target, by its cost: about 20 s for all of them on the reference machine.
EXAMPLES = {"fit": 400, "gpx": 300, "tcx": 200, "gzip": 300, "zip": 150, "strava": 80,
            "garmin": 80}  # fmt: skip


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_mutated_seed_files_are_read_or_refused_cleanly(name: str) -> None:
    target = TARGETS[name]
    seeds = target.seeds()

    @settings(
        max_examples=EXAMPLES[name],
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(st.integers(0, len(seeds) - 1), st.integers(0, len(seeds) - 1), MUTATIONS)
    def one_input(seed: int, other: int, mutations: list[Mutation]) -> None:
        target.run(mutate(seeds[seed], mutations, seeds[other]))

    one_input()


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_every_seed_runs_clean(name: str) -> None:
    """The corpus itself passes: a fuzz failure is the mutation's doing, not the seed's."""
    seeds = TARGETS[name].seeds()
    assert len(seeds) >= 1
    for seed in seeds:
        TARGETS[name].run(seed)


def test_seeds_are_real_activities_so_mutations_reach_deep_code() -> None:
    """Most seeds import: mutants of them exercise the decoders, not just the sniffer."""
    for name in ("fit", "gpx", "tcx", "gzip"):
        seeds = TARGETS[name].seeds()
        good = 0
        for i, seed in enumerate(seeds):
            try:
                good += bool(read_item(Item(f"seed{i}", seed)))
            except Exception:  # noqa: S112 - bad seeds are on purpose (tests/data/*/bad)
                continue
        assert good >= len(seeds) // 2, name
    assert all(s.startswith(b"PK\x03\x04") for s in zip_seeds())


def test_mutations_are_deterministic_and_reach_the_hostile_fragments() -> None:
    seed = TARGETS["gpx"].seeds()[0]
    steps: list[Mutation] = [(5, 0.0, 0), (0, 0.5, 3), (7, 0.2, 1)]
    assert mutate(seed, steps) == mutate(seed, steps)
    assert mutate(seed, [(5, 0.0, 0)]).startswith(FRAGMENTS[0])
    assert mutate(seed, [(1, 0.25, 0)]) == seed[: len(seed) // 4]
