"""The simulation of bench/plausibility_sim.py meets the issue's targets (fixed seed)."""

from bench.plausibility_sim import simulate

ROUNDS = 2_000  # per population: the bench runs 20,000 for the README's figures


def test_scripted_rounds_are_flagged_and_honest_ones_are_not():
    shares = {share.name: share for share in simulate(ROUNDS, seed=13)}
    assert shares["honest"].flagged_percent <= 0.5
    for scripted in ("instant", "random delays 0.5-3 s", "fixed delay 7 s"):
        assert shares[scripted].flagged_percent >= 99
        assert shares[scripted].held_percent >= 99  # not ranked until accepted
