"""bAbI-style stories generated here (no files needed), for tests and quick runs.

Two tasks in the style of Weston et al. (2015), with hobbits for people:

- task 1, single supporting fact: ``"frodo went to the kitchen . sam moved to the garden .
  where is frodo ?" -> kitchen`` (the last place the person went).
- task 2, two supporting facts: people move and pick up objects; ``"where is the ring ?"``
  -> the place of whoever carries it (find who took it, then where that person is now).

Examples come in the same layout as :mod:`lecun_zoo.families.memnet.babi` (most recent sentence in
story slot 0, word 0 pads, 1 is ``<unk>``) over one shared vocabulary, so a model fits
both tasks and ``lecun_zoo.families.memnet.answer`` reads plain English stories::

    train, test = lecun_zoo.data.load("babi_generated", ("train", "test"), task=1)
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from lecun_zoo.families.memnet.babi import PAD, UNK, model_vocab, vectorize
from lecun_zoo.data.base import DatasetInfo, Source, choice_option, int_option

__all__ = ["PEOPLE", "PLACES", "OBJECTS", "VOCAB", "SENTENCE_LEN", "generate", "GeneratedBabi", "DATASET"]

PEOPLE = ("frodo", "sam", "merry", "pippin", "gandalf", "bilbo")
PLACES = ("kitchen", "garden", "hallway", "bedroom", "bathroom", "office")
OBJECTS = ("ring", "sword", "apple", "football")
MOVES = ("went to the", "moved to the", "journeyed to the", "travelled to the")
TAKES = ("picked up the", "got the", "grabbed the")
_WORDS = {"where", "is", "the"}
for _phrase in MOVES + TAKES:
    _WORDS.update(_phrase.split())
#: one vocabulary for both generated tasks: pad, unknown, then sorted words
VOCAB = (PAD, UNK) + tuple(sorted(_WORDS | set(PEOPLE) | set(PLACES) | set(OBJECTS)))
#: longest sentence: "frodo journeyed to the kitchen" / "frodo picked up the ring" (5 words)
SENTENCE_LEN = 5
SPLIT_SEEDS = {"train": 11, "test": 23}


def _single_supporting_fact(rng: np.random.Generator, length: int):
    story, where = [], {}
    for _ in range(length):
        p, place = PEOPLE[rng.integers(len(PEOPLE))], PLACES[rng.integers(len(PLACES))]
        story.append([p] + MOVES[rng.integers(len(MOVES))].split() + [place])
        where[p] = place
    person = list(where)[rng.integers(len(where))]
    return story, ["where", "is", person], where[person]


def _two_supporting_facts(rng: np.random.Generator, length: int):
    # two people, each first goes somewhere; one picks up the asked-for object; the
    # holder's moves after that decide the answer
    while True:
        story, where, holder = [], {}, {}
        for _ in range(length):
            p = PEOPLE[rng.integers(len(PEOPLE))]
            free = [o for o in OBJECTS if o not in holder]
            if p in where and free and rng.random() < 0.35:
                o = free[rng.integers(len(free))]
                story.append([p] + TAKES[rng.integers(len(TAKES))].split() + [o])
                holder[o] = p
            else:
                place = PLACES[rng.integers(len(PLACES))]
                story.append([p] + MOVES[rng.integers(len(MOVES))].split() + [place])
                where[p] = place
        if holder:
            obj = sorted(holder)[rng.integers(len(holder))]
            return story, ["where", "is", "the", obj], where[holder[obj]]


def generate(task: int, n: int, seed: int = 0, min_len: int = 2, max_len: int = 8) -> list[tuple]:
    """``n`` examples ``(story sentences oldest first, question, answer, task)``."""
    if task not in (1, 2):
        raise ValueError(f"babi_generated option 'task' got {task!r}; expected 1 (single supporting fact) "
                         f"or 2 (two supporting facts)")
    if not 1 <= min_len <= max_len:
        raise ValueError(f"babi_generated story length range ({min_len}, {max_len}) is empty; expected 1 <= min_len <= max_len")
    rng = np.random.default_rng(seed)
    make = _single_supporting_fact if task == 1 else _two_supporting_facts
    lo = max(min_len, 3) if task == 2 else min_len
    out = []
    for _ in range(n):
        story, q, a = make(rng, int(rng.integers(lo, max(lo, max_len) + 1)))
        out.append((story, q, a, task))
    return out


class GeneratedBabi(Source):
    """Generated bAbI-style tasks.

    Options:
        task: 1 (single supporting fact, default) or 2 (two supporting facts).
        num_examples: train examples (default 1000, like bAbI 1k); test has a fifth of it.
        memory_size: sentences kept per story (default 50).
        sentence_len: pad sentences to at least this many words (default 5).
        max_story_len: longest story in sentences (default 8).
        vocab: encode with this vocabulary (a trained model's); it must hold every word.
        size: accepted and ignored (the memnet family passes the bAbI set size to every
            dataset it reads; generated stories have no 1k/10k sets).
    """

    name = "babi_generated"
    summary = "bAbI-style single/two supporting fact stories generated offline (tests, quick runs)"
    splits = ("train", "test")
    options = ("task", "num_examples", "memory_size", "sentence_len", "max_story_len", "size", "vocab")

    def _settings(self, task: Any = 1, num_examples: int = 1000, memory_size: int = 50, sentence_len: int = 0,
                  max_story_len: int = 8, size: Any = None, seed: int = 0, vocab: Any = None) -> dict:
        n = int_option(self.name, "num_examples", num_examples, 1)
        return {"task": _task(task), "sizes": {"train": n, "test": max(1, n // 5)},
                "memory_size": int_option(self.name, "memory_size", memory_size, 1),
                "sentence_len": max(SENTENCE_LEN, int_option(self.name, "sentence_len", sentence_len, 0)),
                "max_story_len": int_option(self.name, "max_story_len", max_story_len, 1), "seed": seed,
                "vocab": VOCAB if vocab is None else model_vocab(self.name, vocab, [((tuple(VOCAB[2:]),), (), VOCAB[2])])}

    def info(self, data_dir: Optional[str] = None, **options: Any) -> DatasetInfo:
        o = self._settings(**options)
        return DatasetInfo(
            name="babi_generated", task="question_answering", num_classes=len(VOCAB), splits=o["sizes"],
            extra={"vocab": o["vocab"], "sentence_len": o["sentence_len"], "memory_size": o["memory_size"],
                   "tasks": [o["task"]]},
        )

    def arrays(self, split: str, data_dir: Optional[str] = None, **options: Any):
        o = self._settings(**options)
        examples = generate(o["task"], o["sizes"][split], seed=SPLIT_SEEDS[split] + 1000 * int(o["seed"]),
                            max_len=o["max_story_len"])
        return vectorize(examples, o["vocab"], o["memory_size"], o["sentence_len"])


def _task(task: Any) -> int:
    t = int(task) if isinstance(task, str) and task.strip().isdigit() else task
    return choice_option("babi_generated", "task", t, (1, 2))


DATASET = GeneratedBabi()
