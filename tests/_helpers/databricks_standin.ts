/**
 * A stand-in for ONLY the Databricks-specific endpoints of a workspace, in front of the REAL
 * MLflow server the suite started (EVALKIT_TEST_MLFLOW_URI). Tests only; loopback only.
 *
 * What it follows (public documentation; Databricks itself cannot be reached from here):
 *
 * - OAuth M2M token endpoint `POST /oidc/v1/token` (HTTP Basic client id/secret, form body
 *   `grant_type=client_credentials&scope=all-apis`, answer `{access_token, token_type,
 *   expires_in}`, tokens valid one hour):
 *   https://docs.databricks.com/aws/en/dev-tools/auth/oauth-m2m
 * - Files API: upload `PUT /api/2.0/fs/files{file_path}?overwrite=` (raw bytes, empty answer),
 *   download `GET /api/2.0/fs/files{file_path}`, list `GET /api/2.0/fs/directories{path}`
 *   (`{contents:[{path,is_directory,file_size,last_modified,name}], next_page_token}`, 404 for
 *   a missing directory, `page_size`/`page_token`):
 *   https://docs.databricks.com/api/files/v2/upload-file ,
 *   https://docs.databricks.com/api/files/v2/download-file ,
 *   https://docs.databricks.com/api/files/v2/list-directory-contents
 * - Where MLflow run artifacts live in the Files API
 *   (`/WorkspaceInternal/Mlflow/Artifacts/<exp>/Runs/<run>/artifacts/…`), the credential
 *   endpoints `POST /api/2.0/mlflow/artifacts/credentials-for-write|read`
 *   (`{run_id, path[]}` → `{credential_infos:[{run_id,path,signed_uri,headers[],type}]}`) and
 *   the Unity Catalog registry paths `/api/2.0/mlflow/unity-catalog/...` (create → version in
 *   `PENDING_REGISTRATION` with `storage_location`, then `model-versions/finalize`; no stages)
 *   are not in Databricks' public REST reference: they follow MLflow's open-source client
 *   (`mlflow/protos/databricks_artifacts.proto`, `databricks_uc_registry_service.proto`,
 *   `mlflow/store/artifact/databricks_*_artifact_repo.py`), as summarised in
 *   /work/shared/reference/mlflow-rest.md §5.2 and §6.2.
 * - Signed-URL storage (the fake blob store under `/blob/…`): AWS presigned PUT/GET
 *   (https://docs.aws.amazon.com/AmazonS3/latest/userguide/PresignedUrlUploadObject.html),
 *   GCS signed URLs (https://cloud.google.com/storage/docs/access-control/signed-urls), Azure
 *   block blobs: Put Block `?comp=block&blockid=` and Put Block List `?comp=blocklist`
 *   (https://learn.microsoft.com/rest/api/storageservices/put-block ,
 *   https://learn.microsoft.com/rest/api/storageservices/put-block-list), and ADLS Gen2
 *   create/append/flush
 *   (https://learn.microsoft.com/rest/api/storageservices/datalakestoragegen2/path/update).
 *   With `azurite` set,
 *   Azure credentials are real service SAS URLs for Azurite instead
 *   (https://learn.microsoft.com/rest/api/storageservices/create-service-sas).
 *
 * Stand-in choices (not documented behaviour): experiment names must be absolute workspace
 * paths (Databricks' INVALID_PARAMETER_VALUE for relative names); the MLflow server's
 * `mlflow-artifacts:/` URIs are shown as `dbfs:/databricks/mlflow-tracking/` in experiment and
 * run answers; artifact bytes written through the Files API or the fake blob store are stored
 * in the real MLflow server's artifact store (so MLflow's own `artifacts/list` sees them); UC
 * registry calls are validated (three-level names) and then stored in the real MLflow
 * registry; `finalize` requires an `MLmodel` with signature inputs and outputs at the
 * version's Files API location (the check MLflow's client makes before registering to UC).
 *
 * Every other `/api/2.0/mlflow/...` request is forwarded unchanged to the real MLflow server.
 */

/** Signed-URL flavours the stand-in can hand out. */
export type CredentialType =
  | "AWS_PRESIGNED_URL"
  | "GCP_SIGNED_URL"
  | "AZURE_SAS_URI"
  | "AZURE_ADLS_GEN2_SAS_URI";

