"""Every bad input to a data reader gets a clear error (issue #13): the exception type, and
a message naming the option (or the path), the value found and what was expected.

Each case writes its own tiny fixture files into ``tmp_path`` (no network, no shared data).
A message fragment ``"{tmp}"`` stands for the case's ``tmp_path``.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import gzip  # noqa: E402
import math  # noqa: E402
import struct  # noqa: E402
import zipfile  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lecun_zoo import data  # noqa: E402
from lecun_zoo.data import DataFormatError, DataNotFoundError, DataOptionError  # noqa: E402

NAN = math.nan


# ------------------------------------------------------------------ fixture writers
def write_idx(path, array, magic, gz=True):
    raw = struct.pack(">i", magic) + b"".join(struct.pack(">i", d) for d in array.shape)
    raw += np.asarray(array).astype("uint8").tobytes()
    if gz:
        with gzip.open(path, "wb") as f:
            f.write(raw)
    else:
        path.write_bytes(raw)
    return path


def mnist(tmp, n_train=4, n_test=2, gz=True, side=28, labels=None):
    """A tiny MNIST folder: ``n_train`` / ``n_test`` random images with labels 0, 1, ..."""
    rng = np.random.default_rng(0)
    ext = ".gz" if gz else ""
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        write_idx(tmp / f"{prefix}-images-idx3-ubyte{ext}", rng.integers(0, 256, (n, side, side)), 2051, gz)
        lab = np.arange(n) % 10 if labels is None else np.asarray(labels)
        write_idx(tmp / f"{prefix}-labels-idx1-ubyte{ext}", lab, 2049, gz)
    return tmp


QA1 = "1 Mary moved to the bathroom.\n2 John went to the hallway.\n3 Where is Mary? \tbathroom\t1\n"


def babi(tmp, train=QA1, test=QA1, folder="en", encoding="utf-8"):
    """``tmp/tasks_1-20_v1-2/<folder>/qa1_single-supporting-fact_{train,test}.txt``."""
    d = tmp / "tasks_1-20_v1-2" / folder
    d.mkdir(parents=True, exist_ok=True)
    for split, text in (("train", train), ("test", test)):
        p = d / f"qa1_single-supporting-fact_{split}.txt"
        p.write_bytes(text if isinstance(text, bytes) else text.encode(encoding))
    return tmp


def babi_train(tmp):
    return str(tmp / "tasks_1-20_v1-2" / "en" / "qa1_single-supporting-fact_train.txt")


def ptb(tmp, train=b"the cat sat\nthe dog sat\n" * 3, valid=b"the cat\n", test=b"a dog sat\n"):
    for split, raw in (("train", train), ("valid", valid), ("test", test)):
        if raw is not None:
            (tmp / f"ptb.{split}.txt").write_bytes(raw)
    return tmp


DE = ["Ein Hund läuft.", "Eine Frau singt.", "Zwei Hunde laufen."]
EN = ["A dog runs.", "A woman sings.", "Two dogs run."]


def write_lines(path, lines, gz=False):
    raw = "".join(line + "\n" for line in lines).encode("utf-8")
    if gz:
        with gzip.open(path, "wb") as f:
            f.write(raw)
    else:
        path.write_bytes(raw)


def multi30k(tmp, de=DE, en=EN):
    for stem in ("train", "val", "test_2016_flickr"):
        write_lines(tmp / f"{stem}.de.gz", de, gz=True)
        write_lines(tmp / f"{stem}.en.gz", en, gz=True)
    return tmp


PAIRS = [f"Go {i}.\tVa {i} !\tCC-BY 2.0 (France)" for i in range(10)]


def tatoeba_txt(tmp, lines=PAIRS, raw=None):
    p = tmp / "fra.txt"
    p.write_bytes(raw if raw is not None else ("\n".join(lines) + "\n").encode("utf-8"))
    return p


def tatoeba_zip(tmp, lines=PAIRS):
    p = tmp / "fra-eng.zip"
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("_about.txt", "about")
        zf.writestr("fra.txt", "\n".join(lines) + "\n")
    return p


def gz_garbage(path):
    good = gzip.compress(b"A dog runs.\n" * 50)
    path.write_bytes(good[:12] + b"\xff" * 20 + good[32:])  # the deflate stream corrupted
    return path


# ------------------------------------------------------------------ the cases
def via(fn, *args, **kw):
    """A case's call: ``fn(*args, **kw)``, where a callable ``data_dir`` is first called
    with the case's ``tmp_path`` (it writes the fixture and returns the folder)."""
    def call(tmp):
        opts = dict(kw)
        if callable(opts.get("data_dir")):
            opts["data_dir"] = str(opts["data_dir"](tmp))
        return fn(*args, **opts)
    return call


