"""Seq2seq data (generated tasks, parallel-text files), corpus BLEU and the CLI contract path."""

import gzip
import math
import zipfile

import numpy as np
import pytest

from lecun_zoo import data
from lecun_zoo.data.base import DataFormatError, DataNotFoundError
from lecun_zoo.families.seq2seq import FAMILY, translate
from lecun_zoo.families.seq2seq.bleu import corpus_bleu, sentence_bleu

T = str.split


# ----------------------------------------------------------------------------------- BLEU
def test_bleu_perfect_and_papineni_clipping():
    assert corpus_bleu([T("a dog runs fast")], [T("a dog runs fast")]).score == pytest.approx(100.0)
    assert corpus_bleu([T("a dog runs")], [T("a dog runs")]).score == 0.0  # no 4-gram at all
    r = corpus_bleu([T("the the the the the the the")], [T("the cat is on the mat")])
    assert r.precisions[0] == pytest.approx(100 * 2 / 7)  # modified precision: "the" clipped at 2
    assert r.score == 0.0  # no bigram matches, no smoothing


def test_bleu_is_corpus_level_and_matches_hand_computation():
    hyps = [T("the cat sat on the mat"), T("a dog runs in the park")]
    refs = [T("the cat is on the mat"), T("a dog runs in the park")]
    r = corpus_bleu(hyps, refs)
    # matches / totals summed over both sentences: 1-grams 11/12, 2-grams 8/10, 3-grams 5/8, 4-grams 3/6
    assert r.precisions == pytest.approx([100 * 11 / 12, 100 * 8 / 10, 100 * 5 / 8, 100 * 3 / 6])
    assert r.brevity_penalty == 1.0
    assert r.score == pytest.approx(100 * (11 / 12 * 8 / 10 * 5 / 8 * 3 / 6) ** 0.25, rel=1e-9)  # 69.19
    mean_of_sentences = (corpus_bleu(hyps[:1], refs[:1]).score + corpus_bleu(hyps[1:], refs[1:]).score) / 2
    assert mean_of_sentences == pytest.approx(50.0) and abs(r.score - 50.0) > 10


def test_bleu_brevity_penalty_and_multiple_references():
    r = corpus_bleu([T("the cat")], [T("the cat is on the mat")], max_n=2)
    assert r.brevity_penalty == pytest.approx(math.exp(1 - 6 / 2))
    assert r.score == pytest.approx(100 * math.exp(-2.0))  # 13.53
    # effective reference length: the closest one (3 and 5 tie around 4 -> the shorter, 3)
    r = corpus_bleu([T("a b c d")], [[T("a b c d e"), T("a b c")]], max_n=1)
    assert r.ref_length == 3 and r.score == pytest.approx(100.0)
    assert 0 < sentence_bleu(T("the cat sat"), T("the cat is on the mat")).score < 100
    with pytest.raises(ValueError, match="2 hypotheses and 1 references"):
        corpus_bleu([["a"], ["b"]], [["a"]])


# ------------------------------------------------------------------------ generated tasks
def test_bleu_matches_sacrebleu_on_pretokenised_text():
    # sacrebleu (tokenize="none", no smoothing) is the reference implementation of corpus BLEU
    import sacrebleu

    hyps = ["the cat sat on the mat", "a dog runs in the park", "two men play football on a field today"]
    refs = ["the cat is on the mat", "a dog is running in the park", "two men are playing football on a field"]
    ours = corpus_bleu([h.split() for h in hyps], [r.split() for r in refs])
    theirs = sacrebleu.metrics.BLEU(tokenize="none", smooth_method="none").corpus_score(hyps, [refs])
    assert theirs.score > 0
    np.testing.assert_allclose(ours.score, theirs.score, rtol=1e-9)
    np.testing.assert_allclose(ours.precisions, theirs.precisions, rtol=1e-9)
    np.testing.assert_allclose(ours.brevity_penalty, theirs.bp, rtol=1e-9)


def test_detokenize_attaches_punctuation_and_round_trips():
    from lecun_zoo.families.seq2seq.tokens import detokenize, tokenize

    toks = ["a", "man", "in", "a", "t", "-", "shirt", ",", "smiling", "(", "happy", ")", "."]
    assert detokenize(toks) == "a man in a t-shirt, smiling (happy)."
    for text in ["A man's saftig-grünes T-shirt, isn't it? 3.5 well-dressed (yes)!", "Zwei Männer / Frauen : ok .",
                 "' quoted ' words"]:
        toks = tokenize(text)
        assert tokenize(detokenize(toks)) == toks
    assert detokenize(list("ab c"), "char") == "ab c"


