"""LOG_FORMAT=json: one JSON object per line, UTC times, ids and trace fields only."""
import io
import json
import logging

import pytest

from samskab import config as configuration, logs


def capture(format):
    logs.configure("proposals", "INFO", format)
    stream = io.StringIO()
    logging.getLogger().handlers[0].setStream(stream)
    return stream


@pytest.fixture(autouse=True)
def restore_logging():
    saved = logging.getLogger().handlers[:], logging.getLogger().level
    yield
    logging.getLogger().handlers[:], level = saved
    logging.getLogger().setLevel(level)


def test_json_lines_parse_one_by_one_with_utc_time_and_trace_ids():
    stream = capture("json")
    traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    log = logging.getLogger("samskab.consumer")
    log.info("handled %s", "e1", extra=logs.fields(event_id="e1", municipality="aalborg", traceparent=traceparent))
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        log.exception("failed")
    first, second = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert first["time"].endswith("Z") and first["level"] == "INFO" and first["service"] == "proposals"
    assert first["message"] == "handled e1" and first["municipality"] == "aalborg" and first["event_id"] == "e1"
    assert first["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736" and first["span_id"] == "00f067aa0ba902b7"
    assert second["level"] == "ERROR" and "RuntimeError: boom" in second["exception"]


def test_text_lines_carry_utc_time_and_the_service():
    stream = capture("text")
    logging.getLogger("x").warning("careful")
    line = stream.getvalue().strip()
    assert line.split(" ", 1)[0].endswith("Z") and " WARNING proposals x: careful" in line


def test_an_unknown_log_format_is_refused_by_name():
    with pytest.raises(configuration.ConfigError, match="LOG_FORMAT"):
        configuration.load("proposals", environ={"LOG_FORMAT": "xml", "POSTGRES_URL": "postgresql://127.0.0.1/x"})
