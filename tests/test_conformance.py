"""Every registered family passes every check of the conformance kit (lecun_zoo.testing)."""

import pytest

import lecun_zoo
from lecun_zoo.testing import applicable_checks, run_check

# Parameter count and the first outputs of the tiny preset under
# lecun_zoo.testing.deterministic_weights (independent of any random generator).
PINS = {
    "convnet": {"params": 690, "output": [0.109427, 0.104829, 0.100587, 0.0972148, 0.0950733, 0.0943691]},
    "seq2seq": {"params": 1702, "output": [0.0738334, 0.0760788, 0.0776327, 0.0782361, 0.077785, 0.0763573]},
    "autoencoder": {"params": 2276, "output": [0.502259, 0.507968, 0.512596, 0.515519, 0.516343, 0.514956]},
    "memnet": {"params": 962, "output": [0.0319511, 0.0346872, 0.0321274, 0.03441, 0.0324594, 0.0339928]},
    "word_lm": {"params": 884, "output": [0.0458389, 0.0466239, 0.0479301, 0.0496145, 0.0514731, 0.0532552]},
    "ntm": {"params": 2582, "output": [0.0992395, 0.0871416, 0.0632496, 0.0307971, 0.0976224, 0.0860216]},
}

FAMILIES = lecun_zoo.list()


def test_every_family_is_pinned():
    assert sorted(PINS) == FAMILIES


@pytest.mark.parametrize("check", applicable_checks())
@pytest.mark.parametrize("family", FAMILIES)
def test_conformance(family, check, tmp_path):
    run_check(family, check, tmp_path=tmp_path, pins=PINS)
