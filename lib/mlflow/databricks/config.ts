/**
 * Databricks workspace configuration: which host, which credentials, read from the
 * tracking URI, the environment and `~/.databrickscfg`, with errors that name the setting
 * that is missing or wrong.
 *
 * @module
 */
import { readEnv } from "../../_internal/env.ts";
import { Secret } from "./secret.ts";

/** Where settings come from: a map (tests, notebooks) or a function (default: `Deno.env`). */
export type EnvSource = Record<string, string | undefined> | ((name: string) => string | undefined);

/** The credentials used to call a workspace. */
export type DatabricksCredentials =
  | {
    /** A personal access token (or any bearer token). */
    type: "pat";
    /** The token. */
    token: Secret;
    /** The setting it came from, e.g. `DATABRICKS_TOKEN` or `token in profile [ci] of ~/.databrickscfg`. */
    setting: string;
  }
  | {
    /** OAuth machine-to-machine: a service principal's client id and secret. */
    type: "oauth-m2m";
    /** The service principal's application (client) id. */
    clientId: string;
    /** Its OAuth secret. */
    clientSecret: Secret;
    /** The settings they came from, e.g. `DATABRICKS_CLIENT_ID / DATABRICKS_CLIENT_SECRET`. */
    setting: string;
  };

/** A resolved workspace configuration. Printing it never shows a token or secret. */
export interface DatabricksConfig {
  /** Workspace URL without a trailing slash, e.g. `https://adb-123.4.azuredatabricks.net`. */
  host: string;
  /** The config-file profile used, when one was. */
  profile?: string;
  /** Where the settings came from: `environment`, or `profile [name] of <file>`. */
  source: string;
  /** The setting that gave the host (for error messages). */
  hostSetting: string;
  /** How to authenticate. */
  credentials: DatabricksCredentials;
}

/** Options for {@link resolveDatabricksConfig}. */
export interface ResolveDatabricksConfigOptions {
  /** Environment variables. Default: the process environment. */
  env?: EnvSource;
  /** Reads the config file; default `Deno.readTextFileSync`. Return `undefined` when absent. */
  readFile?: (path: string) => string | undefined;
}

/** The parts of a `databricks…` URI. */
export interface DatabricksUri {
  /** `databricks` (tracking / workspace registry) or `databricks-uc` (Unity Catalog registry). */
  scheme: "databricks" | "databricks-uc";
  /** The profile named in the URI, when any. */
  profile?: string;
}

/**
 * Parses `databricks`, `databricks://<profile>`, `databricks-uc` and `databricks-uc://<profile>`.
 * Returns `undefined` for any other URI. Secret-scope URIs (`databricks://<scope>:<prefix>`)
 * only work inside a Databricks runtime and are refused with a `TypeError`.
 *
 * @example
 * ```ts
 * import { parseDatabricksUri } from "@evalkit/evalkit/databricks";
 * const uri = parseDatabricksUri("databricks://ci");
 * if (uri?.profile !== "ci") throw new Error("expected profile ci");
 * if (parseDatabricksUri("http://127.0.0.1:5000") !== undefined) throw new Error("not databricks");
 * ```
 */
export function parseDatabricksUri(uri: string): DatabricksUri | undefined {
  const m = /^(databricks|databricks-uc)(?::(?:\/\/(.*))?)?$/.exec(uri.trim());
  if (!m) return undefined;
  const scheme = m[1] as "databricks" | "databricks-uc";
  const rest = m[2];
  if (rest === undefined || rest === "") return { scheme };
  const profile = rest.replace(/\/+$/, "");
  if (profile.includes(":")) {
    throw new TypeError(
      `Expected '${scheme}://<profile>' but found '${uri}': secret-scope URIs ('${scheme}://<scope>:<prefix>') ` +
        "only work inside a Databricks runtime; use a profile of ~/.databrickscfg or DATABRICKS_HOST with DATABRICKS_TOKEN",
    );
  }
  if (!/^[\w.@-]+$/.test(profile)) {
    throw new TypeError(`Expected a profile name after '${scheme}://' but found '${profile}'`);
  }
  return { scheme, profile };
}

function getter(env: EnvSource | undefined): (name: string) => string | undefined {
  if (env === undefined) return readEnv;
  if (typeof env === "function") {
    return (name) => {
      const v = env(name);
      return v === undefined || v === "" ? undefined : v;
    };
  }
  return (name) => {
    const v = env[name];
    return v === undefined || v === "" ? undefined : v;
  };
}

/**
 * Parses an INI file as the Databricks CLI writes it (`[profile]` sections, `key = value`,
 * `#`/`;` comments). Keys are lower-cased. `[DEFAULT]` is an ordinary section here: its keys
 * are not inherited by other profiles, so credentials never mix across profiles.
 *
 * @example
 * ```ts
 * import { parseDatabricksCfg } from "@evalkit/evalkit/databricks";
 * const cfg = parseDatabricksCfg("[DEFAULT]\nhost = https://x.cloud.databricks.com\ntoken = t\n");
 * if (cfg.DEFAULT?.host !== "https://x.cloud.databricks.com") throw new Error("bad parse");
 * ```
 */
