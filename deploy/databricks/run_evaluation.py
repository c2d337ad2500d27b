"""evalkit job launcher for a Databricks cluster (a `spark_python_task` of databricks.yml).

Thin on purpose: installs Deno from npm (pinned), fills in the workspace host and
credentials for MLflow, then runs the bundled evaluation `dist/evaluate.js` and exits with
its exit code (0 ok, 1 error, 2 bad input, 3 quality gate failed, 4 drift detected), so a
gate failure or drift fails the task and the job's failure e-mail goes out.

Usage (parameters of the task):
    run_evaluation.py --root <bundle files dir> [--deno-version 2.9.6] -- <evaluate flags>
"""

import argparse
import os
import shutil
import subprocess
import sys


def install_deno(version: str) -> str:
    """Returns the path of a `deno` executable, installing `npm:deno@<version>` when needed.

    EVALKIT_DENO_BIN names an existing Deno instead (a cluster image with Deno, or a test)."""
    preset = os.environ.get("EVALKIT_DENO_BIN")
    if preset:
        return preset
    prefix = f"/tmp/evalkit-deno-{version}"
    deno = os.path.join(prefix, "node_modules", ".bin", "deno")
    if os.path.exists(deno):
        return deno
    npm = shutil.which("npm")
    if npm:
        subprocess.run(
            [npm, "install", "--no-save", "--no-audit", "--no-fund", "--prefix", prefix, f"deno@{version}"],
            check=True,
        )
        return deno
    # No Node.js on this cluster: fall back to the PyPI redistribution of the Deno binary.
    print("npm not found; installing Deno from PyPI (package 'deno') instead", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--target", prefix, "deno"], check=True)
    found = shutil.which("deno", path=os.path.join(prefix, "bin"))
    if not found:
        raise SystemExit("could not install Deno: neither npm nor the PyPI 'deno' package worked")
    return found


def workspace_env() -> dict:
    """MLFLOW_TRACKING_URI=databricks plus DATABRICKS_HOST and credentials for evalkit."""
    env = dict(os.environ)
    env.setdefault("MLFLOW_TRACKING_URI", "databricks")
    env.setdefault("NO_COLOR", "1")
    if not env.get("DATABRICKS_HOST"):
        try:
            from pyspark.sql import SparkSession  # available on every Databricks cluster

            url = SparkSession.builder.getOrCreate().conf.get("spark.databricks.workspaceUrl")
            env["DATABRICKS_HOST"] = f"https://{url}"
        except Exception as err:  # noqa: BLE001 - report and let evalkit name the missing setting
            print(f"could not read the workspace URL from Spark: {err}", file=sys.stderr)
    has_credentials = env.get("DATABRICKS_TOKEN") or (
        env.get("DATABRICKS_CLIENT_ID") and env.get("DATABRICKS_CLIENT_SECRET")
    )
    if not has_credentials:
        # The cluster's own identity, through the Databricks SDK shipped with the runtime.
        try:
            from databricks.sdk import WorkspaceClient

            headers = WorkspaceClient().config.authenticate()
            auth = headers.get("Authorization", "")
            if auth.startswith("Bearer "):
                env["DATABRICKS_TOKEN"] = auth[len("Bearer "):]
        except Exception as err:  # noqa: BLE001
            print(f"no credentials from the runtime: {err}", file=sys.stderr)
    return env


def main() -> int:
    argv = sys.argv[1:]
    rest = []
    if "--" in argv:
        i = argv.index("--")
        argv, rest = argv[:i], argv[i + 1:]
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--root", required=True, help="the bundle's files folder (${workspace.file_path})")
    parser.add_argument("--deno-version", default="2.9.6")
    parser.add_argument("--bundle", help="the bundled script (default <root>/dist/evaluate.js)")
    args = parser.parse_args(argv)
    root = args.root
    bundle = args.bundle or os.path.join(root, "dist", "evaluate.js")
    if not os.path.exists(bundle):
        print(f"{bundle} is missing: run 'deno task build' before 'databricks bundle deploy'", file=sys.stderr)
        return 2
    deno = install_deno(args.deno_version)
    env = workspace_env()
    env.setdefault("EVALKIT_HOME", "/tmp/evalkit")
    cmd = [deno, "run", "-A", bundle, *rest]
    print("running:", " ".join(cmd), file=sys.stderr)
    return subprocess.run(cmd, cwd=root, env=env).returncode


if __name__ == "__main__":
    sys.exit(main())
