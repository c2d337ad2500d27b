/**
 * #18 item 7: redaction of secret shapes (a table), and server answers that echo the
 * Authorization header: nothing of the credential reaches the acknowledgement log, `end()`'s
 * result or the sync report — for a refusal (401, kept pending) and for a rejection (400,
 * recorded as the operation's permanent error).
 */
import assert from "node:assert/strict";
import { redact } from "../../lib/_internal/errors.ts";
import { MlflowClient } from "../../lib/mlflow/mod.ts";
import { AgentTracker, syncStore } from "../../lib/tracking/mod.ts";
import { startFaultProxy } from "../_helpers/fault_proxy.ts";
import { testMlflowUri, uniqueName } from "../_helpers/mlflow.ts";
import { tempHome } from "./_helpers.ts";

Deno.test("redact() removes every secret shape and leaves ordinary messages alone", async (t) => {
  const secret: [string, string][] = [
    ["Authorization: Bearer x", "x"],
    [`{"Authorization": "Bearer x"}`, "x"],
    [`{'authorization': 'Basic dXNlcjpwYXNz'}`, "dXNlcjpwYXNz"],
    ["HTTP_AUTHORIZATION=Bearer abc", "abc"],
    ["Authorization: token ghp_abc", "ghp_abc"],
    ["token s3cr3t-value", "s3cr3t-value"],
    ["Token abcdef123456", "abcdef123456"],
    ["refused: the token q1w2e3 is not valid", "q1w2e3"],
    ["password hunter2", "hunter2"],
    ["invalid token dapi0123456789abcdef0123", "dapi0123456789abcdef0123"],
    ["token=abc&x=1", "abc"],
    ["password: 'p4ss'", "p4ss"],
    [`"client_secret":"cs-1"`, "cs-1"],
    ["X-Api-Key: abc123def", "abc123def"],
    ["api_key=zzz", "zzz"],
    [`"access_token": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.abc"`, "eyJhbGci"],
    ["jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2ln", "eyJzdWIi"],
    ["bearer abcdefgh12345678", "abcdefgh12345678"],
    ["https://ann:pw-123@host/x", "pw-123"],
  ];
  for (const [text, value] of secret) {
    await t.step(`secret: ${text}`, () => {
      const out = redact(text);
      assert.ok(!out.includes(value), `${text} → ${out}`);
      assert.match(out, /\[REDACTED\]/);
    });
  }
  for (
    const text of [
      "Invalid access token.",
      "token is expired",
      "password must be set",
      "Set MLFLOW_TRACKING_TOKEN or pass a token",
      "Run 'abc123' not found",
      "Credential was not sent or was of an unsupported type for this API.",
    ]
  ) {
    await t.step(`kept: ${text}`, () => assert.equal(redact(text), text));
  }
});

async function storeText(dir: string): Promise<string> {
  let out = "";
  for await (const e of Deno.readDir(dir)) {
    const p = `${dir}/${e.name}`;
    out += e.isDirectory ? await storeText(p) : await Deno.readTextFile(p);
  }
  return out;
}

for (
  const c of [
    { status: 401, token: "x9", kept: "pending" },
    { status: 401, token: "tok-echoed-4d5e6f", kept: "pending" },
    { status: 400, token: "x9", kept: "rejected" },
    { status: 400, token: "tok-echoed-4d5e6f", kept: "rejected" },
  ] as const
) {
  Deno.test(`a ${c.status} whose body echoes the Authorization header (token of ${c.token.length} characters) leaves no credential in the store or the reports`, async () => {
    const upstream = testMlflowUri();
    await using proxy = await startFaultProxy(upstream);
    // A gateway that echoes the request's headers in odd shapes.
    const echo = JSON.stringify({
      error_code: c.status === 401 ? "UNAUTHENTICATED" : "BAD_REQUEST",
      message: `refused; request headers: {'Authorization': 'Bearer ${c.token}'} ` +
        `raw=[Bearer, ${c.token}] authorization="Bearer ${c.token}"`,
    });
    proxy.inject(
      {
        kind: "status",
        status: c.status,
        headers: { "Content-Type": "application/json" },
        body: echo,
      },
      {
        match: (r) => c.status === 401 || r.path.includes("log-batch"),
        times: 1_000_000,
      },
    );
    const home = await tempHome();
    const storeDir = `${home}/store`;
    using client = new MlflowClient({
      trackingUri: proxy.uri,
      auth: { type: "bearer", token: c.token },
      retry: { maxRetries: 0 },
    });
    const tracker = new AgentTracker("echo_agent", {
      trackingUri: proxy.uri,
      client,
      storeDir,
      experimentName: uniqueName("echo"),
      createTimeoutMs: 5_000,
      deliveryTimeoutMs: 10_000,
    });
    const run = await tracker.startRun({});
    run.logMetrics({ x: 1 });
    const ended = await run.end();
    const report = await syncStore({ client, uri: proxy.uri, storeDir, timeoutMs: 5_000 });
    if (c.kept === "pending") {
      assert.ok(ended.pending > 0);
      assert.equal(ended.rejected.length, 0);
    } else {
      assert.equal(ended.rejected.length, 1, JSON.stringify(ended));
      assert.match(ended.rejected[0]!.error, /\[REDACTED\]/);
    }
    const seen = [
      await storeText(storeDir),
      JSON.stringify(ended),
      JSON.stringify(report),
    ].join("\n");
    assert.ok(!seen.includes(`Bearer ${c.token}`), seen);
    assert.ok(!seen.includes(`, ${c.token}]`), seen);
    if (c.token.length >= 6) assert.ok(!seen.includes(c.token), seen);
    tracker.close();
    await Deno.remove(home, { recursive: true });
  });
}
