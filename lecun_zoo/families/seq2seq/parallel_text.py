"""Parallel text for sequence-to-sequence models: sentence pairs read from files,
tokenised, given vocabularies built on the train split, and encoded for teacher forcing.

    train, info = lecun_zoo.data.load("multi30k", "train", data_dir=".../multi30k/raw", with_info=True)
    info.extra["source_vocab"]   # tokens of the German vocabulary (ids 4, 5, ...)

Sources (each yields ``({"source", "target_in"}, target_out)``, 0 = padding):

- ``multi30k``: aligned line files ``train.de.gz`` / ``train.en.gz`` (also plain text),
  ``val.*``, ``test_2016_flickr.*`` (the Multi30k task-1 layout); De -> En by default.
- ``tatoeba``: a tab-separated pairs file (the Tatoeba/Anki ``fra.txt``, or a zip holding
  it); column 0 -> column 1 (English -> French) by default.
- ``ted_hrlr``: tensorflow-datasets' ``ted_hrlr_translate`` (``pt_to_en`` by default),
  read through ``tfds`` with ``data_dir``.

Common options: ``source_level`` / ``target_level`` (``"word"`` or ``"char"``), ``lowercase``,
``max_source_vocab`` / ``max_target_vocab`` (ids in all, reserved ones included),
``min_count``, ``max_source_length`` / ``max_target_length`` (tokens) with ``too_long``
(``"error"``: raise naming the file and line; ``"skip"``; ``"truncate"``), and ``limit``
(at most this many pairs per split, the first ones in file order).
"""

from __future__ import annotations

import os
import zipfile
import zlib
from typing import Any, Optional, Sequence

import numpy as np

from lecun_zoo.data.base import (DataFormatError, DataNotFoundError, DataOptionError, DatasetInfo, Source, bool_option,
                                  choice_option, decode_text, first_existing, float_option, int_option, read_text, str_option, text_lines,
                                  tfds_load)
from lecun_zoo.families.seq2seq.tokens import LEVELS, SPECIALS, Vocabulary, build_vocabulary, encode_pairs, tokenize

__all__ = ["ParallelSource", "Multi30k", "TatoebaPairs", "TedHrlr", "read_lines", "read_aligned",
           "read_tsv_pairs", "bucketed_dataset", "MULTI30K", "TATOEBA", "TED_HRLR"]

#: (text, where) with where = "path:line" for error messages.
Pair = tuple[str, str, str]

DEFAULTS = dict(source_level="word", target_level="word", lowercase=True, max_source_vocab=None,
                max_target_vocab=None, min_count=1, max_source_length=None, max_target_length=None,
                too_long="error", limit=None)


def read_lines(path: str) -> list[str]:
    """Lines of a text file, ``.gz`` or not, without their newline (UTF-8)."""
    return text_lines(read_text(path, "one sentence per line"))


def read_aligned(source_path: str, target_path: str) -> list[Pair]:
    """Pairs from two aligned files (line i of one translates line i of the other)."""
    src, tgt = read_lines(source_path), read_lines(target_path)
    if len(src) != len(tgt):
        shorter, longer = (source_path, target_path) if len(src) < len(tgt) else (target_path, source_path)
        raise DataFormatError(
            f"{source_path} has {len(src)} lines but {target_path} has {len(tgt)}; expected the same "
            f"number (aligned files): {longer} line {min(len(src), len(tgt)) + 1} has no partner in {shorter}"
        )
    if not src:
        raise DataFormatError(f"{source_path} and {target_path} are empty (0 lines); expected one sentence per line")
    pairs = []
    for i, (s, t) in enumerate(zip(src, tgt), start=1):
        for text, path in ((s, source_path), (t, target_path)):
            if not text.strip():
                raise DataFormatError(f"{path} line {i}: empty sentence; expected text on every line")
        pairs.append((s, t, f"{source_path} / {target_path} line {i}"))
    return pairs