def arr(name, split="train", **kw):
    return via(data.arrays, name, split, **kw)


def load(name, split="train", **kw):
    return via(data.load, name, split, **kw)


def info(name, **kw):
    return via(data.info, name, **kw)


def case(id, call, exc, *fragments):
    return pytest.param(call, exc, fragments, id=id)


def _swap_images_and_labels(tmp):
    mnist(tmp)
    a, b = tmp / "train-images-idx3-ubyte.gz", tmp / "train-labels-idx1-ubyte.gz"
    tmp_name = tmp / "x.gz"
    a.rename(tmp_name)
    b.rename(a)
    tmp_name.rename(b)
    return tmp


def _truncate(path, keep):
    raw = gzip.open(path).read()
    with gzip.open(path, "wb") as f:
        f.write(raw[:keep])


def _mnist_then(change):
    def make(tmp):
        mnist(tmp)
        change(tmp)
        return tmp
    return make


OPTION_CASES = [
    # unknown options, for every kind of source: named, with a suggestion and the accepted ones
    case("unknown-option-digits", arr("digits", bogus_option=1), DataOptionError,
         "'digits'", "['bogus_option']", "accepted options"),
    case("unknown-option-suggests", info("babi_generated", num_example=5), DataOptionError,
         "'num_example'", "did you mean 'num_examples'", "accepted options"),
    case("unknown-option-load", load("copy", lenght=3), DataOptionError, "['lenght']", "'copy'", "max_length"),
    case("unknown-option-mnist", arr("mnist", sorce="idx"), DataOptionError, "'sorce'", "did you mean 'source'"),
    case("unknown-option-ptb-info", info("ptb", seqlen=5), DataOptionError, "'seqlen'", "'seq_len'"),
    case("unknown-option-multi30k", arr("multi30k", data_dir=multi30k, max_len=5), DataOptionError,
         "'max_len'", "'multi30k'", "accepted options"),
    case("unknown-option-tfds", arr("cifar10", source="idx"), DataOptionError, "'source'", "'cifar10'", "download"),
    # arguments of load / arrays
    case("split-bogus", load("digits", split="bogus"), DataOptionError, "split", "'bogus'", "expected one of"),
    case("split-empty", arr("digits", split=()), DataOptionError, "split", "()", "expected a split name"),
    case("split-not-str", arr("digits", split=["train", 3]), DataOptionError, "split", "['train', 3]", "expected"),
    case("batch-size-0", load("digits", batch_size=0), DataOptionError, "'batch_size'", "got 0", "int >= 1"),
    case("batch-size-nan", load("digits", batch_size=NAN), DataOptionError, "'batch_size'", "nan", "int >= 1"),
    case("batch-size-str", load("digits", batch_size="8"), DataOptionError, "'batch_size'", "'8'", "int >= 1"),
    case("validation-fraction-nan", arr("digits", split=("train", "validation"), validation_fraction=NAN),
         DataOptionError, "'validation_fraction'", "nan", "(0.0, 1.0)"),
    case("validation-fraction-1.5", load("digits", split="validation", validation_fraction=1.5),
         DataOptionError, "'validation_fraction'", "1.5", "(0.0, 1.0)"),
    case("seed-str", arr("digits", seed="abc"), DataOptionError, "'seed'", "'abc'", "int >= 0"),
    case("seed-negative", load("copy", seed=-1), DataOptionError, "'seed'", "-1", "int >= 0"),
    case("shuffle-str", load("digits", shuffle="yes"), DataOptionError, "'shuffle'", "'yes'", "True or False"),
    case("shuffle-buffer-0", load("digits", shuffle_buffer=0), DataOptionError, "'shuffle_buffer'", "0", ">= 1"),
    case("data-dir-int", arr("ptb", data_dir=5), DataOptionError, "'data_dir'", "5", "folder path"),
    # option values, source by source
    case("mnist-source-bogus", arr("mnist", source="bogus"), DataOptionError, "'source'", "'bogus'", "'tfds'"),
    case("mnist-idx-needs-dir", arr("mnist", source="idx"), DataNotFoundError, "source='idx'", "needs data_dir"),
    case("tfds-download-str", load("fashion_mnist", download="no"), DataOptionError,
         "'download'", "'no'", "True or False"),
    case("babi-task-99", info("babi", task=99), DataOptionError, "'task'", "99", "1..20"),
    case("babi-task-bad-list", arr("babi", task="1,x"), DataOptionError, "'task'", "'1,x'", "1..20"),
    case("babi-task-empty", arr("babi", task=[]), DataOptionError, "'task'", "[]", "1..20"),
    case("babi-size-5k", arr("babi", data_dir=babi, size="5k"), DataOptionError, "'size'", "'5k'", "'10k'"),
    case("babi-memory-size-0", arr("babi", data_dir=babi, memory_size=0), DataOptionError,
         "'memory_size'", "got 0", "int >= 1"),
    case("babi-generated-task-3", arr("babi_generated", task=3), DataOptionError, "'task'", "got 3", "[1, 2]"),
    case("babi-generated-examples-0", arr("babi_generated", num_examples=0), DataOptionError,
         "'num_examples'", "got 0", "int >= 1"),
    case("babi-generated-story-len", info("babi_generated", max_story_len=-1), DataOptionError,
         "'max_story_len'", "-1", "int >= 1"),
    case("babi-generated-memory-str", arr("babi_generated", memory_size="10"), DataOptionError,
         "'memory_size'", "'10'", "int >= 1"),
    case("copy-bits-0", arr("copy", bits=0), DataOptionError, "'bits'", "got 0", "int >= 1"),
    case("copy-min-gt-max", arr("copy", min_length=5, max_length=2), DataOptionError,
         "min_length=5 > max_length=2", "expected min_length <= max_length"),
    case("copy-train-size-float", info("copy", train_size=2.5), DataOptionError, "'train_size'", "2.5", "int >= 1"),
    case("sort-keep-nan", arr("priority_sort", sort_keep=NAN), DataOptionError, "'sort_keep'", "nan", "(0.0, 1.0]"),
    case("recall-one-item", arr("associative_recall", min_length=1), DataOptionError, "min_length=1", "2 items"),
    case("reversal-min-len-negative", arr("reversal", min_len=-1), DataOptionError, "'min_len'", "-1", "int >= 1"),
    case("reversal-min-gt-max", info("reversal", min_len=5, max_len=3), DataOptionError,
         "min_len=5 > max_len=3", "expected min_len <= max_len"),
    case("reversal-symbols-30", arr("reversal", num_symbols=30), DataOptionError,
         "'num_symbols'", "30", "2..26"),
    case("reversal-too-many", arr("reversal", num_symbols=2, min_len=1, max_len=2, train_size=50, eval_size=5),
         DataOptionError, "train_size + 2 * eval_size", "ask 60 distinct strings", "at most the 6"),
    case("addition-digits-0", arr("addition", digits=0), DataOptionError, "'digits'", "got 0", "1..9"),
    case("addition-train-size-0", arr("addition", train_size=0), DataOptionError, "'train_size'", "got 0", ">= 1"),
    case("toy-seq-len-0", arr("toy_grammar", seq_len=0), DataOptionError, "'seq_len'", "got 0", "int >= 1"),
    case("toy-sentences-negative", arr("toy_grammar", sentences=-5), DataOptionError, "'sentences'", "-5", ">= 1"),
    case("toy-level-byte", info("toy_grammar", level="byte"), DataOptionError, "'level'", "'byte'", "'char'"),
    case("ptb-context-negative", arr("ptb", data_dir=ptb, context=-1), DataOptionError, "'context'", "-1", ">= 0"),
    case("text-vocab-without-unk", info("ptb", data_dir=ptb, vocab=("a", "b")), DataOptionError,
         "'vocab'", "'a'", "<unk>"),
    case("lm1b-max-sentences-0", arr("lm1b", max_sentences=0), DataOptionError, "'max_sentences'", "0", ">= 1"),
    case("multi30k-limit-negative", arr("multi30k", data_dir=multi30k, limit=-3), DataOptionError,
         "'limit'", "-3", "int >= 1"),
    case("multi30k-too-long-bogus", info("multi30k", data_dir=multi30k, too_long="cut"), DataOptionError,
         "'too_long'", "'cut'", "'truncate'"),
    case("multi30k-vocab-too-small", arr("multi30k", data_dir=multi30k, max_source_vocab=2), DataOptionError,
         "'max_source_vocab'", "got 2", ">= 5"),
    case("multi30k-lowercase-str", arr("multi30k", data_dir=multi30k, lowercase="yes"), DataOptionError,
         "'lowercase'", "'yes'", "True or False"),
    case("multi30k-level-byte", arr("multi30k", data_dir=multi30k, target_level="byte"), DataOptionError,
         "'target_level'", "'byte'", "'word'"),
    case("multi30k-lang-empty", arr("multi30k", data_dir=multi30k, source_lang=""), DataOptionError,
         "'source_lang'", "''", "non-empty str"),
    case("tatoeba-test-fraction-nan", arr("tatoeba", data_dir=tatoeba_zip, test_fraction=NAN), DataOptionError,
         "'test_fraction'", "nan", "(0.0, 1.0)"),
    case("tatoeba-column-negative", arr("tatoeba", data_dir=tatoeba_txt, source_column=-1), DataOptionError,
         "'source_column'", "-1", ">= 0"),
    case("tatoeba-limit-0", arr("tatoeba", data_dir=tatoeba_txt, limit=0), DataOptionError, "'limit'", "0", ">= 1"),
]

