"""Oracle for the tracing tests: MLflow's own Python client reads back traces evalkit wrote.

usage: python _read_traces.py <tracking-uri> get <trace-id>...
       python _read_traces.py <tracking-uri> search <experiment-id> <filter>
Prints one JSON document on stdout.
"""

import json
import sys

import mlflow
from mlflow import MlflowClient


def span_dict(s):
    return {
        "name": s.name,
        "span_id": s.span_id,
        "parent_id": s.parent_id,
        "span_type": s.span_type,
        "status": s.status.status_code.value if hasattr(s.status.status_code, "value") else str(s.status.status_code),
        "status_message": s.status.description,
        "inputs": s.inputs,
        "outputs": s.outputs,
        "start_time_ns": s.start_time_ns,
        "end_time_ns": s.end_time_ns,
        "attributes": {k: v for k, v in s.attributes.items()},
        "events": [{"name": e.name, "attributes": e.attributes} for e in s.events],
    }


def info_dict(i):
    return {
        "trace_id": i.trace_id,
        "state": str(i.state.value if hasattr(i.state, "value") else i.state),
        "request_time": i.request_time,
        "execution_duration": i.execution_duration,
        "client_request_id": i.client_request_id,
        "request_preview": i.request_preview,
        "response_preview": i.response_preview,
        "trace_metadata": dict(i.trace_metadata),
        "tags": dict(i.tags),
        "token_usage": i.token_usage,
    }


def main():
    uri, cmd = sys.argv[1], sys.argv[2]
    mlflow.set_tracking_uri(uri)
    client = MlflowClient()
    if cmd == "get":
        out = []
        for tid in sys.argv[3:]:
            t = client.get_trace(tid)
            out.append({"info": info_dict(t.info), "spans": [span_dict(s) for s in t.data.spans]})
        print(json.dumps(out, default=str))
    elif cmd == "search":
        traces = mlflow.search_traces(
            locations=[sys.argv[3]], filter_string=sys.argv[4] or None, return_type="list"
        )
        print(json.dumps([
            {"info": info_dict(t.info), "spans": [span_dict(s) for s in t.data.spans]} for t in traces
        ], default=str))
    else:
        raise SystemExit(f"unknown command {cmd}")


if __name__ == "__main__":
    main()
