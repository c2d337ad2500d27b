/**
 * A small fault-injecting HTTP/1.1 proxy for tests: it sits on 127.0.0.1 in front of the real
 * MLflow server and forwards every request, except those a planned fault catches:
 *
 * - `status`: answer at once with a status (e.g. 503 with `Retry-After`), not forwarding;
 * - `drop`: close the connection without an answer — `before` forwarding (the server never
 *   sees the request) or `after` (the server applied it, the answer is lost);
 * - `delay`: forward, then hold the answer for `ms` (longer than the client's timeout);
 * - `truncate`: forward, send the headers and half of the body, then close the connection.
 *
 * Faults are programmable per request: `inject(fault, { match, times })` applies to the next
 * `times` requests that `match`. Written on raw TCP so that a dropped connection really is one.
 * `stripPrefix` removes a path prefix before forwarding (to test tracking URIs with a prefix).
 */

/** A fault to inject. */
export type Fault =
  | { kind: "status"; status: number; headers?: Record<string, string>; body?: string }
  | { kind: "drop"; when: "before" | "after" }
  | { kind: "delay"; ms: number }
  | { kind: "truncate" };

/** A request as the proxy saw it. */
export interface SeenRequest {
  /** HTTP method. */
  method: string;
  /** Path with query. */
  path: string;
  /** Request headers as received (lower-case names). */
  headers: Record<string, string>;
  /** The fault applied, if any. */
  fault?: Fault["kind"];
}

interface Rule {
  fault: Fault;
  match: (req: { method: string; path: string }) => boolean;
  left: number;
}

/** A running proxy. */
export interface FaultProxy extends AsyncDisposable {
  /** `http://127.0.0.1:<port>`. */
  readonly uri: string;
  /** Every request received, in order. */
  readonly requests: SeenRequest[];
  /** Plans a fault for the next `times` (default 1) requests matching `match` (default all). */
  inject(
    fault: Fault,
    options?: { match?: (req: { method: string; path: string }) => boolean; times?: number },
  ): void;
  /** Faults planned but not yet applied. */
  pending(): number;
  /** Stops listening, closes connections and timers. */
  close(): Promise<void>;
}

const CRLF2 = new Uint8Array([13, 10, 13, 10]);
const decoder = new TextDecoder();
const encoder = new TextEncoder();

