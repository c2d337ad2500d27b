import type { LoanAgentApp } from "./app.ts";

/** Options for {@link serveLoanAgent}. */
export interface ServeOptions {
  /** Interface to bind. Default "127.0.0.1". */
  hostname?: string;
  /** Port. Default 8080; 0 picks a free one. */
  port?: number;
  /** Called once listening. */
  onListen?: (addr: Deno.NetAddr) => void;
  /** Runs after in-flight requests and jobs finished, before {@link ServingLoanAgent.shutdown} resolves (flush metrics here). */
  onShutdown?: () => Promise<void>;
}

/** A running Loan Agent API. */
export interface ServingLoanAgent extends AsyncDisposable {
  /** Where it listens. */
  readonly addr: Deno.NetAddr;
  /** Stops accepting connections, lets in-flight requests and evaluation jobs finish, then runs `onShutdown`. */
  shutdown(): Promise<void>;
}

/**
 * Serves the Loan Agent API with `Deno.serve`, with a graceful shutdown.
 *
 * @example
 * ```ts
 * import { createLoanAgentApp, serveLoanAgent, TokenSet } from "@evalkit/evalkit/server";
 * const app = createLoanAgentApp({
 *   agent: { name: "demo", version: "1", decide: () => Promise.resolve({ outcome: "approve" }) },
 *   tokens: await TokenSet.from(["a-very-long-secret-token"]),
 * });
 * await using server = serveLoanAgent(app, { port: 0 });
 * const res = await fetch(`http://127.0.0.1:${server.addr.port}/health`);
 * await res.body?.cancel();
 * ```
 */
export function serveLoanAgent(app: LoanAgentApp, options: ServeOptions = {}): ServingLoanAgent {
  const server = Deno.serve({
    hostname: options.hostname ?? "127.0.0.1",
    port: options.port ?? 8080,
    onListen: (addr) => options.onListen?.(addr as Deno.NetAddr),
  }, (req) => app.fetch(req));
  let stopping: Promise<void> | undefined;
  const shutdown = () => {
    stopping ??= (async () => {
      await server.shutdown();
      await app.idle();
      await options.onShutdown?.();
    })();
    return stopping;
  };
  return {
    addr: server.addr as Deno.NetAddr,
    shutdown,
    [Symbol.asyncDispose]: shutdown,
  };
}
