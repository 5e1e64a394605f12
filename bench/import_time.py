"""Time of ``import lecun_zoo; lecun_zoo.list()`` against ``import keras`` alone, each
in a fresh interpreter (median of --repeats).

    python bench/import_time.py --repeats 5
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

CASES = {
    "import keras": "import keras",
    "import lecun_zoo; lecun_zoo.list()": "import lecun_zoo; lecun_zoo.list()",
    "import lecun_zoo; lecun_zoo.get('convnet')": "import lecun_zoo; lecun_zoo.get('convnet')",
    "python -c pass (interpreter start)": "pass",
}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--repeats", type=int, default=5)
    args = p.parse_args()
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    times = {k: [] for k in CASES}
    for _ in range(args.repeats):
        for name, code in CASES.items():  # interleaved, so drift hits every case alike
            t = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True, env=env, capture_output=True)
            times[name].append(time.perf_counter() - t)
    print(f"\nfresh-process wall time, median of {args.repeats} (s)")
    for name, ts in times.items():
        print(f"{name:45s} {statistics.median(ts):7.3f}")


if __name__ == "__main__":
    main()
