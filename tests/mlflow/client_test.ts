import assert from "node:assert/strict";
import { MlflowApiError, MlflowClient, resolveTrackingTarget } from "../../lib/mlflow/mod.ts";
import { startFaultProxy } from "../_helpers/fault_proxy.ts";
import { testMlflowUri } from "../_helpers/mlflow.ts";

Deno.test("MlflowClient.fromEnv() needs MLFLOW_TRACKING_URI", () => {
  assert.throws(() => MlflowClient.fromEnv({ env: {} }), /MLFLOW_TRACKING_URI is not set/);
});

Deno.test("MlflowClient.fromEnv() sends Basic auth, which beats the token as in MLflow's Python client", async () => {
  await using proxy = await startFaultProxy(testMlflowUri());
  using client = MlflowClient.fromEnv({
    env: {
      MLFLOW_TRACKING_URI: proxy.uri,
      MLFLOW_TRACKING_USERNAME: "ana",
      MLFLOW_TRACKING_PASSWORD: "pässword",
      MLFLOW_TRACKING_TOKEN: "tok-123",
    },
  });
  await client.experiments.get("0");
  const expected = "Basic " +
    btoa(String.fromCharCode(...new TextEncoder().encode("ana:pässword")));
  assert.equal(proxy.requests[0]?.headers.authorization, expected);
});

Deno.test("MlflowClient.fromEnv() sends the token as Bearer when no username/password is set", async () => {
  await using proxy = await startFaultProxy(testMlflowUri());
  using client = MlflowClient.fromEnv({
    env: { MLFLOW_TRACKING_URI: proxy.uri, MLFLOW_TRACKING_TOKEN: "tok-123" },
  });
  await client.experiments.get("0");
  assert.equal(proxy.requests[0]?.headers.authorization, "Bearer tok-123");
  assert.equal(
    proxy.requests[0]?.headers.origin,
    undefined,
    "no Origin header (MLflow's CORS guard)",
  );
});

Deno.test("resolveTrackingTarget() reads timeout and retries and refuses half-set basic auth", () => {
  const env: Record<string, string> = {
    MLFLOW_HTTP_REQUEST_TIMEOUT: "2.5",
    MLFLOW_HTTP_REQUEST_MAX_RETRIES: "3",
  };
  const t = resolveTrackingTarget("http://127.0.0.1:5000/prefix", (n) => env[n]);
  assert.equal(t.transport.timeoutMs, 2500);
  assert.deepEqual(t.transport.retry, { maxRetries: 3 });
  assert.equal(t.transport.auth, undefined);
  assert.throws(
    () =>
      resolveTrackingTarget(
        "http://h",
        (n) => ({ MLFLOW_TRACKING_USERNAME: "a" } as Record<string, string>)[n],
      ),
    /Set both MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD/,
  );
  assert.throws(
    () =>
      resolveTrackingTarget(
        "http://h",
        (n) => ({ MLFLOW_HTTP_REQUEST_MAX_RETRIES: "many" } as Record<string, string>)[n],
      ),
    RangeError,
  );
});

Deno.test("resolveTrackingTarget() resolves Databricks URIs through lib/mlflow/databricks", async (t) => {
  await t.step("without settings the error names what to set", () => {
    for (const uri of ["databricks", "databricks://prod"]) {
      assert.throws(() => resolveTrackingTarget(uri, () => undefined), /DATABRICKS_HOST/);
    }
  });
  await t.step("databricks-uc is a registry URI, not a tracking URI", () => {
    assert.throws(
      () => resolveTrackingTarget("databricks-uc", () => undefined),
      /MLFLOW_REGISTRY_URI=databricks-uc/,
    );
  });
  await t.step("host and token give a bearer target with dbfs: artifacts and Unity Catalog", () => {
    const env: Record<string, string> = {
      DATABRICKS_HOST: "https://ws.example.com",
      DATABRICKS_TOKEN: "dapi0123456789abcdef0123456789abcdef",
      MLFLOW_HTTP_REQUEST_TIMEOUT: "7",
    };
    const target = resolveTrackingTarget("databricks", (n) => env[n]);
    assert.equal(target.transport.trackingUri, "https://ws.example.com");
    assert.equal(target.transport.auth?.type, "bearer");
    assert.equal(target.transport.timeoutMs, 7000);
    assert.deepEqual(Object.keys(target.artifactRepositories ?? {}), ["dbfs"]);
    assert.ok(target.unityCatalog);
    assert.throws(() => target.validateExperimentName?.("loan-evals"), TypeError);
    target.validateExperimentName?.("/Shared/ai-agents/loan_approval");
  });
});

