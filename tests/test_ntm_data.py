"""The NTM's algorithmic tasks as lecun_zoo.data sources: layouts, determinism,
train vs test lengths, options errors, and the CLI path (data_options -> load ->
adapt_to_data -> build -> train -> evaluate)."""

import numpy as np
import pytest

import lecun_zoo
from lecun_zoo import data
from lecun_zoo.families.ntm import tasks
from lecun_zoo.families.ntm import FAMILY

TASKS = ("copy", "repeat_copy", "associative_recall", "priority_sort")


def test_tasks_are_registered_sources():
    assert set(TASKS) <= set(data.names())
    info = data.info("repeat_copy", bits=5)
    assert info.extra["task"] == "repeat_copy" and info.extra["bits"] == 5 and info.extra["output_size"] == 6
    assert info.input_shape == (None, 7)


@pytest.mark.parametrize("task", TASKS)
def test_deterministic_by_seed(task):
    kw = dict(train_size=6, test_size=4)
    a = data.arrays(task, "train", seed=3, **kw)
    b = data.arrays(task, "train", seed=3, **kw)
    c = data.arrays(task, "train", seed=4, **kw)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])
    v = data.arrays(task, "validation", seed=3, **kw)
    assert v[0].shape[1] == a[0].shape[1] and not np.array_equal(v[0][:4], a[0][:4])


def test_copy_layout():
    rng = np.random.default_rng(0)
    o = tasks.options("copy", bits=3)
    x, y = tasks.make_example("copy", rng, 4, o)
    assert x.shape == (9, 5) and y.shape == (9, 3)
    np.testing.assert_array_equal(y[5:], x[:4, :3])  # the target is the input sequence
    assert np.all(y[:5] == -1)  # nothing scored during the input phase
    assert x[4, 3] == 1 and x[:, 3].sum() == 1  # one delimiter
    assert np.all(x[5:] == 0)  # blank inputs while answering


def test_repeat_copy_layout():
    o = tasks.options("repeat_copy", bits=2, max_repeats=4)
    x, y = tasks.make_example("repeat_copy", np.random.default_rng(1), 3, o, repeats=2)
    assert x.shape == (3 + 1 + 6 + 1, 4) and y.shape == (11, 3)
    assert x[3, 2] == 1 and x[3, 3] == pytest.approx(2 / 4)  # delimiter and normalised repeats
    np.testing.assert_array_equal(y[4:10, :2], np.tile(x[:3, :2], (2, 1)))
    np.testing.assert_array_equal(y[4:10, 2], 0)
    np.testing.assert_array_equal(y[10], [0, 0, 1])  # the end marker


def test_associative_recall_layout():
    o = tasks.options("associative_recall", bits=3, item_length=2)
    x, y = tasks.make_example("associative_recall", np.random.default_rng(2), 4, o)
    l = 2
    items = [x[i * (l + 1) + 1 : (i + 1) * (l + 1), :3] for i in range(4)]
    start = 4 * (l + 1)
    query = x[start + 1 : start + 1 + l, :3]
    assert x[start, 4] == 1 and x[start + 1 + l, 4] == 1
    q = next(i for i in range(3) if np.array_equal(items[i], query))
    np.testing.assert_array_equal(y[-l:], items[q + 1])  # the item after the query
    assert np.all(y[:-l] == -1)


def test_priority_sort_layout():
    o = tasks.options("priority_sort", bits=3, sort_keep=0.8)
    x, y = tasks.make_example("priority_sort", np.random.default_rng(3), 10, o)
    assert y.shape[0] == 10 + 1 + 8
    order = np.argsort(-x[:10, 4])[:8]
    np.testing.assert_array_equal(y[11:], x[order, :3])


def test_test_split_uses_longer_lengths_and_padding_is_unscored():
    kw = dict(bits=3, min_length=1, max_length=3, test_min_length=6, test_max_length=8, train_size=20, test_size=10)
    xtr, ytr = data.arrays("copy", "train", **kw)
    xte, yte = data.arrays("copy", "test", **kw)
    assert xtr.shape == (20, 7, 5) and xte.shape == (10, 17, 5)
    scored_tr = (ytr >= 0).all(-1).sum(1)
    scored_te = (yte >= 0).all(-1).sum(1)
    assert scored_tr.min() >= 1 and scored_tr.max() <= 3
    assert scored_te.min() >= 6 and scored_te.max() <= 8


def test_make_batch_has_the_exact_length():
    x, y = tasks.make_batch("copy", 5, 7, seed=1, bits=4)
    assert x.shape == (5, 15, 6) and (y >= 0).all(-1).sum(1).tolist() == [7] * 5


def test_bad_options_name_the_option():
    with pytest.raises(ValueError, match="'bits' got 0"):
        data.arrays("copy", "train", bits=0)
    with pytest.raises(ValueError, match="unknown options \\['lenght'\\]"):
        data.arrays("copy", "train", lenght=3)
    with pytest.raises(ValueError, match="min_length=5 > max_length=2"):
        data.arrays("copy", "train", min_length=5, max_length=2)
    with pytest.raises(ValueError, match="at least 2 items"):
        data.arrays("associative_recall", "train", min_length=1)