def _zip_text(path: str) -> tuple[str, str]:
    """(label, text) of the pairs ``.txt`` inside the zip archive ``path``."""
    what = "a zip archive holding a tab-separated pairs .txt (e.g. fra.txt)"
    try:
        with zipfile.ZipFile(path) as zf:
            members = [n for n in zf.namelist() if n.endswith(".txt") and not os.path.basename(n).startswith("_")]
            if not members:
                raise DataFormatError(f"{path}: holds no pairs .txt file (members: {zf.namelist()}); expected {what}")
            label = f"{path}:{members[0]}"
            raw = zf.read(members[0])
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as e:
        raise DataFormatError(f"{path}: cannot be read as zip ({type(e).__name__}: {e}); expected {what} "
                              f"(truncated or corrupt?)") from None
    return label, decode_text(raw, label, "tab-separated sentence pairs")


def read_tsv_pairs(path: str, source_column: int = 0, target_column: int = 1) -> list[Pair]:
    """Pairs from a tab-separated file (``English<TAB>French[<TAB>attribution]``), or from
    the ``.txt`` inside a ``.zip`` holding one."""
    if not os.path.exists(path):
        raise DataNotFoundError(f"{path}: no such file; expected tab-separated sentence pairs (.txt or .zip)")
    if path.endswith(".zip") or zipfile.is_zipfile(path):
        label, text = _zip_text(path)
        lines = text_lines(text)
    else:
        label, lines = path, read_lines(path)
    need = max(source_column, target_column) + 1
    pairs = []
    for i, line in enumerate(lines, start=1):
        if not line.strip():
            continue  # blank lines (e.g. a trailing one) carry no pair
        cols = line.split("\t")
        if len(cols) < need:
            raise DataFormatError(
                f"{label} line {i}: {len(cols)} tab-separated field(s) in {line[:60]!r}; expected at least {need} "
                f"(columns {source_column} and {target_column})"
            )
        s, t = cols[source_column].strip(), cols[target_column].strip()
        for text, col in ((s, source_column), (t, target_column)):
            if not text:
                raise DataFormatError(f"{label} line {i}: field {col} is empty; expected a sentence")
        pairs.append((s, t, f"{label} line {i}"))
    if not pairs:
        raise DataFormatError(f"{label}: no sentence pairs found ({len(lines)} lines); expected lines "
                              f"'source<TAB>target'")
    return pairs


