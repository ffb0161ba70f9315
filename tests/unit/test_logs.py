import json
import logging

from shared.http.logs import JsonFormatter, scrub


def test_postgres_key_values_never_reach_a_log_line():
    detail = 'duplicate key value violates unique constraint "people_tax"\nDETAIL:  Key (tax_code)=(RSSMRA85T10A562S) already exists.'
    assert scrub(detail).endswith("Key (tax_code)=(…) already exists.")
    assert scrub("Key (lower(email))=(anna.bianchi@example.org) already exists.") == \
        "Key (lower(email))=(…) already exists."


def test_the_formatter_scrubs_messages_and_tracebacks():
    try:
        raise ValueError("DETAIL:  Key (email)=(mario.rossi@example.org) already exists.")
    except ValueError:
        import sys
        record = logging.makeLogRecord({"msg": "failed: Key (name)=(Mario Rossi)", "levelname": "ERROR",
                                        "exc_info": sys.exc_info()})
    line = JsonFormatter().format(record)
    assert "mario.rossi@example.org" not in line and "Mario Rossi" not in line
    assert json.loads(line)["msg"] == "failed: Key (name)=(…)"


def test_gunicorn_access_lines_are_off():
    # Finding 6: gunicorn's access line wrote the full query string (a codice fiscale in ?q=, a token
    # in ?access_token=) and had no request id; the app's own line (pdz.access) replaces it.
    import logging.config

    from shared.http.logs import configure_logging
    from shared.http.serve import _json_logging

    root = logging.getLogger()
    names = ("gunicorn.error", "gunicorn.access", "kafka")
    saved = (root.handlers[:], root.level,
             {n: (logging.getLogger(n).handlers[:], logging.getLogger(n).level, logging.getLogger(n).propagate)
              for n in names})
    try:
        logging.config.dictConfig(_json_logging("INFO"))
        assert not logging.getLogger("gunicorn.access").isEnabledFor(logging.INFO)
        configure_logging("INFO")
        assert not logging.getLogger("gunicorn.access").isEnabledFor(logging.INFO)
        assert logging.getLogger("pdz.access").isEnabledFor(logging.INFO)
    finally:
        root.handlers[:], level, loggers = saved[0], saved[1], saved[2]
        root.setLevel(level)
        for name, (handlers, level, propagate) in loggers.items():
            logger = logging.getLogger(name)
            logger.handlers[:], logger.propagate = handlers, propagate
            logger.setLevel(level)


def test_the_root_handler_follows_sys_stderr_so_a_closed_stream_is_never_written(monkeypatch):
    # A command run in-process configured logging with the stderr of its moment; once that stream was
    # closed every later record became a "Logging error" traceback (CI: test_problem_memory grew 15 MB).
    import io
    import sys

    from shared.http.logs import configure_logging

    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    first = io.StringIO()
    try:
        monkeypatch.setattr(sys, "stderr", first)
        configure_logging("INFO")
        first.close()
        second = io.StringIO()
        monkeypatch.setattr(sys, "stderr", second)
        monkeypatch.setattr(logging, "raiseExceptions", True)
        logging.getLogger("pdz.test").info("after the first stderr closed")
        assert json.loads(second.getvalue())["msg"] == "after the first stderr closed"
        assert "Logging error" not in second.getvalue()
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
