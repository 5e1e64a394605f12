"""The bAbI question-answering tasks (Weston et al. 2015), read from the standard files.

Any folder holding ``qaN_<name>_train.txt`` / ``qaN_<name>_test.txt`` works, or a folder
above it with the official layout (``tasks_1-20_v1-2/en`` for the 1k set, ``.../en-10k``
for the 10k set)::

    train, test = lecun_zoo.data.load("babi", ("train", "test"), data_dir="shared/data/babi",
                                      task=1, size="1k")

File format, one line each::

    ID sentence                                   (ID 1 starts a new story)
    ID question<TAB>answer<TAB>supporting ids

Examples are ``({"story": int32 [n, memory_size, sentence_len],
"question": int32 [n, sentence_len]}, answer int32 [n])``; word id 0 pads, 1 is ``<unk>``.
Story slot 0 holds the sentence just before the question (most recent first), so a
temporal encoding ``T(i)`` means "i sentences ago"; a story longer than
``memory_size`` keeps its last sentences, as in the paper. Multi-word answers
(``"n,s"``, ``"apple,football"``) are single answer tokens.
"""

from __future__ import annotations

import functools
import glob
import os
import re
from typing import Any, Iterable, Optional, Sequence, Union

import numpy as np

from lecun_zoo.data.vocab import PAD, UNK, Vocabulary
from lecun_zoo.data.base import (DataFormatError, DataNotFoundError, DataOptionError, DatasetInfo, Source,
                                  choice_option, int_option, read_text, text_lines)

__all__ = [
    "PAD", "UNK", "SPECIALS", "TASK_NAMES", "vocabulary_from", "tokenize", "parse_babi", "parse_tasks",
    "find_task_files", "build_vocab", "model_vocab", "vectorize", "BabiSource", "DATASET",
]

SPECIALS = (PAD, UNK)  # memnet's reserved tokens: word id 0 pads, 1 is unknown
TASK_NAMES = {
    1: "single-supporting-fact", 2: "two-supporting-facts", 3: "three-supporting-facts",
    4: "two-arg-relations", 5: "three-arg-relations", 6: "yes-no-questions", 7: "counting",
    8: "lists-sets", 9: "simple-negation", 10: "indefinite-knowledge", 11: "basic-coreference",
    12: "conjunction", 13: "compound-coreference", 14: "time-reasoning", 15: "basic-deduction",
    16: "basic-induction", 17: "positional-reasoning", 18: "size-reasoning", 19: "path-finding",
    20: "agents-motivations",
}
SIZES = ("1k", "10k")
_LINE = re.compile(r"^\s*(\d+)\s+(.*\S)\s*$")


def tokenize(text: str) -> list[str]:
    """Lower-case words without punctuation: ``"Where is Mary?" -> ["where", "is", "mary"]``."""
    return re.findall(r"[a-z0-9']+", text.lower())


#: how a question line looks, for error messages
QUESTION_FORMAT = "'ID question?<TAB>answer<TAB>supporting fact ids'"


