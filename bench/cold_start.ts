/**
 * bench/cold_start: README's first command, `npx --yes deno@2.9.6 task evaluate`, on a machine
 * with nothing cached. Everything goes to temporary folders: an empty `DENO_DIR`, an empty npm
 * cache and an empty `EVALKIT_HOME` (the run is recorded there, not in the project's store).
 *
 * Bytes downloaded are counted on the wire: both commands run with `HTTPS_PROXY` pointing at a
 * CONNECT proxy on 127.0.0.1 started here, which relays the TLS streams unchanged and counts
 * the bytes each way (the registry's gzip tarballs, metadata and TLS overhead included).
 *
 * Two phases, reported separately:
 *   1. `npx --yes deno@2.9.6 --version` — npm fetches the Deno binary package (the part that
 *      does not depend on evalkit; measured so the total is known);
 *   2. `npx --yes deno@2.9.6 task evaluate` with that npm cache but an empty DENO_DIR — what
 *      evalkit itself costs on a fresh machine. The target (< 40 MB, < 20 s) is for this phase.
 *
 * Usage: deno task bench cold_start   (or deno run -A bench/cold_start.ts [--json])
 */
import { parseArgs } from "node:util";

const { values } = parseArgs({ args: Deno.args, options: { json: { type: "boolean" } } });
const ROOT = new URL("..", import.meta.url).pathname;
const DENO_VERSION = "2.9.6";

interface Counter {
  up: number;
  down: number;
  hosts: Set<string>;
}