/** An Azurite blob endpoint to issue real SAS URLs for. */
export interface AzuriteTarget {
  /** e.g. `http://127.0.0.1:10000/devstoreaccount1`. */
  blobEndpoint: string;
  /** Account name (`devstoreaccount1`). */
  accountName: string;
  /** Base64 account key. */
  accountKey: string;
  /** Container for artifacts (created by the caller). */
  container: string;
}

/** Behaviour switches; change them at any time with `standin.options.x = …`. */
export interface StandinOptions {
  /** The real MLflow server. */
  mlflowUri: string;
  /** Accepted personal access tokens. */
  pats: string[];
  /** OAuth clients: id → secret. */
  oauthClients: Record<string, string>;
  /** Lifetime of issued OAuth tokens, seconds. */
  tokenLifetimeSeconds: number;
  /** When false, every `/api/2.0/fs/...` call answers 403 (Files API not enabled). */
  filesApi: boolean;
  /** Signed URL type for `credentials-for-*`. */
  credentialType: CredentialType;
  /** Hand out this many already-expired signed URLs first (to test refresh). */
  expiredCredentials: number;
  /** Largest Azure block the fake store accepts (bytes). */
  maxAzureBlockBytes: number;
  /** Page size of directory listings. */
  directoryPageSize: number;
  /** Use Azurite for AZURE_SAS_URI credentials. */
  azurite?: AzuriteTarget;
}

/** Counters of what the stand-in served. */
export interface StandinStats {
  tokensIssued: number;
  tokenRequestsRejected: number;
  unauthenticated: number;
  filesPut: number;
  filesGet: number;
  dirList: number;
  credentialsForWrite: number;
  credentialsForRead: number;
  blobPut: number;
  blobGet: number;
  azureBlocks: number;
  azureBlockLists: number;
  blobRejectedExpired: number;
  forwarded: number;
  ucCalls: number;
}

/** A running stand-in. */
export interface DatabricksStandin extends AsyncDisposable {
  /** The workspace URL, `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Mutable behaviour switches. */
  readonly options: StandinOptions;
  /** Counters. */
  readonly stats: StandinStats;
  /** Every request as `METHOD /path` (no query), in order. */
  readonly log: string[];
  /** Files stored outside the MLflow artifact store (e.g. `/Models/...`), by Files API path. */
  readonly files: Map<string, Uint8Array>;
  /** Stops the server. */
  close(): Promise<void>;
}

const enc = new TextEncoder();

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json" },
  });
}

function apiError(status: number, code: string, message: string): Response {
  return json(status, { error_code: code, message });
}