export function parseDatabricksCfg(text: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  let section: Record<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      const name = header[1]!.trim();
      section = out[name] ??= {};
      continue;
    }
    const eq = line.search(/[=:]/);
    if (eq <= 0 || section === undefined) continue;
    section[line.slice(0, eq).trim().toLowerCase()] = line.slice(eq + 1).trim();
  }
  return out;
}

/**
 * Validates and normalises a workspace URL: adds `https://` when no scheme is given, drops a
 * trailing slash and any query (`?o=<workspace-id>`). Plain `http://` is accepted only for
 * loopback addresses (local stand-ins).
 *
 * @example
 * ```ts
 * import { normalizeDatabricksHost } from "./config.ts";
 * const host = normalizeDatabricksHost("my-ws.cloud.databricks.com/", "DATABRICKS_HOST");
 * if (host !== "https://my-ws.cloud.databricks.com") throw new Error(host);
 * ```
 */
export function normalizeDatabricksHost(value: string, setting: string): string {
  const text = value.trim();
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`);
  } catch (err) {
    throw new TypeError(
      `${setting} must be a workspace URL like https://<workspace>.cloud.databricks.com but found '${text}'`,
      { cause: err },
    );
  }
  const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) {
    throw new TypeError(
      `${setting} must be an https:// workspace URL but found '${text}' (plain http is only accepted for 127.0.0.1)`,
    );
  }
  if (url.username !== "" || url.password !== "") {
    throw new TypeError(
      `${setting} must not contain credentials; put the token in DATABRICKS_TOKEN`,
    );
  }
  if (url.hostname === "" || !url.hostname.includes(".") && !loopback) {
    throw new TypeError(
      `${setting} must be a workspace URL like https://<workspace>.cloud.databricks.com but found '${text}'`,
    );
  }
  const path = url.pathname.replace(/\/+$/, "");
  if (path !== "") {
    throw new TypeError(
      `${setting} must be the workspace URL without a path (found path '${url.pathname}' in '${text}')`,
    );
  }
  return url.origin;
}

function homeDir(get: (name: string) => string | undefined): string | undefined {
  return get("HOME") ?? get("USERPROFILE");
}

