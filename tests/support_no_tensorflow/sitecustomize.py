"""Hide TensorFlow from imports, as if it were not installed."""
import importlib.machinery as _m

_BLOCK = ("tensorflow", "tensorflow_datasets", "tf_keras", "tensorboard")
_orig = _m.PathFinder.find_spec.__func__


def _find_spec(cls, name, path=None, target=None):
    if name.split(".")[0] in _BLOCK:
        return None
    return _orig(cls, name, path, target)


_m.PathFinder.find_spec = classmethod(_find_spec)
