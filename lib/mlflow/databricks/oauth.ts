/**
 * OAuth machine-to-machine (client credentials) tokens for a Databricks workspace.
 *
 * @module
 */
import { redact } from "../../_internal/errors.ts";
import { isRetriableStatus, retry } from "../../_internal/retry.ts";
import { Secret } from "./secret.ts";

/** Options for {@link OAuthM2MTokenSource}. */
export interface OAuthM2MOptions {
  /** Workspace URL, e.g. `https://my-ws.cloud.databricks.com`. */
  host: string;
  /** The service principal's application (client) id. */
  clientId: string;
  /** Its OAuth secret. */
  clientSecret: string | Secret;
  /** OAuth scopes. Default `all-apis`. */
  scope?: string;
  /**
   * Refresh this long before the token expires. Default 5 minutes, but never more than half
   * the token's lifetime.
   */
  refreshMarginMs?: number;
  /** Names of the settings the id and secret came from, for error messages. */
  setting?: string;
  /** Timeout of one token request. Default 30000 ms. */
  timeoutMs?: number;
  /** Attempts on network errors, 408, 429, 500, 502, 503 and 504. Default 3. */
  maxAttempts?: number;
  /** First backoff ceiling between attempts (full jitter, doubling). Default 200 ms. */
  retryBaseMs?: number;
  /** Clock (tests). Default `Date.now`. */
  now?: () => number;
  /** An HTTP client, e.g. for a private CA. */
  client?: Deno.HttpClient;
}

interface CachedToken {
  value: string;
  expiresAt: number;
  refreshAt: number;
}

/**
 * Gets access tokens from the workspace token endpoint `<host>/oidc/v1/token` with the
 * client-credentials grant (HTTP Basic `client_id:client_secret`, form body
 * `grant_type=client_credentials&scope=all-apis`), caches the token and fetches a new one
 * shortly before it expires. Concurrent callers share one request. Use
 * {@link OAuthM2MTokenSource.auth} as the transport's `auth`.
 *
 * @example
 * ```ts ignore
 * import { OAuthM2MTokenSource } from "@evalkit/evalkit/databricks";
 * import { MlflowTransport } from "@evalkit/evalkit/mlflow";
 * const tokens = new OAuthM2MTokenSource({
 *   host: "https://my-ws.cloud.databricks.com",
 *   clientId: Deno.env.get("DATABRICKS_CLIENT_ID")!,
 *   clientSecret: Deno.env.get("DATABRICKS_CLIENT_SECRET")!,
 * });
 * const transport = new MlflowTransport({ trackingUri: "https://my-ws.cloud.databricks.com", auth: tokens.auth });
 * ```
 */
export class OAuthM2MTokenSource {
  /** The token endpoint. */
  readonly tokenEndpoint: string;
  readonly #clientId: string;
  readonly #clientSecret: Secret;
  readonly #scope: string;
  readonly #margin: number;
  readonly #setting: string;
  readonly #timeoutMs: number;
  readonly #maxAttempts: number;
  readonly #retryBaseMs: number;
  readonly #now: () => number;
  readonly #client: Deno.HttpClient | undefined;
  #cached: CachedToken | undefined;
  #inflight: Promise<CachedToken> | undefined;
  #fetches = 0;

  /** Creates the source; no request is made until {@link getToken}. */
  constructor(options: OAuthM2MOptions) {
    this.tokenEndpoint = `${options.host.replace(/\/+$/, "")}/oidc/v1/token`;
    this.#clientId = options.clientId;
    this.#clientSecret = typeof options.clientSecret === "string"
      ? new Secret(options.clientSecret)
      : options.clientSecret;
    this.#scope = options.scope ?? "all-apis";
    this.#margin = options.refreshMarginMs ?? 5 * 60_000;
    this.#setting = options.setting ?? "DATABRICKS_CLIENT_ID / DATABRICKS_CLIENT_SECRET";
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#maxAttempts = Math.max(1, options.maxAttempts ?? 3);
    this.#retryBaseMs = options.retryBaseMs ?? 200;
    this.#now = options.now ?? Date.now;
    this.#client = options.client;
  }

