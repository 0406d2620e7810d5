"""Process-wide settings: thread limits for TensorFlow and BLAS, quiet TensorFlow logs."""

from __future__ import annotations

import logging
import os

logger = logging.getLogger(__name__)

_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def limit_threads(threads: int) -> None:
    """Cap native thread pools at ``threads`` before numpy/TensorFlow start them.

    Call it first thing in a process; TensorFlow ignores the change once it has run an op.
    """
    threads = max(1, int(threads))
    for name in _THREAD_VARIABLES:
        os.environ[name] = str(threads)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl ships with scikit-learn
        return
    threadpool_limits(threads)


def configure_tensorflow(threads: int) -> None:
    """Import TensorFlow and set its intra-/inter-op pools to ``threads`` / 1."""
    limit_threads(threads)
    import tensorflow as tf

    try:
        tf.config.threading.set_intra_op_parallelism_threads(max(1, int(threads)))
        tf.config.threading.set_inter_op_parallelism_threads(1)
    except RuntimeError:
        # The runtime is already initialised (e.g. a second call in one process); the
        # first setting stays in force.
        logger.debug("TensorFlow threads already configured; keeping the first setting")
