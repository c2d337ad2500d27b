import assert from "node:assert/strict";
import { databricksTarget, OAuthM2MTokenSource } from "../../lib/mlflow/databricks/mod.ts";
import { startDatabricksStandin } from "../_helpers/databricks_standin.ts";
import { testMlflowUri } from "../_helpers/mlflow.ts";

const CLIENT_ID = "sp-0000-aaaa";
const SECRET = "dose0123456789secretvalue";

Deno.test("OAuth M2M: one token from /oidc/v1/token serves concurrent calls to the real MLflow server", async () => {
  await using standin = await startDatabricksStandin({
    mlflowUri: testMlflowUri(),
    oauthClients: { [CLIENT_ID]: SECRET },
  });
  const target = databricksTarget("databricks", {
    env: {
      DATABRICKS_HOST: standin.url,
      DATABRICKS_CLIENT_ID: CLIENT_ID,
      DATABRICKS_CLIENT_SECRET: SECRET,
    },
  });
  assert.equal(target.auth.type, "dynamic");
  await Promise.all(
    Array.from(
      { length: 5 },
      () =>
        target.transport.get("/api/2.0/mlflow/experiments/search", { query: { max_results: 1 } }),
    ),
  );
  await target.verify();
  assert.equal(standin.stats.tokensIssued, 1);
  assert.equal(standin.stats.unauthenticated, 0);
  assert.equal(standin.stats.forwarded, 6, "every tracking call reached the real MLflow server");
});

Deno.test("OAuth M2M: the cached token is replaced before it expires (clock driven)", async () => {
  await using standin = await startDatabricksStandin({
    mlflowUri: testMlflowUri(),
    oauthClients: { [CLIENT_ID]: SECRET },
  });
  let now = 1_000_000;
  const source = new OAuthM2MTokenSource({
    host: standin.url,
    clientId: CLIENT_ID,
    clientSecret: SECRET,
    refreshMarginMs: 5 * 60_000,
    now: () => now,
  });
  const first = await source.getToken();
  now += 3600_000 - 5 * 60_000 - 1; // just before the refresh point of a one-hour token
  assert.equal(await source.getToken(), first);
  assert.equal(source.fetchCount, 1);
  now += 2; // past the refresh point, still before expiry
  const second = await source.getToken();
  assert.notEqual(second, first);
  assert.equal(source.fetchCount, 2);
  assert.equal(standin.stats.tokensIssued, 2);
});

Deno.test("OAuth M2M: with short-lived tokens, calls keep working across real expiry", async () => {
  await using standin = await startDatabricksStandin({
    mlflowUri: testMlflowUri(),
    oauthClients: { [CLIENT_ID]: SECRET },
    tokenLifetimeSeconds: 2,
  });
  const target = databricksTarget("databricks", {
    env: {
      DATABRICKS_HOST: standin.url,
      DATABRICKS_CLIENT_ID: CLIENT_ID,
      DATABRICKS_CLIENT_SECRET: SECRET,
    },
    oauthRefreshMarginMs: 500,
    retry: { maxRetries: 0 },
  });
  await target.verify();
  await new Promise((r) => setTimeout(r, 2100)); // the first token has now expired at the stand-in
  await target.verify();
  assert.equal(standin.stats.tokensIssued, 2);
  assert.equal(standin.stats.unauthenticated, 0);
});

Deno.test("OAuth M2M: a wrong secret names the settings and never shows the secret", async (t) => {
  await using standin = await startDatabricksStandin({
    mlflowUri: testMlflowUri(),
    oauthClients: { [CLIENT_ID]: SECRET },
  });
  await t.step("from the environment", async () => {
    const target = databricksTarget("databricks", {
      env: {
        DATABRICKS_HOST: standin.url,
        DATABRICKS_CLIENT_ID: CLIENT_ID,
        DATABRICKS_CLIENT_SECRET: "wrong-secret-x",
      },
    });
    await assert.rejects(target.verify(), (err: Error) => {
      assert.match(err.message, /HTTP 401 invalid_client/);
      assert.match(err.message, /check DATABRICKS_CLIENT_ID \/ DATABRICKS_CLIENT_SECRET/);
      assert.ok(!err.message.includes("wrong-secret-x"));
      return true;
    });
  });
  await t.step("from a profile of the file in DATABRICKS_CONFIG_FILE", async () => {
    const dir = await Deno.makeTempDir();
    try {
      const file = `${dir}/databrickscfg`;
      await Deno.writeTextFile(
        file,
        `[ci]\nhost = ${standin.url}\nclient_id = ${CLIENT_ID}\nclient_secret = not-it\n\n[good]\nhost = ${standin.url}\nclient_id = ${CLIENT_ID}\nclient_secret = ${SECRET}\n`,
      );
      const bad = databricksTarget("databricks://ci", { env: { DATABRICKS_CONFIG_FILE: file } });
      await assert.rejects(bad.verify(), (err: Error) => {
        assert.match(
          err.message,
          new RegExp(`check 'client_id' in profile \\[ci\\] of ${file} / 'client_secret'`),
        );
        assert.ok(!err.message.includes("not-it"));
        return true;
      });
      const good = databricksTarget("databricks://good", { env: { DATABRICKS_CONFIG_FILE: file } });
      await good.verify();
      assert.equal(good.config.source, `profile [good] of ${file}`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
});

Deno.test("OAuth M2M: the token request retries each transient status and a refused connection", async (t) => {
  for (const status of [408, 429, 500, 502, 503, 504]) {
    await t.step(`HTTP ${status}`, async () => {
      let calls = 0;
      // a Databricks-only endpoint: a local stand-in for /oidc/v1/token
      await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => {
        calls++;
        return calls === 1
          ? new Response("busy", { status })
          : Response.json({ access_token: "tok-1", expires_in: 3600 });
      });
      const source = new OAuthM2MTokenSource({
        host: `http://127.0.0.1:${server.addr.port}`,
        clientId: "id",
        clientSecret: "s",
        retryBaseMs: 1,
      });
      assert.equal(await source.getToken(), "tok-1");
      assert.equal(calls, 2);
    });
  }
  await t.step("refused connection, then a final 401 is not retried", async () => {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = listener.addr.port;
    listener.close();
    const refused = new OAuthM2MTokenSource({
      host: `http://127.0.0.1:${port}`,
      clientId: "id",
      clientSecret: "s",
      retryBaseMs: 1,
    });
    await assert.rejects(refused.getToken(), /OAuth token request to .* failed/);
    let calls = 0;
    await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => {
      calls++;
      return Response.json({ error: "invalid_client" }, { status: 401 });
    });
    const denied = new OAuthM2MTokenSource({
      host: `http://127.0.0.1:${server.addr.port}`,
      clientId: "id",
      clientSecret: "s",
      retryBaseMs: 1,
    });
    await assert.rejects(denied.getToken(), /HTTP 401 invalid_client/);
    assert.equal(calls, 1);
  });
});
