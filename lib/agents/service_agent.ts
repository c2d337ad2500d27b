/**
 * An {@link HttpAgent} for an agent service that reports its version at `/health`
 * (`agent_version`, as the Loan Agent API does), so an evaluation records what was evaluated.
 *
 * @module
 */
import { HttpAgent, type HttpAgentOptions } from "./http_agent.ts";

/**
 * The version of the agent behind a service, from its `/health` (`agent_version`).
 * `undefined` when the service does not say (another HTTP agent, an older server) or cannot be
 * asked within 5 seconds — the evaluation itself then reports an unreachable service.
 *
 * @example
 * ```ts
 * import { serviceAgentVersion } from "@evalkit/evalkit/agents";
 * const v = await serviceAgentVersion("http://127.0.0.1:9/api/v1/loan/decision");
 * if (v !== undefined) throw new Error("nothing listens on port 9");
 * ```
 */
export async function serviceAgentVersion(decisionUrl: string): Promise<string | undefined> {
  try {
    const res = await fetch(new URL("/health", decisionUrl), { signal: AbortSignal.timeout(5000) });
    if (!res.ok) {
      await res.body?.cancel();
      return undefined;
    }
    const body = await res.json() as { agent_version?: unknown };
    return typeof body.agent_version === "string" && body.agent_version !== ""
      ? body.agent_version
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * An {@link HttpAgent} whose version is the service's own (`/health`), unless given.
 *
 * @example
 * ```ts
 * import { connectAgentService } from "@evalkit/evalkit/agents";
 * const agent = await connectAgentService({ url: "http://127.0.0.1:9/decide", name: "svc" });
 * if (agent.name !== "svc" || agent.version !== "unknown") throw new Error(agent.version);
 * ```
 */
export async function connectAgentService(options: HttpAgentOptions): Promise<HttpAgent> {
  const version = options.version ?? await serviceAgentVersion(options.url);
  return new HttpAgent({ ...options, ...(version ? { version } : {}) });
}
