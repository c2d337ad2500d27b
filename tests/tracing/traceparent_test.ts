/** W3C traceparent: helpers, and HttpAgent sending the current span's context. */
import assert from "node:assert/strict";
import { HttpAgent } from "../../lib/agents/mod.ts";
import { formatTraceparent, parseTraceparent, Tracer } from "../../lib/tracing/mod.ts";

Deno.test("parseTraceparent takes valid headers and refuses malformed ones", async (t) => {
  const ok = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  const cases: [string, boolean][] = [
    [ok, true],
    [ok.toUpperCase(), true],
    ["00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00", true],
    ["01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra", true],
    ["ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", false],
    ["00-00000000000000000000000000000000-b7ad6b7169203331-01", false],
    ["00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01", false],
    ["00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra", false],
    ["00-0af7651916cd43dd8448eb211c8031-b7ad6b7169203331-01", false],
    ["", false],
  ];
  for (const [header, valid] of cases) {
    await t.step(
      header || "(empty)",
      () => assert.equal(parseTraceparent(header) !== undefined, valid),
    );
  }
  assert.equal(
    parseTraceparent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00")?.sampled,
    false,
  );
});

Deno.test("HttpAgent sends the current span's traceparent, and none outside a trace", async () => {
  const seen: (string | null)[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    await req.body?.cancel();
    seen.push(req.headers.get("traceparent"));
    return Response.json({ outcome: "approve", risk_score: 0.2 });
  });
  try {
    const agent = new HttpAgent({ url: `http://127.0.0.1:${server.addr.port}/decide` });
    await using tracer = new Tracer({ storeDir: await Deno.makeTempDir() });
    let expected = "";
    await tracer.withSpan("row", async (span) => {
      expected = formatTraceparent(span)!;
      await agent.decide({ income: 1 });
    });
    await agent.decide({ income: 2 });
    assert.deepEqual(seen, [expected, null]);
    assert.equal(parseTraceparent(expected)?.sampled, true);
  } finally {
    await server.shutdown();
  }
});
