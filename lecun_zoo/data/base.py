"""What every dataset source provides, and the errors data code raises."""

from __future__ import annotations

import dataclasses
import difflib
import gzip
import math
import os
import zlib
from typing import Any, Iterable, Optional, Sequence

import numpy as np

__all__ = ["DatasetInfo", "Source", "DataFormatError", "DataNotFoundError", "DataOptionError",
           "check_option_names", "int_option", "float_option", "choice_option", "str_option", "bool_option",
           "read_bytes", "decode_text", "read_text", "text_lines", "check_not_empty", "tfds_load",
           "first_existing"]


class DataFormatError(ValueError):
    """A data file is malformed; the message names the path, the field (or line),
    the value found and what was expected."""


class DataNotFoundError(FileNotFoundError):
    """A data file or folder is missing; the message names the path and what to do."""


class DataOptionError(ValueError):
    """An argument or option of a dataset has an unknown name or a bad value; the message
    names the dataset, the option, the value given and what was expected."""


def check_option_names(dataset: str, given: Iterable[str], accepted: Iterable[str]) -> None:
    """Raise :class:`DataOptionError` naming every option in ``given`` not in ``accepted``."""
    accepted = sorted(set(accepted))
    unknown = sorted(set(given) - set(accepted))
    if not unknown:
        return
    hints = [f"{m[0]!r}" + (f" for {u!r}" if len(unknown) > 1 else "")
             for u in unknown if (m := difflib.get_close_matches(u, accepted, 1, 0.6))]
    hint = f" (did you mean {', '.join(hints)}?)" if hints else ""
    raise DataOptionError(f"dataset {dataset!r} got unknown options {unknown}{hint}; "
                          f"accepted options: {accepted or 'none'}")


def _bad(dataset: str, name: str, value: Any, expected: str) -> DataOptionError:
    return DataOptionError(f"dataset {dataset!r} option {name!r} got {value!r}; expected {expected}")


def int_option(dataset: str, name: str, value: Any, low: int = 0, high: Optional[int] = None,
               allow_none: bool = False) -> Optional[int]:
    """``value`` as an int in ``[low, high]`` (bools, floats and strings are refused)."""
    if value is None and allow_none:
        return None
    ok = isinstance(value, (int, np.integer)) and not isinstance(value, bool)
    if not ok or value < low or (high is not None and value > high):
        want = f"an int >= {low}" if high is None else f"an int in {low}..{high}"
        raise _bad(dataset, name, value, want + (" or None" if allow_none else ""))
    return int(value)


def float_option(dataset: str, name: str, value: Any, low: float, high: float, *, open_low: bool = True,
                 open_high: bool = True) -> float:
    """``value`` as a finite float in the interval (open or closed at each end)."""
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    v = float(value) if ok else math.nan
    if not (math.isfinite(v) and (low < v if open_low else low <= v) and (v < high if open_high else v <= high)):
        interval = f"{'(' if open_low else '['}{low}, {high}{')' if open_high else ']'}"
        raise _bad(dataset, name, value, f"a number in {interval}")
    return v


def choice_option(dataset: str, name: str, value: Any, choices: Sequence[Any]) -> Any:
    """``value`` if it is one of ``choices`` (of the same type: ``1.0`` is not ``1``)."""
    value = value.item() if isinstance(value, np.generic) else value
    if isinstance(value, bool) or not any(isinstance(value, type(c)) and value == c for c in choices):
        raise _bad(dataset, name, value, f"one of {list(choices)}")
    return value


