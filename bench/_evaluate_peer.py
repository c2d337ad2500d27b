"""Peer for bench/evaluate_instant.ts: mlflow.models.evaluate (classifier, static predictions).

Usage: python _evaluate_peer.py <tracking_uri> <data.csv> <experiment>
Prints one JSON line: import, read and evaluate+log seconds.
"""
import json
import sys
import time

t0 = time.perf_counter()
import mlflow  # noqa: E402
import pandas as pd  # noqa: E402

t_import = time.perf_counter() - t0

uri, path, experiment = sys.argv[1:4]
mlflow.set_tracking_uri(uri)
mlflow.set_experiment(experiment)
t1 = time.perf_counter()
df = pd.read_csv(path)
t_read = time.perf_counter() - t1

t2 = time.perf_counter()
with mlflow.start_run(run_name="mlflow_models_evaluate") as run:
    result = mlflow.models.evaluate(
        data=df,
        targets="expected_outcome",
        predictions="prediction",
        model_type="classifier",
    )
t_eval = time.perf_counter() - t2
print(
    json.dumps(
        {
            "import_s": t_import,
            "read_s": t_read,
            "evaluate_s": t_eval,
            "run_id": run.info.run_id,
            "accuracy_score": result.metrics.get("accuracy_score"),
            "f1_score": result.metrics.get("f1_score"),
            "rows": len(df),
        }
    )
)
