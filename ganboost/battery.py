"""The model battery: ordinary classifiers fitted on a training table, scored on real test rows.

Every model sits behind the same feature pipeline (median / most-frequent imputation,
standard scaling, one-hot encoding), fitted on the training table only: the test rows are
transformed, never learned from.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import ClassifierMixin, clone
from sklearn.compose import ColumnTransformer
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, balanced_accuracy_score, f1_score, roc_auc_score
from sklearn.multiclass import OneVsRestClassifier
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

from ganboost.config import SKLEARN_MODELS
from ganboost.schema import TableSchema

logger = logging.getLogger(__name__)

METRICS = ("accuracy", "balanced_accuracy", "f1", "roc_auc")


def feature_pipeline(schema: TableSchema) -> ColumnTransformer:
    """An unfitted transformer turning a typed table into a numeric matrix."""
    numeric = schema.columns_of_kind("numeric", "integer", "binary")
    categorical = schema.columns_of_kind("categorical")
    transformers = []
    if numeric:
        numeric_steps = make_pipeline(
            SimpleImputer(strategy="median", keep_empty_features=True), StandardScaler()
        )
        transformers.append(("numeric", numeric_steps, numeric))
    if categorical:
        categorical_steps = make_pipeline(
            SimpleImputer(strategy="most_frequent"),
            OneHotEncoder(
                categories=[schema.column(c).categories for c in categorical],
                handle_unknown="ignore",
                sparse_output=False,
            ),
        )
        transformers.append(("categorical", categorical_steps, categorical))
    return ColumnTransformer(transformers, remainder="drop", verbose_feature_names_out=False)


def sklearn_model(
    name: str, *, random_state: int, threads: int = 1, n_classes: int = 2
) -> ClassifierMixin:
    """A battery member with scikit-learn defaults except where the study fixes a value.

    liblinear fits binary problems only; for more than two classes the logistic regression
    is fitted one class against the rest, as liblinear itself did in older scikit-learn.
    """
    factories: dict[str, Callable[[], ClassifierMixin]] = {
        "majority": lambda: DummyClassifier(strategy="most_frequent"),
        "logistic_regression": lambda: _logistic_regression(random_state, n_classes),
        "svc": lambda: SVC(random_state=random_state),
        "random_forest": lambda: RandomForestClassifier(
            random_state=random_state, n_jobs=threads
        ),
        "decision_tree": lambda: DecisionTreeClassifier(random_state=random_state),
        "k_nearest_neighbors": lambda: KNeighborsClassifier(n_neighbors=3, n_jobs=threads),
        "naive_bayes": GaussianNB,
    }
    if name not in factories:
        raise ValueError(f"unknown battery model {name!r}; choose from {sorted(factories)}")
    return factories[name]()


def _logistic_regression(random_state: int, n_classes: int) -> ClassifierMixin:
    model = LogisticRegression(solver="liblinear", random_state=random_state)
    return model if n_classes <= 2 else OneVsRestClassifier(model)


def model_pipeline(schema: TableSchema, model: ClassifierMixin) -> Pipeline:
    return Pipeline([("features", feature_pipeline(schema)), ("model", model)])


def split_xy(table: pd.DataFrame, schema: TableSchema) -> tuple[pd.DataFrame, np.ndarray]:
    return table[schema.feature_names], table[schema.target].to_numpy(dtype=int)


def rows_seen_in(train: pd.DataFrame, test: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """For each test row, whether a training row has the same values in ``columns``.

    Missing values match missing values. A model fitted on ``train`` can classify such rows
    from memory, which a generator that does not copy its training rows cannot match.
    """
    if not columns:
        raise ValueError("rows_seen_in needs at least one column to compare")
    both = pd.concat([train[columns], test[columns]], ignore_index=True)
    # One integer code per distinct value and column (every kind of missing value: -1).
    codes = [pd.factorize(both[column].astype(object))[0] for column in columns]
    rows = pd.MultiIndex.from_arrays(codes)
    return np.asarray(rows[len(train):].isin(rows[:len(train)]))


def score_predictions(
    y_true: np.ndarray, y_pred: np.ndarray, y_score: np.ndarray | None, n_classes: int
) -> dict[str, float]:
    """Accuracy, balanced accuracy, F1 and ROC AUC (macro averages for more than 2 classes).

    ``y_score`` is the positive-class score (binary) or a matrix of per-class scores
    (probabilities or decision values); ROC AUC is NaN when it is missing or the test labels
    hold one class only.
    """
    binary = n_classes == 2
    scores = {
        "accuracy": accuracy_score(y_true, y_pred),
        "balanced_accuracy": balanced_accuracy_score(y_true, y_pred),
        "f1": f1_score(
            y_true, y_pred, average="binary" if binary else "macro", zero_division=0.0
        ),
        "roc_auc": np.nan,
    }
    if y_score is not None and len(np.unique(y_true)) > 1:
        if binary:
            scores["roc_auc"] = roc_auc_score(y_true, y_score)
        else:
            scores["roc_auc"] = macro_ovr_auc(y_true, y_score, n_classes)
    return {k: float(v) for k, v in scores.items()}


def macro_ovr_auc(y_true: np.ndarray, y_score: np.ndarray, n_classes: int) -> float:
    """Mean one-vs-rest ROC AUC over the classes present in ``y_true``.

    For probabilities this is scikit-learn's macro 'ovr' average; computed per class here
    because decision values (SVC) are valid scores too, though their rows do not sum to 1.
    """
    y_true = np.asarray(y_true)
    aucs = [roc_auc_score(y_true == k, y_score[:, k])
            for k in range(n_classes) if (y_true == k).any()]
    return float(np.mean(aucs))


def decision_scores(estimator: Any, X: pd.DataFrame, n_classes: int) -> np.ndarray | None:
    """Scores for ROC AUC: positive-class probability/decision value, or a matrix of
    probabilities (or decision values) over all ``n_classes`` for multi-class targets."""
    if hasattr(estimator, "predict_proba"):
        try:
            proba = estimator.predict_proba(X)
        except AttributeError:  # e.g. SVC without probability=True
            proba = None
        if proba is not None:
            full = np.zeros((len(X), n_classes))
            full[:, np.asarray(estimator.classes_, dtype=int)] = proba
            return full[:, 1] if n_classes == 2 else full
    if hasattr(estimator, "decision_function"):
        values = np.asarray(estimator.decision_function(X), dtype="float64")
        if n_classes == 2:
            return values
        return _class_columns(values, estimator.classes_, n_classes)
    return None


def _class_columns(values: np.ndarray, classes: Any, n_classes: int) -> np.ndarray:
    """Decision values as one column per class; a class the model never saw scores lowest."""
    if values.ndim == 1:  # fitted on two of the classes: one value, positive = classes[1]
        values = np.column_stack([-values, values])
    full = np.full((len(values), n_classes), values.min() - 1.0)
    full[:, np.asarray(classes, dtype=int)] = values
    return full


def fit_and_score(
    estimator: Any, train: pd.DataFrame, test: pd.DataFrame, schema: TableSchema
) -> dict[str, float]:
    """Fit ``estimator`` (a pipeline taking typed tables) on ``train``, score on ``test``."""
    X_train, y_train = split_xy(train, schema)
    X_test, y_test = split_xy(test, schema)
    started = time.perf_counter()
    estimator.fit(X_train, y_train)
    fit_seconds = time.perf_counter() - started
    predictions = np.asarray(estimator.predict(X_test)).astype(int).ravel()
    scores = score_predictions(
        y_test, predictions, decision_scores(estimator, X_test, schema.n_classes),
        schema.n_classes,
    )
    return {**scores, "fit_seconds": fit_seconds}


def run_battery(
    train: pd.DataFrame,
    test: pd.DataFrame,
    schema: TableSchema,
    *,
    models: Iterable[str] = SKLEARN_MODELS,
    random_state: int = 0,
    threads: int = 1,
    n_synthetic_rows: int = 0,
) -> pd.DataFrame:
    """Fit every scikit-learn battery model on ``train`` and score it on ``test``.

    Returns one row per model: model, the metrics, n_train_rows, n_synthetic_rows,
    fit_seconds.
    """
    rows = []
    for name in models:
        pipeline = model_pipeline(
            schema,
            sklearn_model(name, random_state=random_state, threads=threads,
                          n_classes=schema.n_classes),
        )
        scores = fit_and_score(clone(pipeline), train, test, schema)
        logger.info("%-20s accuracy %.3f  (%.2f s)", name, scores["accuracy"],
                    scores["fit_seconds"])
        rows.append({"model": name, **scores})
    return score_table(rows, n_train_rows=len(train), n_synthetic_rows=n_synthetic_rows)


def score_table(
    rows: list[dict[str, Any]], *, n_train_rows: int, n_synthetic_rows: int
) -> pd.DataFrame:
    table = pd.DataFrame(rows)
    table["n_train_rows"] = n_train_rows
    table["n_synthetic_rows"] = n_synthetic_rows
    return table[["model", *METRICS, "n_train_rows", "n_synthetic_rows", "fit_seconds"]]
