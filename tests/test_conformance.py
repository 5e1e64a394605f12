"""Every registered family passes every check of the conformance kit (lecun_zoo.testing)."""

import pytest

import lecun_zoo
from lecun_zoo.testing import CHECKS, run_check

# Parameter count and the first outputs of the tiny preset under
# lecun_zoo.testing.deterministic_weights (independent of any random generator).
PINS = {
    "convnet": {"params": 690, "output": [0.109427, 0.104829, 0.100587, 0.0972148, 0.0950733, 0.0943691]},
}

FAMILIES = lecun_zoo.list()


def test_every_family_is_pinned():
    assert sorted(PINS) == FAMILIES


@pytest.mark.parametrize("check", CHECKS)
@pytest.mark.parametrize("family", FAMILIES)
def test_conformance(family, check, tmp_path):
    run_check(family, check, tmp_path=tmp_path, pins=PINS)
