"""What a failed job writes to its log: the fix for bad input, the traceback for a bug."""

import logging

from ganboost.datasets import DatasetError
from ganboost.scripting import _log_uncaught


def logged(error: BaseException, caplog) -> logging.LogRecord:
    hook = _log_uncaught(logging.getLogger("ganboost.rule.test"))
    with caplog.at_level(logging.ERROR):
        try:
            raise error
        except BaseException as raised:  # noqa: BLE001 - the hook sees every kind
            hook(type(raised), raised, raised.__traceback__)
    return caplog.records[-1]


def test_input_error_is_logged_as_its_message_alone(caplog):
    record = logged(DatasetError("datasets.pima: no target column 'Outcme'"), caplog)
    assert record.getMessage() == "DatasetError: datasets.pima: no target column 'Outcme'"
    assert record.exc_info is None


def test_unexpected_error_keeps_its_traceback(caplog):
    record = logged(ZeroDivisionError("division by zero"), caplog)
    assert record.exc_info is not None and record.exc_info[0] is ZeroDivisionError


def test_interruption_says_nothing_is_kept(caplog):
    record = logged(KeyboardInterrupt(), caplog)
    assert "interrupted" in record.getMessage() and record.exc_info is None
