/**
 * Auth against a real MLflow server started with `--app-name basic-auth` (needs Flask-WTF,
 * pinned in requirements.txt) and a path prefix (`--static-prefix /tenant-a`). The server's
 * authorization function is tests/fixtures/mlflow_auth/evalkit_bearer_auth.py: MLflow's own
 * basic-auth check for `Basic`, a fixed token for `Bearer`, and a 401 that echoes the
 * Authorization header back (so redaction of reflected credentials is tested too).
 */
import assert from "node:assert/strict";
import { MlflowTransport } from "../../lib/mlflow/transport.ts";
import { ArtifactsApi } from "../../lib/mlflow/artifacts.ts";
import { MlflowApiError } from "../../lib/_internal/errors.ts";
import { uniqueName } from "../_helpers/mlflow.ts";
import { ADMIN, PASSWORD, startAuthServer, TOKEN } from "../_helpers/mlflow_auth_server.ts";

/** Every text an error exposes: message, stack, fields, JSON. */
function everything(err: MlflowApiError): string {
  return [err.message, err.stack ?? "", err.serverMessage, JSON.stringify(err), String(err)].join(
    "\n",
  );
}

function assertNoSecret(err: MlflowApiError, secrets: string[]): void {
  const text = everything(err);
  for (const s of secrets) {
    assert.ok(!text.includes(s), `error text leaks '${s.slice(0, 4)}…': ${text}`);
  }
}

Deno.test("auth: basic and bearer against a real MLflow basic-auth server under a path prefix", async (t) => {
  await using server = await startAuthServer();
  const experiment = uniqueName("auth");

  await t.step("no credentials → MlflowApiError 401 UNAUTHENTICATED", async () => {
    const tr = new MlflowTransport({ trackingUri: server.uri, retry: { maxRetries: 0 } });
    const err = await tr.get("/api/2.0/mlflow/experiments/get", { query: { experiment_id: "0" } })
      .catch((e) => e);
    assert.ok(err instanceof MlflowApiError, String(err));
    assert.equal(err.status, 401);
    assert.equal(err.errorCode, "UNAUTHENTICATED");
    assert.equal(err.endpoint, "/api/2.0/mlflow/experiments/get");
  });

  await t.step(
    "basic auth with the right password writes and reads back, artifacts included",
    async () => {
      const tr = new MlflowTransport({
        trackingUri: server.uri,
        auth: { type: "basic", username: ADMIN, password: PASSWORD },
      });
      const { experiment_id } = await tr.post<{ experiment_id: string }>(
        "/api/2.0/mlflow/experiments/create",
        {
          name: experiment,
        },
      );
      const { run } = await tr.post<{ run: { info: { run_id: string; artifact_uri: string } } }>(
        "/api/2.0/mlflow/runs/create",
        { experiment_id, start_time: Date.now() },
      );
      const artifacts = new ArtifactsApi(tr);
      await artifacts.upload(run.info.artifact_uri, "auth/ok.txt", "through the prefix");
      assert.equal(
        await artifacts.readText(run.info.artifact_uri, "auth/ok.txt"),
        "through the prefix",
      );
      assert.deepEqual(await artifacts.list(run.info.artifact_uri, "auth"), [
        { path: "auth/ok.txt", isDir: false, fileSize: 18 },
      ]);
    },
  );

  await t.step(
    "basic credentials in the tracking URI work and never show in the URL or errors",
    async () => {
      const u = new URL(server.uri);
      u.username = ADMIN;
      u.password = PASSWORD;
      const tr = new MlflowTransport({ trackingUri: u.toString() });
      assert.ok(!tr.baseUrl.includes(PASSWORD));
      const got = await tr.get<{ experiment: { name: string } }>(
        "/api/2.0/mlflow/experiments/get-by-name",
        {
          query: { experiment_name: experiment },
        },
      );
      assert.equal(got.experiment.name, experiment);
    },
  );

  await t.step(
    "a wrong basic password → 401 UNAUTHENTICATED without the credentials in the error",
    async () => {
      const wrong = "wrong-Passw0rd-123456";
      const tr = new MlflowTransport({
        trackingUri: server.uri,
        auth: { type: "basic", username: ADMIN, password: wrong },
      });
      const err = await tr.get("/api/2.0/mlflow/experiments/get", { query: { experiment_id: "0" } })
        .catch((e) => e);
      assert.ok(err instanceof MlflowApiError, String(err));
      assert.equal(err.status, 401);
      assert.equal(err.errorCode, "UNAUTHENTICATED");
      // The server echoed the header back; the client redacted it.
      assert.match(err.serverMessage, /Invalid credentials\. Authorization: Basic \[REDACTED\]/);
      assertNoSecret(err, [wrong, btoa(`${ADMIN}:${wrong}`), PASSWORD]);
    },
  );

  await t.step(
    "bearer token: the right one reads and writes, a wrong one → 401 without the token",
    async () => {
      const tr = new MlflowTransport({
        trackingUri: server.uri,
        auth: { type: "bearer", token: TOKEN },
      });
      const got = await tr.get<{ experiment: { name: string } }>(
        "/api/2.0/mlflow/experiments/get-by-name",
        {
          query: { experiment_name: experiment },
        },
      );
      assert.equal(got.experiment.name, experiment);
      await tr.post("/api/2.0/mlflow/experiments/set-experiment-tag", {
        experiment_id: (got.experiment as unknown as { experiment_id: string }).experiment_id,
        key: "via",
        value: "bearer",
      });

      const wrongToken = "evk-tok-" + "f".repeat(32);
      const bad = new MlflowTransport({
        trackingUri: server.uri,
        auth: { type: "bearer", token: wrongToken },
      });
      const err = await bad.get("/api/2.0/mlflow/experiments/get", {
        query: { experiment_id: "0" },
      }).catch((e) => e);
      assert.ok(err instanceof MlflowApiError, String(err));
      assert.equal(err.status, 401);
      assert.equal(err.errorCode, "UNAUTHENTICATED");
      assert.match(err.serverMessage, /Invalid credentials\. Authorization: Bearer \[REDACTED\]/);
      assertNoSecret(err, [wrongToken, TOKEN]);

      const dynamic = new MlflowTransport({
        trackingUri: server.uri,
        auth: { type: "dynamic", getToken: () => Promise.resolve(TOKEN) },
      });
      const again = await dynamic.get<{ experiment: { tags?: { key: string; value: string }[] } }>(
        "/api/2.0/mlflow/experiments/get-by-name",
        { query: { experiment_name: experiment } },
      );
      assert.deepEqual(again.experiment.tags?.find((x) => x.key === "via")?.value, "bearer");
    },
  );

  await t.step("artifact uploads need credentials too", async () => {
    const anon = new ArtifactsApi(
      new MlflowTransport({ trackingUri: server.uri, retry: { maxRetries: 0 } }),
    );
    const err = await anon.upload("mlflow-artifacts:/0/anon", "x.txt", "x").catch((e) => e);
    assert.ok(err instanceof MlflowApiError, String(err));
    assert.equal(err.status, 401);
    assert.equal(err.errorCode, "UNAUTHENTICATED");
  });
});
