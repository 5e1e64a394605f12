"""Test helpers shipped with the package, so plugin authors run the same checks."""

from lecun_zoo.testing.conformance import (
    CHECK_BACKENDS,
    CHECKS,
    ConformanceError,
    NotApplicable,
    applicable_checks,
    deterministic_weights,
    example_batch,
    run_all,
    run_check,
    tiny_model,
    use_logical_cpus,
)
from lecun_zoo.testing.saved import saved_weights

__all__ = [
    "CHECKS", "ConformanceError", "deterministic_weights", "example_batch", "run_all",
    "run_check", "tiny_model", "use_logical_cpus", "NotApplicable", "CHECK_BACKENDS", "applicable_checks",
    "saved_weights",
]
