/** Starts `deno task serve` (scripts/serve.ts) as a real process for the tests. */
import { TOKENS } from "./_fixtures.ts";

/** A free port on 127.0.0.1. */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** A running scripts/serve.ts. */
export interface Served extends AsyncDisposable {
  base: string;
  home: string;
  logs: () => Promise<string>;
}

/** Starts scripts/serve.ts on a free port with a fresh EVALKIT_HOME and no tracking server. */
export async function serve(
  extra: string[],
  options: { metrics?: boolean; env?: Record<string, string> } = {},
): Promise<Served> {
  const port = freePort();
  const home = await Deno.makeTempDir();
  const env: Record<string, string> = {
    EVALKIT_API_TOKENS: TOKENS.join(","),
    EVALKIT_HOME: home,
    ...options.env,
  };
  for (const k of ["PATH", "HOME", "DENO_DIR", "XDG_CACHE_HOME", "TMPDIR"]) {
    const v = Deno.env.get(k);
    if (v !== undefined) env[k] = v;
  }
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "scripts/serve.ts",
      "--port",
      String(port),
      ...(options.metrics ? [] : ["--no-metrics"]),
      ...extra,
    ],
    clearEnv: true,
    env,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text()])
    .then((parts) => parts.join("\n"));
  const base = `http://127.0.0.1:${port}`;
  let exited = false;
  child.status.then(() => exited = true);
  const stop = async () => {
    try {
      child.kill("SIGTERM");
    } catch {
      // exited
    }
    await child.status;
    await output;
    await Deno.remove(home, { recursive: true });
  };
  for (let i = 0;; i++) {
    if (exited || i > 300) {
      await stop();
      throw new Error(`serve did not come up:\n${await output}`);
    }
    try {
      const res = await fetch(`${base}/health`);
      await res.body?.cancel();
      if (res.ok) break;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { base, home, logs: () => output, [Symbol.asyncDispose]: stop };
}