class ParallelSource(Source):
    """Base of parallel-text sources: subclasses implement ``pairs(split, data_dir, **options)``.

    ``info()`` and ``arrays()`` share one tokenisation and one vocabulary (built on train),
    cached per ``(data_dir, options)``.
    """

    task = "sequence_to_sequence"
    splits: Sequence[str] = ("train", "validation", "test")
    options = tuple(DEFAULTS) + ("source_vocab", "target_vocab")

    def __init__(self) -> None:
        self._cache: dict = {}

    # -- to implement ---------------------------------------------------------
    def pairs(self, split: str, data_dir: Optional[str], **options: Any) -> list[Pair]:
        raise NotImplementedError

    # -- shared ---------------------------------------------------------------
    def _options(self, options: dict) -> dict:
        """The common options (``DEFAULTS`` filled in), checked."""
        n, opts = self.name, {k: options.get(k, v) for k, v in DEFAULTS.items()}
        choice_option(n, "too_long", opts["too_long"], ("error", "skip", "truncate"))
        bool_option(n, "lowercase", opts["lowercase"])
        int_option(n, "min_count", opts["min_count"], 1)
        int_option(n, "limit", opts["limit"], 1, allow_none=True)
        for side in ("source", "target"):
            choice_option(n, f"{side}_level", opts[f"{side}_level"], LEVELS)
            int_option(n, f"max_{side}_vocab", opts[f"max_{side}_vocab"], len(SPECIALS) + 1, allow_none=True)
            int_option(n, f"max_{side}_length", opts[f"max_{side}_length"], 1, allow_none=True)
        return opts

    def _tokenized(self, split: str, data_dir: Optional[str], options: dict):
        opts = self._options(options)
        key = (split, data_dir, tuple(sorted((k, repr(v)) for k, v in options.items())))
        if key in self._cache:
            return self._cache[key]
        raw = self.pairs(split, data_dir, **options)
        if opts["limit"] is not None:
            raw = raw[: int(opts["limit"])]
        src_toks, tgt_toks = [], []
        for s, t, where in raw:
            a = tokenize(s, opts["source_level"], opts["lowercase"])
            b = tokenize(t, opts["target_level"], opts["lowercase"])
            if not a or not b:
                raise DataFormatError(f"{where}: a sentence has no tokens after tokenisation "
                                      f"(source {s!r}, target {t!r}); expected at least one")
            keep = True
            for toks, side in ((a, "source"), (b, "target")):
                limit = opts[f"max_{side}_length"]
                if limit is not None and len(toks) > limit:
                    if opts["too_long"] == "error":
                        raise DataFormatError(
                            f"{where}: {side} sentence has {len(toks)} tokens; expected at most "
                            f"max_{side}_length={limit} (pass too_long='skip' or 'truncate', or raise the limit)"
                        )
                    if opts["too_long"] == "skip":
                        keep = False
                    else:
                        del toks[limit:]
            if keep:
                src_toks.append(a)
                tgt_toks.append(b)
        if not src_toks:
            raise DataFormatError(f"dataset {self.name!r} split {split!r} has no sentence pairs left "
                                  f"(options {options}); expected at least one")
        self._cache[key] = (src_toks, tgt_toks)
        return src_toks, tgt_toks

    def vocabularies(self, data_dir: Optional[str] = None, **options: Any) -> tuple[Vocabulary, Vocabulary]:
        """(source, target) vocabularies: a trained model's (options ``source_vocab`` and
        ``target_vocab``: its config's token lists), else built on the train split."""
        given = [options.get(f"{side}_vocab") for side in ("source", "target")]
        if all(v is not None for v in given):
            try:
                return Vocabulary(given[0]), Vocabulary(given[1])
            except (TypeError, ValueError) as e:
                raise DataOptionError(f"dataset {self.name!r} option 'source_vocab'/'target_vocab': {e}; expected "
                                      f"a seq2seq config's token lists") from None
        if any(v is not None for v in given):
            raise DataOptionError(f"dataset {self.name!r} got only one of 'source_vocab' and 'target_vocab'; "
                                  f"expected both (a trained model's) or neither")
        opts = self._options(options)
        src, tgt = self._tokenized("train", data_dir, options)
        return (build_vocabulary(src, opts["max_source_vocab"], opts["min_count"]),
                build_vocabulary(tgt, opts["max_target_vocab"], opts["min_count"]))

    def info(self, data_dir: Optional[str] = None, **options: Any) -> DatasetInfo:
        opts = self._options(options)
        sv, tv = self.vocabularies(data_dir, **options)
        return DatasetInfo(
            self.name, self.task, None, len(tv), {s: None for s in self.splits},
            extra={"source_vocab": sv.tokens, "target_vocab": tv.tokens,
                   "source_level": opts["source_level"], "target_level": opts["target_level"],
                   "lowercase": opts["lowercase"]},
        )

    def arrays(self, split: str, data_dir: Optional[str] = None, **options: Any):
        sv, tv = self.vocabularies(data_dir, **options)
        src, tgt = self._tokenized(split, data_dir, options)
        return encode_pairs(src, tgt, sv, tv)

    def texts(self, split: str, data_dir: Optional[str] = None, **options: Any) -> tuple[list[str], list[str]]:
        """The raw (source, target) sentences of a split (after ``limit``), for BLEU."""
        raw = self.pairs(split, data_dir, **options)
        lim = self._options(options)["limit"]
        raw = raw if lim is None else raw[: int(lim)]
        return [p[0] for p in raw], [p[1] for p in raw]