async function hmacHex(key: string, text: string): Promise<string> {
  const k = await crypto.subtle.importKey(
    "raw",
    enc.encode(key),
    { name: "HMAC", hash: "SHA-256" },
    false,
    [
      "sign",
    ],
  );
  const sig = new Uint8Array(await crypto.subtle.sign("HMAC", k, enc.encode(text)));
  return [...sig].map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function hmacBase64(keyB64: string, text: string): Promise<string> {
  const raw = Uint8Array.from(atob(keyB64), (c) => c.charCodeAt(0));
  const k = await crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  const sig = new Uint8Array(await crypto.subtle.sign("HMAC", k, enc.encode(text)));
  return btoa(String.fromCharCode(...sig));
}

function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** A service SAS (sr=b, sv=2019-12-12) for one blob of an Azurite account. */
export async function azureBlobSas(
  az: AzuriteTarget,
  blobName: string,
  permissions: string,
  expiresAt: number,
): Promise<string> {
  const sv = "2019-12-12";
  const se = isoSeconds(expiresAt);
  const resource = `/blob/${az.accountName}/${az.container}/${blobName}`;
  const toSign = [permissions, "", se, resource, "", "", "", sv, "b", "", "", "", "", "", ""].join(
    "\n",
  );
  const sig = await hmacBase64(az.accountKey, toSign);
  const q = new URLSearchParams({ sv, se, sr: "b", sp: permissions, sig });
  return `${az.blobEndpoint}/${az.container}/${
    blobName.split("/").map(encodeURIComponent).join("/")
  }?${q}`;
}

/** An account SAS (sv=2019-12-12) allowing container creation, for test setup. */
export async function azureAccountSas(
  az: Omit<AzuriteTarget, "container">,
  expiresAt: number,
): Promise<string> {
  const sv = "2019-12-12";
  const se = isoSeconds(expiresAt);
  const toSign = [az.accountName, "rwdlacup", "b", "sco", "", se, "", "", sv, ""].join("\n");
  const sig = await hmacBase64(az.accountKey, toSign);
  return new URLSearchParams({ sv, ss: "b", srt: "sco", sp: "rwdlacup", se, sig }).toString();
}

const RUN_FILES =
  /^\/WorkspaceInternal\/Mlflow\/Artifacts\/([^/]+)\/Runs\/([^/]+)\/artifacts(?:\/(.*))?$/;

function decodePath(p: string): string {
  return p.split("/").map(decodeURIComponent).join("/");
}

function encodePath(p: string): string {
  return p.split("/").map(encodeURIComponent).join("/");
}

function ucNameOk(name: unknown): boolean {
  return typeof name === "string" &&
    /^[A-Za-z0-9_][A-Za-z0-9_-]*\.[A-Za-z0-9_][A-Za-z0-9_-]*\.[A-Za-z0-9_][A-Za-z0-9_-]*$/.test(
      name,
    );
}

/**
 * Starts the stand-in on 127.0.0.1 with a free port.
 *
 * @example
 * ```ts ignore
 * await using standin = await startDatabricksStandin({ mlflowUri: testMlflowUri() });
 * ```
 */
export function startDatabricksStandin(
  init: Partial<StandinOptions> & { mlflowUri: string },
): Promise<DatabricksStandin> {
  const options: StandinOptions = {
    pats: ["dapi-standin-0123456789abcdef"],
    oauthClients: {},
    tokenLifetimeSeconds: 3600,
    filesApi: true,
    credentialType: "AWS_PRESIGNED_URL",
    expiredCredentials: 0,
    maxAzureBlockBytes: 100 * 1024 * 1024,
    directoryPageSize: 1000,
    ...init,
  };
  const mlflow = options.mlflowUri.replace(/\/+$/, "");
  const stats: StandinStats = {
    tokensIssued: 0,
    tokenRequestsRejected: 0,
    unauthenticated: 0,
    filesPut: 0,
    filesGet: 0,
    dirList: 0,
    credentialsForWrite: 0,
    credentialsForRead: 0,
    blobPut: 0,
    blobGet: 0,
    azureBlocks: 0,
    azureBlockLists: 0,
    blobRejectedExpired: 0,
    forwarded: 0,
    ucCalls: 0,
  };
  const log: string[] = [];
  const files = new Map<string, Uint8Array>();
  const oauthTokens = new Map<string, number>(); // token → expiry (ms)
  const blocks = new Map<string, Map<string, Uint8Array>>(); // blob key → block id → bytes
  const adlsFiles = new Map<string, Uint8Array[]>(); // ADLS Gen2 path → appended, unflushed data
  const pendingVersions = new Set<string>(); // "name/version" awaiting finalize
  const blobSecret = crypto.randomUUID();
  let url = "";

  // ---- the real MLflow server ------------------------------------------------------------
  async function mlflowFetch(path: string, init: RequestInit = {}): Promise<Response> {
    return await fetch(`${mlflow}${path}`, init);
  }

  async function storeArtifact(key: string, bytes: Uint8Array): Promise<Response> {
    const res = await mlflowFetch(`/api/2.0/mlflow-artifacts/artifacts/${encodePath(key)}`, {
      method: "PUT",
      body: bytes as Uint8Array<ArrayBuffer>,
    });
    await res.body?.cancel();
    return res;
  }

  async function readArtifact(key: string): Promise<Response | undefined> {
    const res = await mlflowFetch(`/api/2.0/mlflow-artifacts/artifacts/${encodePath(key)}`);
    if (!res.ok) {
      await res.body?.cancel();
      return undefined;
    }
    return res;
  }

  async function forward(req: Request, path: string, search: string): Promise<Response> {
    stats.forwarded++;
    const headers = new Headers();
    const ct = req.headers.get("Content-Type");
    if (ct) headers.set("Content-Type", ct);
    const body = req.method === "GET" || req.method === "HEAD"
      ? undefined
      : await req.arrayBuffer();
    const res = await mlflowFetch(`${path}${search}`, { method: req.method, headers, body });
    const text = await res.text();
    const rewritten = /^\/api\/2\.0\/mlflow\/(experiments|runs|artifacts)\//.test(path)
      ? text.replaceAll('"mlflow-artifacts:/', '"dbfs:/databricks/mlflow-tracking/')
      : text;
    return new Response(rewritten, {
      status: res.status,
      headers: { "Content-Type": res.headers.get("Content-Type") ?? "application/json" },
    });
  }

  // ---- auth ------------------------------------------------------------------------------
  function authorized(req: Request): boolean {
    const h = req.headers.get("Authorization") ?? "";
    const m = /^Bearer (.+)$/.exec(h);
    if (!m) return false;
    const token = m[1]!;
    if (options.pats.includes(token)) return true;
    const exp = oauthTokens.get(token);
    return exp !== undefined && Date.now() < exp;
  }

  async function tokenEndpoint(req: Request): Promise<Response> {
    const h = req.headers.get("Authorization") ?? "";
    const m = /^Basic (.+)$/.exec(h);
    const form = new URLSearchParams(await req.text());
    let id = "", secret = "";
    if (m) {
      const decoded = atob(m[1]!);
      const i = decoded.indexOf(":");
      id = decoded.slice(0, i);
      secret = decoded.slice(i + 1);
    }
    if (req.headers.get("Content-Type") !== "application/x-www-form-urlencoded") {
      stats.tokenRequestsRejected++;
      return json(400, { error: "invalid_request", error_description: "form body expected" });
    }
    if (form.get("grant_type") !== "client_credentials") {
      stats.tokenRequestsRejected++;
      return json(400, { error: "unsupported_grant_type" });
    }
    if (!id || options.oauthClients[id] === undefined || options.oauthClients[id] !== secret) {
      stats.tokenRequestsRejected++;
      return json(401, {
        error: "invalid_client",
        error_description: "Client authentication failed",
      });
    }
    if (form.get("scope") !== "all-apis") {
      stats.tokenRequestsRejected++;
      return json(400, { error: "invalid_scope" });
    }
    const token = `standin-oauth-${crypto.randomUUID()}`;
    oauthTokens.set(token, Date.now() + options.tokenLifetimeSeconds * 1000);
    stats.tokensIssued++;
    return json(200, {
      access_token: token,
      token_type: "Bearer",
      scope: "all-apis",
      expires_in: options.tokenLifetimeSeconds,
    });
  }

  // ---- Files API -------------------------------------------------------------------------
  async function filesApi(req: Request, u: URL): Promise<Response> {
    if (!options.filesApi) {
      return apiError(
        403,
        "PERMISSION_DENIED",
        "Files API is not enabled for this workspace (stand-in switch)",
      );
    }
    const isDir = u.pathname.startsWith("/api/2.0/fs/directories");
    const path = decodePath(
      u.pathname.slice(isDir ? "/api/2.0/fs/directories".length : "/api/2.0/fs/files".length),
    );
    const run = RUN_FILES.exec(path);
    if (isDir) {
      stats.dirList++;
      if (req.method !== "GET") {
        return apiError(405, "BAD_REQUEST", "only GET is implemented for directories");
      }
      let entries: { path: string; is_directory: boolean; file_size?: number; name: string }[] = [];
      if (run) {
        const key = [run[1], run[2], "artifacts", run[3]].filter((s) => s).join("/");
        const res = await mlflowFetch(
          `/api/2.0/mlflow-artifacts/artifacts?path=${encodeURIComponent(key)}`,
        );
        const body = await res.json() as {
          files?: { path: string; is_dir?: boolean; file_size?: number }[];
        };
        entries = (body.files ?? []).map((f) => ({
          path: `${path.replace(/\/+$/, "")}/${f.path}${f.is_dir ? "/" : ""}`,
          is_directory: f.is_dir ?? false,
          ...(f.is_dir ? {} : { file_size: Number(f.file_size ?? 0) }),
          name: f.path,
        }));
      } else {
        const prefix = `${path.replace(/\/+$/, "")}/`;
        const seen = new Map<
          string,
          { path: string; is_directory: boolean; file_size?: number; name: string }
        >();
        for (const [p, bytes] of files) {
          if (!p.startsWith(prefix)) continue;
          const rest = p.slice(prefix.length);
          const name = rest.split("/")[0]!;
          const isD = rest.includes("/");
          seen.set(name, {
            path: `${prefix}${name}${isD ? "/" : ""}`,
            is_directory: isD,
            ...(isD ? {} : { file_size: bytes.length }),
            name,
          });
        }
        entries = [...seen.values()];
      }
      if (entries.length === 0) {
        return apiError(404, "NOT_FOUND", "The directory being accessed is not found.");
      }
      entries.sort((a, b) => a.path.localeCompare(b.path));
      const size = Math.min(
        Number(u.searchParams.get("page_size") ?? options.directoryPageSize),
        options.directoryPageSize,
      );
      const start = Number(u.searchParams.get("page_token") ?? 0);
      const page = entries.slice(start, start + size);
      const next = start + size < entries.length ? String(start + size) : undefined;
      return json(200, { contents: page, ...(next ? { next_page_token: next } : {}) });
    }
    if (req.method === "PUT") {
      stats.filesPut++;
      const bytes = new Uint8Array(await req.arrayBuffer());
      if (run) {
        if (!run[3]) return apiError(400, "INVALID_PARAMETER_VALUE", "a file path is required");
        const res = await storeArtifact(`${run[1]}/${run[2]}/artifacts/${run[3]}`, bytes);
        if (!res.ok) {
          return apiError(500, "INTERNAL_ERROR", `artifact store answered ${res.status}`);
        }
      } else {
        if (u.searchParams.get("overwrite") === "false" && files.has(path)) {
          return apiError(409, "ALREADY_EXISTS", "The file being created already exists.");
        }
        files.set(path, bytes);
      }
      return new Response(null, { status: 204 });
    }
    if (req.method === "GET" || req.method === "HEAD") {
      stats.filesGet++;
      if (run) {
        const res = run[3]
          ? await readArtifact(`${run[1]}/${run[2]}/artifacts/${run[3]}`)
          : undefined;
        if (!res) return apiError(404, "NOT_FOUND", "The file being accessed is not found.");
        return new Response(res.body, {
          status: 200,
          headers: { "Content-Type": "application/octet-stream" },
        });
      }
      const bytes = files.get(path);
      if (!bytes) return apiError(404, "NOT_FOUND", "The file being accessed is not found.");
      return new Response(bytes as Uint8Array<ArrayBuffer>, { status: 200 });
    }
    return apiError(405, "BAD_REQUEST", `${req.method} is not implemented by the stand-in`);
  }

  // ---- credentials-for-write/read and the fake blob store --------------------------------
  async function credentials(req: Request, mode: "write" | "read"): Promise<Response> {
    if (mode === "write") stats.credentialsForWrite++;
    else stats.credentialsForRead++;
    const body = await req.json() as { run_id?: string; path?: string[] | string };
    const paths = Array.isArray(body.path) ? body.path : body.path ? [body.path] : [];
    if (!body.run_id || paths.length === 0) {
      return apiError(400, "INVALID_PARAMETER_VALUE", "run_id and path are required");
    }
    const runRes = await mlflowFetch(
      `/api/2.0/mlflow/runs/get?run_id=${encodeURIComponent(body.run_id)}`,
    );
    if (!runRes.ok) {
      const text = await runRes.text();
      return new Response(text, {
        status: runRes.status,
        headers: { "Content-Type": "application/json" },
      });
    }
    const run = await runRes.json() as { run: { info: { experiment_id: string } } };
    const exp = run.run.info.experiment_id;
    const infos = [];
    for (const p of paths) {
      const expired = options.expiredCredentials > 0;
      if (expired) options.expiredCredentials--;
      const expiresAt = expired ? Date.now() - 60_000 : Date.now() + 15 * 60_000;
      const key = `${exp}/${body.run_id}/artifacts/${p}`;
      const type = options.credentialType;
      let signed: string;
      const headers: { name: string; value: string }[] = [];
      if (type === "AZURE_SAS_URI" && options.azurite) {
        signed = await azureBlobSas(options.azurite, key, mode === "write" ? "cw" : "r", expiresAt);
      } else {
        const sig = await hmacHex(blobSecret, `${mode}:${type}:${key}:${expiresAt}`);
        signed = `${url}/blob/${
          encodePath(key)
        }?op=${mode}&type=${type}&exp=${expiresAt}&sig=${sig}`;
        if (type === "AWS_PRESIGNED_URL" && mode === "write") {
          headers.push({ name: "x-amz-server-side-encryption", value: "AES256" });
        }
      }
      infos.push({ run_id: body.run_id, path: p, signed_uri: signed, headers, type });
    }
    return json(200, { credential_infos: infos });
  }

  async function blobStore(req: Request, u: URL): Promise<Response> {
    const key = decodePath(u.pathname.slice("/blob/".length));
    const op = u.searchParams.get("op") ?? "";
    const type = u.searchParams.get("type") ?? "";
    const exp = Number(u.searchParams.get("exp"));
    const sig = u.searchParams.get("sig") ?? "";
    const azure = type === "AZURE_SAS_URI" || type === "AZURE_ADLS_GEN2_SAS_URI";
    if (sig !== await hmacHex(blobSecret, `${op}:${type}:${key}:${exp}`)) {
      return azure
        ? new Response("<Error><Code>AuthenticationFailed</Code></Error>", { status: 403 })
        : new Response("<Error><Code>SignatureDoesNotMatch</Code></Error>", { status: 403 });
    }
    if (!(Date.now() < exp)) {
      stats.blobRejectedExpired++;
      return azure
        ? new Response(
          "<Error><Code>AuthenticationFailed</Code><Message>Signed expiry time has passed</Message></Error>",
          {
            status: 403,
          },
        )
        : new Response(
          "<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>",
          { status: 403 },
        );
    }
    if (req.method === "GET") {
      if (op !== "read") {
        return new Response("<Error><Code>AccessDenied</Code></Error>", { status: 403 });
      }
      stats.blobGet++;
      const res = await readArtifact(key);
      if (!res) return new Response("<Error><Code>NoSuchKey</Code></Error>", { status: 404 });
      return new Response(res.body, { status: 200 });
    }
    if (type === "AZURE_ADLS_GEN2_SAS_URI" && op === "write") {
      // Data Lake Storage Gen2 Path API: create (PUT ?resource=file), append (PATCH
      // ?action=append&position=<offset>), flush (PATCH ?action=flush&position=<length>).
      // https://learn.microsoft.com/rest/api/storageservices/datalakestoragegen2/path/update
      const data = new Uint8Array(await req.arrayBuffer());
      const action = u.searchParams.get("action");
      const position = Number(u.searchParams.get("position"));
      const pending = adlsFiles.get(key);
      const length = (pending ?? []).reduce((n, p) => n + p.length, 0);
      if (req.method === "PUT" && u.searchParams.get("resource") === "file") {
        adlsFiles.set(key, []);
        return new Response(null, { status: 201 });
      }
      if (req.method === "PATCH" && action === "append" && pending && position === length) {
        stats.azureBlocks++;
        pending.push(data);
        return new Response(null, { status: 202 });
      }
      if (req.method === "PATCH" && action === "flush" && pending && position === length) {
        stats.azureBlockLists++;
        const total = new Uint8Array(length);
        let off = 0;
        for (const p of pending) {
          total.set(p, off);
          off += p.length;
        }
        adlsFiles.delete(key);
        const res = await storeArtifact(key, total);
        return new Response(null, { status: res.ok ? 200 : 500 });
      }
      return new Response('{"error":{"code":"InvalidFlushPosition"}}', { status: 400 });
    }
    if (req.method !== "PUT" || op !== "write") {
      return new Response("<Error><Code>AccessDenied</Code></Error>", { status: 403 });
    }
    if (
      type === "AWS_PRESIGNED_URL" && req.headers.get("x-amz-server-side-encryption") !== "AES256"
    ) {
      return new Response(
        "<Error><Code>AccessDenied</Code><Message>missing signed header</Message></Error>",
        {
          status: 403,
        },
      );
    }
    const bytes = new Uint8Array(await req.arrayBuffer());
    if (!azure) {
      stats.blobPut++;
      const res = await storeArtifact(key, bytes);
      return new Response(null, { status: res.ok ? 200 : 500 });
    }
    const comp = u.searchParams.get("comp");
    if (comp === "block") {
      const id = u.searchParams.get("blockid") ?? "";
      if (id === "" || bytes.length > options.maxAzureBlockBytes) {
        return new Response("<Error><Code>InvalidInput</Code></Error>", {
          status: bytes.length > 0 ? 413 : 400,
        });
      }
      stats.azureBlocks++;
      const m = blocks.get(key) ?? new Map<string, Uint8Array>();
      blocks.set(key, m);
      m.set(id, bytes);
      return new Response(null, { status: 201 });
    }
    if (comp === "blocklist") {
      stats.azureBlockLists++;
      const xml = new TextDecoder().decode(bytes);
      const ids = [...xml.matchAll(/<(Uncommitted|Latest|Committed)>([^<]*)<\/\1>/g)].map((m) =>
        m[2]!
      );
      const staged = blocks.get(key) ?? new Map<string, Uint8Array>();
      if (new Set(ids.map((i) => i.length)).size > 1 || ids.some((i) => !staged.has(i))) {
        return new Response("<Error><Code>InvalidBlockList</Code></Error>", { status: 400 });
      }
      const parts = ids.map((i) => staged.get(i)!);
      const total = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let off = 0;
      for (const p of parts) {
        total.set(p, off);
        off += p.length;
      }
      blocks.delete(key);
      const res = await storeArtifact(key, total);
      return new Response(null, { status: res.ok ? 201 : 500 });
    }
    return new Response("<Error><Code>InvalidQueryParameterValue</Code></Error>", { status: 400 });
  }

  // ---- Unity Catalog registry ------------------------------------------------------------
  function ucVersionExtras(v: Record<string, unknown>): Record<string, unknown> {
    const name = String(v.name);
    const [c, s, m] = name.split(".");
    const key = `${name}/${v.version}`;
    return {
      ...v,
      status: pendingVersions.has(key) ? "PENDING_REGISTRATION" : v.status,
      storage_location: `s3://standin-uc-bucket/models/${c}/${s}/${m}/versions/${v.version}`,
    };
  }

  async function unityCatalog(req: Request, u: URL): Promise<Response> {
    stats.ucCalls++;
    const rest = u.pathname.slice("/api/2.0/mlflow/unity-catalog".length);
    if (
      rest === "/model-versions/transition-stage" ||
      rest.startsWith("/registered-models/get-latest-versions")
    ) {
      return apiError(404, "ENDPOINT_NOT_FOUND", "Unity Catalog has no stages; use aliases");
    }
    const bodyText = req.method === "GET" ? "" : await req.text();
    const body = bodyText ? JSON.parse(bodyText) as Record<string, unknown> : {};
    const name = req.method === "GET" ? u.searchParams.get("name") ?? undefined : body.name;
    const isSearch = rest.endsWith("/search");
    if (!isSearch && !ucNameOk(name)) {
      return apiError(
        400,
        "INVALID_PARAMETER_VALUE",
        `Model name '${
          String(name)
        }' is not a valid Unity Catalog name: specify all three levels (catalog.schema.model)`,
      );
    }
    if (rest === "/model-versions/finalize") {
      const key = `${name}/${body.version}`;
      const [c, s, m] = String(name).split(".");
      const mlmodel = files.get(`/Models/${c}/${s}/${m}/${body.version}/MLmodel`);
      const text = mlmodel ? new TextDecoder().decode(mlmodel) : "";
      if (!/^signature:\n\s+inputs: .+\n\s+outputs: .+$/m.test(text)) {
        return apiError(
          400,
          "INVALID_PARAMETER_VALUE",
          "Model version has no MLmodel with a signature (inputs and outputs) in its storage location",
        );
      }
      pendingVersions.delete(key);
      const got = await mlflowFetch(
        `/api/2.0/mlflow/model-versions/get?name=${
          encodeURIComponent(String(name))
        }&version=${body.version}`,
      );
      const v = await got.json() as { model_version: Record<string, unknown> };
      return json(got.status, { model_version: ucVersionExtras(v.model_version) });
    }
    const target = `/api/2.0/mlflow${rest}${u.search}`;
    const res = await mlflowFetch(target, {
      method: req.method,
      headers: bodyText ? { "Content-Type": "application/json" } : {},
      body: bodyText || undefined,
    });
    const text = await res.text();
    if (!res.ok) {
      return new Response(text, {
        status: res.status,
        headers: { "Content-Type": "application/json" },
      });
    }
    const answer = text ? JSON.parse(text) as Record<string, unknown> : {};
    if (rest === "/model-versions/create" && answer.model_version) {
      const v = answer.model_version as Record<string, unknown>;
      pendingVersions.add(`${v.name}/${v.version}`);
    }
    if (answer.model_version) {
      answer.model_version = ucVersionExtras(answer.model_version as Record<string, unknown>);
    }
    if (Array.isArray(answer.model_versions)) {
      answer.model_versions = (answer.model_versions as Record<string, unknown>[]).map(
        ucVersionExtras,
      );
    }
    return json(200, answer);
  }

  // ---- routing -----------------------------------------------------------------------------
  async function handle(req: Request): Promise<Response> {
    const u = new URL(req.url);
    log.push(`${req.method} ${u.pathname}`);
    if (u.pathname === "/oidc/v1/token" && req.method === "POST") return await tokenEndpoint(req);
    if (u.pathname === "/oidc/.well-known/oauth-authorization-server") {
      return json(200, { issuer: `${url}/oidc`, token_endpoint: `${url}/oidc/v1/token` });
    }
    if (u.pathname.startsWith("/blob/")) return await blobStore(req, u);
    if (!u.pathname.startsWith("/api/")) return new Response("not found", { status: 404 });
    if (!authorized(req)) {
      stats.unauthenticated++;
      await req.body?.cancel();
      return apiError(
        401,
        "UNAUTHENTICATED",
        "Credential was not sent or was of an unsupported type for this API.",
      );
    }
    if (u.pathname.startsWith("/api/2.0/fs/")) return await filesApi(req, u);
    if (u.pathname === "/api/2.0/mlflow/artifacts/credentials-for-write") {
      return await credentials(req, "write");
    }
    if (u.pathname === "/api/2.0/mlflow/artifacts/credentials-for-read") {
      return await credentials(req, "read");
    }
    if (u.pathname.startsWith("/api/2.0/mlflow/unity-catalog/")) return await unityCatalog(req, u);
    if (u.pathname === "/api/2.0/mlflow/experiments/create") {
      const text = await req.text();
      const body = JSON.parse(text || "{}") as { name?: string };
      if (typeof body.name !== "string" || !body.name.startsWith("/")) {
        return apiError(
          400,
          "INVALID_PARAMETER_VALUE",
          `Got an invalid experiment name '${body.name}'. An experiment name must be an absolute path within the ` +
            "Databricks workspace, e.g. '/Users/<some-username>/my-experiment'.",
        );
      }
      return await forward(
        new Request(req.url, { method: "POST", headers: req.headers, body: text }),
        u.pathname,
        u.search,
      );
    }
    if (u.pathname.startsWith("/api/2.0/mlflow/") || u.pathname.startsWith("/api/3.0/mlflow/")) {
      return await forward(req, u.pathname, u.search);
    }
    return apiError(404, "ENDPOINT_NOT_FOUND", `No API found for '${req.method} ${u.pathname}'`);
  }

  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    try {
      return await handle(req);
    } catch (err) {
      return apiError(
        500,
        "INTERNAL_ERROR",
        `stand-in failure: ${err instanceof Error ? err.message : err}`,
      );
    }
  });
  url = `http://127.0.0.1:${server.addr.port}`;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await server.shutdown();
  };
  return Promise.resolve({
    url,
    options,
    stats,
    log,
    files,
    close,
    [Symbol.asyncDispose]: close,
  });
}