MNIST_CASES = [
    case("mnist-empty-dir", arr("mnist", data_dir=lambda tmp: tmp), DataNotFoundError,
         "{tmp}", "train-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", "source='tfds'"),
    case("mnist-missing-dir", arr("mnist", "test", data_dir=lambda tmp: tmp / "nowhere"), DataNotFoundError,
         "nowhere: no such folder", "expected the MNIST idx files", "train-images-idx3-ubyte.gz"),
    case("mnist-labels-missing", arr("mnist", data_dir=_mnist_then(lambda t: (t / "train-labels-idx1-ubyte.gz").unlink())),
         DataNotFoundError, "lacks train-labels-idx1-ubyte.gz", "split 'train'", "un-gzipped"),
    case("mnist-bad-magic", arr("mnist", data_dir=_mnist_then(
        lambda t: write_idx(t / "train-images-idx3-ubyte.gz", np.zeros((4, 28, 28)), 1234))),
        DataFormatError, "train-images-idx3-ubyte.gz", "'magic' is 1234", "expected 2051"),
    case("mnist-truncated", arr("mnist", data_dir=_mnist_then(
        lambda t: _truncate(t / "train-images-idx3-ubyte.gz", 1000))),
        DataFormatError, "train-images-idx3-ubyte.gz", "file is 1000 bytes", "expected 3152 bytes"),
    case("mnist-short-header", arr("mnist", data_dir=_mnist_then(
        lambda t: _truncate(t / "train-labels-idx1-ubyte.gz", 3))),
        DataFormatError, "train-labels-idx1-ubyte.gz", "header is 3 bytes", "expected at least 8"),
    case("mnist-not-gzip", arr("mnist", data_dir=_mnist_then(
        lambda t: (t / "train-images-idx3-ubyte.gz").write_bytes(b"this is not gzip"))),
        DataFormatError, "train-images-idx3-ubyte.gz", "cannot be read as gzip", "expected an MNIST IDX file"),
    case("mnist-count-mismatch", arr("mnist", data_dir=_mnist_then(
        lambda t: write_idx(t / "train-labels-idx1-ubyte.gz", np.arange(3), 2049))),
        DataFormatError, "train-images-idx3-ubyte.gz has 4 images", "train-labels-idx1-ubyte.gz has 3 labels",
        "expected equal counts"),
    case("mnist-swapped-files", arr("mnist", data_dir=_swap_images_and_labels), DataFormatError,
         "train-images-idx3-ubyte.gz: holds labels", "magic 2049", "expected images"),
    case("mnist-label-out-of-range", arr("mnist", data_dir=lambda tmp: mnist(tmp, labels=[0, 1, 12, 3])),
         DataFormatError, "train-labels-idx1-ubyte.gz", "label 2 is 12", "0..9"),
    case("mnist-wrong-image-size", arr("mnist", data_dir=lambda tmp: mnist(tmp, side=20)), DataFormatError,
         "train-images-idx3-ubyte.gz", "20x20", "expected 28x28"),
    case("mnist-empty", arr("mnist", data_dir=lambda tmp: mnist(tmp, n_train=0, labels=[])), DataFormatError,
         "train-labels-idx1-ubyte.gz", "0 labels", "at least one"),
]


