"""Plugin distributions for tests: a ``.dist-info`` folder with ``entry_points.txt`` on
``sys.path`` is all that ``importlib.metadata`` needs to see an installed plugin."""

import os
import textwrap


def write_dist(site, dist, files, entry_points, version="0.1"):
    """Write ``files`` ({relative path: code}) under ``site`` and a distribution ``dist`` that
    declares ``entry_points`` ({family name: "module:attribute"})."""
    for rel, code in files.items():
        path = os.path.join(site, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(textwrap.dedent(code))
    info = os.path.join(site, f"{dist}-{version}.dist-info")
    os.makedirs(info, exist_ok=True)
    with open(os.path.join(info, "METADATA"), "w") as f:
        f.write(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n")
    with open(os.path.join(info, "entry_points.txt"), "w") as f:
        f.write("[lecun_zoo.families]\n" + "".join(f"{k} = {v}\n" for k, v in entry_points.items()))
