"""The card of a weights folder: what the weights score, on what data, made how and where.

Fields: ``id``, ``family``, ``preset``, ``tag``; ``dataset`` (name, splits, the SHA-256
of the data files used, licence); ``input`` (shape, dtype, scaling); ``metrics`` (on the
test split); ``headline`` (the metric a reproduction is judged by, its value, the tolerance
it must meet, and whether higher is better); ``recipe`` and ``command`` (``lecun-zoo
reproduce ID``); ``train_seconds``, ``machine`` (``lscpu`` model and SIMD flags),
``date``, ``versions`` (lecun_zoo, Keras, the backend, Python), ``storage`` (dtype of
the stored weights) and ``files`` (SHA-256 of ``config.json`` and ``model.weights.h5``).
"""

from __future__ import annotations

import datetime
import hashlib
import os
import platform
import re
import subprocess
from typing import Any, Mapping, Optional

__all__ = ["make_card", "readme", "machine", "data_checksum", "headline_text", "judge"]


def machine() -> dict:
    """CPU model, core count and the SIMD flags that decide speed (``lscpu``)."""
    model, flags = platform.processor() or platform.machine(), []
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10).stdout
        for line in out.splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "Model name":
                model = value.strip()
            elif key.strip() == "Flags":
                flags = [f for f in value.split() if re.match(r"(avx|fma|amx|sse4|f16c)", f)]
    except (OSError, subprocess.SubprocessError):
        pass
    return {"cpu": model, "cores": os.cpu_count(), "flags": sorted(flags), "system": platform.platform()}


