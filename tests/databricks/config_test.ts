import assert from "node:assert/strict";
import {
  databricksTarget,
  parseDatabricksUri,
  resolveDatabricksConfig,
} from "../../lib/mlflow/databricks/mod.ts";

const HOST = "https://adb-1234567890123456.7.azuredatabricks.net";
const TOKEN = "dapi0123456789abcdef0123456789abcd";

function files(map: Record<string, string>): (path: string) => string | undefined {
  return (path) => map[path];
}

const CFG = `
; written by databricks configure
[DEFAULT]
host  = ${HOST}
token = ${TOKEN}

[ci-sp]
host          = my-ws.cloud.databricks.com/
client_id     = 0000-aaaa
client_secret = dose-secret-value

[no-host]
token = abc

[no-creds]
host = https://x.cloud.databricks.com

[half-oauth]
host = https://x.cloud.databricks.com
client_id = only-id
`;

Deno.test("parseDatabricksUri() reads the profile and refuses secret-scope URIs", () => {
  assert.deepEqual(parseDatabricksUri("databricks"), { scheme: "databricks" });
  assert.deepEqual(parseDatabricksUri("databricks://ci-sp"), {
    scheme: "databricks",
    profile: "ci-sp",
  });
  assert.deepEqual(parseDatabricksUri("databricks-uc"), { scheme: "databricks-uc" });
  assert.equal(parseDatabricksUri("http://127.0.0.1:5000"), undefined);
  assert.throws(() => parseDatabricksUri("databricks://scope:prefix"), /secret-scope/);
});

Deno.test("DATABRICKS_HOST + DATABRICKS_TOKEN give a PAT config that never prints the token", () => {
  const config = resolveDatabricksConfig("databricks", {
    env: { DATABRICKS_HOST: `${HOST}/`, DATABRICKS_TOKEN: TOKEN },
  });
  assert.equal(config.host, HOST);
  assert.equal(config.source, "environment");
  assert.equal(config.credentials.type, "pat");
  assert.ok(config.credentials.type === "pat" && config.credentials.token.reveal() === TOKEN);
  assert.ok(!JSON.stringify(config).includes(TOKEN));
  assert.ok(!Deno.inspect(config, { depth: 10 }).includes(TOKEN));
  assert.ok(!String(config.credentials.type === "pat" && config.credentials.token).includes(TOKEN));
});

Deno.test("environment settings win over the config file when the URI names no profile", () => {
  const config = resolveDatabricksConfig("databricks", {
    env: {
      DATABRICKS_HOST: "https://env.cloud.databricks.com",
      DATABRICKS_TOKEN: "t1",
      HOME: "/home/u",
    },
    readFile: files({ "/home/u/.databrickscfg": CFG }),
  });
  assert.equal(config.host, "https://env.cloud.databricks.com");
});

Deno.test("databricks://<profile> reads only that profile, even with DATABRICKS_HOST set", () => {
  const config = resolveDatabricksConfig("databricks://ci-sp", {
    env: {
      DATABRICKS_HOST: "https://env.cloud.databricks.com",
      DATABRICKS_TOKEN: "t1",
      HOME: "/home/u",
    },
    readFile: files({ "/home/u/.databrickscfg": CFG }),
  });
  assert.equal(config.host, "https://my-ws.cloud.databricks.com");
  assert.equal(config.profile, "ci-sp");
  assert.equal(config.credentials.type, "oauth-m2m");
  assert.ok(config.credentials.type === "oauth-m2m" && config.credentials.clientId === "0000-aaaa");
  assert.ok(!JSON.stringify(config).includes("dose-secret-value"));
});

Deno.test("DATABRICKS_CONFIG_FILE overrides ~/.databrickscfg and [DEFAULT] is used without a profile", () => {
  const config = resolveDatabricksConfig("databricks", {
    env: { DATABRICKS_CONFIG_FILE: "/etc/dbcfg", HOME: "/home/u" },
    readFile: files({ "/etc/dbcfg": CFG }),
  });
  assert.equal(config.host, HOST);
  assert.equal(config.profile, "DEFAULT");
  assert.equal(config.source, "profile [DEFAULT] of /etc/dbcfg");
});

Deno.test("DATABRICKS_CONFIG_PROFILE selects the profile when the URI has none", () => {
  const config = resolveDatabricksConfig("databricks", {
    env: { DATABRICKS_CONFIG_PROFILE: "ci-sp", HOME: "/home/u" },
    readFile: files({ "/home/u/.databrickscfg": CFG }),
  });
  assert.equal(config.profile, "ci-sp");
});

