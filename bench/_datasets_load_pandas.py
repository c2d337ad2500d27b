"""pandas peer of bench/datasets_load.ts: read_csv with declared dtypes, then the same checks
evalkit makes (required values present, numbers finite, integers integral, target classes,
unique ids) and a digest (MLflow's pandas digest approach: hash_pandas_object + md5, and a
SHA-256 over the same hashes). Prints one JSON line: rows, seconds, peakRssMb, digest."""
import hashlib
import json
import resource
import sys
import time

import numpy as np
import pandas as pd

t0 = time.perf_counter()
path = sys.argv[1]
dtypes = {
    "request_id": "string", "age": "Int64", "annual_income": "float64", "credit_score": "Int64",
    "loan_amount": "float64", "loan_term_months": "Int64", "debt_to_income": "float64",
    "employment_years": "float64", "loan_purpose": "string", "expected_outcome": "string",
}
df = pd.read_csv(path, dtype=dtypes)
t1 = time.perf_counter()
assert list(df.columns) == list(dtypes), df.columns
assert not df.isna().any().any(), "missing values"
for c in ("annual_income", "loan_amount", "debt_to_income", "employment_years"):
    assert np.isfinite(df[c].to_numpy()).all(), c
assert df["expected_outcome"].isin(["approve", "reject"]).all()
assert not df["request_id"].duplicated().any()
t2 = time.perf_counter()
hashes = pd.util.hash_pandas_object(df, index=False).to_numpy()
md5 = hashlib.md5(hashes.tobytes()).hexdigest()[:8]
sha = hashlib.sha256(hashes.tobytes()).hexdigest()
t3 = time.perf_counter()
seconds = t3 - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
phases = {"read": t1 - t0, "validate": t2 - t1, "digest": t3 - t2}
print(json.dumps({"rows": len(df), "seconds": seconds, "peakRssMb": peak, "digest": md5, "phases": phases}))
