/**
 * Every shipped notebook runs headlessly (Deno kernel, nbconvert from .venv) against the
 * suite's real MLflow server, and creates the runs, artifacts and registry entries its
 * metadata (`evalkit.expects`) declares. The gate never reads captured cell text: only
 * nbconvert's exit code, error outputs, and the records on the server.
 */
import assert from "node:assert/strict";
import { dirname } from "node:path";
import { MlflowClient } from "../../lib/mlflow/mod.ts";
import { listLocalRuns, readLocalRun } from "../../lib/tracking/mod.ts";
import { executeNotebook, installKernel } from "../../tools/notebooks.ts";
import { testMlflowUri, uniqueName } from "../_helpers/mlflow.ts";

interface RunExpectation {
  experiment: string;
  count: number;
  metrics?: string[];
  params?: string[];
  artifacts?: string[];
  datasetInputs?: number;
  loggedModels?: number;
  metricHistory?: Record<string, number>;
}
interface Expectations {
  runs?: RunExpectation[];
  registeredModel?: {
    name: string;
    versions: number;
    aliases?: Record<string, string>;
    versionTags?: Record<string, string[]>;
  };
}
interface NotebookJson {
  cells: {
    cell_type: string;
    outputs?: { output_type: string; ename?: string; evalue?: string }[];
  }[];
  metadata: { evalkit?: { expects?: Expectations } };
}

const NOTEBOOKS_DIR = new URL("../../notebooks/", import.meta.url);
const ROOT = new URL("../../", import.meta.url).pathname;

async function notebookNames(): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(NOTEBOOKS_DIR)) {
    if (e.isFile && e.name.endsWith(".ipynb")) names.push(e.name.slice(0, -6));
  }
  return names.sort();
}

function jupyterBin(): string {
  const python = Deno.env.get("EVALKIT_PYTHON_BIN") ?? `${ROOT}.venv/bin/python`;
  return `${dirname(python)}/jupyter`;
}

const quote = (s: string) => `'${s.replace(/'/g, "\\'")}'`;

/** Problems between what a notebook declares and what the server holds (empty = all there). */
async function missingRecords(
  client: MlflowClient,
  name: string,
  runTag: string,
  expects: Expectations,
): Promise<string[]> {
  const problems: string[] = [];
  for (const e of expects.runs ?? []) {
    const exp = await client.experiments.getByName(e.experiment);
    if (!exp) {
      problems.push(`experiment ${e.experiment} does not exist`);
      continue;
    }
    const runs = [];
    for await (
      const r of client.runs.search({
        experimentIds: [exp.experimentId],
        filter: `tags.\`evalkit.notebook\` = ${quote(name)} and tags.\`evalkit.notebook_run\` = ${
          quote(runTag)
        }`,
      })
    ) runs.push(r);
    if (runs.length !== e.count) {
      problems.push(`expected ${e.count} run(s) in ${e.experiment} but found ${runs.length}`);
    }
    for (const run of runs) {
      const id = run.info.runId;
      if (run.info.status !== "FINISHED") problems.push(`run ${id} is ${run.info.status}`);
      const metricKeys = new Set(run.data.metrics.map((m) => m.key));
      for (const m of e.metrics ?? []) {
        if (!metricKeys.has(m)) problems.push(`run ${id} lacks metric ${m}`);
      }
      for (const p of e.params ?? []) {
        if (run.data.params[p] === undefined) problems.push(`run ${id} lacks param ${p}`);
      }
      const inputs = run.inputs.datasetInputs.length;
      if (e.datasetInputs !== undefined && inputs < e.datasetInputs) {
        problems.push(`run ${id} has ${inputs} dataset input(s), expected ${e.datasetInputs}`);
      }
      for (const [key, steps] of Object.entries(e.metricHistory ?? {})) {
        const history = await client.runs.metricHistory(id, key);
        if (history.length < steps) {
          problems.push(`run ${id}: ${key} has ${history.length} point(s), expected ${steps}`);
        }
      }
      if (e.artifacts?.length) {
        const files = new Map<string, number>();
        for await (const f of client.artifacts.walk(run.info.artifactUri)) {
          files.set(f.path, f.fileSize ?? 0);
        }
        for (const a of e.artifacts) {
          if (!files.has(a)) problems.push(`run ${id} lacks artifact ${a}`);
          else if (files.get(a) === 0) problems.push(`run ${id}: artifact ${a} is empty`);
        }
      }
      if (e.loggedModels !== undefined) {
        let n = 0;
        for await (
          const _m of client.loggedModels.search({
            experimentIds: [exp.experimentId],
            filter: `source_run_id = ${quote(id)}`,
          })
        ) n++;
        if (n < e.loggedModels) {
          problems.push(`run ${id} has ${n} logged model(s), expected ${e.loggedModels}`);
        }
      }
    }
  }
  const rm = expects.registeredModel;
  if (rm) {
    const modelName = rm.name.replaceAll("{run}", runTag);
    try {
      const model = await client.models.get(modelName);
      for (const [alias, version] of Object.entries(rm.aliases ?? {})) {
        if (model.aliases[alias] !== version) {
          problems.push(
            `${modelName}@${alias} is ${model.aliases[alias] ?? "unset"}, expected ${version}`,
          );
        }
      }
      const versions = [];
      for await (
        const v of client.modelVersions.search({ filter: `name = ${quote(modelName)}` })
      ) versions.push(v);
      if (versions.length !== rm.versions) {
        problems.push(`${modelName} has ${versions.length} version(s), expected ${rm.versions}`);
      }
      for (const [version, tags] of Object.entries(rm.versionTags ?? {})) {
        const v = versions.find((x) => x.version === version);
        for (const t of tags) {
          if (v?.tags[t] === undefined) problems.push(`${modelName} v${version} lacks tag ${t}`);
        }
      }
    } catch (err) {
      problems.push(`registered model ${modelName}: ${(err as Error).message}`);
    }
  }
  return problems;
}

