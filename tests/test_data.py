import gzip
import struct

import numpy as np
import pytest

from lecun_zoo import data
from lecun_zoo.data import DataFormatError, DataNotFoundError, UnknownDatasetError
from lecun_zoo.data.idx import read_idx


def test_digits_pipelines_are_offline_and_typed():
    (train, test), info = data.load("digits", split=("train", "test"), batch_size=64, with_info=True)
    x, y = next(iter(train))
    assert x.shape == (64, 8, 8, 1) and x.dtype.name == "float32" and y.dtype.name == "int32"
    assert 0.0 <= float(np.min(x)) and float(np.max(x)) <= 1.0
    assert info.input_shape == (8, 8, 1) and info.num_classes == 10
    assert sum(int(b[1].shape[0]) for b in test) == 360
    assert sum(int(b[1].shape[0]) for b in train) == 1437


def test_every_zoo_pipeline_runs_without_the_autotuning_model():
    # with it on, each epoch's new Keras iterator waited up to 10 s for the old one's tuning thread
    from lecun_zoo.families.ntm.tasks import one_length_batches
    from lecun_zoo.user_data import pipeline

    loaded = data.load("digits", split=("train", "validation", "test"), batch_size=64)
    loaded += data.load("copy", split=("train", "test"), batch_size=8, train_size=16, test_size=8,
                        length_sampling="batch", length_block=8)
    made = [pipeline((np.zeros((10, 3), "float32"), np.zeros(10, "int32")), 4, 0, True, False),
            one_length_batches(loaded[-2])]
    for ds in (*loaded, *made):
        assert ds.options().autotune.enabled is False
    assert sum(int(b[1].shape[0]) for b in made[1]) == 16  # still every sequence, in batches of one length


def test_validation_is_carved_from_train_only_when_asked():
    tr, va = data.arrays("digits", ("train", "validation"))
    assert len(tr[1]) + len(va[1]) == 1437 and len(va[1]) == 144
    full = data.arrays("digits", "train")
    assert len(full[1]) == 1437
    # train + validation is a permutation of the full train split
    rows = lambda a: sorted(r.tobytes() for r in a.reshape(len(a), -1))  # noqa: E731
    assert rows(np.concatenate([tr[0], va[0]])) == rows(full[0])


def test_unknown_dataset_and_split_are_named():
    with pytest.raises(UnknownDatasetError, match=r"no dataset named 'digts'.*did you mean 'digits'"):
        data.load("digts")
    with pytest.raises(ValueError, match=r"split got 'dev'; expected one of"):
        data.load("digits", split="dev")


def write_idx(path, array, magic):
    header = struct.pack(">i", magic) + b"".join(struct.pack(">i", d) for d in array.shape)
    with gzip.open(path, "wb") as f:
        f.write(header + array.astype("uint8").tobytes())


@pytest.fixture
def mnist_dir(tmp_path):
    rng = np.random.default_rng(0)
    for split, n in (("train", 20), ("t10k", 6)):
        write_idx(tmp_path / f"{split}-images-idx3-ubyte.gz", rng.integers(0, 256, (n, 28, 28)), 2051)
        write_idx(tmp_path / f"{split}-labels-idx1-ubyte.gz", np.arange(n) % 10, 2049)
    return tmp_path


def test_mnist_idx_files_from_a_folder(mnist_dir):
    train, test = data.load("mnist", split=("train", "test"), data_dir=str(mnist_dir), batch_size=8, shuffle=False)
    x, y = next(iter(train))
    assert x.shape == (8, 28, 28, 1) and list(y.numpy()) == [0, 1, 2, 3, 4, 5, 6, 7]
    assert float(np.max(x)) <= 1.0
    assert sum(int(b[1].shape[0]) for b in test) == 6


def test_idx_bad_magic_names_path_field_and_expected(tmp_path):
    p = tmp_path / "bad-idx1-ubyte.gz"
    write_idx(p, np.zeros(3), 1234)
    with pytest.raises(DataFormatError, match=r"bad-idx1-ubyte.gz: field 'magic' is 1234; expected 2051 \(images\) or 2049"):
        read_idx(str(p))


def test_idx_truncated_file_is_named(mnist_dir):
    p = mnist_dir / "train-images-idx3-ubyte.gz"
    raw = gzip.open(p).read()
    with gzip.open(p, "wb") as f:
        f.write(raw[:-100])
    with pytest.raises(DataFormatError, match=r"train-images-idx3-ubyte.gz: file is \d+ bytes but its header"):
        data.arrays("mnist", "train", data_dir=str(mnist_dir))


def test_idx_not_gzip_is_named(tmp_path):
    p = tmp_path / "train-images-idx3-ubyte.gz"
    p.write_bytes(b"this is not gzip")
    with pytest.raises(DataFormatError, match="cannot be read as gzip"):
        read_idx(str(p))


def test_mnist_source_idx_without_files_is_a_clear_error(tmp_path):
    with pytest.raises(DataNotFoundError, match=r"t10k-images-idx3-ubyte.gz: not found|train-images"):
        data.arrays("mnist", "test", data_dir=str(tmp_path), source="idx")


def test_tfds_names_go_through_tensorflow_datasets_offline(tmp_path):
    # no prepared data and downloads forbidden: a clear error, not a hang or a stack trace
    with pytest.raises(DataNotFoundError, match=r"tensorflow-datasets could not load 'fashion_mnist'.*data_dir"):
        data.load("fashion_mnist", split="train", data_dir=str(tmp_path), download=False)


def test_numpy_batches_order_is_a_function_of_seed_and_epoch():
    import subprocess
    import sys

    from lecun_zoo.data import epoch_order, numpy_batches

    x = np.arange(10, dtype="float32")[:, None]
    y = np.arange(10)
    epoch3 = [b[1].tolist() for b in numpy_batches(x, y, 4, seed=7, epoch=3)]
    assert [len(b) for b in epoch3] == [4, 4, 2] and sorted(sum(epoch3, [])) == list(range(10))
    assert epoch3 == [b[1].tolist() for b in numpy_batches(x, y, 4, seed=7, epoch=3)]  # no hidden state
    assert epoch3 != [b[1].tolist() for b in numpy_batches(x, y, 4, seed=7, epoch=4)]
    assert epoch_order(10, 7, 3).tolist() == sum(epoch3, [])
    assert [b[1].tolist() for b in numpy_batches(x, y, 4, shuffle=False, drop_remainder=True)] == [[0, 1, 2, 3],
                                                                                                   [4, 5, 6, 7]]
    # dict inputs keep their keys; another process gives the same order (no TensorFlow needed)
    (bx, by), = list(numpy_batches({"a": x, "b": -x}, y, 10, seed=1, epoch=0))
    assert set(bx) == {"a", "b"} and (bx["a"][:, 0] == by).all()
    code = "import sys; from lecun_zoo.data.batches import epoch_order; print(epoch_order(10, 7, 3).tolist()); " \
           "print('tensorflow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[0] == str(sum(epoch3, [])) and out[1] == "False"
    with pytest.raises(ValueError, match="batch_size got 0"):
        list(numpy_batches(x, y, 0))
