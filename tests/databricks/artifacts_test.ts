import assert from "node:assert/strict";
import type { MlflowApiError } from "../../lib/_internal/errors.ts";
import {
  type DatabricksTarget,
  databricksTarget,
  DbfsArtifactRepository,
} from "../../lib/mlflow/databricks/mod.ts";
import { parseDatabricksArtifactUri } from "../../lib/mlflow/databricks/artifact_repository.ts";
import { type DatabricksStandin, startDatabricksStandin } from "../_helpers/databricks_standin.ts";
import { testMlflowUri, uniqueName } from "../_helpers/mlflow.ts";

const PAT = "dapi-standin-0123456789abcdef";

interface Ctx {
  standin: DatabricksStandin;
  target: DatabricksTarget;
  artifactUri: string;
  runId: string;
  experimentId: string;
}

async function setup(blockSize?: number): Promise<Ctx & AsyncDisposable> {
  const standin = await startDatabricksStandin({ mlflowUri: testMlflowUri() });
  const target = databricksTarget("databricks", {
    env: { DATABRICKS_HOST: standin.url, DATABRICKS_TOKEN: PAT },
    blockSize,
    retry: { maxRetries: 0 },
  });
  const name = `/Shared/ai-agents/${uniqueName("dbx-artifacts")}`;
  target.validateExperimentName(name);
  const { experiment_id: experimentId } = await target.transport.post<{ experiment_id: string }>(
    "/api/2.0/mlflow/experiments/create",
    { name },
  );
  const { run } = await target.transport.post<
    { run: { info: { run_id: string; artifact_uri: string } } }
  >(
    "/api/2.0/mlflow/runs/create",
    { experiment_id: experimentId, start_time: Date.now() },
  );
  return {
    standin,
    target,
    artifactUri: run.info.artifact_uri,
    runId: run.info.run_id,
    experimentId,
    [Symbol.asyncDispose]: () => standin.close(),
  };
}

/** Reads an artifact straight from the real MLflow server, bypassing the stand-in. */
async function fromMlflow(ctx: Ctx, path: string): Promise<Uint8Array> {
  const res = await fetch(
    `${testMlflowUri()}/api/2.0/mlflow-artifacts/artifacts/${ctx.experimentId}/${ctx.runId}/artifacts/${path}`,
  );
  assert.equal(res.status, 200, `MLflow has no artifact ${path}`);
  return new Uint8Array(await res.arrayBuffer());
}

async function mlflowListing(ctx: Ctx, path: string): Promise<string[]> {
  const res = await fetch(
    `${testMlflowUri()}/api/2.0/mlflow/artifacts/list?run_id=${ctx.runId}&path=${path}`,
  );
  const body = await res.json() as { files?: { path: string }[] };
  return (body.files ?? []).map((f) => f.path).sort();
}

function bytes(n: number, seed = 7): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

Deno.test("runs on the stand-in get Databricks artifact URIs from the real MLflow server", async () => {
  await using ctx = await setup();
  const loc = parseDatabricksArtifactUri(ctx.artifactUri);
  assert.equal(loc.kind, "run");
  assert.equal(loc.id, ctx.runId);
  assert.equal(
    loc.filesRoot,
    `/WorkspaceInternal/Mlflow/Artifacts/${ctx.experimentId}/Runs/${ctx.runId}/artifacts`,
  );
});

Deno.test("Files API: upload, list (paged) and download land in the real MLflow run's artifacts", async () => {
  await using ctx = await setup();
  ctx.standin.options.directoryPageSize = 2;
  const repo = ctx.target.artifactRepository;
  const summary = JSON.stringify({ f1: 0.91, accuracy: 0.93 });
  await repo.upload(ctx.artifactUri, "eval/summary.json", summary);
  await repo.upload(ctx.artifactUri, "eval/rows.jsonl", '{"id":1}\n{"id":2}\n');
  await repo.upload(ctx.artifactUri, "eval/charts/f1.svg", "<svg/>");
  await repo.upload(ctx.artifactUri, "notes with space.txt", new Blob(["streamed"]).stream());
  assert.equal(repo.lastRoute, "files-api");
  assert.equal(ctx.standin.stats.filesPut, 4);
  assert.equal(ctx.standin.stats.credentialsForWrite, 0);

  assert.equal(new TextDecoder().decode(await fromMlflow(ctx, "eval/summary.json")), summary);
  assert.deepEqual(await mlflowListing(ctx, "eval"), [
    "eval/charts",
    "eval/rows.jsonl",
    "eval/summary.json",
  ]);

  const root = await repo.list(ctx.artifactUri);
  assert.deepEqual(root.map((e) => [e.path, e.isDir]), [["eval", true], [
    "notes with space.txt",
    false,
  ]]);
  const evalDir = await repo.list(ctx.artifactUri, "eval");
  assert.deepEqual(evalDir, [
    { path: "eval/charts", isDir: true },
    { path: "eval/rows.jsonl", isDir: false, fileSize: 18 },
    { path: "eval/summary.json", isDir: false, fileSize: summary.length },
  ]);
  assert.ok(ctx.standin.stats.dirList >= 3, "the 3-entry folder took two pages of 2");
  assert.deepEqual(await repo.list(ctx.artifactUri, "missing"), []);

  assert.equal(await repo.readText(ctx.artifactUri, "eval/summary.json"), summary);
  assert.equal(await repo.readText(`${ctx.artifactUri}/eval`, "charts/f1.svg"), "<svg/>");
  await assert.rejects(
    repo.readText(ctx.artifactUri, "eval/nope.json"),
    (err: MlflowApiError) => err.status === 404,
  );
});