def parse_babi(lines: Iterable[str], path: str = "<text>") -> list[tuple[list[list[str]], list[str], str]]:
    """``(story sentences, question, answer)`` per question; the story holds the
    statements of the current story before the question, oldest first.

    Raises:
        DataFormatError: naming ``path``, the line number, the line and what was expected.
    """
    out = []
    story: list[list[str]] = []
    prev_id = 0
    for lineno, raw in enumerate(lines, start=1):
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        where = f"{path}, line {lineno}"
        fields = line.split("\t")
        m = _LINE.match(fields[0])
        if m is None:
            raise DataFormatError(f"{where}: {line!r} does not start with a sentence id and text; expected "
                                  f"'ID sentence' or {QUESTION_FORMAT}")
        sid, text = int(m.group(1)), m.group(2)
        if sid == 1:
            story, prev_id = [], 0
        elif sid != prev_id + 1:
            after = f"follows id {prev_id}; expected {prev_id + 1} (or 1 to start a new story)" if prev_id else \
                "starts the file; expected 1 (a story starts at id 1)"
            raise DataFormatError(f"{where}: sentence id {sid} {after}")
        prev_id = sid
        words = tokenize(text)
        if not words:
            raise DataFormatError(f"{where}: {line!r} has no words after the id; expected 'ID sentence'")
        if len(fields) == 1:
            if "?" in text:
                raise DataFormatError(f"{where}: question {line!r} has no tab-separated answer; expected "
                                      f"{QUESTION_FORMAT}")
            story.append(words)
            continue
        answer = fields[1].strip()
        if not answer:
            raise DataFormatError(f"{where}: question {line!r} has no answer; expected {QUESTION_FORMAT}")
        if len(answer.split()) > 1 or any(f.strip() for f in fields[3:]):
            raise DataFormatError(f"{where}: question {line!r} has an answer of several words ({answer!r}) or "
                                  f"fields after the supporting ids; expected {QUESTION_FORMAT}, several "
                                  f"answers joined by ',' (e.g. 'n,s')")
        for s in (fields[2].split() if len(fields) > 2 else []):
            if not s.isdigit() or not 1 <= int(s) < sid:
                raise DataFormatError(f"{where}: supporting id {s!r} of {line!r} is not the id of an earlier "
                                      f"line of this story (1..{sid - 1}); expected {QUESTION_FORMAT}")
        out.append(([list(s) for s in story], words, answer.lower()))
    return out


def _read_file(path: str) -> tuple:
    st = os.stat(path)
    return _read_file_cached(path, st.st_mtime_ns, st.st_size)


@functools.lru_cache(maxsize=128)
def _read_file_cached(path: str, mtime_ns: int, size: int) -> tuple:
    """Parsed once per file version (path, modification time, size)."""
    lines = text_lines(read_text(path, "bAbI text lines"))
    examples = tuple(parse_babi(lines, path))
    if not examples:
        raise DataFormatError(f"no questions found in {path} ({len(lines)} lines); expected bAbI lines "
                              f"'ID sentence' and {QUESTION_FORMAT}")
    return examples


_TASK_EXPECTED = "a task number 1..20, a list of them, a string like '1,2,3', or 'all'"


def _task_list(task: Union[int, str, Sequence[int]]) -> list[int]:
    if isinstance(task, str):
        t = task.strip().lower()
        if t in ("all", "joint", "1-20"):
            return list(range(1, 21))
        items: list = [int(p) if p.isdigit() else p for p in t.replace(" ", "").split(",") if p]
    else:
        items = list(task) if isinstance(task, (list, tuple)) else [task]
    if not items or not all(isinstance(t, (int, np.integer)) and not isinstance(t, bool) and 1 <= t <= 20
                            for t in items):
        raise DataOptionError(f"dataset 'babi' option 'task' got {task!r}; expected {_TASK_EXPECTED}")
    return sorted({int(t) for t in items})


def _qa_dirs(root: str) -> list[str]:
    found = set()
    for pattern in ("qa*_*_train.txt", "*/qa*_*_train.txt", "*/*/qa*_*_train.txt", "*/*/*/qa*_*_train.txt"):
        found.update(os.path.dirname(p) for p in glob.glob(os.path.join(root, pattern)))
    return sorted(found)


