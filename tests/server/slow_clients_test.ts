/**
 * Slow and vanishing clients, over real TCP connections on 127.0.0.1: bodies that trickle in
 * get 408 within the body timeout (and the connection is let go), clients that hang up
 * mid-body are logged as client disconnects, never as a 500.
 */
import assert from "node:assert/strict";
import {
  type AccessLogEntry,
  createLoanAgentApp,
  serveLoanAgent,
  TokenSet,
} from "../../lib/server/mod.ts";
import { application, ruleAgent, TOKENS } from "./_fixtures.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

async function startApp(bodyTimeoutMs: number) {
  const log: AccessLogEntry[] = [];
  const app = createLoanAgentApp({
    agent: ruleAgent(),
    tokens: await TokenSet.from(TOKENS),
    bodyTimeoutMs,
    log: (e) => log.push(e),
  });
  const server = serveLoanAgent(app, { port: 0 });
  return { app, server, log, port: server.addr.port };
}

function head(port: number, contentLength: number): string {
  return `POST /api/v1/loan/decision HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n` +
    `Authorization: Bearer ${TOKENS[0]}\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${contentLength}\r\n\r\n`;
}

/** Reads until the server closes the connection or `ms` pass, or a whole response arrived. */
async function readAll(conn: Deno.Conn, ms: number): Promise<{ text: string; closed: boolean }> {
  let text = "";
  const buf = new Uint8Array(4096);
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const n = await Promise.race([
      conn.read(buf),
      new Promise<"wait">((r) => timer = setTimeout(() => r("wait"), deadline - Date.now())),
    ]).catch(() => null);
    clearTimeout(timer);
    if (n === "wait") return { text, closed: false };
    if (n === null) return { text, closed: true };
    text += decoder.decode(buf.subarray(0, n));
    const m = /\r\ncontent-length: (\d+)\r\n[^]*?\r\n\r\n/i.exec(text);
    if (m && text.length >= m.index + m[0].length + Number(m[1])) return { text, closed: false };
  }
  return { text, closed: false };
}

async function waitFor(check: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
}

Deno.test("slow bodies: 20 clients trickling one byte every 100 ms get 408 within the body timeout and are let go", async () => {
  const testStart = performance.now();
  const { server, log, port } = await startApp(400);
  const body = JSON.stringify(application());
  const clients = await Promise.all(
    Array.from({ length: 20 }, () => Deno.connect({ hostname: "127.0.0.1", port })),
  );
  const started = performance.now();
  let stop = false;
  const trickles = clients.map(async (conn) => {
    await conn.write(encoder.encode(head(port, body.length)));
    for (let i = 0; i < body.length && !stop; i++) {
      await new Promise((r) => setTimeout(r, 100));
      try {
        await conn.write(encoder.encode(body[i]!));
      } catch {
        return; // the server let the connection go
      }
    }
  });
  // /health answers while the slow clients hold their connections
  const h0 = performance.now();
  const health = await fetch(`http://127.0.0.1:${port}/health`);
  assert.equal(health.status, 200);
  await health.body?.cancel();
  const healthMs = performance.now() - h0;

  const answers = await Promise.all(clients.map((conn) => readAll(conn, 6000)));
  const elapsed = performance.now() - started;
  stop = true;
  await Promise.all(trickles);
  for (const conn of clients) {
    try {
      conn.close();
    } catch {
      // closed already
    }
  }
  for (const [i, a] of answers.entries()) {
    assert.match(a.text, /^HTTP\/1\.1 408 /, `client ${i}: ${a.text.slice(0, 200)}`);
    assert.match(a.text, /within 400 ms/);
    // Deno.serve gives a handler no way to drop a connection; `Connection: close` tells the
    // client to hang up, and the handler (with its buffers) is already gone.
    assert.match(a.text, /\r\nconnection: close\r\n/i);
  }
  // (the trickle would take 26 s; bounds leave room for a loaded machine)
  assert.ok(elapsed < 5000, `all 408s within ${elapsed.toFixed(0)} ms (timeout 400 ms)`);
  assert.ok(healthMs < 1000, `health is not held up by slow clients: ${healthMs.toFixed(0)} ms`);
  await server.shutdown();
  assert.equal(log.filter((e) => e.status === 408).length, 20, JSON.stringify(log));
  for (const e of log.filter((e) => e.status === 408)) {
    assert.ok(
      e.ms >= 390 && e.ms <= performance.now() - testStart,
      `a 408 is logged after the 400 ms timeout, within the test's time: ${e.ms} ms`,
    );
  }
  assert.deepEqual(log.filter((e) => e.status >= 500), []);
});

Deno.test("slow but in time: a body in five pieces within the body timeout is decided", async () => {
  const { server, port } = await startApp(2000);
  const body = JSON.stringify(application());
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(encoder.encode(head(port, body.length)));
  const step = Math.ceil(body.length / 5);
  for (let i = 0; i < body.length; i += step) {
    await new Promise((r) => setTimeout(r, 50));
    await conn.write(encoder.encode(body.slice(i, i + step)));
  }
  const { text } = await readAll(conn, 1500);
  conn.close();
  await server.shutdown();
  assert.match(text, /^HTTP\/1\.1 200 /, text.slice(0, 300));
  assert.match(text, /"outcome":"approve"/);
});

Deno.test("clients that hang up mid-body are logged as client disconnects, not as a 500", async () => {
  const { server, log, port } = await startApp(5000);
  const body = JSON.stringify(application());
  for (let i = 0; i < 10; i++) {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    await conn.write(encoder.encode(head(port, body.length) + body.slice(0, 20)));
    await new Promise((r) => setTimeout(r, 30));
    conn.close();
  }
  await waitFor(() => log.length >= 10, 3000);
  await server.shutdown();
  assert.equal(log.length, 10, JSON.stringify(log));
  for (const e of log) {
    assert.equal(e.status, 499, JSON.stringify(e));
    assert.equal(e.error, "client_disconnected");
  }
});