for (const type of ["AWS_PRESIGNED_URL", "GCP_SIGNED_URL"] as const) {
  Deno.test(`without the Files API, ${type} credentials upload and download through signed URLs`, async () => {
    await using ctx = await setup();
    ctx.standin.options.filesApi = false;
    ctx.standin.options.credentialType = type;
    const repo = ctx.target.artifactRepository;
    const payload = bytes(50_000);
    await repo.upload(ctx.artifactUri, "model/weights.bin", payload);
    assert.equal(repo.lastRoute, "signed-url");
    assert.equal(ctx.standin.stats.credentialsForWrite, 1);
    assert.equal(ctx.standin.stats.blobPut, 1);
    assert.deepEqual(await fromMlflow(ctx, "model/weights.bin"), payload);

    const back = new Uint8Array(
      await new Response(await repo.download(ctx.artifactUri, "model/weights.bin")).arrayBuffer(),
    );
    assert.deepEqual(back, payload);
    assert.equal(ctx.standin.stats.credentialsForRead, 1);
    assert.deepEqual(await repo.list(ctx.artifactUri, "model"), [
      { path: "model/weights.bin", isDir: false, fileSize: 50_000 },
    ]);
    // once the Files API answered 403, it is not tried again
    const filesCalls = ctx.standin.log.filter((l) => l.includes("/api/2.0/fs/")).length;
    assert.equal(filesCalls, 1);
  });
}

Deno.test("Azure SAS credentials upload a large file as chunked blocks plus a block list", async () => {
  await using ctx = await setup(64 * 1024);
  ctx.standin.options.filesApi = false;
  ctx.standin.options.credentialType = "AZURE_SAS_URI";
  ctx.standin.options.maxAzureBlockBytes = 64 * 1024;
  const payload = bytes(64 * 1024 * 3 + 1234, 11);
  await ctx.target.artifactRepository.upload(ctx.artifactUri, "big/table.parquet", payload);
  assert.equal(ctx.standin.stats.azureBlocks, 4);
  assert.equal(ctx.standin.stats.azureBlockLists, 1);
  assert.deepEqual(await fromMlflow(ctx, "big/table.parquet"), payload);
  const back = await new Response(
    await ctx.target.artifactRepository.download(ctx.artifactUri, "big/table.parquet"),
  )
    .arrayBuffer();
  assert.deepEqual(new Uint8Array(back), payload);
  // an empty file is an empty block list
  await ctx.target.artifactRepository.upload(ctx.artifactUri, "big/empty.txt", "");
  assert.equal((await fromMlflow(ctx, "big/empty.txt")).length, 0);
});

Deno.test("streams go to the Files API as they are read; the fallback reopens replayable ones", async () => {
  await using ctx = await setup();
  const payload = bytes(8 * 1024 * 1024, 5);
  let opens = 0;
  const body = (replayable: boolean) => ({
    replayable,
    contentType: "application/octet-stream",
    open: () => {
      opens++;
      return Promise.resolve(new Blob([payload as Uint8Array<ArrayBuffer>]).stream());
    },
  });
  const repo = new DbfsArtifactRepository(ctx.artifactUri, ctx.target.artifactRepository);
  await repo.upload("big/streamed.bin", body(true));
  assert.equal(opens, 1);
  assert.equal(ctx.target.artifactRepository.lastRoute, "files-api");
  assert.deepEqual(await fromMlflow(ctx, "big/streamed.bin"), payload);

  ctx.standin.options.filesApi = false;
  opens = 0;
  await assert.rejects(repo.upload("big/once.bin", body(false)), /stream was already read/);
  opens = 0;
  await repo.upload("big/reopened.bin", body(true));
  assert.equal(ctx.target.artifactRepository.lastRoute, "signed-url");
  assert.deepEqual(await fromMlflow(ctx, "big/reopened.bin"), payload);
});

Deno.test("ADLS Gen2 SAS credentials create, append in chunks at the right offsets, then flush", async () => {
  await using ctx = await setup(10_000);
  ctx.standin.options.filesApi = false;
  ctx.standin.options.credentialType = "AZURE_ADLS_GEN2_SAS_URI";
  const payload = bytes(25_000, 3);
  await ctx.target.artifactRepository.upload(ctx.artifactUri, "adls/data.bin", payload);
  assert.equal(ctx.standin.stats.azureBlocks, 3, "three appends of at most 10 000 bytes");
  assert.equal(ctx.standin.stats.azureBlockLists, 1, "one flush");
  assert.deepEqual(await fromMlflow(ctx, "adls/data.bin"), payload);
});

