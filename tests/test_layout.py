"""Each family owns its folder: the old shared paths of moved modules still import (one
release, with a DeprecationWarning) and are the moved modules themselves; every dataset a
family ships comes through its ``Family.sources``."""

import importlib
import subprocess
import sys

import pytest

import lecun_zoo
from lecun_zoo import data

MOVED = {
    "lecun_zoo.data.algorithmic": "lecun_zoo.families.ntm.tasks",
    "lecun_zoo.data.babi": "lecun_zoo.families.memnet.babi",
    "lecun_zoo.data.babi_generated": "lecun_zoo.families.memnet.babi_generated",
    "lecun_zoo.data.parallel_text": "lecun_zoo.families.seq2seq.parallel_text",
    "lecun_zoo.data.parallel_vocab": "lecun_zoo.families.seq2seq.tokens",
    "lecun_zoo.data.seq2seq_tasks": "lecun_zoo.families.seq2seq.tasks",
    "lecun_zoo.data.text_corpus": "lecun_zoo.families.word_lm.corpus",
    "lecun_zoo.data.toy_grammar": "lecun_zoo.families.word_lm.toy_grammar",
    "lecun_zoo.layers.attention": "lecun_zoo.families.seq2seq.attention",
    "lecun_zoo.metrics.bits": "lecun_zoo.families.ntm.metrics",
    "lecun_zoo.metrics.perplexity": "lecun_zoo.families.word_lm.metrics",
    "lecun_zoo.metrics.reconstruction": "lecun_zoo.families.autoencoder.metrics",
    "lecun_zoo.metrics.bleu": "lecun_zoo.families.seq2seq.bleu",
}


def test_old_paths_warn_once_and_are_the_new_modules():
    code = (
        "import warnings, importlib, sys\n"
        "warnings.simplefilter('always')\n"
        f"moved = {MOVED!r}\n"
        "with warnings.catch_warnings(record=True) as w:\n"
        "    for old, new in moved.items():\n"
        "        assert importlib.import_module(old) is importlib.import_module(new), old\n"
        "        importlib.import_module(old)\n"
        "    from lecun_zoo.data import babi\n"
        "    assert babi is sys.modules['lecun_zoo.families.memnet.babi']\n"
        "msgs = [str(x.message) for x in w if issubclass(x.category, DeprecationWarning)]\n"
        "for old, new in moved.items():\n"
        "    assert sum(m.startswith(old + ' moved to ' + new) for m in msgs) == 1, (old, msgs)\n"
        "print('ok')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"


@pytest.mark.parametrize("name", lecun_zoo.list())
def test_a_family_ships_its_own_datasets(name):
    fam = lecun_zoo.get_family(name)
    shared = set(data.SOURCES)
    for ds in fam.datasets:
        assert ds in shared or ds in fam.sources, f"{name}: dataset {ds!r} is neither shared nor in its sources"
    for ds, target in fam.sources.items():
        assert target.startswith((f"lecun_zoo.families.{name}.", "lecun_zoo.data.")), (ds, target)
        assert data.get_source(ds).name == ds


def test_shared_datasets_serve_two_families_or_more():
    users = {ds: [f for f in lecun_zoo.list() if ds in lecun_zoo.get_family(f).datasets] for ds in data.SOURCES}
    assert all(len(u) >= 2 for u in users.values()), users


def test_one_vocabulary_type_with_each_familys_reserved_tokens():
    from lecun_zoo.data.vocab import Vocabulary
    from lecun_zoo.families.memnet.babi import build_vocab, vocabulary_from as memnet_vocab
    from lecun_zoo.families.seq2seq.tokens import build_vocabulary as seq2seq_vocab
    from lecun_zoo.families.word_lm.corpus import build_vocabulary as word_lm_vocab, vocabulary_from

    s = seq2seq_vocab([["b", "a", "b"]])
    w = word_lm_vocab("b a b".split())
    m = memnet_vocab(build_vocab([([["b", "a"]], ["a"], "b")]))
    assert all(type(v) is Vocabulary for v in (s, w, m))
    assert s.itos == ("<pad>", "<unk>", "<start>", "<end>", "b", "a") and s.unk_id == 1
    assert w.itos == ("<unk>", "b", "a") and w.unk_id == 0
    assert m.itos == ("<pad>", "<unk>", "a", "b") and m.unk_id == 1
    # what the configs store reads back to the same vocabulary
    assert Vocabulary(s.tokens) == s and vocabulary_from(w.itos) == w and memnet_vocab(m.itos) == m
    assert s.decode([4, 3, 5], strip=True) == ["b"] and w.decode([1, 0]) == ["b", "<unk>"]
    assert m.encode(["b", "zzz"]).tolist() == [3, 1]
    with pytest.raises(ValueError, match="reserved"):
        Vocabulary(["<unk>"], specials=("<unk>",))
    with pytest.raises(ValueError, match="unk"):
        Vocabulary(["a"], specials=("<pad>",))


@pytest.mark.parametrize("name,clip,field", [("memnet", "per_variable", "max_grad_norm"),
                                             ("seq2seq", "per_variable", "clipnorm"),
                                             ("ntm", "global", "clipnorm"), ("word_lm", "global", "clipnorm")])
def test_one_optimizer_factory_clips_by_the_configs_norm(name, clip, field):
    fam = lecun_zoo.get_family(name)
    assert fam.make_config("tiny").clip == clip  # each family's paper default
    for choice in ("global", "per_variable"):
        m = lecun_zoo.get(name, preset="tiny", clip=choice, **{field: 3.0})
        opt = m.optimizer
        assert (opt.global_clipnorm, opt.clipnorm) == ((3.0, None) if choice == "global" else (None, 3.0))
    with pytest.raises(lecun_zoo.ConfigError, match="clip"):
        fam.make_config("tiny", clip="sideways")


def test_the_family_record_builds_its_model_class_lazily():
    from lecun_zoo.family import ModelClass

    fam = lecun_zoo.get_family("convnet")
    assert fam.build == ModelClass("lecun_zoo.families.convnet.model:ConvNet")
    assert fam.build(fam.make_config("tiny")).name == "convnet"
    with pytest.raises(ValueError, match="module:Class"):
        ModelClass("no_colon")