Deno.test("a missing or wrong setting gives an error that names it", async (t) => {
  const home = { HOME: "/home/u" };
  const read = files({ "/home/u/.databrickscfg": CFG });
  const cases: [string, string, Record<string, string>, RegExp][] = [
    [
      "token without host",
      "databricks",
      { DATABRICKS_TOKEN: "t" },
      /DATABRICKS_HOST is not set \(DATABRICKS_TOKEN is\)/,
    ],
    ["host without token", "databricks", { DATABRICKS_HOST: HOST }, /DATABRICKS_TOKEN is not set/],
    [
      "client id without secret",
      "databricks",
      { DATABRICKS_HOST: HOST, DATABRICKS_CLIENT_ID: "x" },
      /DATABRICKS_CLIENT_SECRET is not set/,
    ],
    ["host that is not a URL", "databricks", {
      DATABRICKS_HOST: "not a host",
      DATABRICKS_TOKEN: "t",
    }, /DATABRICKS_HOST must be/],
    ["plain http host", "databricks", {
      DATABRICKS_HOST: "http://x.cloud.databricks.com",
      DATABRICKS_TOKEN: "t",
    }, /DATABRICKS_HOST must be an https:\/\//],
    ["host with a path", "databricks", {
      DATABRICKS_HOST: `${HOST}/api/2.0`,
      DATABRICKS_TOKEN: "t",
    }, /DATABRICKS_HOST must be the workspace URL without a path/],
    ["unknown auth type", "databricks", {
      DATABRICKS_HOST: HOST,
      DATABRICKS_TOKEN: "t",
      DATABRICKS_AUTH_TYPE: "azure-cli",
    }, /DATABRICKS_AUTH_TYPE is 'azure-cli'/],
    [
      "unknown profile",
      "databricks://nope",
      home,
      /Profile \[nope\] is not in \/home\/u\/\.databrickscfg; profiles there: \[DEFAULT\], \[ci-sp\]/,
    ],
    [
      "profile without host",
      "databricks://no-host",
      home,
      /'host' is not set in profile \[no-host\]/,
    ],
    [
      "profile without credentials",
      "databricks://no-creds",
      home,
      /'token' in profile \[no-creds\] of \/home\/u\/\.databrickscfg is not set/,
    ],
    [
      "profile with half OAuth",
      "databricks://half-oauth",
      home,
      /'client_secret' in profile \[half-oauth\].* is not set/,
    ],
    [
      "no config file at all",
      "databricks",
      { HOME: "/nowhere" },
      /config file \/nowhere\/\.databrickscfg does not exist/,
    ],
    ["config file from DATABRICKS_CONFIG_FILE missing", "databricks", {
      DATABRICKS_CONFIG_FILE: "/x/cfg",
    }, /\/x\/cfg does not exist \(from DATABRICKS_CONFIG_FILE\)/],
  ];
  for (const [label, uri, env, re] of cases) {
    await t.step(label, () => {
      assert.throws(() => resolveDatabricksConfig(uri, { env, readFile: read }), (err: Error) => {
        assert.ok(err instanceof TypeError, `TypeError expected, got ${err}`);
        assert.match(err.message, re);
        assert.ok(!err.message.includes(TOKEN) && !err.message.includes("dose-secret-value"));
        return true;
      });
    });
  }
});

Deno.test("databricksTarget() gives bearer auth for a token and dynamic auth for OAuth M2M", () => {
  const pat = databricksTarget("databricks", {
    env: { DATABRICKS_HOST: HOST, DATABRICKS_TOKEN: TOKEN },
  });
  assert.equal(pat.auth.type, "bearer");
  assert.equal(pat.baseUrl, HOST);
  assert.ok(pat.registry, "Unity Catalog is the default registry for Databricks tracking");
  const m2m = databricksTarget("databricks", {
    env: {
      DATABRICKS_HOST: HOST,
      DATABRICKS_CLIENT_ID: "id",
      DATABRICKS_CLIENT_SECRET: "s",
      MLFLOW_REGISTRY_URI: "databricks",
    },
  });
  assert.equal(m2m.auth.type, "dynamic");
  assert.equal(m2m.registry, undefined, "registry URI 'databricks' means the workspace registry");
  assert.throws(
    () =>
      databricksTarget("databricks", {
        env: { DATABRICKS_HOST: HOST, DATABRICKS_TOKEN: "t", MLFLOW_REGISTRY_URI: "http://x" },
      }),
    /MLFLOW_REGISTRY_URI is 'http:\/\/x'/,
  );
  assert.throws(
    () =>
      databricksTarget("databricks-uc", { env: { DATABRICKS_HOST: HOST, DATABRICKS_TOKEN: "t" } }),
    /'databricks-uc' is a registry URI: set MLFLOW_TRACKING_URI=databricks/,
  );
});
