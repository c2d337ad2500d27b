"""Python peers for bench/drift.ts: the same drift statistics with SciPy/NumPy, or
Evidently's DataDriftPreset, on the data files bench/drift.ts wrote.

    python bench/_drift_peers.py <data_dir> <n_numeric> <n_categorical> scipy|evidently

Prints one JSON line: {"seconds", "peak_rss_mb", "loaded_rss_mb", "drifted", ...}.
"""
import json
import resource
import sys
import time

import numpy as np


def rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load(d, n_num, n_cat):
    ref, cur = {}, {}
    for j in range(n_num):
        ref[f"num_{j}"] = np.fromfile(f"{d}/ref_num_{j}.f64", dtype="<f8")
        cur[f"num_{j}"] = np.fromfile(f"{d}/cur_num_{j}.f64", dtype="<f8")
    for j in range(n_cat):
        names = np.array([f"cat_{k}" for k in range(256)], dtype=object)
        ref[f"cat_{j}"] = names[np.fromfile(f"{d}/ref_cat_{j}.u8", dtype="u1")]
        cur[f"cat_{j}"] = names[np.fromfile(f"{d}/cur_cat_{j}.u8", dtype="u1")]
    return ref, cur


def run_scipy(ref, cur):
    import pandas as pd
    from scipy import stats
    from scipy.spatial.distance import jensenshannon

    eps = 1e-4
    out = {}
    t0 = time.perf_counter()
    for name in ref:
        r, c = ref[name], cur[name]
        if name.startswith("num_"):
            ks = stats.ks_2samp(r, c)  # method auto -> asymp at this size
            w = stats.wasserstein_distance(r, c)
            normed = w / max(np.std(r), 0.001)
            edges = np.unique(np.quantile(r, np.arange(1, 10) / 10))
            rc = np.bincount(np.searchsorted(edges, r, side="right"), minlength=len(edges) + 1)
            cc = np.bincount(np.searchsorted(edges, c, side="right"), minlength=len(edges) + 1)
            rp = np.maximum(rc / rc.sum(), eps); cp = np.maximum(cc / cc.sum(), eps)
            psi = float(np.sum((cp - rp) * np.log(cp / rp)))
            out[name] = {"ks": float(ks.statistic), "ks_p": float(ks.pvalue), "w_norm": float(normed), "psi": psi,
                         "drifted": bool(normed >= 0.1)}
        else:
            rv = pd.Series(r).value_counts(); cv = pd.Series(c).value_counts()
            cats = rv.index.union(cv.index)
            rc = rv.reindex(cats, fill_value=0).to_numpy(); cc = cv.reindex(cats, fill_value=0).to_numpy()
            chi = stats.chi2_contingency(np.vstack([rc, cc]), correction=False)
            js = jensenshannon(rc, cc)
            rp = np.maximum(rc / rc.sum(), eps); cp = np.maximum(cc / cc.sum(), eps)
            psi = float(np.sum((cp - rp) * np.log(cp / rp)))
            out[name] = {"chi2": float(chi.statistic), "chi2_p": float(chi.pvalue), "js": float(js), "psi": psi,
                         "drifted": bool(js >= 0.1)}
    secs = time.perf_counter() - t0
    return secs, out


def run_evidently(ref, cur):
    import pandas as pd
    from evidently import DataDefinition, Dataset, Report
    from evidently.presets import DataDriftPreset

    num = [k for k in ref if k.startswith("num_")]
    cat = [k for k in ref if k.startswith("cat_")]
    rdf = pd.DataFrame(ref); cdf = pd.DataFrame(cur)
    dd = DataDefinition(numerical_columns=num, categorical_columns=cat)
    t0 = time.perf_counter()
    rds = Dataset.from_pandas(rdf, data_definition=dd)
    cds = Dataset.from_pandas(cdf, data_definition=dd)
    snap = Report([DataDriftPreset()]).run(cds, rds)
    d = snap.dict()
    secs = time.perf_counter() - t0
    drifted, values = None, {}
    for m in d.get("metrics", []):
        name, v = str(m.get("metric_name", "")), m.get("value")
        if name.startswith("DriftedColumnsCount") and isinstance(v, dict):
            drifted = v.get("count")
        elif name.startswith("ValueDrift") and isinstance(v, (int, float)):
            values[m["config"]["column"]] = {"method": m["config"]["method"], "value": float(v)}
    return secs, {"drifted_columns": drifted, "values": values}


def main():
    d, n_num, n_cat, which = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    ref, cur = load(d, n_num, n_cat)
    if which == "evidently":
        import evidently  # noqa: F401  (import cost outside the timing)
    else:
        import pandas  # noqa: F401
        import scipy.stats  # noqa: F401
    loaded = rss_mb()
    secs, out = run_scipy(ref, cur) if which == "scipy" else run_evidently(ref, cur)
    print(json.dumps({"seconds": secs, "peak_rss_mb": peak_mb(), "loaded_rss_mb": loaded, "result": out}))


if __name__ == "__main__":
    main()
