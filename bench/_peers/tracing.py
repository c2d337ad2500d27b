"""Peer of bench/tracing.ts: MLflow's Python client tracing (mlflow.start_span, async logging
on) writes N traces of 5 spans to the server; prints caller time and time until searchable.

usage: python tracing.py <tracking-uri> <experiment-name> <n-traces>
The queue is sized to hold every trace (MLflow's default of 1000 discards traces beyond it).
"""

import json
import os
import sys
import time

os.environ["MLFLOW_ENABLE_ASYNC_TRACE_LOGGING"] = "true"
os.environ.setdefault("MLFLOW_ASYNC_TRACE_LOGGING_MAX_QUEUE_SIZE", "1000000")

import mlflow  # noqa: E402
from mlflow import MlflowClient  # noqa: E402


def main():
    uri, name, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    mlflow.set_tracking_uri(uri)
    exp = mlflow.set_experiment(name)
    t0 = time.perf_counter()
    caller = 0.0
    for i in range(n):
        c0 = time.perf_counter()
        with mlflow.start_span("decide", span_type="AGENT") as root:
            root.set_inputs({"i": i, "income": 52000})
            with mlflow.start_span("validate", span_type="PARSER") as s:
                s.set_inputs({"fields": 12})
                s.set_outputs(True)
            with mlflow.start_span("rules", span_type="TOOL") as s:
                s.set_outputs({"passed": 5})
            with mlflow.start_span("llm", span_type="LLM") as s:
                s.set_inputs({"messages": [{"role": "user", "content": "approve?"}]})
                s.set_attribute("mlflow.chat.tokenUsage", {"input_tokens": 120, "output_tokens": 30, "total_tokens": 150})
                s.set_outputs({"content": "yes"})
            with mlflow.start_span("score", span_type="CHAIN") as s:
                s.set_outputs(0.82)
            root.set_outputs({"approved": True})
        caller += time.perf_counter() - c0
    mlflow.flush_trace_async_logging()
    client = MlflowClient()
    while True:
        count = 0
        token = None
        while True:
            page = client.search_traces(
                locations=[exp.experiment_id], max_results=500, page_token=token
            )
            count += len(page)
            token = page.token
            if not token:
                break
        if count >= n or time.perf_counter() - t0 > 1800:
            break
        time.sleep(0.2)
    e2e = time.perf_counter() - t0
    print(json.dumps({"caller_s": caller, "e2e_s": e2e, "searchable": count}))


if __name__ == "__main__":
    main()
