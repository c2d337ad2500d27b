import assert from "node:assert/strict";
import { MlflowTransport } from "../../lib/mlflow/transport.ts";
import {
  type ArtifactRepository,
  ArtifactsApi,
  type ArtifactUploadBody,
  LocalArtifactRepository,
  LOGGED_ARTIFACTS_TAG,
  normalizeArtifactPath,
  registerArtifactRepository,
} from "../../lib/mlflow/artifacts.ts";
import { MlflowApiError } from "../../lib/_internal/errors.ts";
import { testMlflowUri, uniqueName } from "../_helpers/mlflow.ts";
import { startFaultProxy } from "../_helpers/fault_proxy.ts";

interface WireRunInfo {
  run_id: string;
  artifact_uri: string;
}

/** A fresh run (created with the bare transport, so these tests need only the artifact API). */
async function newRun(transport: MlflowTransport): Promise<WireRunInfo> {
  const exp = await transport.post<{ experiment_id: string }>(
    "/api/2.0/mlflow/experiments/create",
    {
      name: uniqueName("artifacts-test"),
    },
  );
  const res = await transport.post<{ run: { info: WireRunInfo } }>("/api/2.0/mlflow/runs/create", {
    experiment_id: exp.experiment_id,
    start_time: Date.now(),
  });
  return res.run.info;
}

function setup() {
  const transport = new MlflowTransport({ trackingUri: testMlflowUri() });
  return { transport, artifacts: new ArtifactsApi(transport) };
}

