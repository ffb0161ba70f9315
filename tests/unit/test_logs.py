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