def str_option(dataset: str, name: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _bad(dataset, name, value, "a non-empty str")
    return value


def first_existing(data_dir: str, names: Sequence[str]) -> Optional[str]:
    """The first of ``names`` that exists under ``data_dir`` (its path), else None."""
    for name in names:
        path = os.path.join(data_dir, name)
        if os.path.exists(path):
            return path
    return None


def bool_option(dataset: str, name: str, value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise _bad(dataset, name, value, "True or False")
    return bool(value)


def tfds_load(name: str, split: str, data_dir: Optional[str], hint: str = "", **kwargs: Any):
    """``tfds.load(name, split=split, data_dir=data_dir, **kwargs)``; any failure (the
    package missing or broken, the data not prepared, no network) raises
    :class:`DataNotFoundError` naming the dataset, split, data_dir, the cause and what to do."""
    try:
        import tensorflow_datasets as tfds

        return tfds.load(name, split=split, data_dir=data_dir, **kwargs)
    except Exception as e:  # DatasetNotFoundError, ImportError, network errors when offline, ...
        cause = str(e).splitlines()[0].rstrip(".") if str(e) else ""
        raise DataNotFoundError(
            f"tensorflow-datasets could not load {name!r} split {split!r} from data_dir={data_dir!r}: "
            f"{type(e).__name__}: {cause}. Prepare it once with network access (tfds.load({name!r}, data_dir=...)) "
            f"and pass that data_dir{hint}") from None


def read_bytes(path: str, what: str) -> bytes:
    """The bytes of ``path`` (gunzipped when it ends with ``.gz``); a missing file raises
    :class:`DataNotFoundError`, an unreadable or corrupt one :class:`DataFormatError`,
    both naming ``path`` and ``what`` was expected there."""
    if not os.path.isfile(path):
        raise DataNotFoundError(f"{path}: no such file; expected {what}")
    try:
        if path.endswith(".gz"):
            with gzip.open(path, "rb") as f:
                return f.read()
        with open(path, "rb") as f:
            return f.read()
    except (OSError, EOFError, zlib.error) as e:
        kind = " as gzip" if path.endswith(".gz") else ""
        raise DataFormatError(f"{path}: cannot be read{kind} ({type(e).__name__}: {e}); "
                              f"expected {what} (truncated or corrupt?)") from None


def decode_text(raw: bytes, label: str, what: str) -> str:
    """``raw`` decoded as UTF-8; an undecodable or binary (NUL) byte raises
    :class:`DataFormatError` naming ``label`` and the byte offset."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise DataFormatError(f"{label}: byte {e.start} ({raw[e.start:e.start + 1]!r}) is not UTF-8 ({e.reason}); "
                              f"expected {what} in UTF-8") from None
    nul = text.find("\x00")
    if nul >= 0:
        raise DataFormatError(f"{label}: byte {len(text[:nul].encode('utf-8'))} is a NUL byte (a binary file?); "
                              f"expected {what}")
    return text


def read_text(path: str, what: str) -> str:
    """The UTF-8 text of ``path`` (``.gz`` or not), errors as in :func:`read_bytes` and
    :func:`decode_text`."""
    return decode_text(read_bytes(path, what), path, what)


def text_lines(text: str) -> list[str]:
    """Lines of ``text`` without their ``\\n`` / ``\\r\\n`` (split on newlines only, so line
    numbers match an editor's); no empty last line for a trailing newline."""
    lines = [line[:-1] if line.endswith("\r") else line for line in text.split("\n")]
    if lines and lines[-1] == "":
        lines.pop()
    return lines


@dataclasses.dataclass
class DatasetInfo:
    """What a family needs to know to fit a dataset (``Family.adapt_to_data``).

    Args:
        name: dataset name.
        task: e.g. ``"image_classification"``, ``"sequence_to_sequence"``.
        input_shape: shape of one input, without the batch axis, when fixed.
        num_classes: number of target classes, when a classification task.
        splits: native split names with their sizes (None if unknown).
        extra: anything else a family can adapt to (vocabulary, bit width, ...).
    """

    name: str
    task: str
    input_shape: Optional[tuple] = None
    num_classes: Optional[int] = None
    splits: dict = dataclasses.field(default_factory=dict)
    extra: dict = dataclasses.field(default_factory=dict)


class Source:
    """A dataset: ``arrays(split)`` gives numpy ``(inputs, targets)`` for small data;
    sources too large for memory override ``tf_dataset`` instead.

    Splits: the native ones in ``splits``; a source without a native ``validation``
    split gets one carved from train (the last ``validation_fraction`` of a seeded
    permutation) when ``validation`` is asked for in the same ``load`` call.
    """

    name: str = ""
    summary: str = ""
    splits: Sequence[str] = ("train", "test")
    #: names of the options (``load(name, **options)``) the source accepts; ``load``,
    #: ``arrays`` and ``info`` refuse any other, naming it
    options: Sequence[str] = ()
    #: the data's licence (a weights card quotes it) and how inputs are scaled or encoded
    licence: str = ""
    scaling: str = ""

    def info(self, data_dir: Optional[str] = None, **options: Any) -> DatasetInfo:
        raise NotImplementedError

    def files(self, data_dir: Optional[str], **options: Any) -> list[str]:
        """The files under ``data_dir`` that ``load`` reads with these options (a weights card
        records their SHA-256); by default every file there."""
        if not data_dir:
            return []
        return sorted(os.path.join(root, n) for root, _dirs, names in os.walk(data_dir) for n in names)

    def arrays(self, split: str, data_dir: Optional[str] = None, **options: Any):
        raise NotImplementedError

    def tf_dataset(self, split: str, data_dir: Optional[str] = None, **options: Any):
        """An unbatched ``tf.data.Dataset`` of ``(inputs, targets)``."""
        import tensorflow as tf

        x, y = self.arrays(split, data_dir=data_dir, **options)
        check_not_empty(self.name, split, y, data_dir)
        return tf.data.Dataset.from_tensor_slices((x, y))


def num_examples(y: Any) -> int:
    return len(y) if not isinstance(y, dict) else len(next(iter(y.values())))


def check_not_empty(dataset: str, split: str, y: Any, data_dir: Optional[str] = None) -> None:
    """Raise :class:`DataFormatError` when a split has no examples (nothing to train on)."""
    if num_examples(y) == 0:
        where = f" (data_dir={data_dir!r})" if data_dir else ""
        raise DataFormatError(f"dataset {dataset!r} split {split!r} has 0 examples{where}; expected at least one")


def shape_and_classes(info: "DatasetInfo") -> dict:
    """Config overrides an image classifier takes from a dataset: ``input_shape`` and
    ``num_classes`` (where the dataset knows them)."""
    out: dict = {}
    if getattr(info, "input_shape", None) is not None:
        out["input_shape"] = tuple(info.input_shape)
    if getattr(info, "num_classes", None) is not None:
        out["num_classes"] = int(info.num_classes)
    return out


def carve(x: Any, y: Any, fraction: float, seed: int):
    """Split arrays (or dicts of arrays) into (train, validation) by a seeded permutation."""
    n = num_examples(y)
    perm = np.random.default_rng(seed).permutation(n)
    n_val = max(1, int(round(n * fraction)))
    tr, va = perm[:-n_val], perm[-n_val:]

    def take(a, idx):
        return {k: v[idx] for k, v in a.items()} if isinstance(a, dict) else a[idx]

    return (take(x, tr), take(y, tr)), (take(x, va), take(y, va))