def test_reversal_and_addition_are_deterministic_and_right():
    rev = data.get_source("reversal")
    a = rev.texts("train", seed=3, train_size=50, eval_size=10)
    b = rev.texts("train", seed=3, train_size=50, eval_size=10)
    assert a == b and all(t == s[::-1] for s, t in zip(*a))
    splits = rev.examples(3, train_size=50, eval_size=10)
    assert not set(splits["train"][0]) & set(splits["test"][0])
    add = data.get_source("addition").texts("test", seed=0, train_size=100, eval_size=20)
    for q, ans in zip(*add):
        x, y = q.split("+")
        assert int(x) + int(y) == int(ans) and len(x) <= 3 and len(y) <= 3
    (xs, ys) = data.arrays("addition", "train", train_size=100, eval_size=20)
    assert xs["source"].dtype == np.int32 and (ys[:, 0] != 0).all()
    assert ((xs["target_in"][:, 1:] != 0) == (ys[:, :-1] != 0) & (ys[:, :-1] != 3)).all()


# ----------------------------------------------------------------------- parallel files
def write(path, lines, gz=False):
    text = "".join(line + "\n" for line in lines)
    if gz:
        with gzip.open(path, "wt", encoding="utf-8") as f:
            f.write(text)
    else:
        path.write_text(text, encoding="utf-8")


@pytest.fixture
def multi30k_dir(tmp_path):
    de = ["Ein Hund läuft.", "Eine Frau singt.", "Zwei Hunde laufen.", "Ein Mann singt."]
    en = ["A dog runs.", "A woman sings.", "Two dogs run.", "A man sings."]
    write(tmp_path / "train.de.gz", de, gz=True)
    write(tmp_path / "train.en.gz", en, gz=True)
    write(tmp_path / "val.de", de[:2])
    write(tmp_path / "val.en", en[:2])
    write(tmp_path / "test_2016_flickr.de", ["Ein Kind singt."])
    write(tmp_path / "test_2016_flickr.en", ["A child sings."])
    return tmp_path


def test_multi30k_layout_loads_with_train_vocabulary(multi30k_dir):
    (train, val, test), info = data.load("multi30k", ("train", "validation", "test"), data_dir=str(multi30k_dir),
                                         batch_size=8, shuffle=False, with_info=True)
    src_vocab = info.extra["source_vocab"]
    assert "hund" in src_vocab and "kind" not in src_vocab and info.extra["source_level"] == "word"
    x, y = next(iter(test))
    kind = 1  # "kind" is unknown in the train vocabulary -> <unk>
    assert x["source"].numpy().tolist() == [[4 + src_vocab.index("ein"), kind, 4 + src_vocab.index("singt"),
                                            4 + src_vocab.index(".")]]
    xt, yt = next(iter(train))
    assert xt["source"].shape[0] == 4 and (yt.numpy() == 3).sum() == 4  # one <end> per sentence


def test_config_vocabulary_options_reach_the_loader(multi30k_dir):
    config = FAMILY.make_config("tiny", min_count=2, max_target_vocab=6)
    info = data.info("multi30k", data_dir=str(multi30k_dir), **FAMILY.data_options(config))
    assert set(info.extra["source_vocab"]) == {"ein", "singt", "."}  # the words seen twice or more
    assert len(info.extra["target_vocab"]) == 2  # 6 ids, 4 of them reserved: "a" and "."
    with pytest.raises(Exception, match="max_target_vocab"):
        FAMILY.make_config("tiny", max_target_vocab=3)


def test_mismatched_line_counts_name_the_files_and_line(multi30k_dir):
    write(multi30k_dir / "val.en", ["A dog runs.", "A woman sings.", "Extra line."])
    with pytest.raises(DataFormatError, match=r"val\.de has 2 lines but .*val\.en has 3.*line 3"):
        data.arrays("multi30k", "validation", data_dir=str(multi30k_dir))


def test_empty_and_overlong_sentences_name_the_file_and_line(multi30k_dir):
    write(multi30k_dir / "val.en", ["A dog runs.", "  "])
    with pytest.raises(DataFormatError, match=r"val\.en line 2: empty sentence"):
        data.arrays("multi30k", "validation", data_dir=str(multi30k_dir))
    with pytest.raises(DataFormatError, match=r"train\.en\.gz line 1: source sentence has 4 tokens; expected at "
                                              r"most max_source_length=3"):
        data.arrays("multi30k", "train", data_dir=str(multi30k_dir), max_source_length=3)
    x, _ = data.arrays("multi30k", "train", data_dir=str(multi30k_dir), max_source_length=3, too_long="truncate")
    assert x["source"].shape == (4, 3)
    with pytest.raises(DataNotFoundError, match="train.de.gz"):
        data.arrays("multi30k", "train", data_dir=str(multi30k_dir / "nowhere"))