def versions() -> dict:
    import keras

    from lecun_zoo.version import __version__

    backend = keras.backend.backend()
    try:
        import importlib.metadata as md

        backend_version = md.version({"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}.get(backend, backend))
    except Exception:  # noqa: BLE001
        backend_version = "?"
    return {"lecun_zoo": __version__, "keras": keras.__version__, "backend": backend,
            "backend_version": backend_version, "python": platform.python_version()}


def data_checksum(name: str, data_dir: Optional[str], options: Mapping[str, Any], seed: int) -> dict:
    """SHA-256 of the data: each file the dataset reads under ``data_dir`` (``Source.files``,
    paths relative to it), or, for embedded and generated datasets, of the train and test
    arrays they give."""
    from lecun_zoo import data as zdata

    src = zdata.get_source(name)
    accepted = {k: v for k, v in options.items() if k in tuple(getattr(src, "options", ()))}
    if data_dir:
        from lecun_zoo.pretrained.files import sha256

        return {os.path.relpath(p, data_dir): sha256(p) for p in src.files(data_dir, **accepted)}
    import numpy as np

    out = {}
    for split in ("train", "test"):
        try:
            x, y = zdata.arrays(name, split=split, seed=seed, **accepted)
        except Exception:  # noqa: BLE001 - a source without arrays (a corpus pipeline)
            continue
        h = hashlib.sha256()
        for part in (x, y):
            for a in (part.values() if isinstance(part, dict) else [part]):
                h.update(np.ascontiguousarray(a).tobytes())
        out[f"arrays:{split}"] = h.hexdigest()
    return out


def headline_text(headline: Mapping[str, Any]) -> str:
    metric, value = headline["metric"], headline["value"]
    if metric == "accuracy":
        return f"test error {100 * (1 - value):.2f} %"
    return f"test {metric} {value:.4g}"


def judge(headline: Mapping[str, Any], fresh: float) -> tuple[bool, str]:
    """Whether ``fresh`` meets the card's headline within its tolerance, and a verdict line."""
    value, tol = float(headline["value"]), float(headline.get("tolerance", 0.0))
    higher = headline.get("higher_is_better", True)
    ok = fresh >= value - tol if higher else fresh <= value + tol
    sense = ">=" if higher else "<="
    bound = value - tol if higher else value + tol
    return ok, (f"{'PASS' if ok else 'FAIL'}: {headline['metric']} {fresh:.4f} (card {value:.4f}, "
                f"tolerance {tol:g}: expected {sense} {bound:.4f})")


def make_card(result: Any, *, tag: str, headline: Mapping[str, Any], data_dir: Optional[str] = None,
              extra_metrics: Optional[Mapping[str, Any]] = None, notes: str = "", storage: str = "float32") -> dict:
    """The card of ``result`` (a :class:`lecun_zoo.TrainResult`). ``headline``: ``{"metric":
    name in result.metrics, "tolerance": ..., "higher_is_better": True}``."""
    from lecun_zoo import data as zdata
    from lecun_zoo.registry import REGISTRY

    recipe = result.recipe
    fam = REGISTRY.get(recipe.family)
    preset = recipe.preset or fam.default_preset
    weights_id = f"{fam.name}/{preset}.{tag}"
    metrics = {**result.metrics, **dict(extra_metrics or {})}
    metric = headline["metric"]
    if metric not in metrics:
        raise ValueError(f"make_card() headline metric {metric!r} is not among the measured {sorted(metrics)}")
    head = {"metric": metric, "value": float(metrics[metric]), "tolerance": float(headline.get("tolerance", 0.0)),
            "higher_is_better": bool(headline.get("higher_is_better", True))}
    head["text"] = headline_text(head)
    src = zdata.get_source(recipe.data) if recipe.data in zdata.names() else None
    options = {**(fam.data_options(result.config) if fam.data_options else {}), **dict(recipe.data_options)}
    x, _y = fam.example_batch(result.config, 1, 0) if fam.example_batch else (None, None)

    def contract(a: Any) -> Any:
        if isinstance(a, dict):
            return {k: contract(v) for k, v in a.items()}
        return {"shape": [None, *a.shape[1:]], "dtype": str(a.dtype)}

    import numpy as np

    dtypes = sorted({str(w.dtype) for w in result.model.weights})
    hint = f" --data-dir {data_dir}" if data_dir else ""
    return {
        "id": weights_id, "family": fam.name, "preset": preset, "tag": tag, "paper": fam.paper,
        "dataset": {"name": recipe.data, "summary": getattr(src, "summary", ""), "test_split": "test",
                    "train_split": "train" + ("; validation: the dataset's validation split (carved from train where it has "
                                              "none)" if recipe.validation else " (all of it)"),
                    "options": dict(recipe.data_options), "sha256": data_checksum(recipe.data, data_dir,
                                                                                   options, recipe.seed),
                    "licence": getattr(src, "licence", "") or "see the dataset's own terms"},
        "input": {"batch": contract(x) if x is not None else None, "scaling": getattr(src, "scaling", "") or getattr(src, "summary", ""),
                  "vocabulary": "in config.json (the config's vocabulary fields)" if any(
                      k.endswith("vocab") for k in result.config.to_dict()) else None},
        "metrics": {"test": {k: float(v) for k, v in metrics.items()}},
        "headline": head,
        "recipe": recipe.to_dict(),
        "command": f"lecun-zoo reproduce {weights_id}{hint}",
        "train_seconds": round(float(result.train_seconds), 1),
        "runtime": result.runtime,
        "machine": machine(),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "versions": versions(),
        "storage": (dtypes[0] if len(dtypes) == 1 else dtypes) if storage == "float32"
        else f"{storage} (loaded into float32 variables)",
        "params": int(sum(int(np.prod(w.shape)) for w in result.model.weights)),
        "notes": notes,
    }


def readme(card: Mapping[str, Any]) -> str:
    """The folder's README.md, generated from its card."""
    head = card["headline"]
    lines = [
        f"# {card['id']}", "",
        f"{card['family']} preset `{card['preset']}` trained on `{card['dataset']['name']}`: "
        f"**{head['text']}** (a reproduction must be within {head['tolerance']:g} of {head['value']:.4f}).", "",
        f"Paper: {card.get('paper', '')}", "",
        "```python", "import lecun_zoo", f"model = lecun_zoo.get({card['family']!r}, weights={card['id']!r})", "```",
        "", f"Reproduce: `{card['command']}`", "",
        "| test metric | value |", "|---|---|",
        *[f"| {k} | {v:.4f} |" for k, v in card["metrics"]["test"].items()], "",
        f"- data: {card['dataset']['summary']} (licence: {card['dataset']['licence']})",
        f"- input: {card['input']['batch']}; {card['input']['scaling']}",
        f"- trained in {card['train_seconds']} s on {card['machine']['cpu']} ({card['machine']['cores']} cores; "
        f"{' '.join(card['machine']['flags'])}), {card['runtime']}",
        f"- {card['date']}; lecun_zoo {card['versions']['lecun_zoo']}, Keras {card['versions']['keras']}, "
        f"{card['versions']['backend']} {card['versions']['backend_version']}; weights stored as {card['storage']}; "
        f"{card['params']:,} parameters",
    ]
    if card.get("notes"):
        lines += ["", card["notes"]]
    return "\n".join(lines) + "\n"
