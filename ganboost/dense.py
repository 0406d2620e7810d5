"""The dense Keras network as a scikit-learn classifier, and its randomized search.

:class:`DenseNetworkClassifier` is a stack of equally wide dense layers (batch normalisation
when there are three or more, then the activation and dropout) with a sigmoid output for two
classes or a softmax output for more, trained with Adam and stopped early on the validation
loss. It fits, predicts, scores and clones like any scikit-learn classifier and keeps the
per-epoch training log in ``history_frame_``.

:func:`search_dense_network` runs a randomized search over depth, width, learning rate,
dropout and activation. Real and synthetic rows are searched together, but every
cross-validation fold scores real rows only: synthetic rows are appended to each fitting part
and never enter a validation fold. The network's own early-stopping rows are drawn from the
real rows of its fitting data for the same reason (``synthetic_mask``).

Parallelism: ``n_jobs`` worker processes each run one fit at a time. With ``n_jobs == 1``
the search runs in this process with the TensorFlow threads that
:func:`ganboost.runtime.configure_tensorflow` set; with ``n_jobs > 1`` every worker gives
TensorFlow one thread, so ``n_jobs`` is the number of busy threads whatever the machine's
size (a workflow job asking for ``n_jobs`` cores uses that many). These networks are small:
a fit is bound by per-step overhead on about one core, extra intra-op threads barely help,
and every worker pays its own TensorFlow start and graph tracing. In a workflow that already
runs several jobs side by side, keep ``n_jobs=1`` and let the scheduler fill the cores with
jobs.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any

import keras
import numpy as np
import pandas as pd
from scikeras.wrappers import KerasClassifier
from scipy.stats import loguniform, randint, uniform
from sklearn.base import TransformerMixin, clone
from sklearn.model_selection import RandomizedSearchCV, StratifiedKFold
from sklearn.pipeline import Pipeline
from tensorflow.python.framework import config as tensorflow_config

from ganboost.runtime import configure_tensorflow

logger = logging.getLogger(__name__)

ACTIVATIONS: tuple[str, ...] = ("elu", "selu", "relu")
NETWORK_STEP = "network"
FEATURES_STEP = "features"

_HISTORY_COLUMNS = ("loss", "accuracy", "val_loss", "val_accuracy")

# Batch normalisation is added from this depth on; shallower networks train well without it.
_NORMALISED_DEPTH = 3


class DenseNetworkClassifier(KerasClassifier):
    """A dense feed-forward network for tabular classification.

    Parameters
    ----------
    hidden_layers : int, default 3
        Number of hidden dense layers, all ``neurons`` wide. From three layers on, each dense
        layer is followed by batch normalisation.
    neurons : int, default 32
        Width of every hidden layer.
    activation : {"elu", "selu", "relu"}, default "elu"
        Hidden activation. "selu" gets LeCun-normal initial weights, the others He-normal.
    dropout : float, default 0.3
        Dropout rate after every hidden layer, in ``[0, 1)``.
    learning_rate : float, default 0.003
        Adam learning rate.
    epochs : int, default 100
        Maximum number of epochs; early stopping usually ends training sooner.
    batch_size : int, default 32
        Rows per gradient step.
    patience : int or None, default 10
        Epochs without a lower validation loss before training stops; the weights of the
        best epoch are restored. ``None`` trains for all ``epochs``.
    validation_split : float, default 0.2
        Share of the eligible rows held out, stratified by class, to compute the
        validation loss. Eligible are all rows, or the real rows when ``fit`` gets a
        ``synthetic_mask``. 0 disables validation and early stopping.
    random_state : int or None, default None
        Seeds weights, dropout, shuffling and the validation rows; a fixed value makes
        ``fit`` repeatable.
    verbose : int, default 0
        Keras progress output (0 silent, 1 progress bar, 2 one line per epoch).
    steps_per_execution : int, default 32
        Gradient steps TensorFlow runs per call from Python. The steps and their order are
        the same for any value, so results do not change; a value above 1 saves Python
        overhead per batch (measured by benchmarks/dense_speed.py).
    threads : int or None, default None
        TensorFlow threads to configure before the first fit in this process; ``None``
        keeps what the process configured. Used by worker processes of a parallel search.

    Attributes
    ----------
    history_frame_ : pandas.DataFrame
        One row per epoch (index ``epoch`` from 1) with ``loss``, ``accuracy`` and, when
        validating, ``val_loss`` and ``val_accuracy``.
    best_epoch_ : int
        Epoch whose weights the network keeps (the last one without early stopping).
    classes_ : numpy.ndarray
        Class labels seen in ``fit``.
    model_ : keras.Model
        The trained Keras model.
    """

    # Wrapper settings this network fixes. They live on the class, not the instance, so that
    # ``get_params``, ``clone`` and the search see only the network's own settings.
    model = None
    build_fn = None
    warm_start = False
    optimizer = None
    loss = None
    metrics = None
    callbacks = None
    class_weight = None
    validation_batch_size = None
    shuffle = True
    run_eagerly = False

    def __init__(
        self,
        hidden_layers: int = 3,
        neurons: int = 32,
        activation: str = "elu",
        dropout: float = 0.3,
        learning_rate: float = 3e-3,
        epochs: int = 100,
        batch_size: int = 32,
        patience: int | None = 10,
        validation_split: float = 0.2,
        random_state: int | None = None,
        verbose: int = 0,
        steps_per_execution: int = 32,
        threads: int | None = None,
    ) -> None:
        self.hidden_layers = hidden_layers
        self.neurons = neurons
        self.activation = activation
        self.dropout = dropout
        self.learning_rate = learning_rate
        self.epochs = epochs
        self.batch_size = batch_size
        self.patience = patience
        self.validation_split = validation_split
        self.random_state = random_state
        self.verbose = verbose
        self.steps_per_execution = steps_per_execution
        self.threads = threads

    @property
    def _fit_kwargs(self) -> set[str]:
        # The validation rows are chosen here (see ``_fit_keras_model``), not by Keras, whose
        # split takes the last rows of the table: the appended synthetic ones.
        return super()._fit_kwargs - {"validation_split"}

    def fit(
        self,
        X: Any,
        y: Any,
        sample_weight: Any = None,
        synthetic_mask: Any = None,
        **kwargs: Any,
    ) -> DenseNetworkClassifier:
        """Train a new network on ``X`` and ``y``.

        Parameters
        ----------
        X : array-like of shape (n_rows, n_features)
            Numeric, already encoded features.
        y : array-like of shape (n_rows,)
            Class labels.
        sample_weight : array-like of shape (n_rows,), optional
            Per-row weights for the training loss.
        synthetic_mask : array-like of bool, shape (n_rows,), optional
            True for synthetic rows. They are trained on but never used for the
            validation loss that drives early stopping.
        """
        self._check_settings()
        if self.threads is not None:
            configure_tensorflow(self.threads)
        _settle_op_determinism()

        if synthetic_mask is not None:
            if sample_weight is not None:
                raise ValueError(
                    "DenseNetworkClassifier.fit: synthetic_mask cannot be combined with "
                    "sample_weight; pass one of them"
                )
            kwargs["synthetic_mask"] = _as_mask(synthetic_mask, len(y))

        super().fit(X, y, sample_weight=sample_weight, **kwargs)
        return self

    @property
    def history_frame_(self) -> pd.DataFrame:
        """The per-epoch training log as a table, one row per epoch (index from 1)."""
        return _history_frame(self.history_)

    def _check_settings(self) -> None:
        _require_integer("hidden_layers", self.hidden_layers, minimum=1)
        _require_integer("neurons", self.neurons, minimum=1)
        _require_integer("epochs", self.epochs, minimum=1)
        _require_integer("batch_size", self.batch_size, minimum=1)
        _require_integer("steps_per_execution", self.steps_per_execution, minimum=1)
        if self.patience is not None:
            _require_integer("patience", self.patience, minimum=1)
        if self.activation not in ACTIVATIONS:
            raise ValueError(
                f"DenseNetworkClassifier: activation={self.activation!r} is not supported; "
                f"use one of {', '.join(ACTIVATIONS)}"
            )
        _require_fraction("dropout", self.dropout)
        _require_fraction("validation_split", self.validation_split)
        if not isinstance(self.learning_rate, Real) or not self.learning_rate > 0:
            raise ValueError(
                f"DenseNetworkClassifier: learning_rate={self.learning_rate!r}; "
                "use a positive number such as 0.003"
            )

    def _keras_build_fn(self, meta: dict[str, Any]) -> keras.Model:
        n_classes = int(meta["n_classes_"])
        initializer = "lecun_normal" if self.activation == "selu" else "he_normal"
        normalise = self.hidden_layers >= _NORMALISED_DEPTH

        network = keras.Sequential(name="dense_network")
        network.add(keras.Input(shape=(int(meta["n_features_in_"]),)))
        for _ in range(int(self.hidden_layers)):
            network.add(
                keras.layers.Dense(
                    int(self.neurons), kernel_initializer=initializer, use_bias=not normalise
                )
            )
            if normalise:
                network.add(keras.layers.BatchNormalization())
            network.add(keras.layers.Activation(self.activation))
            network.add(keras.layers.Dropout(float(self.dropout)))

        if n_classes <= 2:
            network.add(keras.layers.Dense(1, activation="sigmoid"))
            loss = "binary_crossentropy"
        else:
            network.add(keras.layers.Dense(n_classes, activation="softmax"))
            loss = "sparse_categorical_crossentropy"
        network.compile(
            optimizer=keras.optimizers.Adam(learning_rate=float(self.learning_rate)),
            loss=loss,
            metrics=["accuracy"],
            steps_per_execution=int(self.steps_per_execution),
        )
        return network

    def _initialize_callbacks(self) -> None:
        super()._initialize_callbacks()
        if self.patience is not None and self.validation_split > 0:
            stopper = keras.callbacks.EarlyStopping(
                monitor="val_loss", patience=int(self.patience), restore_best_weights=True
            )
            self._fit_callbacks = [*self._fit_callbacks, stopper]

    def _fit_keras_model(
        self,
        X: np.ndarray,
        y: np.ndarray,
        sample_weight: np.ndarray | None,
        warm_start: bool,
        epochs: int,
        initial_epoch: int,
        synthetic_mask: np.ndarray | None = None,
        **kwargs: Any,
    ) -> None:
        # X and y arrive encoded for Keras; the validation rows are cut out of them here.
        eligible = np.ones(len(y), dtype=bool) if synthetic_mask is None else ~synthetic_mask
        held_out = _validation_rows(
            np.asarray(y).reshape(len(y), -1)[:, 0],
            eligible,
            float(self.validation_split),
            self._random_state,
        )
        if held_out.any():
            kwargs["validation_data"] = (X[held_out], y[held_out])
            X, y = X[~held_out], y[~held_out]
            if sample_weight is not None:
                sample_weight = sample_weight[~held_out]

        super()._fit_keras_model(
            X,
            y,
            sample_weight=sample_weight,
            warm_start=warm_start,
            epochs=epochs,
            initial_epoch=initial_epoch,
            **kwargs,
        )
        self.best_epoch_ = _best_epoch(self.history_, self._fit_callbacks)


def _settle_op_determinism() -> None:
    """Make TensorFlow read its op-determinism switch now, outside any seeded fit.

    TensorFlow fixes the switch from ``TF_DETERMINISTIC_OPS`` on its first query. The wrapper's
    seeded fit sets that variable before it asks whether determinism was on, so a first query
    there would report "on" and determinism would stay on for the process: any later fit
    without a ``random_state`` would then fail for want of a seed. TensorFlow offers this
    query only outside its public API.
    """
    tensorflow_config.is_op_determinism_enabled()


def _require_integer(name: str, value: Any, *, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < minimum:
        raise ValueError(
            f"DenseNetworkClassifier: {name}={value!r}; use a whole number >= {minimum}"
        )


def _require_fraction(name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, Real) or not 0 <= value < 1:
        raise ValueError(f"DenseNetworkClassifier: {name}={value!r}; use a number in [0, 1)")


def _as_mask(synthetic_mask: Any, n_rows: int) -> np.ndarray:
    mask = np.asarray(synthetic_mask)
    if mask.shape != (n_rows,) or mask.dtype != bool:
        raise ValueError(
            f"synthetic_mask must be a boolean array of {n_rows} rows, one per training row; "
            f"got dtype {mask.dtype} and shape {mask.shape}"
        )
    if mask.all():
        raise ValueError(
            "synthetic_mask marks every row synthetic, so no real row is left to validate "
            "on; pass synthetic_mask=None to validate on the synthetic rows"
        )
    return mask


def _validation_rows(
    labels: np.ndarray, eligible: np.ndarray, fraction: float, seed: int | None
) -> np.ndarray:
    """Boolean mask of held-out rows: ``fraction`` of the eligible rows of every class."""
    held_out = np.zeros(len(labels), dtype=bool)
    if fraction == 0:
        return held_out

    generator = np.random.default_rng(seed)
    for label in np.unique(labels[eligible]):
        rows = np.flatnonzero(eligible & (labels == label))
        count = int(round(fraction * rows.size))
        held_out[generator.choice(rows, size=count, replace=False)] = True
    if not held_out.any():
        held_out[generator.choice(np.flatnonzero(eligible))] = True
    if held_out.all():
        raise ValueError(
            f"validation_split={fraction} leaves no row to train on ({len(labels)} rows); "
            "use a smaller validation_split or more rows"
        )
    return held_out


def _best_epoch(history: Mapping[str, list[float]], callbacks: list[Any]) -> int:
    """The epoch (from 1) whose weights the network ends with."""
    for callback in callbacks:
        if isinstance(callback, keras.callbacks.EarlyStopping):
            return int(callback.best_epoch) + 1
    return len(history["loss"])


def _history_frame(history: Mapping[str, list[float]]) -> pd.DataFrame:
    leading = [name for name in _HISTORY_COLUMNS if name in history]
    names = leading + sorted(set(history) - set(leading))
    frame = pd.DataFrame({name: list(history[name]) for name in names})
    frame.index = pd.RangeIndex(1, len(frame) + 1, name="epoch")
    return frame


# -- randomized search ---------------------------------------------------------------------


@dataclass
class DenseSearchResult:
    """What :func:`search_dense_network` found.

    ``best_estimator`` is the pipeline (features then network) refitted on all real and
    synthetic rows with ``best_params``; ``cv_results`` has one row per candidate with its
    settings and fold scores (accuracy on real rows); ``history`` is the refitted network's
    per-epoch log; ``n_fits`` counts the cross-validation fits plus the refit.
    """

    best_estimator: Pipeline
    best_params: dict[str, Any]
    best_score: float
    cv_results: pd.DataFrame
    history: pd.DataFrame
    search_seconds: float
    n_fits: int


def dense_search_space() -> dict[str, Any]:
    """The searched settings: depth 1-7, width 1-99, log-uniform learning rate in
    [3e-4, 3e-2], dropout uniform in [0.2, 0.5], and the three activations."""
    return {
        "hidden_layers": randint(1, 8),
        "neurons": randint(1, 100),
        "learning_rate": loguniform(3e-4, 3e-2),
        "dropout": uniform(0.2, 0.3),
        "activation": list(ACTIVATIONS),
    }


def real_validation_folds(
    real_y: Any, n_synthetic: int, *, cv: int = 3, random_state: int | None = None
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Cross-validation folds over a table of real rows followed by ``n_synthetic`` rows.

    The real rows (positions ``0 .. len(real_y) - 1``) are split by stratified k-fold; every
    fitting part gets all synthetic rows (positions from ``len(real_y)`` on), every
    validation part holds real rows only.
    """
    if isinstance(cv, bool) or not isinstance(cv, Integral) or cv < 2:
        raise ValueError(f"cv={cv!r}; use a whole number of folds >= 2")
    if isinstance(n_synthetic, bool) or not isinstance(n_synthetic, Integral) or n_synthetic < 0:
        raise ValueError(f"n_synthetic={n_synthetic!r}; use a whole number >= 0")

    labels = np.asarray(real_y)
    synthetic_rows = np.arange(len(labels), len(labels) + n_synthetic)
    splitter = StratifiedKFold(n_splits=int(cv), shuffle=True, random_state=random_state)
    return [
        (np.concatenate([fit_rows, synthetic_rows]), validation_rows)
        for fit_rows, validation_rows in splitter.split(np.zeros(len(labels)), labels)
    ]