function indexOf(hay: Uint8Array, needle: Uint8Array, from = 0): number {
  outer: for (let i = from; i <= hay.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

class Reader {
  #buf: Uint8Array<ArrayBuffer> = new Uint8Array(0);
  constructor(private conn: Deno.Conn) {}
  async #fill(): Promise<boolean> {
    const chunk = new Uint8Array(64 * 1024);
    const n = await this.conn.read(chunk);
    if (n === null) return false;
    const next = new Uint8Array(this.#buf.length + n);
    next.set(this.#buf);
    next.set(chunk.subarray(0, n), this.#buf.length);
    this.#buf = next;
    return true;
  }
  async until(needle: Uint8Array): Promise<Uint8Array<ArrayBuffer> | null> {
    while (true) {
      const i = indexOf(this.#buf, needle);
      if (i >= 0) {
        const out = this.#buf.slice(0, i);
        this.#buf = this.#buf.slice(i + needle.length);
        return out;
      }
      if (!(await this.#fill())) return null;
    }
  }
  async exactly(n: number): Promise<Uint8Array<ArrayBuffer> | null> {
    while (this.#buf.length < n) if (!(await this.#fill())) return null;
    const out = this.#buf.slice(0, n);
    this.#buf = this.#buf.slice(n);
    return out;
  }
}

async function readChunked(reader: Reader): Promise<Uint8Array<ArrayBuffer> | null> {
  const parts: Uint8Array[] = [];
  while (true) {
    const line = await reader.until(new Uint8Array([13, 10]));
    if (line === null) return null;
    const size = parseInt(decoder.decode(line).split(";")[0]!.trim(), 16);
    if (size === 0) {
      await reader.until(new Uint8Array([13, 10]));
      break;
    }
    const data = await reader.exactly(size + 2);
    if (data === null) return null;
    parts.push(data.subarray(0, size));
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) out.set(p, o), o += p.length;
  return out;
}

async function writeAll(conn: Deno.Conn, data: Uint8Array): Promise<void> {
  let off = 0;
  while (off < data.length) off += await conn.write(data.subarray(off));
}

/** Starts a fault proxy in front of `targetUri` (e.g. the test MLflow server). */
export function startFaultProxy(
  targetUri: string,
  options: { stripPrefix?: string } = {},
): Promise<FaultProxy> {
  const target = targetUri.replace(/\/+$/, "");
  const strip = options.stripPrefix ?? "";
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const uri = `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`;
  const requests: SeenRequest[] = [];
  const rules: Rule[] = [];
  const conns = new Set<Deno.Conn>();
  const tasks = new Set<Promise<void>>();
  const timers = new Map<ReturnType<typeof setTimeout>, () => void>();
  let closed = false;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const id = setTimeout(() => {
        timers.delete(id);
        resolve();
      }, ms);
      timers.set(id, resolve);
    });

  const takeFault = (method: string, path: string): Fault | undefined => {
    const rule = rules.find((r) => r.left > 0 && r.match({ method, path }));
    if (!rule) return undefined;
    rule.left--;
    return rule.fault;
  };

  const forward = async (
    method: string,
    path: string,
    headers: Headers,
    body: Uint8Array<ArrayBuffer> | undefined,
  ): Promise<{ status: number; headers: Headers; body: Uint8Array }> => {
    try {
      const upstreamPath = strip && path.startsWith(strip) ? path.slice(strip.length) : path;
      const res = await fetch(`${target}${upstreamPath}`, {
        method,
        headers,
        body: body && body.length > 0 ? body : undefined,
      });
      return { status: res.status, headers: res.headers, body: await res.bytes() };
    } catch (err) {
      const text = encoder.encode(`proxy: upstream unreachable: ${(err as Error).message}`);
      return { status: 502, headers: new Headers(), body: text };
    }
  };

  const respond = async (
    conn: Deno.Conn,
    status: number,
    headers: Headers,
    body: Uint8Array,
    announcedLength = body.length,
  ) => {
    let head = `HTTP/1.1 ${status} X\r\n`;
    for (const [k, v] of headers) {
      if (["content-length", "transfer-encoding", "connection", "keep-alive"].includes(k)) continue;
      head += `${k}: ${v}\r\n`;
    }
    head += `content-length: ${announcedLength}\r\n\r\n`;
    await writeAll(conn, encoder.encode(head));
    await writeAll(conn, body);
  };

  const handle = async (conn: Deno.Conn) => {
    const reader = new Reader(conn);
    try {
      while (!closed) {
        const head = await reader.until(CRLF2);
        if (head === null) return;
        const lines = decoder.decode(head).split("\r\n");
        const [method = "GET", path = "/"] = lines[0]!.split(" ");
        const headers = new Headers();
        for (const line of lines.slice(1)) {
          const i = line.indexOf(":");
          if (i > 0) headers.append(line.slice(0, i).trim(), line.slice(i + 1).trim());
        }
        let body: Uint8Array<ArrayBuffer> | null | undefined;
        if (headers.get("transfer-encoding")?.toLowerCase().includes("chunked")) {
          body = await readChunked(reader);
        } else {
          body = await reader.exactly(Number(headers.get("content-length") ?? "0"));
        }
        if (body === null) return;
        const seenHeaders = Object.fromEntries(headers);
        for (
          const h of ["host", "connection", "keep-alive", "transfer-encoding", "content-length"]
        ) {
          headers.delete(h);
        }
        const fault = takeFault(method, path);
        requests.push(
          fault
            ? { method, path, headers: seenHeaders, fault: fault.kind }
            : { method, path, headers: seenHeaders },
        );
        if (fault?.kind === "status") {
          const h = new Headers(fault.headers ?? {});
          await respond(conn, fault.status, h, encoder.encode(fault.body ?? ""));
          continue;
        }
        if (fault?.kind === "drop" && fault.when === "before") return;
        const answer = await forward(method, path, headers, body);
        if (fault?.kind === "drop") return;
        if (fault?.kind === "truncate") {
          const half = answer.body.subarray(0, Math.floor(answer.body.length / 2));
          const h = new Headers(answer.headers);
          h.set("x-full-length", String(answer.body.length));
          await respond(conn, answer.status, h, half, answer.body.length);
          return;
        }
        if (fault?.kind === "delay") {
          await sleep(fault.ms);
          if (closed) return;
        }
        await respond(conn, answer.status, answer.headers, answer.body);
      }
    } catch {
      // the client went away (e.g. it timed out): nothing to do
    } finally {
      conns.delete(conn);
      try {
        conn.close();
      } catch {
        // already closed
      }
    }
  };

  const acceptLoop = (async () => {
    try {
      for await (const conn of listener) {
        conns.add(conn);
        const task = handle(conn);
        tasks.add(task);
        task.finally(() => tasks.delete(task));
      }
    } catch {
      // listener closed
    }
  })();

  const proxy: FaultProxy = {
    uri,
    requests,
    inject(fault, options = {}) {
      rules.push({ fault, match: options.match ?? (() => true), left: options.times ?? 1 });
    },
    pending() {
      return rules.reduce((n, r) => n + r.left, 0);
    },
    async close() {
      if (closed) return;
      closed = true;
      listener.close();
      await acceptLoop;
      for (const [id, resolve] of timers) {
        clearTimeout(id);
        resolve();
      }
      timers.clear();
      for (const conn of conns) {
        try {
          conn.close();
        } catch {
          // already closed
        }
      }
      await Promise.all([...tasks]);
    },
    [Symbol.asyncDispose]() {
      return proxy.close();
    },
  };
  return Promise.resolve(proxy);
}