/** The same check against the local store (runs only: the registry needs a server). */
async function missingLocalRecords(
  storeDir: string,
  name: string,
  runTag: string,
  expects: Expectations,
): Promise<string[]> {
  const problems: string[] = [];
  for (const e of expects.runs ?? []) {
    const runs = [];
    for (const summary of await listLocalRuns({ storeDir })) {
      if (summary.experimentName !== e.experiment) continue;
      const run = await readLocalRun(summary.localRunId, { storeDir });
      if (
        run?.tags["evalkit.notebook"] === name && run.tags["evalkit.notebook_run"] === runTag
      ) runs.push(run);
    }
    if (runs.length !== e.count) {
      problems.push(`expected ${e.count} local run(s) in ${e.experiment} but found ${runs.length}`);
    }
    for (const run of runs) {
      const id = run.localRunId;
      if (run.status !== "FINISHED") problems.push(`local run ${id} is ${run.status}`);
      for (const m of e.metrics ?? []) {
        if (run.metrics[m] === undefined) problems.push(`local run ${id} lacks metric ${m}`);
      }
      for (const p of e.params ?? []) {
        if (run.params[p] === undefined) problems.push(`local run ${id} lacks param ${p}`);
      }
      if (e.datasetInputs !== undefined && run.inputs.length < e.datasetInputs) {
        problems.push(`local run ${id} has ${run.inputs.length} dataset input(s)`);
      }
      for (const [key, steps] of Object.entries(e.metricHistory ?? {})) {
        if ((run.metrics[key]?.length ?? 0) < steps) {
          problems.push(`local run ${id}: ${key} has fewer than ${steps} point(s)`);
        }
      }
      for (const a of e.artifacts ?? []) {
        const f = run.artifacts.find((x) => x.path === a);
        if (!f || f.size === 0) problems.push(`local run ${id} lacks artifact ${a}`);
      }
      if (e.loggedModels !== undefined && run.models.length < e.loggedModels) {
        problems.push(`local run ${id} has ${run.models.length} logged model(s)`);
      }
    }
  }
  return problems;
}

async function assertExecuted(name: string, r: { ok: boolean; output: string; executed: string }) {
  assert.ok(
    r.ok,
    `${name} failed (nbconvert exit code ≠ 0):\n${r.output.split("\n").slice(-40).join("\n")}`,
  );
  const executed: NotebookJson = JSON.parse(await Deno.readTextFile(r.executed));
  const errors = executed.cells.flatMap((c) =>
    (c.outputs ?? []).filter((o) => o.output_type === "error")
  );
  assert.deepEqual(
    errors.map((e) => `${e.ename}: ${e.evalue}`),
    [],
    `${name}: error outputs in the executed copy`,
  );
}

Deno.test("every notebook declares the records it creates (metadata evalkit.expects)", async () => {
  const names = await notebookNames();
  assert.ok(names.length >= 6, `expected the six shipped notebooks but found ${names.length}`);
  for (const name of names) {
    const nb: NotebookJson = JSON.parse(
      await Deno.readTextFile(new URL(`${name}.ipynb`, NOTEBOOKS_DIR)),
    );
    const expects = nb.metadata.evalkit?.expects;
    assert.ok(
      expects && ((expects.runs?.length ?? 0) > 0 || expects.registeredModel),
      `${name}.ipynb declares no expected records in metadata.evalkit.expects`,
    );
  }
});

Deno.test("the records gate names what is missing when a notebook wrote nothing", async () => {
  using client = new MlflowClient({ trackingUri: testMlflowUri() });
  const nb: NotebookJson = JSON.parse(
    await Deno.readTextFile(new URL("05_registry.ipynb", NOTEBOOKS_DIR)),
  );
  const never = uniqueName("never-ran").replace(/[^A-Za-z0-9_]/g, "_");
  const problems = await missingRecords(
    client,
    "05_registry",
    never,
    nb.metadata.evalkit!.expects!,
  );
  assert.ok(
    problems.some((p) =>
      /expected 1 run\(s\) in .* but found 0|experiment .* does not exist/.test(p)
    ),
    problems.join("\n"),
  );
  assert.ok(problems.some((p) => p.startsWith(`registered model loan_approval_agent_${never}`)));
});