def find_task_files(data_dir: Optional[str], task: int, size: str = "1k") -> dict[str, str]:
    """``{"train": path, "test": path}`` of task ``task`` under ``data_dir``.

    ``data_dir`` is the folder of the ``qaN_*`` files, or a folder above it; there the
    1k set is the folder whose name lacks ``10k`` (``en``) and the 10k set the one with
    it (``en-10k``)."""
    size = choice_option("babi", "size", size, SIZES)
    if data_dir is None:
        data_dir = os.environ.get("LECUN_ZOO_BABI_DIR")
    if data_dir is None:
        raise DataNotFoundError(
            "babi needs data_dir (or $LECUN_ZOO_BABI_DIR): a folder with the bAbI v1.2 files "
            "qaN_<name>_train.txt / _test.txt (e.g. tasks_1-20_v1-2/en)"
        )
    if not os.path.isdir(data_dir):
        raise DataNotFoundError(f"{data_dir}: no such folder; expected a folder holding the bAbI files "
                                f"qa{task}_*_train.txt / qa{task}_*_test.txt (or a folder above them)")
    dirs = _qa_dirs(data_dir)
    if os.path.abspath(data_dir) not in {os.path.abspath(d) for d in dirs}:
        want_10k = size == "10k"
        dirs = [d for d in dirs if ("10k" in os.path.basename(d)) == want_10k]
    out = {}
    for split in ("train", "test"):
        hits = sorted(p for d in dirs for p in glob.glob(os.path.join(d, f"qa{task}_*_{split}.txt")))
        if not hits:
            layout = "a folder whose name has '10k', e.g. en-10k" if size == "10k" else "e.g. en"
            raise DataNotFoundError(
                f"{data_dir}: no qa{task}_*_{split}.txt for the {size} set ({layout}) in it or below it; "
                f"expected files named like qa{task}_{TASK_NAMES.get(task, '<name>')}_{split}.txt; "
                f"folders with bAbI files there: {_qa_dirs(data_dir) or 'none'}"
            )
        out[split] = hits[0]
    return out


def parse_tasks(data_dir: Optional[str], tasks: Sequence[int], size: str, split: str) -> list[tuple]:
    """Parsed examples of ``split`` for every task, tagged ``(story, question, answer, task)``."""
    out = []
    for t in tasks:
        path = find_task_files(data_dir, t, size)[split]
        out.extend((s, q, a, t) for s, q, a in _read_file(path))
    return out


def build_vocab(examples: Iterable[tuple]) -> tuple[str, ...]:
    """``("<pad>", "<unk>", sorted words and answers...)``: deterministic for a set of tasks."""
    words = set()
    for story, question, answer, *_ in examples:
        for s in story:
            words.update(s)
        words.update(question)
        words.add(answer)
    return Vocabulary(sorted(words - set(SPECIALS)), SPECIALS).itos


def vocabulary_from(itos: Sequence[str]) -> Vocabulary:
    """A memnet vocabulary from the token list its config stores (``<pad>``, ``<unk>``, words)."""
    return Vocabulary.from_itos(itos, SPECIALS)


def vectorize(examples: Sequence[tuple], vocab: Sequence[str], memory_size: int, sentence_len: int):
    """Examples -> ``({"story": [n, memory_size, sentence_len], "question": [n, sentence_len]}, answers [n])``.

    Stories keep their last ``memory_size`` sentences, most recent in slot 0; unknown
    words become ``<unk>`` (id 1)."""
    v = vocabulary_from(vocab)
    n = len(examples)
    story = np.zeros((n, memory_size, sentence_len), dtype="int32")
    question = np.zeros((n, sentence_len), dtype="int32")
    answer = np.zeros((n,), dtype="int32")
    for i, (sents, q, a, *_) in enumerate(examples):
        kept = sents[-memory_size:] if memory_size else []
        for slot, words in enumerate(reversed(kept)):  # slot 0 = most recent sentence
            if len(words) > sentence_len:
                raise ValueError(f"sentence {' '.join(words)!r} has {len(words)} words; sentence_len is {sentence_len}")
            story[i, slot, : len(words)] = v.encode(words)
        if len(q) > sentence_len:
            raise ValueError(f"question {' '.join(q)!r} has {len(q)} words; sentence_len is {sentence_len}")
        question[i, : len(q)] = v.encode(q)
        answer[i] = v.index.get(a, v.unk_id)
    return {"story": story, "question": question}, answer