  /** How many tokens were fetched so far (for tests and diagnostics). */
  get fetchCount(): number {
    return this.#fetches;
  }

  /** The transport auth: `{ type: "dynamic", getToken }`. */
  get auth(): { type: "dynamic"; getToken: () => Promise<string> } {
    return { type: "dynamic", getToken: () => this.getToken() };
  }

  /** Forgets the cached token, e.g. after the workspace answered 401. */
  invalidate(): void {
    this.#cached = undefined;
  }

  /**
   * Returns a valid access token: the cached one until its refresh time, then a new one.
   * If refreshing fails while the old token has not expired yet, the old token is returned.
   */
  async getToken(): Promise<string> {
    const now = this.#now();
    const cached = this.#cached;
    if (cached && now < cached.refreshAt) return cached.value;
    try {
      this.#inflight ??= this.#fetch().finally(() => {
        this.#inflight = undefined;
      });
      const fresh = await this.#inflight;
      this.#cached = fresh;
      return fresh.value;
    } catch (err) {
      if (cached && this.#now() < cached.expiresAt) return cached.value;
      throw err;
    }
  }

  #fetch(): Promise<CachedToken> {
    return retry(() => this.#fetchOnce(), {
      maxRetries: this.#maxAttempts - 1,
      baseMs: this.#retryBaseMs,
      maxMs: 5_000,
      // a refused request (TokenRequestError without a transient status) is final
      isRetriable: (err) => err instanceof TransientTokenError,
    });
  }

  async #fetchOnce(): Promise<CachedToken> {
    const started = this.#now();
    let res: Response;
    try {
      res = await fetch(this.tokenEndpoint, {
        method: "POST",
        headers: {
          "Authorization": `Basic ${btoa(`${this.#clientId}:${this.#clientSecret.reveal()}`)}`,
          "Content-Type": "application/x-www-form-urlencoded",
          "Accept": "application/json",
        },
        body: new URLSearchParams({ grant_type: "client_credentials", scope: this.#scope })
          .toString(),
        signal: AbortSignal.timeout(this.#timeoutMs),
        ...(this.#client ? { client: this.#client } : {}),
      } as RequestInit);
    } catch (err) {
      throw new TransientTokenError(
        `OAuth token request to ${this.tokenEndpoint} failed: ${
          err instanceof Error ? err.message : String(err)
        }`,
        { cause: err },
      );
    }
    const text = await res.text();
    let body: Record<string, unknown> = {};
    try {
      const parsed = JSON.parse(text);
      if (parsed && typeof parsed === "object") body = parsed as Record<string, unknown>;
    } catch {
      // not JSON
    }
    if (isRetriableStatus(res.status)) {
      throw new TransientTokenError(
        `OAuth token endpoint ${this.tokenEndpoint} answered HTTP ${res.status}`,
      );
    }
    if (!res.ok) {
      const code = typeof body.error === "string" ? body.error : `HTTP ${res.status}`;
      const desc = typeof body.error_description === "string"
        ? `: ${redact(body.error_description)}`
        : "";
      const hint = res.status === 401 || code === "invalid_client"
        ? `check ${this.#setting} (the service principal's client id and OAuth secret)`
        : res.status === 404
        ? "check the workspace host: it has no /oidc/v1/token endpoint"
        : `check ${this.#setting}`;
      throw new Error(
        `OAuth token request to ${this.tokenEndpoint} was refused (HTTP ${res.status} ${code}${desc}); ${hint}`,
      );
    }
    const token = body.access_token;
    const expiresIn = Number(body.expires_in ?? 3600);
    if (
      typeof token !== "string" || token === "" || !Number.isFinite(expiresIn) || expiresIn <= 0
    ) {
      throw new Error(
        `OAuth token endpoint ${this.tokenEndpoint} answered without a usable access_token/expires_in`,
      );
    }
    this.#fetches++;
    const lifetime = expiresIn * 1000;
    const margin = Math.min(this.#margin, lifetime / 2);
    return {
      value: token,
      expiresAt: started + lifetime,
      refreshAt: started + lifetime - margin,
    };
  }
}

/** A token request that may succeed when repeated (network error, 408, 429, 5xx). */
class TransientTokenError extends Error {
  override name = "TransientTokenError";
}