Deno.test("resolveTrackingTarget() refuses store URIs that are not http(s)", () => {
  for (const uri of ["file:///tmp/mlruns", "sqlite:///mlflow.db", "./mlruns"]) {
    assert.throws(
      () => resolveTrackingTarget(uri, () => undefined),
      /http\(s\):\/\/ URL of an MLflow server/,
    );
  }
});

Deno.test("MLFLOW_TRACKING_INSECURE_TLS and MLFLOW_TRACKING_SERVER_CERT_PATH together are refused", () => {
  const env: Record<string, string> = {
    MLFLOW_TRACKING_URI: "https://127.0.0.1:1",
    MLFLOW_TRACKING_INSECURE_TLS: "true",
    MLFLOW_TRACKING_SERVER_CERT_PATH: "/tmp/ca.pem",
  };
  assert.throws(() => MlflowClient.fromEnv({ env }), /cannot both be set/);
});

async function haveOpenssl(): Promise<boolean> {
  try {
    return (await new Deno.Command("openssl", { args: ["version"], stdout: "null", stderr: "null" })
      .output())
      .success;
  } catch {
    return false;
  }
}

/** A private CA and a certificate for 127.0.0.1 signed by it. */
async function makeCerts(dir: string): Promise<{ ca: string; cert: string; key: string }> {
  const run = async (args: string[]) => {
    const out = await new Deno.Command("openssl", {
      args,
      cwd: dir,
      stdout: "null",
      stderr: "piped",
    }).output();
    if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  };
  await run([
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
    "-days",
    "2",
    "-subj",
    "/CN=evalkit test CA",
  ]);
  await run([
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "leaf.key",
    "-out",
    "leaf.csr",
    "-subj",
    "/CN=127.0.0.1",
  ]);
  await Deno.writeTextFile(
    `${dir}/ext.cnf`,
    "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n",
  );
  await run([
    "x509",
    "-req",
    "-in",
    "leaf.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    "leaf.pem",
    "-days",
    "2",
    "-extfile",
    "ext.cnf",
  ]);
  return {
    ca: `${dir}/ca.pem`,
    cert: await Deno.readTextFile(`${dir}/leaf.pem`),
    key: await Deno.readTextFile(`${dir}/leaf.key`),
  };
}

Deno.test({
  name:
    "MLFLOW_TRACKING_SERVER_CERT_PATH trusts a private CA; without it the error says what to do",
  ignore: !(await haveOpenssl()),
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "evalkit-tls-" });
    try {
      const { ca, cert, key } = await makeCerts(dir);
      const target = testMlflowUri();
      // An HTTPS front for the real server, with a certificate signed by the private CA.
      const server = Deno.serve(
        { hostname: "127.0.0.1", port: 0, cert, key, onListen() {} },
        async (req) => {
          const url = new URL(req.url);
          const res = await fetch(`${target}${url.pathname}${url.search}`, {
            method: req.method,
            headers: req.headers,
            body: req.body ? await req.bytes() : undefined,
          });
          return new Response(await res.bytes(), { status: res.status, headers: res.headers });
        },
      );
      const uri = `https://127.0.0.1:${server.addr.port}`;
      try {
        using trusted = MlflowClient.fromEnv({
          env: { MLFLOW_TRACKING_URI: uri, MLFLOW_TRACKING_SERVER_CERT_PATH: ca },
        });
        assert.equal((await trusted.experiments.get("0")).name, "Default");

        const untrusted = MlflowClient.fromEnv({
          env: { MLFLOW_TRACKING_URI: uri, MLFLOW_HTTP_REQUEST_MAX_RETRIES: "0" },
        });
        const err = await untrusted.experiments.get("0").catch((e) => e);
        assert.ok(err instanceof MlflowApiError);
        assert.match(err.message, /MLFLOW_TRACKING_SERVER_CERT_PATH/);

        // Deno cannot switch verification off per client: the error names the flag to use.
        const insecure = MlflowClient.fromEnv({
          env: {
            MLFLOW_TRACKING_URI: uri,
            MLFLOW_TRACKING_INSECURE_TLS: "true",
            MLFLOW_HTTP_REQUEST_MAX_RETRIES: "0",
          },
        });
        const err2 = await insecure.experiments.get("0").catch((e) => e);
        assert.ok(err2 instanceof MlflowApiError);
        assert.match(err2.message, /--unsafely-ignore-certificate-errors/);
      } finally {
        await server.shutdown();
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