def search_dense_network(
    real_X: pd.DataFrame,
    real_y: Any,
    synthetic_X: pd.DataFrame | None = None,
    synthetic_y: Any = None,
    *,
    preprocessor: TransformerMixin,
    n_iter: int = 10,
    cv: int = 3,
    random_state: int | None = None,
    n_jobs: int = 1,
    param_distributions: Mapping[str, Any] | None = None,
    **network_settings: Any,
) -> DenseSearchResult:
    """Randomized search for the dense network on real rows plus optional synthetic rows.

    Parameters
    ----------
    real_X, real_y : DataFrame of shape (n_real, n_features), array-like of shape (n_real,)
        The real training rows. Validation folds are cut from these alone.
    synthetic_X, synthetic_y : DataFrame and array-like, optional
        Extra rows with the same columns; they join the fitting part of every fold, are
        never used for early stopping, and are part of the final refit.
    preprocessor : scikit-learn transformer
        Unfitted feature encoder (imputation, one-hot, scaling); a clone of it is fitted
        inside each fold in front of the network.
    n_iter : int, default 10
        Candidate settings drawn from ``param_distributions``.
    cv : int, default 3
        Stratified folds over the real rows.
    random_state : int or None
        Seeds the folds, the candidate draws and every network.
    n_jobs : int, default 1
        Parallel fits (worker processes); -1 uses every available core. Each worker
        gives TensorFlow one thread.
    param_distributions : mapping, optional
        Network settings to search, in the names of :class:`DenseNetworkClassifier`;
        defaults to :func:`dense_search_space`.
    **network_settings
        Fixed :class:`DenseNetworkClassifier` settings (epochs, batch_size, patience, ...).
    """
    space = dict(dense_search_space() if param_distributions is None else param_distributions)
    _check_search_settings(n_iter, n_jobs, space, network_settings)
    table, labels, synthetic_mask = _stack_rows(real_X, real_y, synthetic_X, synthetic_y)
    folds = real_validation_folds(
        labels[~synthetic_mask], int(synthetic_mask.sum()), cv=cv, random_state=random_state
    )

    workers = _worker_count(n_jobs)
    threads = _threads_per_fit(workers)
    network = DenseNetworkClassifier(
        **{"random_state": random_state, **network_settings, "threads": threads}
    )
    pipeline = Pipeline([(FEATURES_STEP, clone(preprocessor)), (NETWORK_STEP, network)])
    search = RandomizedSearchCV(
        pipeline,
        {f"{NETWORK_STEP}__{name}": values for name, values in space.items()},
        n_iter=n_iter,
        scoring="accuracy",
        cv=folds,
        refit=True,
        random_state=random_state,
        n_jobs=workers,
        error_score="raise",
    )

    logger.info(
        "dense network search: %d candidates x %d folds on %d real + %d synthetic rows, "
        "%d worker(s) x %s TensorFlow thread(s)",
        n_iter,
        len(folds),
        int((~synthetic_mask).sum()),
        int(synthetic_mask.sum()),
        workers,
        "the process's" if threads is None else threads,
    )
    started = time.perf_counter()
    search.fit(table, labels, **{f"{NETWORK_STEP}__synthetic_mask": synthetic_mask})
    seconds = time.perf_counter() - started
    return _search_result(search, seconds, n_folds=len(folds))


