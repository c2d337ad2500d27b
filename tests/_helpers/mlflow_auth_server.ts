/**
 * A real MLflow server started with `--app-name basic-auth` (needs Flask-WTF, pinned in
 * requirements.txt) under a path prefix (`--static-prefix /tenant-a`), for tests of
 * authentication. The server's authorization function is
 * tests/fixtures/mlflow_auth/evalkit_bearer_auth.py: MLflow's own basic-auth check for
 * `Basic`, a fixed token for `Bearer`, and a 401 that echoes the Authorization header back.
 */

export const ADMIN = "admin";
export const PASSWORD = "s3cret-Passw0rd-" + crypto.randomUUID().slice(0, 8);
export const TOKEN = "evk-tok-" + crypto.randomUUID().replaceAll("-", "");
export const PREFIX = "/tenant-a";

export interface AuthServer extends AsyncDisposable {
  uri: string;
  log(): Promise<string>;
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

export async function startAuthServer(): Promise<AuthServer> {
  const bin = Deno.env.get("EVALKIT_MLFLOW_BIN") ?? `${Deno.cwd()}/.venv/bin/mlflow`;
  const dir = await Deno.makeTempDir({ prefix: "evalkit-mlflow-auth-" });
  const port = freePort();
  const fixtures = new URL("../fixtures/mlflow_auth/", import.meta.url).pathname;
  await Deno.writeTextFile(
    `${dir}/auth.ini`,
    [
      "[mlflow]",
      "default_permission = READ",
      `database_uri = sqlite:///${dir}/auth.db`,
      `admin_username = ${ADMIN}`,
      "authorization_function = evalkit_bearer_auth:authenticate",
      "auth_cache_ttl_seconds = 300", // PBKDF2 per request is slow; cache verified credentials
      "",
    ].join("\n"),
  );
  const child = new Deno.Command(bin, {
    args: [
      "server",
      "--app-name",
      "basic-auth",
      "--static-prefix",
      PREFIX,
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      "--backend-store-uri",
      `sqlite:///${dir}/mlflow.db`,
      "--serve-artifacts",
      "--artifacts-destination",
      `${dir}/artifacts`,
      "--workers",
      "1",
    ],
    env: {
      PYTHONPATH: fixtures,
      PYTHONUNBUFFERED: "1",
      MLFLOW_AUTH_CONFIG_PATH: `${dir}/auth.ini`,
      MLFLOW_AUTH_ADMIN_PASSWORD: PASSWORD,
      MLFLOW_FLASK_SERVER_SECRET_KEY: crypto.randomUUID(),
      EVALKIT_TEST_BEARER_TOKEN: TOKEN,
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    detached: true,
  }).spawn();
  const logFile = await Deno.open(`${dir}/server.log`, { write: true, create: true, append: true });
  const writer = logFile.writable.getWriter();
  const pump = async (s: ReadableStream<Uint8Array>) => {
    for await (const chunk of s) await writer.write(chunk);
  };
  const pumps = Promise.all([pump(child.stdout), pump(child.stderr)]).finally(() => writer.close());
  const status = child.status;
  let exited = false;
  status.then(() => exited = true);
  const uri = `http://127.0.0.1:${port}${PREFIX}`;
  const log = () => Deno.readTextFile(`${dir}/server.log`).catch(() => "");
  const stop = async () => {
    try {
      Deno.kill(-child.pid, "SIGTERM");
    } catch {
      // gone
    }
    const timer = setTimeout(() => {
      try {
        Deno.kill(-child.pid, "SIGKILL");
      } catch {
        // gone
      }
    }, 10_000);
    await status;
    clearTimeout(timer);
    await pumps;
    try {
      Deno.kill(-child.pid, "SIGKILL"); // stray workers
    } catch {
      // gone
    }
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  const deadline = Date.now() + 120_000;
  while (true) {
    if (exited) {
      const text = await log();
      await stop();
      throw new Error(
        `mlflow basic-auth server exited early:\n${text.split("\n").slice(-30).join("\n")}`,
      );
    }
    try {
      const res = await fetch(`${uri}/health`, { signal: AbortSignal.timeout(2000) });
      const body = await res.text();
      if (res.ok && body.trim() === "OK") break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      const text = await log();
      await stop();
      throw new Error(
        `mlflow basic-auth server not healthy in time:\n${text.split("\n").slice(-30).join("\n")}`,
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { uri, log, [Symbol.asyncDispose]: stop };
}
