"""The bAbI reader and the generated bAbI-style tasks (no real files needed)."""

import numpy as np
import pytest

from lecun_zoo import data
from lecun_zoo.families.memnet.babi import PAD, UNK, find_task_files, parse_babi, vectorize
from lecun_zoo.families.memnet.babi_generated import OBJECTS, PEOPLE, PLACES, VOCAB, generate

from tests_support_babi import QA1, QA19  # noqa: E402


def write_set(root, name="en", train=QA1, test=QA1):
    folder = root / "tasks_1-20_v1-2" / name
    folder.mkdir(parents=True)
    (folder / "qa1_single-supporting-fact_train.txt").write_text(train)
    (folder / "qa1_single-supporting-fact_test.txt").write_text(test)
    (folder / "qa19_path-finding_train.txt").write_text(QA19)
    (folder / "qa19_path-finding_test.txt").write_text(QA19)
    return folder


def test_parse_standard_format():
    ex = parse_babi(QA1.splitlines(True))
    assert [e[2] for e in ex] == ["bathroom", "hallway", "office"]
    story, question, _ = ex[1]
    # questions are not memories; the story runs to the question, oldest first
    assert story == [["mary", "moved", "to", "the", "bathroom"], ["john", "went", "to", "the", "hallway"],
                     ["daniel", "went", "back", "to", "the", "hallway"], ["sandra", "moved", "to", "the", "garden"]]
    assert question == ["where", "is", "daniel"]
    assert ex[2][0] == [["sandra", "travelled", "to", "the", "office"]]  # id 1 starts a new story


@pytest.mark.parametrize("text, match", [
    ("1 Mary moved to the bathroom.\nMary went home.\n", "line 2"),  # no id
    ("1 Mary moved.\n3 John went.\n", r"line 2: sentence id 3 follows id 1"),
    ("1 Mary moved.\n2 Where is Mary?\t\t1\n", "line 2: question .* has no answer"),
    ("1 Mary moved.\n2 Where is Mary?\tbathroom\t7\n", "line 2: supporting id '7'"),
    ("1 .\n", "line 1: .* has no words"),
])
def test_malformed_lines_name_file_and_line(tmp_path, text, match):
    folder = write_set(tmp_path, train=text)
    with pytest.raises(data.DataFormatError, match=match) as err:
        data.arrays("babi", "train", data_dir=str(tmp_path), task=1)
    assert "qa1_single-supporting-fact_train.txt" in str(err.value)


def test_vectorize_keeps_last_sentences_most_recent_first():
    ex = [([["a"], ["b"], ["c"], ["d"]], ["where", "x"], "c", 1)]
    vocab = (PAD, UNK, "a", "b", "c", "d", "where")
    x, y = vectorize(ex, vocab, memory_size=3, sentence_len=2)
    assert x["story"][0, :, 0].tolist() == [5, 4, 3]  # d, c, b: "a" did not fit
    assert x["question"][0].tolist() == [6, 1]  # "x" is unknown
    assert y.tolist() == [4]


def test_babi_source_finds_1k_and_10k_sets_and_carves_validation(tmp_path):
    write_set(tmp_path, "en")
    write_set(tmp_path, "en-10k", train=QA1 + QA1.replace("office", "kitchen"))
    (x, y), info = data.arrays("babi", "train", data_dir=str(tmp_path), task=1, memory_size=5), \
        data.info("babi", data_dir=str(tmp_path), task=1)
    assert x["story"].shape == (3, 5, info.extra["sentence_len"]) and len(y) == 3
    assert info.extra["vocab"][:2] == (PAD, UNK) and "bathroom" in info.extra["vocab"]
    assert info.extra["longest_story"] == 4  # sentences before "Where is Daniel?" (the authors' memory size)
    x10, _ = data.arrays("babi", "train", data_dir=str(tmp_path), task=1, size="10k")
    assert len(x10["question"]) == 6
    # a folder holding the files directly works too
    x1, _ = data.arrays("babi", "train", data_dir=str(tmp_path / "tasks_1-20_v1-2" / "en"), task=1)
    assert len(x1["question"]) == 3
    # joint: one vocabulary, multi-word answers are single tokens
    info = data.info("babi", data_dir=str(tmp_path), task="1,19")
    assert "e,n" in info.extra["vocab"] and info.splits == {"train": 4, "test": 4}
    (tr, va, te) = data.load("babi", ("train", "validation", "test"), data_dir=str(tmp_path), task=[1, 19],
                             size="10k", batch_size=2)
    n_tr = sum(int(b[1].shape[0]) for b in tr)
    n_va = sum(int(b[1].shape[0]) for b in va)
    assert (n_tr, n_va) == (6, 1)  # 10 % of the 7 training questions (at least one)
    with pytest.raises(data.DataNotFoundError, match="qa2_"):
        find_task_files(str(tmp_path), 2)
    with pytest.raises(ValueError, match="task"):
        data.info("babi", data_dir=str(tmp_path), task=21)


def test_generated_tasks_are_deterministic_and_answerable():
    a, b = generate(1, 50, seed=4), generate(1, 50, seed=4)
    assert a == b and generate(1, 50, seed=5) != a
    for story, q, ans, task in a:  # the answer is where the person went last
        person = q[-1]
        last = [s[-1] for s in story if s[0] == person][-1]
        assert ans == last and ans in PLACES and person in PEOPLE and task == 1
    for story, q, ans, _ in generate(2, 50, seed=4):
        obj = q[-1]
        assert obj in OBJECTS
        taker = [s[0] for s in story if s[-1] == obj][-1]
        i = max(i for i, s in enumerate(story) if s[-1] == obj)
        where = [s[-1] for s in story[:] if s[0] == taker and s[-1] in PLACES][-1]
        assert ans == where and any(s[0] == taker and s[-1] in PLACES for s in story[:i])
    words = {w for ex in generate(1, 200) + generate(2, 200) for s in ex[0] + [ex[1]] for w in s}
    assert words <= set(VOCAB) and "frodo" in words


def test_generated_sources_registered():
    assert {"babi", "babi_generated"} <= set(data.names())
    (x, y), info = data.arrays("babi_generated", "train", task=2, num_examples=30, memory_size=4), \
        data.info("babi_generated", task=2)
    assert x["story"].shape == (30, 4, 5) and info.extra["vocab"] == VOCAB and np.all(y >= 2)
    with pytest.raises(ValueError, match="task"):
        data.arrays("babi_generated", "train", task=3)