def _babi_case(id, train, *fragments, exc=DataFormatError):
    return case(id, arr("babi", data_dir=lambda tmp: babi(tmp, train=train)), exc, *fragments)


BABI_CASES = [
    _babi_case("babi-question-with-spaces", "1 Mary moved to the bathroom.\n2 Where is Mary? bathroom 1\n",
               "qa1_single-supporting-fact_train.txt, line 2", "'2 Where is Mary? bathroom 1'",
               "no tab-separated answer", "question?<TAB>answer<TAB>supporting fact ids"),
    _babi_case("babi-question-no-answer", "1 Mary moved.\n2 Where is Mary?\n",
               "_train.txt, line 2", "'2 Where is Mary?'", "expected 'ID question?<TAB>answer"),
    _babi_case("babi-empty-answer", "1 Mary moved.\n2 Where is Mary?\t \t1\n",
               "_train.txt, line 2", "has no answer", "<TAB>answer<TAB>"),
    _babi_case("babi-supporting-not-int", "1 Mary moved.\n2 Where is Mary?\tbathroom\tone\n",
               "_train.txt, line 2", "supporting id 'one'", "earlier line of this story (1..1)"),
    _babi_case("babi-supporting-too-late", "1 Mary moved.\n2 Where is Mary?\tbathroom\t2\n",
               "_train.txt, line 2", "supporting id '2'", "(1..1)"),
    _babi_case("babi-answer-and-ids-one-field", "1 Mary moved.\n2 Where is Mary?\tbathroom 1\n",
               "_train.txt, line 2", "'bathroom 1'", "joined by ','"),
    _babi_case("babi-story-starts-at-2", "2 Mary moved.\n3 Where is Mary?\tbathroom\t2\n",
               "_train.txt, line 1", "sentence id 2 starts the file", "expected 1 (a story starts at id 1)"),
    _babi_case("babi-id-gap", "1 Mary moved.\n3 Where is Mary?\tbathroom\t1\n",
               "_train.txt, line 2", "sentence id 3 follows id 1", "expected 2"),
    _babi_case("babi-id-not-int", "1 Mary moved.\nx Where is Mary?\tbathroom\t1\n",
               "_train.txt, line 2", "'x Where is Mary?", "does not start with a sentence id"),
    _babi_case("babi-empty-train", "", "no questions found in {tmp}", "_train.txt (0 lines)", "expected bAbI lines"),
    _babi_case("babi-no-questions", "1 Mary moved.\n2 John went away.\n", "no questions found in",
               "_train.txt (2 lines)", "question?<TAB>answer"),
    _babi_case("babi-not-utf8", b"1 Mary moved.\n2 Where is \xff?\tbathroom\t1\n",
               "_train.txt: byte 25", "not UTF-8", "expected bAbI text lines"),
    case("babi-missing-task", arr("babi", data_dir=babi, task=2), DataNotFoundError,
         "{tmp}: no qa2_*_train.txt", "1k set", "qa2_two-supporting-facts_train.txt", "tasks_1-20_v1-2/en"),
    case("babi-missing-10k", arr("babi", data_dir=babi, size="10k"), DataNotFoundError,
         "no qa1_*_train.txt for the 10k set", "en-10k", "{tmp}"),
    case("babi-missing-test", arr("babi", data_dir=lambda tmp: (babi(tmp), os.remove(
        str(tmp / "tasks_1-20_v1-2" / "en" / "qa1_single-supporting-fact_test.txt")))[0]),
        DataNotFoundError, "no qa1_*_test.txt", "qa1_single-supporting-fact_test.txt"),
    case("babi-no-folder", arr("babi", data_dir=lambda tmp: tmp / "nowhere"), DataNotFoundError,
         "nowhere: no such folder", "qa1_*_train.txt"),
]

