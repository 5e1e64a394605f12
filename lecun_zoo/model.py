"""``ZooModel``: the base class of every built-in family's Keras model.

A functional model built by a subclass constructor (the keras-hub "functional
subclass" pattern): the constructor argument *is* the family config, ``get_config``
returns exactly it, and ``from_config`` is ``cls(**config)``. So ``.keras`` files
reload through the class alone, and the model still has a layer graph that
``summary()``, ``feature_maps()`` and intermediate outputs can use.
"""

from __future__ import annotations

from typing import Any, Mapping, Union

import keras

from lecun_zoo.config import Config
from lecun_zoo.input_checks import check_inputs, is_zoo_pipeline

__all__ = ["ZooModel", "serializable"]


def serializable(cls):
    """Register a class for ``.keras`` saving under the ``lecun_zoo`` package name."""
    return keras.saving.register_keras_serializable(package="lecun_zoo")(cls)


class ZooModel(keras.Model):
    """Base of family models. Subclasses set ``config_cls`` and implement
    ``build_graph(config) -> (inputs, outputs)`` as a static or class method."""

    config_cls: type[Config] = Config

    def __init__(self, config: Union[Config, Mapping[str, Any], None] = None, **kwargs: Any) -> None:
        config = self.coerce_config(config)
        inputs, outputs = self.build_graph(config)
        kwargs.setdefault("name", self.default_name(config))
        super().__init__(inputs=inputs, outputs=outputs, **kwargs)
        self.zoo_config = config

    @classmethod
    def coerce_config(cls, config: Union[Config, Mapping[str, Any], None]) -> Config:
        if config is None:
            return cls.config_cls()
        if isinstance(config, cls.config_cls):
            return config
        if isinstance(config, Mapping):
            return cls.config_cls.from_dict(config)
        raise TypeError(
            f"{cls.__name__} takes a {cls.config_cls.__name__} or a dict, got {type(config).__name__}"
        )

    @classmethod
    def default_name(cls, config: Config) -> str:
        """The model's name when none is given: the family's."""
        return cls.config_cls.family

    @classmethod
    def build_graph(cls, config: Config):  # pragma: no cover - abstract
        raise NotImplementedError

    # Data is checked before Keras sees it (lecun_zoo.input_checks): wrong dtypes, shapes,
    # one-hot or out-of-range labels fail with a message naming what was found and expected.
    def fit(self, x: Any = None, y: Any = None, *args: Any, **kwargs: Any) -> Any:
        check_inputs(self, "fit()", x, y)
        if is_zoo_pipeline(x):  # already shuffled per (seed, epoch): Keras must not reorder its batches
            kwargs["shuffle"] = False
        val = kwargs.get("validation_data")
        if isinstance(val, (tuple, list)) and len(val) in (2, 3):
            check_inputs(self, "fit() validation_data", val[0], val[1])
        elif val is not None:
            check_inputs(self, "fit() validation_data", val)
        return super().fit(x, y, *args, **kwargs)

    def evaluate(self, x: Any = None, y: Any = None, *args: Any, **kwargs: Any) -> Any:
        check_inputs(self, "evaluate()", x, y)
        return super().evaluate(x, y, *args, **kwargs)

    def predict(self, x: Any, *args: Any, **kwargs: Any) -> Any:
        check_inputs(self, "predict()", x)
        return super().predict(x, *args, **kwargs)

    @property
    def family(self) -> str:
        return self.config_cls.family

    def get_config(self) -> dict:
        return {"name": self.name, "trainable": self.trainable, "config": self.zoo_config.to_dict()}

    @classmethod
    def from_config(cls, config: Mapping[str, Any], custom_objects: Any = None) -> "ZooModel":
        return cls(**dict(config))
