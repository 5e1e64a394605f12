import numpy as np
import pytest

import lecun_zoo
from lecun_zoo.families.convnet.model import ConvNet


# random runs in the default suite; the other two search algorithms (60-70 s each on 2 cores)
# are behind the slow marker: `python3 -m pytest -m slow tests/test_tuning.py`
@pytest.mark.parametrize("tuner", ["random", pytest.param("bayesian", marks=pytest.mark.slow),
                                   pytest.param("hyperband", marks=pytest.mark.slow)])
def test_tune_returns_a_tuner_whose_best_model_is_a_zoo_model(tuner, tmp_path):
    t = lecun_zoo.tune("convnet", data="digits", tuner=tuner, max_trials=2, epochs=1, preset="tiny",
                       directory=str(tmp_path))
    trials = t.oracle.get_best_trials(10)
    assert 1 <= len(trials) and all(np.isfinite(tr.score) for tr in trials)
    best = t.get_best_models(1)[0]
    assert isinstance(best, ConvNet)
    hp = t.get_best_hyperparameters(1)[0].values
    assert best.zoo_config.filters == (hp["base_filters"],)
    assert best.predict(np.zeros((2, 8, 8, 1), "float32"), verbose=0).shape == (2, 10)


def test_tune_rejects_bad_arguments():
    with pytest.raises(ValueError, match=r"tuner got 'grid'; expected one of"):
        lecun_zoo.tune("convnet", tuner="grid")
    with pytest.raises(ValueError, match=r"max_trials got 0"):
        lecun_zoo.tune("convnet", max_trials=0)