class Multi30k(ParallelSource):
    """Multi30k task 1 (Elliott et al. 2016): 29,000 / 1,014 / 1,000 image captions, De <-> En.

    Options: ``source_lang`` (``"de"``), ``target_lang`` (``"en"``), ``test_set``
    (``"test_2016_flickr"``). ``data_dir`` holds ``train.de.gz``, ``train.en.gz``, ...
    """

    name = "multi30k"
    summary = "Multi30k task 1 captions, German -> English (aligned train/val/test_2016_flickr files)"
    files = {"train": "train", "validation": "val", "test": "test_2016_flickr"}
    options = ParallelSource.options + ("source_lang", "target_lang", "test_set")

    def _path(self, data_dir: Optional[str], stem: str, lang: str) -> str:
        if data_dir is None:
            raise DataNotFoundError(
                "dataset 'multi30k' needs data_dir: a folder with train.de.gz, train.en.gz, val.*, "
                "test_2016_flickr.* (Multi30k data/task1/raw)")
        if not os.path.isdir(data_dir):
            raise DataNotFoundError(f"{data_dir}: no such folder; expected the Multi30k task-1 raw layout "
                                    f"(train.de.gz, train.en.gz, val.*, test_2016_flickr.*)")
        found = first_existing(data_dir, (f"{stem}.{lang}.gz", f"{stem}.{lang}"))
        if found:
            return found
        raise DataNotFoundError(f"{os.path.join(data_dir, stem + '.' + lang + '.gz')}: no such file "
                                f"(nor {stem}.{lang}); expected the Multi30k task-1 raw layout")

    def pairs(self, split: str, data_dir: Optional[str], **options: Any) -> list[Pair]:
        stem = str_option(self.name, "test_set", options.get("test_set", "test_2016_flickr"))
        stem = stem if split == "test" else self.files[split]
        src_lang = str_option(self.name, "source_lang", options.get("source_lang", "de"))
        tgt_lang = str_option(self.name, "target_lang", options.get("target_lang", "en"))
        return read_aligned(self._path(data_dir, stem, src_lang), self._path(data_dir, stem, tgt_lang))


class TatoebaPairs(ParallelSource):
    """Tatoeba/Anki sentence pairs (manythings.org ``fra-eng.zip`` / ``fra.txt``).

    ``data_dir``: the file itself or a folder holding ``fra-eng.zip`` or ``fra.txt`` (option
    ``file`` names another). ``source_column`` 0 and ``target_column`` 1 give English -> French.
    No native split: a seeded permutation holds out ``test_fraction`` (0.05) as test.
    """

    name = "tatoeba"
    summary = "Tatoeba/Anki tab-separated pairs (fra-eng.zip: English -> French by default)"
    splits = ("train", "test")
    options = ParallelSource.options + ("file", "source_column", "target_column", "split_seed", "test_fraction")

    def _file(self, data_dir: Optional[str], options: dict) -> str:
        if data_dir is None:
            raise DataNotFoundError("dataset 'tatoeba' needs data_dir: fra-eng.zip, fra.txt or a folder holding one")
        if os.path.isfile(data_dir):
            return data_dir
        file = options.get("file")
        names = ["fra-eng.zip", "fra.txt"] if file is None else [str_option(self.name, "file", file)]
        found = first_existing(data_dir, names)
        if found:
            return found
        raise DataNotFoundError(f"{data_dir}: holds none of {names}; expected a tab-separated pairs file there "
                                f"(pass data_dir=<pairs file> or file=<name>)")

    def pairs(self, split: str, data_dir: Optional[str], **options: Any) -> list[Pair]:
        n, limit = self.name, self._options(options)["limit"]
        columns = tuple(int_option(n, c, options.get(c, d), 0) for c, d in (("source_column", 0), ("target_column", 1)))
        seed = int_option(n, "split_seed", options.get("split_seed", 0), 0)
        fraction = float_option(n, "test_fraction", options.get("test_fraction", 0.05), 0.0, 1.0)
        path = self._file(data_dir, options)
        key = ("_all", path, columns)
        if key not in self._cache:
            self._cache[key] = read_tsv_pairs(path, *columns)
        everything = self._cache[key]
        if limit is not None:  # the first (shortest) pairs, as in keras-io's lstm_seq2seq
            everything = everything[:limit]
        perm = np.random.default_rng(seed).permutation(len(everything))
        n_test = max(1, int(round(len(everything) * fraction)))
        if n_test >= len(everything):
            raise DataFormatError(f"{path}: {len(everything)} pair(s) (limit={limit}) with test_fraction={fraction} "
                                  f"leave none for train; expected more pairs or a smaller test_fraction")
        idx = perm[-n_test:] if split == "test" else perm[:-n_test]
        return [everything[i] for i in sorted(idx)]


