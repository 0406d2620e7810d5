"""Support for the workflow's thin scripts: logging into the job's log file, thread limits."""

from __future__ import annotations

import logging
import sys
from typing import Any

from ganboost.runtime import limit_threads


def start_job(snakemake: Any, *, tensorflow: bool = False) -> logging.Logger:
    """Send logging and uncaught errors to ``snakemake.log[0]``, cap threads.

    With ``tensorflow`` the TensorFlow thread pools are set to the job's ``threads`` too.
    """
    threads = int(getattr(snakemake, "threads", 1) or 1)
    if tensorflow:
        from ganboost.runtime import configure_tensorflow

        configure_tensorflow(threads)
    else:
        limit_threads(threads)
    log_path = snakemake.log[0] if len(snakemake.log) else None
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_path:
        handlers.append(logging.FileHandler(log_path, mode="w", encoding="utf-8"))
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        handlers=handlers,
        force=True,
    )
    logger = logging.getLogger(f"ganboost.rule.{snakemake.rule}")
    sys.excepthook = _log_uncaught(logger)
    logger.info("rule %s, %d thread(s), wildcards %s", snakemake.rule, threads,
                dict(snakemake.wildcards.items()))
    return logger


def _input_errors() -> tuple[type[BaseException], ...]:
    """Errors about the user's data or settings: their message says what to fix."""
    from ganboost.config import ConfigError
    from ganboost.datasets import DatasetError
    from ganboost.schema import SchemaError
    from ganboost.splitting import SplitError
    from ganboost.synthesizers.base import NotFittedError

    errors: list[type[BaseException]] = [
        ConfigError, DatasetError, SchemaError, SplitError, NotFittedError,
    ]
    if "ganboost.synthesizers.gan" in sys.modules:  # never import TensorFlow just for this
        errors.append(sys.modules["ganboost.synthesizers.gan"].TrainingDivergedError)
    return tuple(errors)


def _log_uncaught(logger: logging.Logger):
    def hook(kind, value, traceback):
        if issubclass(kind, KeyboardInterrupt):
            logger.error("interrupted; nothing of this job is kept, the next run redoes it")
        elif issubclass(kind, _input_errors()):
            # The message names the file, column or setting and the fix: no traceback.
            logger.error("%s: %s", kind.__name__, value)
        else:
            logger.error("%s: %s", kind.__name__, value, exc_info=(kind, value, traceback))

    return hook