TEXT_CASES = [
    case("ptb-no-folder", arr("ptb", data_dir=lambda tmp: tmp / "nowhere"), DataNotFoundError,
         "nowhere: no such folder", "ptb.train.txt, ptb.valid.txt, ptb.test.txt"),
    case("ptb-empty-folder", arr("ptb", data_dir=lambda tmp: tmp), DataNotFoundError,
         "{tmp}/ptb.train.txt: no such corpus file", "split 'train'", "expected ptb.train.txt, ptb.valid.txt"),
    case("ptb-no-data-dir", info("ptb"), DataNotFoundError, "'ptb' needs data_dir", "ptb.train.txt"),
    case("text-empty-folder", info("text", data_dir=lambda tmp: tmp), DataNotFoundError,
         "train.txt: no such corpus file", "*.train.txt"),
    case("ptb-empty-test", arr("ptb", "test", data_dir=lambda tmp: ptb(tmp, test=b" \n\n")), DataFormatError,
         "ptb.test.txt: the corpus is empty", "white space", "expected a non-empty text file"),
    case("ptb-binary-train", arr("ptb", data_dir=lambda tmp: ptb(tmp, train=b"the ca\xfe\xff t\n")), DataFormatError,
         "ptb.train.txt: byte 6", "not UTF-8", "expected a text corpus"),
    case("ptb-nul-bytes", info("ptb", data_dir=lambda tmp: ptb(tmp, train=b"the cat\n\x00\x00\x00")),
         DataFormatError, "ptb.train.txt: byte 8", "NUL", "expected a text corpus"),
    case("text-train-too-small", arr("text", data_dir=lambda tmp: (tmp / "train.txt").write_text("a") and tmp,
                                     level="char"),
         DataFormatError, "'text'", "split 'train' has no tokens", "expected a non-empty corpus"),
    case("shakespeare-empty", info("tiny_shakespeare", data_dir=lambda tmp: (tmp / "input.txt").write_text(" ") and tmp),
         DataFormatError, "input.txt: the corpus is empty", "expected a non-empty text file"),
    case("shakespeare-missing", info("tiny_shakespeare", data_dir=lambda tmp: tmp), DataNotFoundError,
         "'tiny_shakespeare'", "{tmp}", "input.txt"),
]


