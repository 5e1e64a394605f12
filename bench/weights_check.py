"""Every set of trained weights with files here, measured again on its data next to its card.

    python bench/weights_check.py [--data-root ..]   # ../shared/data/... resolved against it

Runs ``lecun-zoo reproduce ID --evaluate-only --data-dir DIR`` (in this process) for each
bundled or cached entry, DIR being the entry's ``data_dir_hint`` (relative to the repository
root, or to ``--data-root``); prints one row per entry: the card's headline, the fresh value,
the verdict and the seconds it took, with the machine.
"""

import argparse
import os

from lecun_zoo.pretrained import entries, reproduce, where
from lecun_zoo.pretrained.card import machine

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main(argv=None) -> list:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-root", default=ROOT, help="what data_dir_hint paths are relative to")
    ap.add_argument("ids", nargs="*", help="only these ids")
    args = ap.parse_args(argv)
    rows = []
    for e in entries():
        if where(e) not in ("bundled", "cache") or (args.ids and e.id not in args.ids):
            continue
        data_dir = os.path.normpath(os.path.join(args.data_root, e.data_dir_hint)) if e.data_dir_hint else None
        out = reproduce(e.id, evaluate_only=True, data_dir=data_dir)
        rows.append(out)
        print(f"{e.id}: {out['verdict']} ({out['seconds']} s)", flush=True)
    m = machine()
    print(f"\nmachine: {m['cpu']}, {m['cores']} cores, flags {' '.join(m['flags'])}")
    print("| weights | metric | card | fresh (evaluate-only) | verdict | s |\n|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['id']} | {r['metric']} | {r['card']:.4f} | {r['fresh']:.4f} | {'PASS' if r['ok'] else 'FAIL'} "
              f"| {r['seconds']} |")
    return rows


if __name__ == "__main__":
    main()