Deno.test("logged-model artifacts go through the Files API; the signed-URL fallback refuses them clearly", async () => {
  await using ctx = await setup();
  const uri = `dbfs:/databricks/mlflow-tracking/${ctx.experimentId}/logged_models/m-123/artifacts`;
  const repo = ctx.target.artifactRepository;
  await repo.upload(uri, "MLmodel", "artifact_path: model\n");
  assert.ok(
    ctx.standin.files.has(
      `/WorkspaceInternal/Mlflow/Artifacts/${ctx.experimentId}/LoggedModels/m-123/artifacts/MLmodel`,
    ),
  );
  assert.equal(await repo.readText(uri, "MLmodel"), "artifact_path: model\n");
  assert.deepEqual(await repo.list(uri), [{ path: "MLmodel", isDir: false, fileSize: 21 }]);
  ctx.standin.options.filesApi = false;
  await assert.rejects(
    repo.upload(uri, "x.txt", "x"),
    /signed-URL fallback covers run artifacts only/,
  );
});

Deno.test("expired signed URLs (403 from storage) are refreshed from the credentials endpoint", async (t) => {
  for (const type of ["AWS_PRESIGNED_URL", "AZURE_SAS_URI"] as const) {
    await t.step(type, async () => {
      await using ctx = await setup(1024);
      ctx.standin.options.filesApi = false;
      ctx.standin.options.credentialType = type;
      ctx.standin.options.expiredCredentials = 1;
      await ctx.target.artifactRepository.upload(ctx.artifactUri, "r.bin", bytes(3000));
      assert.equal(ctx.standin.stats.blobRejectedExpired, 1);
      assert.equal(ctx.standin.stats.credentialsForWrite, 2);
      assert.deepEqual(await fromMlflow(ctx, "r.bin"), bytes(3000));
      ctx.standin.options.expiredCredentials = 1;
      const back = await new Response(
        await ctx.target.artifactRepository.download(ctx.artifactUri, "r.bin"),
      ).arrayBuffer();
      assert.deepEqual(new Uint8Array(back), bytes(3000));
      assert.equal(ctx.standin.stats.credentialsForRead, 2);
    });
  }
});

Deno.test("MLFLOW_DISABLE_DATABRICKS_SDK_FOR_RUN_ARTIFACTS=true goes straight to signed URLs", async () => {
  await using standin = await startDatabricksStandin({ mlflowUri: testMlflowUri() });
  const target = databricksTarget("databricks", {
    env: {
      DATABRICKS_HOST: standin.url,
      DATABRICKS_TOKEN: PAT,
      MLFLOW_DISABLE_DATABRICKS_SDK_FOR_RUN_ARTIFACTS: "true",
    },
  });
  const { experiment_id } = await target.transport.post<{ experiment_id: string }>(
    "/api/2.0/mlflow/experiments/create",
    {
      name: `/Users/ana@example.com/${uniqueName("nosdk")}`,
    },
  );
  const { run } = await target.transport.post<{ run: { info: { artifact_uri: string } } }>(
    "/api/2.0/mlflow/runs/create",
    {
      experiment_id,
    },
  );
  await target.artifactRepository.upload(run.info.artifact_uri, "a.txt", "a");
  assert.equal(standin.stats.filesPut, 0);
  assert.equal(standin.stats.blobPut, 1);
});

Deno.test("a wrong token fails with 401 and verify() names the setting without printing the token", async () => {
  await using standin = await startDatabricksStandin({ mlflowUri: testMlflowUri() });
  const wrong = "dapi-wrong-token-0000000000000000";
  const target = databricksTarget("databricks", {
    env: { DATABRICKS_HOST: standin.url, DATABRICKS_TOKEN: wrong },
    retry: { maxRetries: 0 },
  });
  await assert.rejects(target.verify(), (err: Error) => {
    assert.match(
      err.message,
      /refused the credentials from DATABRICKS_TOKEN \(HTTP 401 UNAUTHENTICATED\)/,
    );
    assert.ok(!err.message.includes(wrong));
    return true;
  });
  await assert.rejects(
    target.artifactRepository.upload(
      "dbfs:/databricks/mlflow-tracking/1/abc/artifacts",
      "x.txt",
      "x",
    ),
    (err: MlflowApiError) => err.status === 401,
  );
});

Deno.test("experiment names must be workspace paths, on the client and at the stand-in", async () => {
  await using standin = await startDatabricksStandin({ mlflowUri: testMlflowUri() });
  const target = databricksTarget("databricks", {
    env: { DATABRICKS_HOST: standin.url, DATABRICKS_TOKEN: PAT },
  });
  assert.throws(() => target.validateExperimentName("loan_approval"), /absolute workspace path/);
  await assert.rejects(
    target.transport.post("/api/2.0/mlflow/experiments/create", { name: "loan_approval" }),
    (err: MlflowApiError) =>
      err.status === 400 && /absolute path within the Databricks workspace/.test(err.message),
  );
});