def _tatoeba_dir(lines=None, raw=None):
    def make(tmp):
        tatoeba_txt(tmp, PAIRS if lines is None else lines, raw)
        return tmp
    return make


PARALLEL_CASES = [
    case("multi30k-line-counts", arr("multi30k", "validation", data_dir=lambda tmp: (
        multi30k(tmp), write_lines(tmp / "val.en.gz", EN + ["Extra."], gz=True))[0]),
        DataFormatError, "val.de.gz has 3 lines", "val.en.gz has 4", "expected the same number"),
    case("multi30k-corrupt-gzip", arr("multi30k", data_dir=lambda tmp: (
        multi30k(tmp), gz_garbage(tmp / "train.en.gz"))[0]),
        DataFormatError, "train.en.gz: cannot be read as gzip", "corrupt"),
    case("multi30k-truncated-gzip", arr("multi30k", data_dir=lambda tmp: (
        multi30k(tmp), (tmp / "train.de.gz").write_bytes((tmp / "train.de.gz").read_bytes()[:20]))[0]),
        DataFormatError, "train.de.gz: cannot be read as gzip", "EOFError", "one sentence per line"),
    case("multi30k-empty", arr("multi30k", data_dir=lambda tmp: multi30k(tmp, de=[], en=[])), DataFormatError,
         "train.de.gz and", "train.en.gz are empty (0 lines)", "expected one sentence per line"),
    case("multi30k-not-utf8", arr("multi30k", "test", data_dir=lambda tmp: (
        multi30k(tmp), (tmp / "test_2016_flickr.en.gz").unlink(),
        (tmp / "test_2016_flickr.en").write_bytes(b"A dog.\nA \xe9t\xe9.\nTwo.\n"))[0]),
        DataFormatError, "test_2016_flickr.en: byte 9", "not UTF-8"),
    case("multi30k-missing-file", arr("multi30k", data_dir=lambda tmp: (
        multi30k(tmp), (tmp / "train.en.gz").unlink())[0]),
        DataNotFoundError, "train.en.gz: no such file", "train.en", "Multi30k task-1 raw layout"),
    case("multi30k-no-folder", info("multi30k", data_dir=lambda tmp: tmp / "nowhere"), DataNotFoundError,
         "nowhere: no such folder", "train.de.gz"),
    case("tatoeba-missing-column", arr("tatoeba", data_dir=_tatoeba_dir(PAIRS[:3] + ["No tab here"])),
         DataFormatError, "fra.txt line 4", "1 tab-separated field(s)", "'No tab here'", "expected at least 2"),
    case("tatoeba-third-column", arr("tatoeba", data_dir=_tatoeba_dir(["a\tb", "c\td"]), target_column=2),
         DataFormatError, "fra.txt line 1", "2 tab-separated field(s)", "expected at least 3"),
    case("tatoeba-empty-field", arr("tatoeba", data_dir=_tatoeba_dir(PAIRS[:3] + ["Hello.\t  \tattr"])),
         DataFormatError, "fra.txt line 4", "field 1 is empty", "expected a sentence"),
    case("tatoeba-empty-file", arr("tatoeba", data_dir=_tatoeba_dir([], raw=b"\n\n")), DataFormatError,
         "fra.txt: no sentence pairs found", "(2 lines)", "source<TAB>target"),
    case("tatoeba-one-pair", arr("tatoeba", data_dir=_tatoeba_dir(PAIRS[:1])), DataFormatError,
         "fra.txt: 1 pair(s)", "test_fraction=0.05", "leave none for train"),
    case("tatoeba-carve-too-few", arr("tatoeba", ("train", "validation"), data_dir=_tatoeba_dir(PAIRS[:2])),
         DataFormatError, "split 'train' has 1 example(s)", "at least 2 to carve"),
    case("tatoeba-corrupt-zip", arr("tatoeba", data_dir=lambda tmp: (
        (tmp / "fra-eng.zip").write_bytes(b"PK\x03\x04 this is not a zip"), tmp)[1]),
        DataFormatError, "fra-eng.zip: cannot be read as zip", "BadZipFile", "expected a zip archive"),
    case("tatoeba-zip-without-txt", arr("tatoeba", data_dir=lambda tmp: (
        zipfile.ZipFile(tmp / "fra-eng.zip", "w").close(), tmp)[1]),
        DataFormatError, "fra-eng.zip: holds no pairs .txt file", "members: []", "expected a zip archive"),
    case("tatoeba-not-utf8", arr("tatoeba", data_dir=_tatoeba_dir(raw=b"Go.\tVa !\nHi.\tSalut \xe0 toi\n")),
         DataFormatError, "fra.txt: byte 19", "not UTF-8"),
    case("tatoeba-missing", arr("tatoeba", data_dir=lambda tmp: tmp), DataNotFoundError,
         "{tmp}: holds none of ['fra-eng.zip', 'fra.txt']", "expected a tab-separated pairs file"),
    case("tatoeba-missing-named-file", arr("tatoeba", data_dir=lambda tmp: tmp, file="deu.txt"), DataNotFoundError,
         "holds none of ['deu.txt']"),
]


