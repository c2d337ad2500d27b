import { readEnv } from "../_internal/env.ts";

/** Options for {@link startMlflowServer}. */
export interface MlflowServerOptions {
  /**
   * The `mlflow` executable. Default: `$EVALKIT_MLFLOW_BIN`, else `.venv/bin/mlflow` in the
   * current directory (created by `deno task setup`), else `mlflow` on the `PATH`.
   */
  mlflowBin?: string;
  /** Port on 127.0.0.1. Default: a free port chosen by the OS. */
  port?: number;
  /**
   * Folder for the SQLite backend, the artifacts and the server log. Default: a new temporary
   * folder, removed by {@link MlflowServer.stop} unless `keepData` is true.
   */
  dataDir?: string;
  /** Keep `dataDir` when the server stops. Default: false for a temporary folder, true otherwise. */
  keepData?: boolean;
  /** How long to wait for `/health` to answer. Default: 120000 ms. */
  startupTimeoutMs?: number;
  /** Extra environment variables for the server process. */
  env?: Record<string, string>;
}

/** A running `mlflow server`, started by {@link startMlflowServer}. */
export interface MlflowServer extends AsyncDisposable {
  /** The tracking URI, e.g. `http://127.0.0.1:41234`. */
  readonly uri: string;
  /** The port it listens on. */
  readonly port: number;
  /** The folder holding `mlflow.db`, `artifacts/` and `server.log`. */
  readonly dataDir: string;
  /** Whether the server process is running. */
  readonly running: boolean;
  /** Stops the server (SIGTERM, then SIGKILL after 10 s) and removes temporary data. */
  stop(): Promise<void>;
  /** Kills the server at once with SIGKILL, keeping its data, as a crash would. */
  kill(): Promise<void>;
  /** Starts the server again on the same port and data after {@link kill}. */
  restart(): Promise<void>;
  /** The last lines of the server's log, for error messages. */
  logTail(lines?: number): Promise<string>;
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

async function resolveMlflowBin(explicit?: string): Promise<string> {
  if (explicit) return explicit;
  const fromEnv = readEnv("EVALKIT_MLFLOW_BIN");
  if (fromEnv) return fromEnv;
  const venv = `${Deno.cwd()}/.venv/bin/mlflow`;
  if (await exists(venv)) return venv;
  return "mlflow";
}

/**
 * Starts a real `mlflow server` on 127.0.0.1 with a SQLite backend and proxied artifacts
 * (`--serve-artifacts`) in a temporary folder, and waits until `/health` answers.
 * Use it in your own tests with `await using`.
 *
 * Needs `--allow-run`, `--allow-net=127.0.0.1`, `--allow-read`, `--allow-write` and `--allow-env`.
 *
 * @example
 * ```ts ignore
 * import { startMlflowServer } from "@evalkit/evalkit/testing";
 * await using server = await startMlflowServer();
 * const res = await fetch(`${server.uri}/health`);
 * console.log(await res.text()); // "OK"
 * ```
 */
export async function startMlflowServer(options: MlflowServerOptions = {}): Promise<MlflowServer> {
  const bin = await resolveMlflowBin(options.mlflowBin);
  const port = options.port ?? freePort();
  const temporary = options.dataDir === undefined;
  const dataDir = options.dataDir ?? await Deno.makeTempDir({ prefix: "evalkit-mlflow-" });
  const keepData = options.keepData ?? !temporary;
  await Deno.mkdir(`${dataDir}/artifacts`, { recursive: true });
  const uri = `http://127.0.0.1:${port}`;
  const logPath = `${dataDir}/server.log`;
  let child: Deno.ChildProcess | undefined;
  let exited: Promise<Deno.CommandStatus> | undefined;

  const launch = async () => {
    const log = await Deno.open(logPath, { append: true, create: true });
    const cmd = new Deno.Command(bin, {
      args: [
        "server",
        "--host",
        "127.0.0.1",
        "--port",
        String(port),
        "--backend-store-uri",
        `sqlite:///${dataDir}/mlflow.db`,
        "--serve-artifacts",
        "--artifacts-destination",
        `${dataDir}/artifacts`,
        "--workers",
        "1",
      ],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      detached: true,
      env: {
        PYTHONUNBUFFERED: "1",
        MLFLOW_SERVER_ALLOWED_HOSTS: "127.0.0.1:*,localhost:*",
        ...options.env,
      },
    });
    try {
      child = cmd.spawn();
    } catch (err) {
      log.close();
      if (err instanceof Deno.errors.NotFound) {
        throw new Error(
          `Cannot start MLflow: '${bin}' was not found. Run 'deno task setup' to create .venv, ` +
            "or set EVALKIT_MLFLOW_BIN to an mlflow executable.",
          { cause: err },
        );
      }
      throw err;
    }
    const proc = child;
    // Both streams go to one log file; the pipes close when the process exits.
    const writer = log.writable.getWriter();
    const pump = async (stream: ReadableStream<Uint8Array>) => {
      for await (const chunk of stream) await writer.write(chunk);
    };
    const pumps = Promise.all([pump(proc.stdout), pump(proc.stderr)]).finally(() => writer.close());
    exited = Promise.all([proc.status, pumps]).then(([s]) => s);
    await waitHealthy();
  };

  const waitHealthy = async () => {
    const deadline = Date.now() + (options.startupTimeoutMs ?? 120_000);
    let done = false;
    exited!.then(() => done = true);
    while (Date.now() < deadline) {
      if (done) {
        throw new Error(`mlflow server exited before it was ready.\n${await logTail(30)}`);
      }
      try {
        const res = await fetch(`${uri}/health`, { signal: AbortSignal.timeout(2000) });
        const body = await res.text();
        if (res.ok && body.trim() === "OK") return;
      } catch {
        // not up yet
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    await terminate("SIGKILL");
    throw new Error(
      `mlflow server did not answer /health within the timeout.\n${await logTail(30)}`,
    );
  };

  const terminate = async (signal: Deno.Signal) => {
    if (!child || !exited) return;
    const pid = child.pid;
    const proc = exited;
    child = undefined;
    const killGroup = (sig: Deno.Signal) => {
      try {
        Deno.kill(-pid, sig); // the whole process group: mlflow spawns uvicorn/gunicorn workers
      } catch {
        try {
          Deno.kill(pid, sig);
        } catch {
          // already gone
        }
      }
    };
    killGroup(signal);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<"timeout">((r) => timer = setTimeout(() => r("timeout"), 10_000));
    const result = await Promise.race([proc, timeout]);
    clearTimeout(timer);
    if (result === "timeout") {
      killGroup("SIGKILL");
      await proc;
    }
    killGroup("SIGKILL"); // stray workers that outlived their parent
  };

  const logTail = async (lines = 20) => {
    try {
      const text = await Deno.readTextFile(logPath);
      return text.split("\n").slice(-lines).join("\n");
    } catch {
      return "(no server log)";
    }
  };

  await launch();

  const server: MlflowServer = {
    uri,
    port,
    dataDir,
    get running() {
      return child !== undefined;
    },
    async stop() {
      await terminate("SIGTERM");
      if (!keepData) await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    },
    async kill() {
      await terminate("SIGKILL");
    },
    async restart() {
      await terminate("SIGTERM");
      await launch();
    },
    logTail,
    async [Symbol.asyncDispose]() {
      await server.stop();
    },
  };
  return server;
}
