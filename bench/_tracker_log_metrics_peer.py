"""Python peer of bench/tracker_log_metrics.ts: an mlflow.log_metric loop, synchronous or
asynchronous (synchronous=False), counting until the points are on the server.

Usage: python _tracker_log_metrics_peer.py <uri> <experiment> <sync|async> <n>
Prints one JSON line: {"run_id", "n", "loop_seconds", "seconds"}.
"""
import json
import sys
import time
import warnings

warnings.filterwarnings("ignore")
import mlflow  # noqa: E402

uri, experiment, mode, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
mlflow.set_tracking_uri(uri)
mlflow.set_experiment(experiment)
with mlflow.start_run(run_name=f"python_{mode}") as run:
    t0 = time.perf_counter()
    if mode == "sync":
        for i in range(n):
            mlflow.log_metric("loss", 1.0 / (i + 1), step=i)
        t1 = time.perf_counter()
    else:
        for i in range(n):
            mlflow.log_metric("loss", 1.0 / (i + 1), step=i, synchronous=False)
        t1 = time.perf_counter()
        mlflow.flush_async_logging()
    t2 = time.perf_counter()
print(json.dumps({"run_id": run.info.run_id, "n": n, "loop_seconds": t1 - t0, "seconds": t2 - t0}))