function defaultReadFile(path: string): string | undefined {
  try {
    return Deno.readTextFileSync(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  }
}

function credentialsFrom(
  values: { token?: string; clientId?: string; clientSecret?: string; authType?: string },
  names: { token: string; clientId: string; clientSecret: string; authType: string; where: string },
): DatabricksCredentials {
  const authType = values.authType?.toLowerCase();
  if (authType !== undefined && authType !== "pat" && authType !== "oauth-m2m") {
    throw new TypeError(
      `${names.authType} is '${values.authType}', which evalkit does not support: use 'pat' (a token) or 'oauth-m2m' ` +
        "(a service principal's client id and secret)",
    );
  }
  const wantsOauth = authType === "oauth-m2m" ||
    (authType === undefined && values.token === undefined &&
      (values.clientId !== undefined || values.clientSecret !== undefined));
  if (wantsOauth) {
    if (values.clientId === undefined) {
      throw new TypeError(
        `${names.clientId} is not set (needed with ${names.clientSecret} for OAuth M2M)${names.where}`,
      );
    }
    if (values.clientSecret === undefined) {
      throw new TypeError(
        `${names.clientSecret} is not set (needed with ${names.clientId} for OAuth M2M)${names.where}`,
      );
    }
    return {
      type: "oauth-m2m",
      clientId: values.clientId,
      clientSecret: new Secret(values.clientSecret),
      setting: `${names.clientId} / ${names.clientSecret}`,
    };
  }
  if (values.token === undefined) {
    throw new TypeError(
      `${names.token} is not set: give a personal access token, or ${names.clientId} and ${names.clientSecret} ` +
        `for OAuth M2M${names.where}`,
    );
  }
  if (/\s/.test(values.token)) {
    throw new TypeError(
      `${names.token} contains whitespace; check that it was copied whole${names.where}`,
    );
  }
  return { type: "pat", token: new Secret(values.token), setting: names.token };
}

/**
 * Resolves the workspace host and credentials for a `databricks` / `databricks://<profile>`
 * URI, as MLflow does:
 *
 * 1. a profile named in the URI → only that profile of the config file;
 * 2. otherwise `DATABRICKS_HOST` with `DATABRICKS_TOKEN`, or with `DATABRICKS_CLIENT_ID` +
 *    `DATABRICKS_CLIENT_SECRET` (OAuth M2M);
 * 3. otherwise the profile `DATABRICKS_CONFIG_PROFILE` (default `DEFAULT`) of the config file
 *    `DATABRICKS_CONFIG_FILE` (default `~/.databrickscfg`), keys `host`, `token`,
 *    `client_id`, `client_secret`, `auth_type`.
 *
 * A missing or malformed setting throws a `TypeError` that names it. Tokens are wrapped in
 * {@link Secret} and never appear in messages.
 *
 * @example
 * ```ts
 * import { resolveDatabricksConfig } from "@evalkit/evalkit/databricks";
 * const config = resolveDatabricksConfig("databricks", {
 *   env: { DATABRICKS_HOST: "https://my-ws.cloud.databricks.com", DATABRICKS_TOKEN: "dapi123" },
 * });
 * if (config.credentials.type !== "pat") throw new Error("expected a token");
 * if (JSON.stringify(config).includes("dapi123")) throw new Error("token leaked");
 * ```
 */
export function resolveDatabricksConfig(
  uri: string,
  options: ResolveDatabricksConfigOptions = {},
): DatabricksConfig {
  const parsed = parseDatabricksUri(uri);
  if (!parsed) {
    throw new TypeError(
      `Expected a 'databricks' or 'databricks://<profile>' URI but found '${uri}'`,
    );
  }
  const get = getter(options.env);
  const readFile = options.readFile ?? defaultReadFile;

  if (parsed.profile === undefined) {
    const host = get("DATABRICKS_HOST");
    const token = get("DATABRICKS_TOKEN");
    const clientId = get("DATABRICKS_CLIENT_ID");
    const clientSecret = get("DATABRICKS_CLIENT_SECRET");
    const authType = get("DATABRICKS_AUTH_TYPE");
    if (
      host !== undefined || token !== undefined || clientId !== undefined ||
      clientSecret !== undefined
    ) {
      if (host === undefined) {
        const given = token !== undefined
          ? "DATABRICKS_TOKEN"
          : clientId !== undefined
          ? "DATABRICKS_CLIENT_ID"
          : "DATABRICKS_CLIENT_SECRET";
        throw new TypeError(
          `DATABRICKS_HOST is not set (${given} is): set it to the workspace URL, e.g. https://<workspace>.cloud.databricks.com`,
        );
      }
      return {
        host: normalizeDatabricksHost(host, "DATABRICKS_HOST"),
        source: "environment",
        hostSetting: "DATABRICKS_HOST",
        credentials: credentialsFrom({ token, clientId, clientSecret, authType }, {
          token: "DATABRICKS_TOKEN",
          clientId: "DATABRICKS_CLIENT_ID",
          clientSecret: "DATABRICKS_CLIENT_SECRET",
          authType: "DATABRICKS_AUTH_TYPE",
          where: "",
        }),
      };
    }
  }

  const profile = parsed.profile ?? get("DATABRICKS_CONFIG_PROFILE") ?? "DEFAULT";
  const fileSetting = get("DATABRICKS_CONFIG_FILE") !== undefined
    ? "DATABRICKS_CONFIG_FILE"
    : undefined;
  let file = get("DATABRICKS_CONFIG_FILE");
  if (file === undefined) {
    const home = homeDir(get);
    if (home === undefined) {
      throw new TypeError(
        "No Databricks settings found: set DATABRICKS_HOST and DATABRICKS_TOKEN (or DATABRICKS_CLIENT_ID and " +
          "DATABRICKS_CLIENT_SECRET), or DATABRICKS_CONFIG_FILE (HOME is not set, so ~/.databrickscfg cannot be found)",
      );
    }
    file = `${home.replace(/[\\/]+$/, "")}/.databrickscfg`;
  }
  const text = readFile(file);
  if (text === undefined) {
    const how = parsed.profile !== undefined
      ? `the URI names profile [${profile}]`
      : "DATABRICKS_HOST is not set";
    throw new TypeError(
      `Databricks config file ${file} does not exist${
        fileSetting ? ` (from ${fileSetting})` : ""
      }, and ${how}: ` +
        "create it with 'databricks configure', point DATABRICKS_CONFIG_FILE at one, or set DATABRICKS_HOST and DATABRICKS_TOKEN",
    );
  }
  const sections = parseDatabricksCfg(text);
  const section = sections[profile];
  if (section === undefined) {
    const known = Object.keys(sections);
    throw new TypeError(
      `Profile [${profile}] is not in ${file}${
        parsed.profile === undefined && profile !== "DEFAULT"
          ? " (from DATABRICKS_CONFIG_PROFILE)"
          : ""
      }; ` +
        `profiles there: ${known.length === 0 ? "none" : known.map((k) => `[${k}]`).join(", ")}`,
    );
  }
  const where = ` in profile [${profile}] of ${file}`;
  if (section.host === undefined || section.host === "") {
    throw new TypeError(`'host' is not set${where}`);
  }
  return {
    host: normalizeDatabricksHost(section.host, `'host'${where}`),
    profile,
    source: `profile [${profile}] of ${file}`,
    hostSetting: `'host'${where}`,
    credentials: credentialsFrom({
      token: section.token || undefined,
      clientId: section.client_id || undefined,
      clientSecret: section.client_secret || undefined,
      authType: section.auth_type || undefined,
    }, {
      token: `'token'${where}`,
      clientId: `'client_id'${where}`,
      clientSecret: `'client_secret'${where}`,
      authType: `'auth_type'${where}`,
      where: "",
    }),
  };
}