def model_vocab(dataset: str, vocab: Any, examples: Iterable[tuple]) -> tuple[str, ...]:
    """A model's vocabulary (option ``vocab``) checked against the data it is to encode:
    every word and answer must be in it, or the ids would mean nothing to the model."""
    if not isinstance(vocab, (list, tuple)) or len(vocab) < 3 or tuple(vocab[:2]) != (PAD, UNK) or \
            not all(isinstance(w, str) for w in vocab):
        raise DataOptionError(f"dataset {dataset!r} option 'vocab' got {str(vocab)[:80]!r}; expected the words by id, "
                              f"starting with {PAD!r}, {UNK!r} (a memnet config's vocab)")
    vocab = tuple(vocab)
    unknown = sorted(set(build_vocab(examples)) - set(vocab))
    if unknown:
        raise DataOptionError(
            f"dataset {dataset!r} option 'vocab' ({len(vocab)} words) lacks {len(unknown)} word(s) of this data, "
            f"e.g. {unknown[:5]}; expected the vocabulary of a model trained on these tasks")
    return vocab


def max_sentence_len(examples: Iterable[tuple]) -> int:
    longest = 1
    for story, question, *_ in examples:
        longest = max([longest, len(question)] + [len(s) for s in story])
    return longest


class BabiSource(Source):
    """bAbI v1.2 (English), 1k or 10k, one task, several or all 20 (joint, one vocabulary).

    Options:
        task: 1..20, a list, ``"1,2,3"`` or ``"all"`` (default 1).
        size: ``"1k"`` (default) or ``"10k"``.
        memory_size: sentences kept per story (default 50, the paper's).
        sentence_len: pad sentences to at least this many words (default: the longest).
        vocab: encode with this vocabulary (a trained model's) instead of building one; a
            word of the data that it lacks is an error.
    """

    name = "babi"
    licence = "CC BY 3.0 (Facebook bAbI tasks v1.2)"
    scaling = "word ids of the vocabulary in the config (vocab); stories as memory slots x words"
    summary = "bAbI QA tasks 1-20 (v1.2, English, 1k/10k) from local files"
    splits = ("train", "test")
    options = ("task", "size", "memory_size", "sentence_len", "vocab")

    def _read(self, data_dir, task: Any = 1, size: str = "1k", memory_size: int = 50, sentence_len: int = 0,
              vocab: Any = None, **_: Any) -> dict:
        """Both splits parsed, with the vocabulary and the widths the options ask for."""
        tasks = _task_list(task)
        memory_size = int_option(self.name, "memory_size", memory_size, 1)
        sentence_len = int_option(self.name, "sentence_len", sentence_len, 0)
        parts = {s: parse_tasks(data_dir, tasks, size, s) for s in ("train", "test")}
        everything = parts["train"] + parts["test"]
        return {"parts": parts, "tasks": tasks, "size": size, "memory_size": memory_size,
                "vocab": build_vocab(everything) if vocab is None else model_vocab(self.name, vocab, everything),
                "sentence_len": max(sentence_len, max_sentence_len(everything))}

    def files(self, data_dir: Optional[str], task: Any = 1, size: str = "1k", **_: Any) -> list[str]:
        """The train and test files of the tasks asked for."""
        return sorted(p for t in _task_list(task) for p in find_task_files(data_dir, t, size).values())

    def info(self, data_dir: Optional[str] = None, **options: Any) -> DatasetInfo:
        d = self._read(data_dir, **options)
        return DatasetInfo(
            name="babi", task="question_answering", input_shape=None, num_classes=len(d["vocab"]),
            splits={s: len(v) for s, v in d["parts"].items()},
            extra={"vocab": d["vocab"], "sentence_len": d["sentence_len"], "memory_size": d["memory_size"],
                   "tasks": d["tasks"], "size": d["size"],
                   "longest_story": max((len(e[0]) for e in d["parts"]["train"]), default=0)},
        )

    def arrays(self, split: str, data_dir: Optional[str] = None, **options: Any):
        d = self._read(data_dir, **options)
        return vectorize(d["parts"][split], d["vocab"], d["memory_size"], d["sentence_len"])


DATASET = BabiSource()