def test_cli_trains_ntm_on_copy(tmp_path):
    """`lecun-zoo train ntm --data copy --preset tiny --epochs 1 --set bits=3`: data_options
    makes the data fit the config, adapt_to_data agrees, the model trains, evaluates, saves."""
    import json

    from lecun_zoo.cli import main

    out = tmp_path / "run"
    assert main(["train", "ntm", "--data", "copy", "--preset", "tiny", "--epochs", "1", "--set", "bits=3",
                 "--batch-size", "16", "--out", str(out), "--verbose", "0"]) == 0
    record = json.loads((out / "history.json").read_text())
    assert record["config"]["bits"] == 3 and record["config"]["task"] == "copy"
    assert set(record["history"]) >= {"loss", "bit_errors", "val_loss", "val_bit_errors"}
    assert 0 <= record["test"]["bit_errors"] <= 3 * 6  # test lengths 4-6: at most every bit wrong
    assert (out / "model.keras").exists() and (out / "learning_curve.png").exists()


def test_adapt_to_data_takes_task_and_bits_from_the_source():
    info = data.info("associative_recall", bits=5)
    assert FAMILY.adapt_to_data(info) == {"task": "associative_recall", "bits": 5}
    config = FAMILY.make_config("tiny", **FAMILY.adapt_to_data(info), min_length=2)
    assert config.output_size == 5 and config.input_size == 7


def test_evaluation_by_length():
    import keras

    from lecun_zoo.families.ntm.evaluation import bit_errors_by_length

    keras.utils.set_random_seed(0)
    model = FAMILY.build(FAMILY.make_config("tiny"))
    errs = bit_errors_by_length(model, [1, 4], batch_size=4)
    assert sorted(errs) == [1, 4]
    assert 0 <= errs[1] <= 4 and 0 <= errs[4] <= 16  # at most every bit wrong


# ------------------------------------------------------------------ one length per batch (no padding work)
def test_one_length_per_batch_hand_case():
    """length_sampling="batch": blocks of length_block consecutive train sequences share one
    length; after the shuffled loader and one_length_batches every batch has one length L and
    its last scored step is 2L + 1 (copy), while the arrays keep the padded 2 * 3 + 1 = 7 steps."""
    kw = dict(bits=3, min_length=1, max_length=3, train_size=12, length_sampling="batch", length_block=4)
    x, y = data.arrays("copy", "train", seed=5, **kw)
    assert x.shape == (12, 7, 5)
    steps = tasks.scored_steps(y)
    lengths = (x[:, :, 3] == 1).argmax(1)  # the delimiter is at step L
    assert np.all(steps == 2 * lengths + 1)
    for block in range(3):  # each block of 4 has one length
        assert len(set(lengths[4 * block : 4 * block + 4].tolist())) == 1
    # a hand-made y: sequence 0 scored up to step 4 (of 7), sequence 1 never scored
    y_hand = np.full((2, 7, 3), -1.0, "float32")
    y_hand[0, 3:5] = 0.0
    assert tasks.scored_steps(y_hand).tolist() == [5, 0]

    ds = data.load("copy", "train", batch_size=4, seed=5, **kw)
    batches = [(bx.numpy(), by.numpy()) for bx, by in tasks.one_length_batches(ds)]
    assert len(batches) == 3 and all(bx.shape == (4, 7, 5) for bx, _ in batches)
    for bx, by in batches:
        length = set((bx[:, :, 3] == 1).argmax(1).tolist())
        assert len(length) == 1  # one length per batch ...
        assert set(tasks.scored_steps(by).tolist()) == {2 * length.pop() + 1}  # ... and 2L + 1 scored steps
    # every training sequence is used once per pass
    assert sorted(map(bytes, np.concatenate([bx for bx, _ in batches]))) == sorted(map(bytes, x))


def test_per_sequence_sampling_is_still_the_default():
    kw = dict(bits=3, min_length=1, max_length=8, train_size=64)
    old = data.arrays("copy", "train", seed=1, **kw)
    same = data.arrays("copy", "train", seed=1, length_sampling="sequence", **kw)
    np.testing.assert_array_equal(old[0], same[0])
    lengths = (old[0][:32, :, 3] == 1).argmax(1)
    assert len(set(lengths.tolist())) > 3  # lengths drawn per sequence: a batch mixes them
    with pytest.raises(ValueError, match="'length_sampling' got 'epoch'"):
        data.arrays("copy", "train", length_sampling="epoch")
    with pytest.raises(ValueError, match="'length_block' got 0"):
        data.arrays("copy", "train", length_block=0)


def test_repeat_copy_draws_repeats_per_block_too():
    kw = dict(bits=2, min_length=1, max_length=4, max_repeats=3, train_size=8, length_sampling="batch",
              length_block=4)
    _, y = data.arrays("repeat_copy", "train", seed=2, **kw)
    steps = tasks.scored_steps(y)
    assert len(set(steps[:4].tolist())) == 1 and len(set(steps[4:].tolist())) == 1


def test_config_without_the_new_fields_loads_with_per_sequence_sampling():
    old = {k: v for k, v in FAMILY.make_config("tiny").to_dict().items() if k not in ("length_sampling", "length_block")}
    config = type(FAMILY.make_config("tiny")).from_dict(old)
    assert config.length_sampling == "sequence" and config.length_block == 32
    assert FAMILY.data_options(FAMILY.make_config("copy"))["length_sampling"] == FAMILY.make_config("copy").length_sampling


def test_train_with_one_length_per_batch():
    result = lecun_zoo.train("ntm", "tiny", data="copy", epochs=2, batch_size=8, verbose=0, train_examples=32,
                             validation=False, length_sampling="batch", length_block=8)
    assert len(result.history.history["bit_errors"]) == 2
    assert np.isfinite(result.metrics["loss"])
