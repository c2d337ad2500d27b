import assert from "node:assert/strict";
import { detectDataDrift, sendDriftAlert } from "../../lib/drift/mod.ts";

function drifted() {
  const base = Array.from({ length: 100 }, (_, i) => i);
  return detectDataDrift({ income: base }, { income: base.map((v) => v + 50) });
}

Deno.test("sendDriftAlert() retries after a failure and delivers a Slack-compatible JSON body", async () => {
  const bodies: Record<string, unknown>[] = [];
  const contentTypes: (string | null)[] = [];
  let calls = 0;
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (req) => {
      calls++;
      contentTypes.push(req.headers.get("content-type"));
      bodies.push(await req.json());
      return calls === 1 ? new Response("busy", { status: 503 }) : new Response("ok");
    },
  );
  const url = `http://127.0.0.1:${server.addr.port}/hook`;
  const result = await sendDriftAlert(drifted(), { url, retries: 2, backoffMs: 10 });
  assert.deepEqual(result, { delivered: true, attempts: 2, status: 200 });
  assert.equal(bodies.length, 2);
  assert.deepEqual(contentTypes, ["application/json", "application/json"]);
  assert.match(bodies[1]!.text as string, /DRIFT DETECTED[\s\S]*income/);
  assert.deepEqual((bodies[1]!.drift as { driftedFeatures: string[] }).driftedFeatures, ["income"]);
});

Deno.test("sendDriftAlert() gives up after its retries and reports it without throwing", async () => {
  let calls = 0;
  await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => {
    calls++;
    return new Response("down", { status: 500 });
  });
  const result = await sendDriftAlert(drifted(), {
    url: `http://127.0.0.1:${server.addr.port}/`,
    retries: 1,
    backoffMs: 5,
  });
  assert.deepEqual(result, { delivered: false, attempts: 2, status: 500, error: "HTTP 500" });
  assert.equal(calls, 2);
});

Deno.test("sendDriftAlert() does not retry a 4xx other than 429", async () => {
  let calls = 0;
  await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => {
    calls++;
    return new Response("nope", { status: 404 });
  });
  const r = await sendDriftAlert(drifted(), {
    url: `http://127.0.0.1:${server.addr.port}/`,
    retries: 3,
    backoffMs: 5,
  });
  assert.equal(r.delivered, false);
  assert.equal(calls, 1);
});

Deno.test("sendDriftAlert() says why a send failed without printing the webhook's secret path", async () => {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close(); // nothing listens there now
  const r = await sendDriftAlert(drifted(), {
    url: `http://127.0.0.1:${port}/services/T000/B000/SECRETXYZ`,
    retries: 0,
  });
  assert.equal(r.delivered, false);
  assert.match(r.error!, /Connection refused/);
  assert.match(r.error!, new RegExp(`http://127\\.0\\.0\\.1:${port}/…`));
  assert.ok(!r.error!.includes("SECRETXYZ"), r.error!);
});

Deno.test("sendDriftAlert() refuses a URL that is not absolute http(s), without echoing it", async () => {
  await assert.rejects(
    sendDriftAlert(drifted(), { url: "hooks.example/SECRETXYZ" }),
    (e: unknown) =>
      e instanceof TypeError && /an invalid URL/.test(e.message) && !e.message.includes("SECRET"),
  );
  await assert.rejects(
    sendDriftAlert(drifted(), { url: "file:///tmp/SECRETXYZ" }),
    { name: "TypeError", message: /found protocol file:/ },
  );
});

Deno.test("sendDriftAlert() retries each transient status: 408, 429, 500, 502, 503, 504", async (t) => {
  for (const status of [408, 429, 500, 502, 503, 504]) {
    await t.step(`HTTP ${status}`, async () => {
      let calls = 0;
      await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => {
        calls++;
        return calls === 1 ? new Response("hiccup", { status }) : new Response("ok");
      });
      const r = await sendDriftAlert(drifted(), {
        url: `http://127.0.0.1:${server.addr.port}/`,
        retries: 2,
        backoffMs: 1,
      });
      assert.deepEqual(r, { delivered: true, attempts: 2, status: 200 });
      assert.equal(calls, 2);
    });
  }
});

Deno.test("sendDriftAlert() retries a network error and honours Retry-After", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close(); // nothing listens there now: connection refused
  const refused = await sendDriftAlert(drifted(), {
    url: `http://127.0.0.1:${port}/`,
    retries: 2,
    backoffMs: 1,
  });
  assert.equal(refused.delivered, false);
  assert.equal(refused.attempts, 3);
  assert.equal(refused.status, undefined);

  const seen: number[] = [];
  await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => {
    seen.push(Date.now());
    return seen.length === 1
      ? new Response("slow down", { status: 429, headers: { "Retry-After": "1" } })
      : new Response("ok");
  });
  const r = await sendDriftAlert(drifted(), {
    url: `http://127.0.0.1:${server.addr.port}/`,
    retries: 1,
    backoffMs: 1,
  });
  assert.equal(r.delivered, true);
  assert.ok(seen[1]! - seen[0]! >= 900, `waited ${seen[1]! - seen[0]!} ms`);
});