@pytest.mark.parametrize("call, exc, fragments", OPTION_CASES + MNIST_CASES + BABI_CASES + TEXT_CASES + PARALLEL_CASES)
def test_bad_input_gets_a_clear_error(tmp_path, call, exc, fragments):
    with pytest.raises(exc) as err:
        call(tmp_path)
    message = str(err.value)
    for fragment in fragments:
        assert fragment.replace("{tmp}", str(tmp_path)) in message, f"{fragment!r} not in {message!r}"


def test_option_and_format_errors_are_value_errors():
    # callers that catch ValueError (or FileNotFoundError) keep working
    assert issubclass(DataOptionError, ValueError) and issubclass(DataFormatError, ValueError)
    assert issubclass(DataNotFoundError, FileNotFoundError)


# ------------------------------------------------------------------ good data still loads
def test_good_mnist_loads_gzipped_and_plain(tmp_path):
    (x, y), (xt, yt) = data.arrays("mnist", ("train", "test"), data_dir=str(mnist(tmp_path)))
    assert x.shape == (4, 28, 28, 1) and y.tolist() == [0, 1, 2, 3] and len(yt) == 2
    plain = tmp_path / "plain"
    plain.mkdir()
    x, y = data.arrays("mnist", "train", data_dir=str(mnist(plain, gz=False)), source="idx")
    assert x.shape == (4, 28, 28, 1) and float(x.max()) <= 1.0