Deno.test("deno task notebooks check passes: outputs cleared, code cells type-check, formatted", async () => {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["task", "notebooks", "check"],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const out = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
  assert.equal(code, 0, `deno task notebooks check failed:\n${out}`);
});

Deno.test({
  name: "every notebook runs top to bottom against the MLflow server and creates its records",
  // Kernels and their HTTP clients live in child processes; nothing leaks into this one.
  async fn(t) {
    const uri = testMlflowUri();
    const runTag = uniqueName("nb").replace(/[^A-Za-z0-9_]/g, "_");
    const home = await Deno.makeTempDir({ prefix: "evalkit-nb-home-" });
    const outDir = `${ROOT}.test-results/notebooks`;
    await installKernel();
    using client = new MlflowClient({ trackingUri: uri });
    try {
      for (const name of await notebookNames()) {
        await t.step(name, async () => {
          const nb: NotebookJson = JSON.parse(
            await Deno.readTextFile(new URL(`${name}.ipynb`, NOTEBOOKS_DIR)),
          );
          const started = performance.now();
          const r = await executeNotebook(name, {
            jupyterBin: jupyterBin(),
            timeoutSeconds: 120,
            outDir,
            env: {
              MLFLOW_TRACKING_URI: uri,
              EVALKIT_NOTEBOOK_RUN: runTag,
              EVALKIT_HOME: home,
              NO_COLOR: "1",
            },
          });
          await assertExecuted(
            `${name} (${((performance.now() - started) / 1000).toFixed(1)} s)`,
            r,
          );
          const problems = await missingRecords(
            client,
            name,
            runTag,
            nb.metadata.evalkit?.expects ?? {},
          );
          assert.deepEqual(problems, [], `${name}: records missing on the server`);
        });
      }
    } finally {
      await Deno.remove(home, { recursive: true }).catch(() => {});
    }
  },
});

Deno.test({
  name:
    "every notebook also runs top to bottom on the embedded local store (no MLFLOW_TRACKING_URI)",
  async fn(t) {
    const runTag = uniqueName("nblocal").replace(/[^A-Za-z0-9_]/g, "_");
    const home = await Deno.makeTempDir({ prefix: "evalkit-nb-home-" });
    await installKernel();
    try {
      for (const name of await notebookNames()) {
        await t.step(name, async () => {
          const nb: NotebookJson = JSON.parse(
            await Deno.readTextFile(new URL(`${name}.ipynb`, NOTEBOOKS_DIR)),
          );
          const r = await executeNotebook(name, {
            jupyterBin: jupyterBin(),
            timeoutSeconds: 120,
            outDir: `${ROOT}.test-results/notebooks/local`,
            env: {
              MLFLOW_TRACKING_URI: "",
              EVALKIT_NOTEBOOK_RUN: runTag,
              EVALKIT_HOME: home,
              NO_COLOR: "1",
            },
          });
          await assertExecuted(name, r);
          const problems = await missingLocalRecords(
            `${home}/store`,
            name,
            runTag,
            nb.metadata.evalkit?.expects ?? {},
          );
          assert.deepEqual(problems, [], `${name}: records missing in the local store`);
        });
      }
    } finally {
      await Deno.remove(home, { recursive: true }).catch(() => {});
    }
  },
});

Deno.test("notebookProgress() in the Deno kernel shows one display, then updates it in place", async () => {
  await installKernel();
  const out = await Deno.makeTempFile({ prefix: "evalkit-probe-", suffix: ".json" });
  try {
    const r = await executeNotebook("progress_probe", {
      jupyterBin: jupyterBin(),
      timeoutSeconds: 60,
      dir: `${ROOT}tests/fixtures/notebooks`,
      outDir: `${ROOT}.test-results/notebooks`,
      env: { EVALKIT_PROBE_OUT: out, NO_COLOR: "1" },
    });
    await assertExecuted("progress_probe", r);
    // Written by the notebook from the display calls it intercepted (not captured output).
    const probe = JSON.parse(await Deno.readTextFile(out)) as {
      live: boolean;
      calls: { display_id?: string; update?: boolean; raw?: boolean; html: string }[];
    };
    assert.equal(probe.live, true);
    assert.equal(probe.calls.length, 3);
    assert.equal(new Set(probe.calls.map((c) => c.display_id)).size, 1, "one display id");
    assert.match(probe.calls[0]!.display_id!, /^evalkit-progress-/);
    assert.deepEqual(probe.calls.map((c) => c.update), [false, true, true]);
    assert.deepEqual(
      probe.calls.map((c) => c.html.match(/<progress value="(\d+)"/)?.[1]),
      ["1", "2", "3"],
    );
  } finally {
    await Deno.remove(out);
  }
});