def _check_search_settings(
    n_iter: Any, n_jobs: Any, space: Mapping[str, Any], network_settings: Mapping[str, Any]
) -> None:
    if isinstance(n_iter, bool) or not isinstance(n_iter, Integral) or n_iter < 1:
        raise ValueError(f"n_iter={n_iter!r}; use a whole number of candidates >= 1")
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, Integral) or n_jobs == 0:
        raise ValueError(f"n_jobs={n_jobs!r}; use a positive number of workers or -1")

    allowed = set(DenseNetworkClassifier().get_params()) - {"threads"}
    unknown = sorted((set(space) | set(network_settings)) - allowed)
    if unknown:
        raise ValueError(f"unknown dense network setting(s) {unknown}; use {sorted(allowed)}")
    both = sorted(set(space) & set(network_settings))
    if both:
        raise ValueError(
            f"setting(s) {both} are both searched and fixed; drop them from the fixed "
            "settings or from param_distributions"
        )


def _stack_rows(
    real_X: pd.DataFrame, real_y: Any, synthetic_X: pd.DataFrame | None, synthetic_y: Any
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Real rows then synthetic rows, their labels, and the mask of synthetic rows."""
    if (synthetic_X is None) != (synthetic_y is None):
        raise ValueError("pass both synthetic_X and synthetic_y, or neither")
    parts_X = [_checked_part("real", real_X, real_y)]
    parts_y = [np.asarray(real_y)]
    if synthetic_X is not None:
        parts_X.append(_checked_part("synthetic", synthetic_X, synthetic_y))
        missing = sorted(set(real_X.columns) - set(synthetic_X.columns))
        if missing:
            raise ValueError(f"synthetic_X lacks the columns {missing} of real_X")
        parts_X[-1] = parts_X[-1][list(real_X.columns)]
        parts_y.append(np.asarray(synthetic_y))

    table = pd.concat(parts_X, ignore_index=True)
    labels = np.concatenate(parts_y)
    synthetic_mask = np.arange(len(table)) >= len(real_X)
    return table, labels, synthetic_mask


def _checked_part(name: str, features: Any, labels: Any) -> pd.DataFrame:
    if not isinstance(features, pd.DataFrame):
        raise ValueError(f"{name}_X must be a pandas DataFrame, got {type(features).__name__}")
    if len(features) != len(labels):
        raise ValueError(
            f"{name}_X has {len(features)} rows but {name}_y has {len(labels)} labels"
        )
    return features


def _available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def _threads_per_fit(workers: int) -> int | None:
    """TensorFlow threads of one fit: the process's own setting in-process, else one."""
    return None if workers == 1 else 1


def _worker_count(n_jobs: int) -> int:
    """Worker processes for ``n_jobs``; negative values count back from all cores."""
    return max(1, _available_cores() + 1 + n_jobs) if n_jobs < 0 else int(n_jobs)


def _search_result(
    search: RandomizedSearchCV, seconds: float, *, n_folds: int
) -> DenseSearchResult:
    n_fits = len(search.cv_results_["params"]) * n_folds + 1
    prefix = f"{NETWORK_STEP}__"
    best_params = {name.removeprefix(prefix): value for name, value in search.best_params_.items()}
    cv_results = (
        pd.DataFrame(search.cv_results_)
        .drop(columns="params")
        .rename(columns=lambda column: column.replace(f"param_{prefix}", ""))
        .infer_objects()
    )
    best_network = search.best_estimator_.named_steps[NETWORK_STEP]
    logger.info(
        "dense network search: %d fits in %.1f s, best accuracy %.3f with %s",
        n_fits,
        seconds,
        search.best_score_,
        best_params,
    )
    return DenseSearchResult(
        best_estimator=search.best_estimator_,
        best_params=best_params,
        best_score=float(search.best_score_),
        cv_results=cv_results,
        history=best_network.history_frame_,
        search_seconds=seconds,
        n_fits=n_fits,
    )