/** A CONNECT proxy on 127.0.0.1 that counts the bytes it relays. */
function startCountingProxy(counter: Counter): { url: string; close: () => void } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns = new Set<Deno.Conn>();
  (async () => {
    for await (const conn of listener) {
      conns.add(conn);
      handle(conn).catch(() => {}).finally(() => {
        conns.delete(conn);
        try {
          conn.close();
        } catch {
          // already closed
        }
      });
    }
  })().catch(() => {});

  async function handle(client: Deno.Conn): Promise<void> {
    // Read the request head (CONNECT host:port HTTP/1.1 … \r\n\r\n).
    let head = new Uint8Array(0);
    const buf = new Uint8Array(4096);
    let end = -1;
    while (end < 0) {
      const n = await client.read(buf);
      if (n === null) return;
      const next = new Uint8Array(head.length + n);
      next.set(head);
      next.set(buf.subarray(0, n), head.length);
      head = next;
      end = indexOfCrlf2(head);
      if (head.length > 65536) return;
    }
    const text = new TextDecoder().decode(head.subarray(0, end));
    const m = /^CONNECT ([^\s:]+):(\d+) HTTP\/1\.[01]/.exec(text);
    if (!m) {
      await client.write(new TextEncoder().encode("HTTP/1.1 405 Only CONNECT\r\n\r\n"));
      return;
    }
    const [, host, port] = m;
    counter.hosts.add(host!);
    const upstream = await Deno.connect({ hostname: host!, port: Number(port) });
    conns.add(upstream);
    await client.write(new TextEncoder().encode("HTTP/1.1 200 Connection Established\r\n\r\n"));
    const rest = head.subarray(end + 4);
    if (rest.length > 0) {
      counter.up += rest.length;
      await upstream.write(rest);
    }
    const pump = async (from: Deno.Conn, to: Deno.Conn, dir: "up" | "down") => {
      const b = new Uint8Array(65536);
      try {
        for (;;) {
          const n = await from.read(b);
          if (n === null) break;
          counter[dir] += n;
          let off = 0;
          while (off < n) off += await to.write(b.subarray(off, n));
        }
      } finally {
        try {
          await to.closeWrite();
        } catch {
          // peer gone
        }
      }
    };
    await Promise.allSettled([pump(client, upstream, "up"), pump(upstream, client, "down")]);
    conns.delete(upstream);
    try {
      upstream.close();
    } catch {
      // already closed
    }
  }

  return {
    url: `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    close: () => {
      listener.close();
      for (const c of conns) {
        try {
          c.close();
        } catch {
          // already closed
        }
      }
    },
  };
}

function indexOfCrlf2(b: Uint8Array): number {
  for (let i = 0; i + 3 < b.length; i++) {
    if (b[i] === 13 && b[i + 1] === 10 && b[i + 2] === 13 && b[i + 3] === 10) return i;
  }
  return -1;
}

async function duBytes(dir: string): Promise<number> {
  let total = 0;
  for await (const e of Deno.readDir(dir)) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory) total += await duBytes(p);
    else if (e.isFile) total += (await Deno.lstat(p)).size;
  }
  return total;
}

interface Phase {
  command: string;
  code: number;
  wallSeconds: number;
  downloadedBytes: number;
  uploadedBytes: number;
  hosts: string[];
  outputLines: number;
  downloadLines: number;
  warningBox: boolean;
  output: string;
}

async function phase(args: string[], env: Record<string, string>): Promise<Phase> {
  const counter: Counter = { up: 0, down: 0, hosts: new Set() };
  const proxy = startCountingProxy(counter);
  const t0 = performance.now();
  const out = await new Deno.Command("npx", {
    args,
    cwd: ROOT,
    env: {
      ...env,
      HTTPS_PROXY: proxy.url,
      https_proxy: proxy.url,
      npm_config_https_proxy: proxy.url,
      npm_config_proxy: proxy.url,
      NO_PROXY: "127.0.0.1,localhost",
      no_proxy: "127.0.0.1,localhost",
    },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const wallSeconds = (performance.now() - t0) / 1000;
  proxy.close();
  const output = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  const lines = output.split("\n").filter((l) => l.trim() !== "");
  return {
    command: `npx ${args.join(" ")}`,
    code: out.code,
    wallSeconds,
    downloadedBytes: counter.down,
    uploadedBytes: counter.up,
    hosts: [...counter.hosts].sort(),
    outputLines: lines.length,
    downloadLines: lines.filter((l) => /^\s*Download /.test(l)).length,
    warningBox: /Warning|Ignored build scripts/.test(output),
    output,
  };
}

const tmp = await Deno.makeTempDir({ prefix: "evalkit-cold-start-" });
try {
  const denoDir = `${tmp}/deno`, npmCache = `${tmp}/npm`, home = `${tmp}/evalkit`;
  const env = {
    DENO_DIR: denoDir,
    npm_config_cache: npmCache,
    NPM_CONFIG_CACHE: npmCache,
    EVALKIT_HOME: home,
    NO_COLOR: "1",
    RUST_BACKTRACE: "0",
  };
  const binary = await phase(["--yes", `deno@${DENO_VERSION}`, "--version"], env);
  if (binary.code !== 0) throw new Error(`npx deno failed:\n${binary.output}`);
  const first = await phase(["--yes", `deno@${DENO_VERSION}`, "task", "evaluate"], env);
  if (first.code !== 0) {
    throw new Error(`deno task evaluate failed (${first.code}):\n${first.output}`);
  }
  const denoDirBytes = await duBytes(denoDir);
  const mb = (b: number) => (b / 1e6).toFixed(1);
  if (values.json) {
    console.log(
      JSON.stringify({ binary, first, denoDirBytes }, (k, v) => k === "output" ? undefined : v),
    );
  } else {
    console.log("cold start of README's first command (empty DENO_DIR, npm cache, EVALKIT_HOME)");
    console.log(
      `  1. ${binary.command}: ${binary.wallSeconds.toFixed(1)} s, ${
        mb(binary.downloadedBytes)
      } MB downloaded (the Deno binary from npm)`,
    );
    console.log(
      `  2. ${first.command}: ${first.wallSeconds.toFixed(1)} s, ${
        mb(first.downloadedBytes)
      } MB downloaded, DENO_DIR ${mb(denoDirBytes)} MB on disk`,
    );
    console.log(
      `     output: ${first.outputLines} lines (${first.downloadLines} "Download" lines), ` +
        `warning box: ${first.warningBox ? "yes" : "no"}; hosts: ${first.hosts.join(", ")}`,
    );
    console.log(
      `  total: ${(binary.wallSeconds + first.wallSeconds).toFixed(1)} s, ${
        mb(binary.downloadedBytes + first.downloadedBytes)
      } MB`,
    );
    const ok = first.downloadedBytes < 40e6 && first.wallSeconds < 20;
    console.log(`  target for phase 2 (< 40 MB, < 20 s): ${ok ? "met" : "NOT met"}`);
  }
} finally {
  await Deno.remove(tmp, { recursive: true }).catch(() => {});
}
