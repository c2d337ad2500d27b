"""Python peer of bench/mlflow_log_batch.ts: MLflow's own client logs the same 100,000 metric
points (10 keys x 10,000 steps) with MlflowClient.log_batch in 1000-item batches.

Usage: python mlflow_log_batch.py <tracking_uri> <run_id> <keys> <steps> <t0>
Prints one JSON line: {"seconds": <time of the logging loop>, "batches": N}.
"""

import json
import sys
import time

from mlflow.entities import Metric
from mlflow.tracking import MlflowClient


def main() -> None:
    uri, run_id, keys, steps, t0 = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    client = MlflowClient(tracking_uri=uri)
    # Same points, same order as the Deno side: step-major, key-minor.
    metrics = [
        Metric(key=f"metric_{k}", value=step * 0.001 + k, timestamp=t0 + step, step=step)
        for step in range(steps)
        for k in range(keys)
    ]
    batches = 0
    started = time.perf_counter()
    for i in range(0, len(metrics), 1000):
        client.log_batch(run_id, metrics=metrics[i : i + 1000])
        batches += 1
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "batches": batches}))


if __name__ == "__main__":
    main()