async function bytesOf(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

Deno.test("upload() stores bytes, text and a stream that download() returns byte for byte", async () => {
  const { transport, artifacts } = setup();
  const run = await newRun(transport);
  assert.match(run.artifact_uri, /^mlflow-artifacts:\//);
  const bytes = new Uint8Array(70_000).map((_, i) => (i * 31 + 7) % 256);
  const text = "héllo, wörld ✓\nline 2\n";
  const streamed = new Uint8Array(200_000).map((_, i) => (i * 13) % 251);

  const a = await artifacts.upload(run.artifact_uri, "raw/bytes.bin", bytes);
  const b = await artifacts.upload(run.artifact_uri, "notes/text.txt", text);
  const c = await artifacts.upload(
    run.artifact_uri,
    "raw/streamed.bin",
    new Blob([streamed]).stream(),
  );

  assert.deepEqual(a, { path: "raw/bytes.bin", isDir: false, fileSize: 70_000 });
  assert.deepEqual(b, {
    path: "notes/text.txt",
    isDir: false,
    fileSize: new TextEncoder().encode(text).length,
  });
  assert.deepEqual(c, { path: "raw/streamed.bin", isDir: false, fileSize: 200_000 });
  assert.deepEqual(
    await bytesOf(await artifacts.download(run.artifact_uri, "raw/bytes.bin")),
    bytes,
  );
  assert.equal(await artifacts.readText(run.artifact_uri, "notes/text.txt"), text);
  assert.deepEqual(
    await bytesOf(await artifacts.download(run.artifact_uri, "raw/streamed.bin")),
    streamed,
  );
});

Deno.test("uploadDirectory() uploads nested folders; list() and walk() give paths relative to the artifact root", async () => {
  const { transport, artifacts } = setup();
  const run = await newRun(transport);
  const dir = await Deno.makeTempDir({ prefix: "evalkit-artifacts-" });
  try {
    await Deno.mkdir(`${dir}/a/b/c`, { recursive: true });
    await Deno.mkdir(`${dir}/empty`);
    const files: Record<string, string> = {
      "top.txt": "top",
      "a/one.json": '{"one":1}',
      "a/b/two.csv": "x,y\n1,2\n",
      "a/b/c/three.txt": "three",
      "a/b/c/with space é.txt": "spaced",
    };
    for (const [rel, content] of Object.entries(files)) {
      await Deno.writeTextFile(`${dir}/${rel}`, content);
    }

    const uploaded = await artifacts.uploadDirectory(run.artifact_uri, dir, "bundle", {
      concurrency: 3,
    });
    assert.deepEqual(
      uploaded.map((f) => f.path).sort(),
      Object.keys(files).map((rel) => `bundle/${rel}`).sort(),
    );

    assert.deepEqual(await artifacts.list(run.artifact_uri), [{ path: "bundle", isDir: true }]);
    const inBundle = await artifacts.list(run.artifact_uri, "bundle");
    assert.deepEqual(
      inBundle.map((f) => [f.path, f.isDir, f.fileSize]).sort(),
      [["bundle/a", true, undefined], ["bundle/top.txt", false, 3]],
    );
    const deep = await artifacts.list(run.artifact_uri, "bundle/a/b/c");
    assert.deepEqual(deep.map((f) => f.path).sort(), [
      "bundle/a/b/c/three.txt",
      "bundle/a/b/c/with space é.txt",
    ]);

    const walked: string[] = [];
    for await (const f of artifacts.walk(run.artifact_uri)) {
      assert.equal(f.isDir, false);
      walked.push(f.path);
    }
    assert.deepEqual(walked.sort(), Object.keys(files).map((rel) => `bundle/${rel}`).sort());
    const walkedA: string[] = [];
    for await (const f of artifacts.walk(run.artifact_uri, "bundle/a/b")) walkedA.push(f.path);
    assert.deepEqual(walkedA.sort(), [
      "bundle/a/b/c/three.txt",
      "bundle/a/b/c/with space é.txt",
      "bundle/a/b/two.csv",
    ]);

    assert.deepEqual(await artifacts.list(run.artifact_uri, "no/such/folder"), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("downloadFile() and downloadDirectory() write files equal to the uploaded ones", async () => {
  const { transport, artifacts } = setup();
  const run = await newRun(transport);
  const dir = await Deno.makeTempDir({ prefix: "evalkit-artifacts-" });
  try {
    const content = new Uint8Array(300_001).map((_, i) => (i ^ (i >> 8)) & 0xff);
    await Deno.writeFile(`${dir}/model.bin`, content);
    const up = await artifacts.uploadFile(run.artifact_uri, `${dir}/model.bin`, "model");
    assert.deepEqual(up, { path: "model/model.bin", isDir: false, fileSize: 300_001 });
    await artifacts.upload(run.artifact_uri, "model/meta/MLmodel", "flavors: {}\n");
    const renamed = await artifacts.uploadFile(run.artifact_uri, `${dir}/model.bin`, "copies", {
      name: "w.bin",
    });
    assert.deepEqual(renamed, { path: "copies/w.bin", isDir: false, fileSize: 300_001 });
    assert.deepEqual(
      await bytesOf(await artifacts.download(run.artifact_uri, "copies/w.bin")),
      content,
    );

    const got = await artifacts.downloadFile(
      run.artifact_uri,
      "model/model.bin",
      `${dir}/out/deep/copy.bin`,
    );
    assert.equal(got.fileSize, 300_001);
    assert.deepEqual(await Deno.readFile(`${dir}/out/deep/copy.bin`), content);

    const all = await artifacts.downloadDirectory(run.artifact_uri, "model", `${dir}/mirror`);
    assert.deepEqual(all.map((f) => f.path).sort(), ["model/meta/MLmodel", "model/model.bin"]);
    assert.deepEqual(await Deno.readFile(`${dir}/mirror/model.bin`), content);
    assert.equal(await Deno.readTextFile(`${dir}/mirror/meta/MLmodel`), "flavors: {}\n");
    const leftovers: string[] = [];
    for await (const e of Deno.readDir(`${dir}/out/deep`)) leftovers.push(e.name);
    assert.deepEqual(leftovers, ["copy.bin"], "no temporary .part file is left behind");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a missing artifact surfaces as MlflowApiError RESOURCE_DOES_NOT_EXIST and leaves no local file", async () => {
  const { transport, artifacts } = setup();
  const run = await newRun(transport);
  const dir = await Deno.makeTempDir({ prefix: "evalkit-artifacts-" });
  try {
    const err = await artifacts.downloadFile(run.artifact_uri, "nope.txt", `${dir}/nope.txt`).catch(
      (e) => e,
    );
    assert.ok(err instanceof MlflowApiError, String(err));
    assert.equal(err.status, 404);
    assert.equal(err.errorCode, "RESOURCE_DOES_NOT_EXIST");
    assert.deepEqual([...Deno.readDirSync(dir)], []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("artifact paths with '..' segments, absolute paths or backslashes are refused before any request", async (t) => {
  const { transport, artifacts } = setup();
  const run = await newRun(transport);
  for (
    const bad of [
      "../escape.txt",
      "a/../../b.txt",
      "/etc/passwd",
      "C:/x.txt",
      "a\\b.txt",
      "file:///x",
    ]
  ) {
    await t.step(`'${bad}' is refused`, async () => {
      await assert.rejects(() => artifacts.upload(run.artifact_uri, bad, "x"), TypeError);
      await assert.rejects(() => artifacts.download(run.artifact_uri, bad), TypeError);
      await assert.rejects(() => artifacts.list(run.artifact_uri, bad), TypeError);
    });
  }
  await t.step(
    "'#' and '%XX' are refused for the MLflow server (it decodes or rejects them)",
    async () => {
      await assert.rejects(
        () => artifacts.upload(run.artifact_uri, "a%20b.txt", "x"),
        /'%' followed by two hex/,
      );
      await assert.rejects(() => artifacts.upload(run.artifact_uri, "a#b.txt", "x"), /without '#'/);
    },
  );
  assert.equal(normalizeArtifactPath("./a//b/./c.txt"), "a/b/c.txt");
  assert.deepEqual(await artifacts.list(run.artifact_uri), [], "nothing was written");
});

Deno.test("a 50 MB artifact uploads from a file and downloads to a file byte-identical with < 25 MB memory growth", async () => {
  const { transport } = setup();
  const run = await newRun(transport);
  const dir = await Deno.makeTempDir({ prefix: "evalkit-large-artifact-" });
  try {
    const child = new URL("./_large_artifact_child.ts", import.meta.url).pathname;
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--v8-flags=--expose-gc",
        child,
        testMlflowUri(),
        run.artifact_uri,
        dir,
        "50",
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, stderr);
    const r = JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").at(-1)!);
    const mb = 1024 * 1024;
    const growthMb = (r.rssPeak - r.rssBefore) / mb;
    console.error(
      `50 MB artifact: upload ${(50 / (r.uploadMs / 1000)).toFixed(0)} MB/s, ` +
        `download ${(50 / (r.downloadMs / 1000)).toFixed(0)} MB/s, ` +
        `RSS ${(r.rssBefore / mb).toFixed(1)} → peak ${(r.rssPeak / mb).toFixed(1)} MB (+${
          growthMb.toFixed(1)
        } MB)`,
    );
    assert.equal(r.bytes, 50 * mb);
    assert.equal(r.actual, r.expected, "SHA-256 of the downloaded file equals the original's");
    assert.deepEqual(r.uploaded, { path: "large/big.bin", isDir: false, fileSize: 50 * mb });
    assert.deepEqual(r.downloaded, { path: "large/big.bin", isDir: false, fileSize: 50 * mb });
    assert.deepEqual(r.listed, [{ path: "large/big.bin", isDir: false, fileSize: 50 * mb }]);
    assert.ok(r.gcExposed);
    // "Well under 50 MB": half of it. Buffering the file once would already exceed it.
    assert.ok(growthMb < 25, `memory grew by ${growthMb.toFixed(1)} MB`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("logTable() writes MLflow's table JSON, appends rows, and records the table in mlflow.loggedArtifacts", async () => {
  const { transport, artifacts } = setup();
  const run = await newRun(transport);
  await artifacts.logTable(run.run_id, "eval/results.json", {
    columns: ["question", "score"],
    data: [["2+2?", 1], ["capital?", NaN]],
  });
  await artifacts.logTable(run.run_id, "eval/results.json", {
    columns: ["question", "score", "note"],
    data: [["3+3?", 0, "wrong"]],
  });
  await artifacts.logTable(run.run_id, "other.json", { columns: ["a"], data: [[true]] });
  await artifacts.logTable(run.run_id, "other.json", { columns: ["a"], data: [[false]] }, {
    append: false,
  });

  assert.deepEqual(JSON.parse(await artifacts.readText(run.artifact_uri, "eval/results.json")), {
    columns: ["question", "score", "note"],
    data: [["2+2?", 1, null], ["capital?", null, null], ["3+3?", 0, "wrong"]],
  });
  assert.deepEqual(JSON.parse(await artifacts.readText(run.artifact_uri, "other.json")), {
    columns: ["a"],
    data: [[false]],
  });
  const got = await transport.get<{ run: { data: { tags: { key: string; value: string }[] } } }>(
    "/api/2.0/mlflow/runs/get",
    { query: { run_id: run.run_id } },
  );
  const tag = got.run.data.tags.find((t) => t.key === LOGGED_ARTIFACTS_TAG);
  assert.equal(
    tag?.value,
    '[{"path": "eval/results.json", "type": "table"}, {"path": "other.json", "type": "table"}]',
  );
  await assert.rejects(
    () => artifacts.logTable(run.run_id, "t.csv", { columns: ["a"], data: [] }),
    /ending in '\.json'/,
  );
  await assert.rejects(
    () => artifacts.logTable(run.run_id, "t.json", { columns: ["a", "b"], data: [[1]] }),
    /row 0 .* 2 cells but found 1/,
  );
});

Deno.test("a registered repository handles its scheme, and file uploads reopen the file for each attempt", async () => {
  const dir = await Deno.makeTempDir({ prefix: "evalkit-artifacts-" });
  try {
    const local = new LocalArtifactRepository(`file://${dir}/store`);
    const opened: Uint8Array[] = [];
    // A store that fails the first attempt the way a dropped connection would, then delegates.
    const flaky = (): ArtifactRepository => ({
      async upload(path: string, body: ArtifactUploadBody) {
        assert.equal(body.replayable, true);
        const first = await body.open();
        opened.push(
          await bytesOf(
            first instanceof Uint8Array
              ? new Blob([first as Uint8Array<ArrayBuffer>]).stream()
              : first,
          ),
        );
        await local.upload(path, body);
      },
      list: (path: string) => local.list(path),
      download: (path: string) => local.download(path),
    });
    registerArtifactRepository("flaky-test", flaky);
    const artifacts = new ArtifactsApi(new MlflowTransport({ trackingUri: testMlflowUri() }));
    await Deno.writeTextFile(`${dir}/report.txt`, "report body");
    await artifacts.uploadFile("flaky-test://bucket/run", `${dir}/report.txt`, "reports");
    assert.deepEqual(opened.map((b) => new TextDecoder().decode(b)), ["report body"]);
    assert.equal(await Deno.readTextFile(`${dir}/store/reports/report.txt`), "report body");
    assert.deepEqual(await artifacts.list("flaky-test://bucket/run", "reports"), [
      { path: "reports/report.txt", isDir: false, fileSize: 11 },
    ]);
    assert.equal(
      await artifacts.readText("flaky-test://bucket/run", "reports/report.txt"),
      "report body",
    );

    // file: URIs use the local repository; a per-client factory wins over the global one.
    await artifacts.upload(`file://${dir}/plain`, "x/y.txt", "local");
    assert.equal(await Deno.readTextFile(`${dir}/plain/x/y.txt`), "local");
    const mine = new ArtifactsApi(new MlflowTransport({ trackingUri: testMlflowUri() }), {
      repositories: { "flaky-test": () => new LocalArtifactRepository(`${dir}/other`) },
    });
    await mine.upload("flaky-test://bucket/run", "z.txt", "mine");
    assert.equal(await Deno.readTextFile(`${dir}/other/z.txt`), "mine");
    assert.throws(() => artifacts.repository("s3://bucket/x"), /registerArtifactRepository\("s3"/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a file upload is retried after a 503 and a dropped connection, reopening the file each time", async () => {
  const { transport: direct } = setup();
  const run = await newRun(direct);
  await using proxy = await startFaultProxy(testMlflowUri());
  const artifacts = new ArtifactsApi(
    new MlflowTransport({ trackingUri: proxy.uri, retry: { baseDelayMs: 5, maxDelayMs: 20 } }),
  );
  const dir = await Deno.makeTempDir({ prefix: "evalkit-artifacts-" });
  try {
    const content = new Uint8Array(256_000).map((_, i) => (i * 7 + 3) & 0xff);
    await Deno.writeFile(`${dir}/weights.bin`, content);
    const isPut = (r: { method: string }) => r.method === "PUT";
    proxy.inject({ kind: "status", status: 503, headers: { "Retry-After": "0" } }, {
      match: isPut,
    });
    proxy.inject({ kind: "drop", when: "before" }, { match: isPut });
    const up = await artifacts.uploadFile(run.artifact_uri, `${dir}/weights.bin`, "model");
    assert.equal(up.fileSize, 256_000);
    assert.deepEqual(proxy.requests.filter(isPut).map((r) => r.fault), [
      "status",
      "drop",
      undefined,
    ]);
    const back = await new ArtifactsApi(direct).download(run.artifact_uri, "model/weights.bin");
    assert.deepEqual(await bytesOf(back), content);

    // A caller's stream can be sent only once: the 503 surfaces instead of a retry.
    proxy.inject({ kind: "status", status: 503, headers: { "Retry-After": "0" } }, {
      match: isPut,
    });
    const err = await artifacts.upload(run.artifact_uri, "once.bin", new Blob([content]).stream())
      .catch((e) => e);
    assert.ok(err instanceof MlflowApiError, String(err));
    assert.equal(err.status, 503);
    assert.equal(err.attempts, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("unusual but valid names and empty files round-trip", async () => {
  const { transport, artifacts } = setup();
  const run = await newRun(transport);
  const names = [
    "ü.txt",
    "a b.txt",
    "a%b.txt",
    "a?b.txt",
    "a+b.txt",
    "a&b=c.txt",
    "a;b.txt",
    "a:b.txt",
  ];
  for (const name of names) {
    await artifacts.upload(run.artifact_uri, `names/${name}`, `content of ${name}`);
  }
  for (const name of names) {
    assert.equal(await artifacts.readText(run.artifact_uri, `names/${name}`), `content of ${name}`);
  }
  assert.deepEqual(
    (await artifacts.list(run.artifact_uri, "names")).map((f) => f.path).sort(),
    names.map((n) => `names/${n}`).sort(),
  );

  const dir = await Deno.makeTempDir({ prefix: "evalkit-artifacts-" });
  try {
    await Deno.writeFile(`${dir}/empty.txt`, new Uint8Array(0));
    await artifacts.uploadFile(run.artifact_uri, `${dir}/empty.txt`, "empty");
    await artifacts.upload(run.artifact_uri, "empty/bytes.bin", new Uint8Array(0));
    assert.deepEqual(await artifacts.list(run.artifact_uri, "empty"), [
      { path: "empty/bytes.bin", isDir: false, fileSize: 0 },
      { path: "empty/empty.txt", isDir: false, fileSize: 0 },
    ]);
    assert.equal(await artifacts.readText(run.artifact_uri, "empty/empty.txt"), "");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