def test_good_babi_loads_1k_and_10k(tmp_path):
    babi(tmp_path)
    babi(tmp_path, train=QA1 + QA1.replace("bathroom", "kitchen").replace("Mary", "John"), folder="en-10k")
    (x, y), inf = data.arrays("babi", "train", data_dir=str(tmp_path), task="1"), data.info("babi", data_dir=tmp_path)
    assert len(y) == 1 and inf.splits == {"train": 1, "test": 1}
    x10, y10 = data.arrays("babi", "train", data_dir=str(tmp_path), task=[1], size="10k", memory_size=3)
    assert len(y10) == 2 and x10["story"].shape[1] == 3


def test_good_text_corpora_load(tmp_path):
    (x, y), (xt, yt) = data.arrays("ptb", ("train", "test"), data_dir=str(ptb(tmp_path)), seq_len=2)
    assert x.shape[1] == 2 and len(xt) >= 1
    folder = tmp_path / "text"
    folder.mkdir()
    (folder / "corpus.train.txt").write_text("a b c d e f g h i j\n" * 3)
    (folder / "notes.md").write_text("not a split")
    assert data.info("text", data_dir=str(folder), level="char").extra["level"] == "char"
    # the files a weights card checksums: the splits read, not whatever else is in the folder
    assert [os.path.basename(p) for p in data.get_source("text").files(str(folder))] == ["corpus.train.txt"]
    assert [os.path.basename(p) for p in data.get_source("ptb").files(str(ptb(tmp_path)))] == [
        "ptb.train.txt", "ptb.valid.txt", "ptb.test.txt"]
    (tmp_path / "input.txt").write_text("First Citizen:\nBefore we proceed.\n" * 10)
    x, _ = data.arrays("tiny_shakespeare", "test", data_dir=str(tmp_path), seq_len=4)
    assert x.shape[1] == 4


def test_good_parallel_text_loads(tmp_path):
    x, y = data.arrays("multi30k", "train", data_dir=str(multi30k(tmp_path)), limit=2, max_source_vocab=None)
    assert x["source"].shape[0] == 2 and y.shape[0] == 2
    z = tmp_path / "z"
    z.mkdir()
    tatoeba_zip(z)
    (tr, te) = data.arrays("tatoeba", ("train", "test"), data_dir=str(z), test_fraction=0.2)
    assert len(tr[1]) == 8 and len(te[1]) == 2
    t = tmp_path / "t"
    t.mkdir()
    x, _ = data.arrays("tatoeba", "train", data_dir=str(tatoeba_txt(t)), limit=5)
    assert len(x["source"]) == 4


def test_info_of_a_seeded_load_describes_the_loaded_data():
    # the toy grammar's vocabulary depends on the seed: load's info must be built with the same one
    from lecun_zoo.families.word_lm.toy_grammar import DATASET

    _, got = data.load("toy_grammar", "train", seed=1, batch_size=4, with_info=True, sentences=300, seq_len=3)
    want = DATASET.vocabulary(seed=1, sentences=300).itos
    assert got.extra["vocab"] == want == data.info("toy_grammar", seed=1, sentences=300).extra["vocab"]
    assert DATASET.vocabulary(sentences=300).itos != want  # seed 0 orders the words differently


def test_family_data_options_are_accepted_by_every_listed_dataset():
    # families pass their data_options to each dataset they list: none may be refused as unknown
    from lecun_zoo.data import LOAD_OPTIONS
    from lecun_zoo.registry import REGISTRY

    for name in REGISTRY.names():
        fam = REGISTRY.get(name)
        for preset in fam.presets if fam.data_options else ():
            opts = fam.data_options(fam.make_config(preset))
            for ds in fam.datasets:
                unknown = set(opts) - set(data.get_source(ds).options) - set(LOAD_OPTIONS)
                assert not unknown, f"family {name!r} preset {preset!r} passes {sorted(unknown)} to dataset {ds!r}"


def test_importing_the_data_package_does_not_import_tensorflow():
    import subprocess
    import sys

    code = "import sys, lecun_zoo.data as d; d.get_source('babi'); d.get_source('ptb'); print('tensorflow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