def test_tatoeba_zip_pairs_and_errors(tmp_path):
    lines = [f"Go {i}.\tVa {i} !\tCC-BY 2.0 (France) Attribution: tatoeba.org" for i in range(40)]
    with zipfile.ZipFile(tmp_path / "fra-eng.zip", "w") as zf:
        zf.writestr("_about.txt", "about")
        zf.writestr("fra.txt", "\n".join(lines) + "\n")
    tr_src, _ = data.get_source("tatoeba").texts("train", data_dir=str(tmp_path))
    te_src, te_tgt = data.get_source("tatoeba").texts("test", data_dir=str(tmp_path))
    assert len(tr_src) + len(te_src) == 40 and not set(tr_src) & set(te_src) and len(te_src) == 2
    assert te_tgt[0].startswith("Va ")
    (bad := tmp_path / "bad.txt").write_text("Go.\tVa !\nNo tab here\n", encoding="utf-8")
    with pytest.raises(DataFormatError, match=r"bad\.txt line 2: 1 tab-separated field"):
        data.arrays("tatoeba", "train", data_dir=str(bad))


# ------------------------------------------------------------------ the CLI contract path
def cli_path(name, preset="tiny", **load_opts):
    """What `lecun-zoo train seq2seq --data NAME` does (see the brief's CLI contract)."""
    import keras

    keras.utils.set_random_seed(0)
    config = FAMILY.make_config(preset)
    opts = {**FAMILY.data_options(config), **load_opts}
    (train, val, test), info = data.load(name, ("train", "validation", "test"), batch_size=16, with_info=True, **opts)
    config = config.replace(**FAMILY.adapt_to_data(info))
    model = FAMILY.build(config)
    FAMILY.compile(model, config)
    history = FAMILY.train(model, config, train, validation_data=val, epochs=1, verbose=0)
    return model, history, model.evaluate(test, verbose=0, return_dict=True)


def test_cli_contract_path_on_the_default_data():
    model, history, result = cli_path("reversal", train_size=64, eval_size=16)
    assert set(FAMILY.metrics) <= set(result) and np.isfinite(history.history["val_loss"][-1])
    assert isinstance(translate(model, ["abc"])[0], str)


def test_file_data_adapts_the_config_and_translates(multi30k_dir):
    config = FAMILY.make_config("tiny")
    info = data.info("multi30k", data_dir=str(multi30k_dir), **FAMILY.data_options(config))
    config = config.replace(**FAMILY.adapt_to_data(info))
    assert config.source_level == "word" and config.lowercase and "hund" in config.source_vocab
    model = FAMILY.build(config)
    x, y = data.arrays("multi30k", "train", data_dir=str(multi30k_dir), **FAMILY.data_options(config))
    assert model(x).shape == (*y.shape, config.target_vocab_size)
    out = translate(model, ["Ein Hund singt ."], beam_width=2, max_length=4)
    assert len(out) == 1 and len(out[0].split()) <= 4


def test_evaluate_encodes_with_the_model_vocabulary_not_the_folder_train_split(multi30k_dir, tmp_path_factory):
    """``lecun_zoo.evaluate`` gives the numbers ``train`` reported even where the folder's
    train split (from which a vocabulary would be rebuilt) is different."""
    import lecun_zoo

    res = lecun_zoo.train("seq2seq", "tiny", data="multi30k", data_dir=str(multi30k_dir), epochs=2, verbose=0)
    other = tmp_path_factory.mktemp("other")
    write(other / "train.de.gz", ["Katzen schlafen.", "Ein Kind singt."], gz=True)
    write(other / "train.en.gz", ["Cats sleep.", "A child sings."], gz=True)
    for name in ("val.de", "val.en", "test_2016_flickr.de", "test_2016_flickr.en"):
        (other / name).write_bytes((multi30k_dir / name).read_bytes())
    for folder in (multi30k_dir, other):
        again = lecun_zoo.evaluate(res.model, "multi30k", data_dir=str(folder))
        assert again == pytest.approx(res.metrics, abs=1e-6), folder
