"""Run the conformance kit over families in one process, on any Keras backend.

    KERAS_BACKEND=jax python -m lecun_zoo.testing --all --pins pins.json
    python -m lecun_zoo.testing convnet ntm --checks fit_step,save_load --backend jax

Prints a table family x check -> ``ok`` / ``FAIL`` / ``n.a.`` (the check does not apply
on this backend, e.g. ``mirrored`` outside TensorFlow) / ``nopin`` (``pinned`` without
pins for that family; the values it produced are printed) / ``-`` (left out by
``--subset``), then every failure in full.
Exits 1 if any check failed, 2 on bad arguments. ``--json FILE`` also writes the
results (status, message, seconds per cell) for programs.

Everything runs in this one process (importing the backend dominates the cost);
``save_load`` reloads in a fresh process that inherits ``KERAS_BACKEND``. On JAX the
driver sets ``XLA_FLAGS=--xla_force_host_platform_device_count=2`` (unless a device
count is set already) so that ``data_parallel`` has two CPU devices; on TensorFlow it
splits the CPU into two logical devices for ``mirrored``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from typing import Any, Optional, Sequence

BACKENDS = ("tensorflow", "jax", "torch")


def _parse(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m lecun_zoo.testing", description=__doc__.split("\n\n")[0])
    p.add_argument("families", nargs="*", help="families to check (default with --all: every registered one)")
    p.add_argument("--all", action="store_true", help="check every registered family")
    p.add_argument("--checks", default="", help="comma-separated checks (default: all)")
    p.add_argument("--skip", default="", help="comma-separated checks not to run")
    p.add_argument("--subset", action="append", default=[], metavar="CHECKS:FAMILIES",
                   help="run these comma-separated checks only on these comma-separated families "
                        "(repeatable; e.g. save_load,search_space:convnet,ntm); other cells show '-'")
    p.add_argument("--backend", choices=BACKENDS,
                   help="set KERAS_BACKEND (only before Keras is imported; default: the environment's)")
    p.add_argument("--pins", help="JSON file {family: {'params': int, 'output': [floats]}} for the pinned check")
    p.add_argument("--json", dest="json_out", help="also write the results to this JSON file")
    p.add_argument("--tmp", help="folder for saved models (default: a new temporary folder)")
    return p.parse_args(argv)


def _split(text: str) -> list[str]:
    return [c.strip() for c in text.split(",") if c.strip()]


def run_matrix(families: Sequence[str], checks: Sequence[str], *, pins: Optional[dict] = None,
               only: Optional[dict[str, set]] = None, tmp_path: Optional[str] = None,
               log: Any = None) -> dict[str, dict[str, dict[str, Any]]]:
    """Run ``checks`` on ``families``; returns ``{family: {check: {"status", "message",
    "seconds"}}}`` with status ``ok``, ``FAIL``, ``n.a.``, ``nopin``, or ``-`` (not run:
    ``only`` maps that check to the families it runs on)."""
    from lecun_zoo.testing.conformance import NotApplicable, run_check

    tmp_root = tmp_path or tempfile.mkdtemp(prefix="lecun_zoo-conformance-")
    results: dict[str, dict[str, dict[str, Any]]] = {}
    for fam in families:
        results[fam] = {}
        for check in checks:
            if only and check in only and fam not in only[check]:
                results[fam][check] = {"status": "-", "message": "not run (--subset)", "seconds": 0.0}
                continue
            if check == "pinned" and (pins is None or fam not in pins):
                status = "nopin"
            else:
                status = None
            t0 = time.perf_counter()
            msg = ""
            folder = os.path.join(tmp_root, fam, check)
            os.makedirs(folder, exist_ok=True)
            try:
                run_check(fam, check, tmp_path=folder, pins=pins)
                status = "ok"
            except NotApplicable as e:
                status, msg = "n.a.", str(e)
            except Exception as e:  # report every failure, not only the first
                msg = f"{type(e).__name__}: {e}"
                status = "nopin" if status == "nopin" else "FAIL"
            secs = time.perf_counter() - t0
            results[fam][check] = {"status": status, "message": msg, "seconds": round(secs, 2)}
            if log is not None:
                print(f"  {fam:<12} {check:<18} {status:<5} {secs:6.1f}s", file=log, flush=True)
    return results


def format_table(results: dict[str, dict[str, dict[str, Any]]], checks: Sequence[str]) -> str:
    width = max([len("family")] + [len(f) for f in results])
    head = "family".ljust(width) + " | " + " | ".join(c for c in checks)
    lines = [head, "-" * len(head)]
    for fam, row in results.items():
        cells = [row[c]["status"].ljust(len(c)) for c in checks]
        lines.append(fam.ljust(width) + " | " + " | ".join(cells))
    return "\n".join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = _parse(argv)
    if args.backend:
        if "keras" in sys.modules and os.environ.get("KERAS_BACKEND", "tensorflow") != args.backend:
            print(f"--backend {args.backend}: Keras is already imported on another backend", file=sys.stderr)
            return 2
        os.environ["KERAS_BACKEND"] = args.backend
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

    import lecun_zoo
    from lecun_zoo.testing.conformance import CHECKS

    families = list(args.families)
    if args.all:
        families = families or lecun_zoo.list()
    if not families:
        print("name families to check, or pass --all", file=sys.stderr)
        return 2
    unknown_f = [f for f in families if f not in lecun_zoo.list()]
    checks = _split(args.checks) or list(CHECKS)
    skip = _split(args.skip)
    unknown_c = [c for c in checks + skip if c not in CHECKS]
    if unknown_f or unknown_c:
        print(f"unknown families {unknown_f} / checks {unknown_c}; families: {lecun_zoo.list()}, "
              f"checks: {list(CHECKS)}", file=sys.stderr)
        return 2
    checks = [c for c in checks if c not in skip]
    only: dict[str, set] = {}
    for spec in args.subset:
        sub_checks, sep, sub_fams = spec.partition(":")
        bad = [c for c in _split(sub_checks) if c not in CHECKS] + [f for f in _split(sub_fams) if f not in lecun_zoo.list()]
        if not sep or not _split(sub_checks) or not _split(sub_fams) or bad:
            print(f"--subset got {spec!r}; expected CHECKS:FAMILIES of known names (unknown: {bad})", file=sys.stderr)
            return 2
        for c in _split(sub_checks):
            only.setdefault(c, set()).update(_split(sub_fams))
    pins = None
    if args.pins:
        with open(args.pins) as f:
            pins = json.load(f)

    wanted = os.environ.get("KERAS_BACKEND", "tensorflow")
    if wanted == "tensorflow" and "mirrored" in checks:
        from lecun_zoo.testing.conformance import use_logical_cpus

        use_logical_cpus(2)  # before TensorFlow initialises
    flags = os.environ.get("XLA_FLAGS", "")
    if wanted == "jax" and "data_parallel" in checks and "xla_force_host_platform_device_count" not in flags:
        # two host devices for keras.distribution; only CPU computations see them
        os.environ["XLA_FLAGS"] = (flags + " --xla_force_host_platform_device_count=2").strip()
    import keras

    backend = keras.backend.backend()
    print(f"conformance: backend {backend}, keras {keras.__version__}, "
          f"{len(families)} families x {len(checks)} checks", flush=True)
    t0 = time.perf_counter()
    results = run_matrix(families, checks, pins=pins, only=only, tmp_path=args.tmp, log=sys.stdout)
    total = time.perf_counter() - t0

    print()
    print(format_table(results, checks))
    failed = [(f, c, r["message"]) for f, row in results.items() for c, r in row.items() if r["status"] == "FAIL"]
    for f, c, r in ((f, c, r) for f, row in results.items() for c, r in row.items()):
        if r["status"] in ("FAIL", "nopin"):
            print(f"\n[{r['status']}] {f} / {c}:\n{r['message']}")
    counts = {s: sum(r["status"] == s for row in results.values() for r in row.values())
              for s in ("ok", "FAIL", "n.a.", "nopin", "-")}
    print(f"\nbackend {backend}: " + ", ".join(f"{n} {s}" for s, n in counts.items()) + f" in {total:.0f}s")
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump({"backend": backend, "checks": list(checks), "seconds": round(total, 1),
                       "results": results}, f, indent=1)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