class TedHrlr(ParallelSource):
    """tensorflow-datasets ``ted_hrlr_translate`` (option ``config``, default ``"pt_to_en"``);
    prepare it once with network access and pass that ``data_dir``."""

    name = "ted_hrlr"
    summary = "TED talks (tensorflow-datasets ted_hrlr_translate/pt_to_en), via tfds with data_dir"
    options = ParallelSource.options + ("config", "download")

    def pairs(self, split: str, data_dir: Optional[str], **options: Any) -> list[Pair]:
        cfg = str_option(self.name, "config", options.get("config", "pt_to_en"))
        download = bool_option(self.name, "download", options.get("download", False))
        name = f"ted_hrlr_translate/{cfg}"
        ds = tfds_load(name, split, data_dir, as_supervised=True, download=download)
        out = []
        for i, (s, t) in enumerate(ds.as_numpy_iterator(), start=1):
            s, t = s.decode("utf-8"), t.decode("utf-8")
            if s.strip() and t.strip():
                out.append((s, t, f"{name}[{split}] example {i}"))
        return out


MULTI30K = Multi30k()
TATOEBA = TatoebaPairs()
TED_HRLR = TedHrlr()


def bucketed_dataset(x: dict, y: np.ndarray, batch_size: int, *, seed: int = 0, shuffle: bool = True,
                     pool: int = 50):
    """A ``tf.data`` pipeline of batches of similar-length pairs, each trimmed to its own
    longest sequence (far less padding than one width for the whole split).

    Pairs are shuffled, sorted by source length inside pools of ``pool`` batches, cut into
    batches and the batch order shuffled again; reshuffled every epoch from ``seed``.
    """
    import tensorflow as tf

    src, t_in = np.asarray(x["source"]), np.asarray(x["target_in"])
    y = np.asarray(y)
    n = len(y)
    src_len = (src != 0).sum(1)
    tgt_len = (y != 0).sum(1)
    epoch = [0]

    def batches():
        rng = np.random.default_rng(seed + epoch[0])
        epoch[0] += 1
        order = rng.permutation(n) if shuffle else np.arange(n)
        chunks = []
        for lo in range(0, n, batch_size * pool):
            part = order[lo: lo + batch_size * pool]
            part = part[np.argsort(src_len[part], kind="stable")]
            chunks.extend(part[i: i + batch_size] for i in range(0, len(part), batch_size))
        if shuffle:
            rng.shuffle(chunks)
        for idx in chunks:
            s, t = max(int(src_len[idx].max()), 1), max(int(tgt_len[idx].max()), 1)
            yield {"source": src[idx, :s], "target_in": t_in[idx, :t]}, y[idx, :t]

    spec = ({"source": tf.TensorSpec((None, None), tf.int32), "target_in": tf.TensorSpec((None, None), tf.int32)},
            tf.TensorSpec((None, None), tf.int32))
    return tf.data.Dataset.from_generator(batches, output_signature=spec).prefetch(2)
