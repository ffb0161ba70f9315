"""The P1 baseline: bare Flask + psycopg_pool, one INSERT of the posted JSON, nothing else.

No auth, no validation, no history, no outbox, no wake-up: what a minimal
write costs on this machine. bench/write_path.py runs it under gunicorn with
the settings shared/http/serve.py gives the suite's APIs (gthread, the same
PDZ_WEB_WORKERS x PDZ_WEB_THREADS, timeout 30 s, no access log):

    BENCH_BASELINE_URL=postgresql://pdz@127.0.0.1:55432/bench_baseline_x \\
        .venv/bin/gunicorn -k gthread -w 2 --threads 4 -b 127.0.0.1:8099 bench.baseline_app:app
"""
from __future__ import annotations

import os

from flask import Flask, jsonify, request
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool

# The table (bench/write_path.py creates it before gunicorn starts, see BASELINE_TABLE there):
#   items (id bigint identity primary key, body jsonb not null, created_at timestamptz default now())
# The same per-process cap the suite's tenant pools have by default.
pool = ConnectionPool(os.environ["BENCH_BASELINE_URL"], min_size=1,
                      max_size=int(os.environ.get("PDZ_POOL_MAX_PER_TENANT", "4")), open=True)

app = Flask(__name__)


@app.post("/items")
def create():
    body = request.get_json()
    with pool.connection() as conn:
        row = conn.execute("INSERT INTO items (body) VALUES (%s) RETURNING id, created_at",
                           (Jsonb(body),)).fetchone()
    return jsonify(id=row[0], created_at=row[1].isoformat(), **body), 201


@app.get("/livez")
def livez():
    return jsonify(status="alive")
