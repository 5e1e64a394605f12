"""Every Python block of README.md runs, exactly as printed, so the README cannot drift.

- Blocks whose first line is ``# some/path.py`` are files of the plugin guide: with the
  ``[project.entry-points."lecun_zoo.families"]`` TOML block they are installed as a plugin
  distribution (on ``sys.path``) and the guide's own kit test is run on them with pytest.
- Every other block runs in order in one fresh process (a user following the README), in an
  empty folder; blocks marked ``<!-- readme-test: needs data (...) -->`` read the shared real
  data and run under ``-m slow`` only (``python3 -m pytest -m slow tests/test_readme.py``).
"""

import os
import re
import subprocess
import sys
import textwrap

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
README = os.path.join(ROOT, "README.md")
FENCE = re.compile(r"(?P<mark><!-- readme-test: needs data[^>]*-->\n)?```(?P<lang>\w+)\n(?P<code>.*?)```", re.S)
FILE_HEADER = re.compile(r"#\s*(?P<path>[\w/]+\.py)\b")


def blocks():
    text = open(README).read()
    out = []
    for m in FENCE.finditer(text):
        first = m["code"].splitlines()[0] if m["code"].strip() else ""
        header = FILE_HEADER.match(first)
        out.append({"lang": m["lang"], "code": m["code"], "needs_data": bool(m["mark"]),
                    "file": header["path"] if header else None})
    return out


def session_blocks(needs_data):
    return [b["code"] for b in blocks() if b["lang"] == "python" and b["file"] is None and b["needs_data"] == needs_data]


def run_session(code_blocks, cwd, timeout):
    script = "\n".join(f"# --- README block {i}\n{code}" for i, code in enumerate(code_blocks))
    path = os.path.join(cwd, "readme_session.py")
    with open(path, "w") as f:
        f.write(script)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", MPLBACKEND="Agg")
    proc = subprocess.run([sys.executable, path], cwd=cwd, capture_output=True, text=True, env=env, timeout=timeout)
    return proc


def test_the_readme_has_the_blocks_this_test_expects():
    found = blocks()
    files = {b["file"] for b in found if b["file"]}
    assert {"my_pkg/capsnet/__init__.py", "my_pkg/capsnet/model.py", "tests/test_capsnet.py"} <= files
    assert any(b["lang"] == "toml" and "lecun_zoo.families" in b["code"] for b in found)
    assert len(session_blocks(False)) >= 10
    first = session_blocks(False)[0]
    assert "lecun_zoo.train(" in first and "lecun_zoo.get(" in first  # the README opens with both


def test_every_readme_python_block_runs_in_order(tmp_path):
    proc = run_session(["import lecun_zoo"] + session_blocks(False), str(tmp_path), timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
    for made in ("maps.png", "codes.png", "recon.png", "attention.png", "convnet.keras"):
        assert (tmp_path / made).exists(), made


@pytest.mark.slow
def test_readme_blocks_that_need_the_shared_data(tmp_path):
    data = os.path.join(ROOT, "..", "shared", "data")
    assert os.path.isdir(data), f"these blocks read {data}"
    code = [c.replace("../shared/data", os.path.abspath(data)) for c in session_blocks(True)]
    proc = run_session(["import lecun_zoo"] + code, str(tmp_path), timeout=3600)
    assert proc.returncode == 0, proc.stderr[-5000:]


def test_the_plugin_guide_installed_verbatim_passes_its_own_kit_test(tmp_path):
    site = tmp_path / "site"
    files = [b for b in blocks() if b["file"]]
    for b in files:
        target = (tmp_path / b["file"]) if b["file"].startswith("tests/") else (site / b["file"])
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(b["code"])
        for parent in target.relative_to(site).parents if target.is_relative_to(site) else ():
            init = site / parent / "__init__.py"
            if str(parent) != "." and not init.exists():
                init.write_text("")
    toml = next(b["code"] for b in blocks() if b["lang"] == "toml" and "lecun_zoo.families" in b["code"])
    entry_points = [line for line in toml.splitlines() if "=" in line and not line.startswith("[")]
    info = site / "my_pkg-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: my-pkg\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[lecun_zoo.families]\n" + "\n".join(
        line.replace('"', "") for line in entry_points) + "\n")
    env = dict(os.environ, PYTHONPATH=str(site), TF_CPP_MIN_LOG_LEVEL="2")
    env.pop("LECUN_ZOO_STRICT_PLUGINS", None)
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_capsnet.py"],
                          cwd=tmp_path, capture_output=True, text=True, env=env, timeout=900)
    assert proc.returncode == 0, proc.stdout[-6000:]
    assert re.search(r"\b1[0-9] passed\b", proc.stdout), proc.stdout[-500:]  # every applicable check ran
    # and the plugin trains through the one training path, loading in a fresh process
    train = subprocess.run([sys.executable, "-c", textwrap.dedent("""
        import lecun_zoo
        res = lecun_zoo.train("capsnet", "tiny", epochs=2, out="run", verbose=0)
        again = lecun_zoo.evaluate("run/model.keras")
        assert abs(again["accuracy"] - res.metrics["accuracy"]) < 1e-6, (again, res.metrics)
        print(type(lecun_zoo.load("run/model.keras")).__name__)
    """)], cwd=tmp_path, capture_output=True, text=True, env=env, timeout=600)
    assert train.returncode == 0, train.stderr[-4000:]
    assert train.stdout.strip().splitlines()[-1] == "CapsNet"
