/**
 * Benchmark: data drift on 1,000,000 reference and 1,000,000 current rows × (10 numeric +
 * 10 categorical) features — evalkit's detectDataDrift side by side with SciPy computing
 * the same statistics (KS, Wasserstein normed, decile PSI; chi-square, Jensen–Shannon,
 * category PSI) and with Evidently's DataDriftPreset, in one run. Wall time of the drift
 * computation and peak RSS of each process.
 *
 *   deno task bench drift
 *   EVALKIT_BENCH_DRIFT_ROWS=100000 deno run -A bench/drift.ts   # smaller, quicker
 *   EVALKIT_BENCH_SKIP_EVIDENTLY=1 …                            # SciPy only
 *
 * Evidently 0.7.23 cannot import with the project's pandas 3.x, so it runs from its own
 * virtual environment (.evalkit/bench/evidently-venv, built on first use from
 * bench/requirements-evidently.txt).
 */
import { detectDataDrift } from "../lib/drift/mod.ts";

const N_NUM = 10;
const N_CAT = 10;

function peakRssMb(): number {
  try {
    const s = Deno.readTextFileSync("/proc/self/status");
    const m = s.match(/VmHWM:\s+(\d+)\s+kB/);
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

// ---------------------------------------------------------------- worker (evalkit side)
if (Deno.args[0] === "--worker") {
  const dir = Deno.args[1]!;
  const names = Array.from({ length: 256 }, (_, k) => `cat_${k}`);
  const ref: Record<string, ArrayLike<unknown>> = {};
  const cur: Record<string, ArrayLike<unknown>> = {};
  for (let j = 0; j < N_NUM; j++) {
    for (const [side, out] of [["ref", ref], ["cur", cur]] as const) {
      const bytes = await Deno.readFile(`${dir}/${side}_num_${j}.f64`);
      out[`num_${j}`] = new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8);
    }
  }
  for (let j = 0; j < N_CAT; j++) {
    for (const [side, out] of [["ref", ref], ["cur", cur]] as const) {
      const codes = await Deno.readFile(`${dir}/${side}_cat_${j}.u8`);
      const col = new Array<string>(codes.length);
      for (let i = 0; i < codes.length; i++) col[i] = names[codes[i]!]!;
      out[`cat_${j}`] = col;
    }
  }
  const loaded = Deno.memoryUsage().rss / 1048576;
  const t0 = performance.now();
  const report = detectDataDrift(ref, cur);
  const seconds = (performance.now() - t0) / 1000;
  const result: Record<string, Record<string, number | boolean>> = {};
  for (const f of report.features) {
    const s = f.statistics;
    result[f.name] = f.kind === "numeric"
      ? {
        ks: s.ks!.statistic,
        ks_p: s.ks!.pValue,
        w_norm: s.wasserstein!.normed,
        psi: s.psi!.value,
        drifted: f.drifted,
      }
      : {
        chi2: s.chiSquare!.statistic,
        chi2_p: s.chiSquare!.pValue,
        js: s.jensenShannon!.distance,
        psi: s.psi!.value,
        drifted: f.drifted,
      };
  }
  console.log(JSON.stringify({ seconds, peak_rss_mb: peakRssMb(), loaded_rss_mb: loaded, result }));
  Deno.exit(0);
}

// ---------------------------------------------------------------- orchestrator
const ROWS = Number(Deno.env.get("EVALKIT_BENCH_DRIFT_ROWS") ?? 1_000_000);
const PYTHON = Deno.env.get("EVALKIT_PYTHON_BIN") ?? ".venv/bin/python";
const EVIDENTLY_VENV = ".evalkit/bench/evidently-venv";
const here = new URL(".", import.meta.url).pathname;

/** splitmix32-seeded xorshift128+ style generator (deterministic, no Math.random). */
function rng(seed: number) {
  let s0 = (seed ^ 0x9e3779b9) >>> 0, s1 = (seed * 0x85ebca6b) >>> 0 || 1;
  const next = () => {
    let x = s0;
    const y = s1;
    s0 = y;
    x ^= x << 23;
    x ^= x >>> 17;
    x ^= y ^ (y >>> 26);
    s1 = x >>> 0;
    return ((s0 + s1) >>> 0) / 4294967296;
  };
  return {
    next,
    normal() {
      const u = next() || 1e-12, v = next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
  };
}

function numericColumn(j: number, n: number, drift: boolean, seed: number): Float64Array {
  const r = rng(seed);
  const out = new Float64Array(n);
  const shift = drift ? 1 : 0;
  for (let i = 0; i < n; i++) {
    switch (j % 5) {
      case 0: // income-like
        out[i] = 55000 + 18000 * r.normal() + shift * 6000;
        break;
      case 1: // credit-score-like integers (ties)
        out[i] = Math.min(850, Math.max(300, Math.round(680 + 60 * r.normal() - shift * 25)));
        break;
      case 2: // log-normal amounts
        out[i] = Math.exp(9.5 + 0.6 * r.normal() + shift * 0.15);
        break;
      case 3:
        out[i] = r.normal();
        break;
      default: // exponential
        out[i] = -Math.log(1 - r.next()) * (drift ? 1.2 : 1);
    }
  }
  return out;
}

function categoricalColumn(j: number, n: number, drift: boolean, seed: number): Uint8Array {
  const r = rng(seed);
  const k = 3 + 2 * j;
  const weights = Array.from({ length: k }, (_, i) => 1 / (i + 1));
  if (drift) weights.push(weights[0]! * 0.4); // an unseen category
  const total = weights.reduce((a, b) => a + b, 0);
  const cdf: number[] = [];
  let acc = 0;
  for (const w of weights) cdf.push(acc += w / total);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const u = r.next();
    let c = 0;
    while (c < cdf.length - 1 && u > cdf[c]!) c++;
    out[i] = c;
  }
  return out;
}

async function run(
  cmd: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(cmd, {
    args,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  })
    .output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

async function ensureEvidentlyVenv(): Promise<string | undefined> {
  const py = `${EVIDENTLY_VENV}/bin/python`;
  const ok = async () =>
    (await run(py, ["-c", "import evidently, pandas"]).catch(() => ({ code: 1 }))).code === 0;
  if (await ok()) return py;
  console.error(`Creating ${EVIDENTLY_VENV} for Evidently (first run only)…`);
  await Deno.mkdir(".evalkit/bench", { recursive: true });
  const mk = await run(PYTHON, ["-m", "venv", EVIDENTLY_VENV]);
  if (mk.code !== 0) return undefined;
  const pip = await run(`${EVIDENTLY_VENV}/bin/pip`, [
    "install",
    "--quiet",
    "--disable-pip-version-check",
    "-r",
    `${here}requirements-evidently.txt`,
  ]);
  if (pip.code !== 0) console.error(pip.stderr.slice(-2000));
  return (await ok()) ? py : undefined;
}

interface Measured {
  seconds: number;
  peak_rss_mb: number;
  loaded_rss_mb: number;
  result: Record<string, Record<string, number | boolean>>;
}

function parseLast(stdout: string): Measured {
  const line = stdout.trim().split("\n").at(-1)!;
  return JSON.parse(line);
}

const dir = await Deno.makeTempDir({ prefix: "evalkit-bench-drift-" });
try {
  console.log(
    `Data drift: ${ROWS.toLocaleString("en-US")} reference + ${
      ROWS.toLocaleString("en-US")
    } current rows × (${N_NUM} numeric + ${N_CAT} categorical) features`,
  );
  const tg = performance.now();
  for (let j = 0; j < N_NUM; j++) {
    const drift = j === 0 || j === 1 || j === 7;
    await Deno.writeFile(
      `${dir}/ref_num_${j}.f64`,
      new Uint8Array(numericColumn(j, ROWS, false, 1000 + j).buffer),
    );
    await Deno.writeFile(
      `${dir}/cur_num_${j}.f64`,
      new Uint8Array(numericColumn(j, ROWS, drift, 2000 + j).buffer),
    );
  }
  for (let j = 0; j < N_CAT; j++) {
    const drift = j === 2;
    await Deno.writeFile(`${dir}/ref_cat_${j}.u8`, categoricalColumn(j, ROWS, false, 3000 + j));
    await Deno.writeFile(`${dir}/cur_cat_${j}.u8`, categoricalColumn(j, ROWS, drift, 4000 + j));
  }
  console.log(
    `(data generated in ${
      ((performance.now() - tg) / 1000).toFixed(1)
    } s; timings below exclude loading)`,
  );

  const ours = await run(Deno.execPath(), ["run", "-A", `${here}drift.ts`, "--worker", dir]);
  if (ours.code !== 0) throw new Error(`evalkit worker failed:\n${ours.stderr}`);
  const e = parseLast(ours.stdout);

  const sp = await run(PYTHON, [
    `${here}_drift_peers.py`,
    dir,
    String(N_NUM),
    String(N_CAT),
    "scipy",
  ]);
  const s = sp.code === 0 ? parseLast(sp.stdout) : undefined;
  if (!s) console.error(`SciPy peer failed:\n${sp.stderr.slice(-2000)}`);

  let ev: Measured | undefined;
  let evNote = "";
  const evPy = Deno.env.get("EVALKIT_BENCH_SKIP_EVIDENTLY")
    ? undefined
    : await ensureEvidentlyVenv();
  if (Deno.env.get("EVALKIT_BENCH_SKIP_EVIDENTLY")) {
    evNote = "Evidently skipped (EVALKIT_BENCH_SKIP_EVIDENTLY)";
  } else if (!evPy) evNote = "Evidently not measured: its environment could not be created";
  else {
    const r = await run(evPy, [
      `${here}_drift_peers.py`,
      dir,
      String(N_NUM),
      String(N_CAT),
      "evidently",
    ]);
    if (r.code === 0) ev = parseLast(r.stdout);
    else evNote = `Evidently not measured: ${r.stderr.trim().split("\n").at(-1)}`;
  }

  const row = (name: string, m: Measured | undefined) =>
    m
      ? `${name.padEnd(34)} ${m.seconds.toFixed(2).padStart(8)} s   peak RSS ${
        m.peak_rss_mb.toFixed(0).padStart(6)
      } MB   (after loading ${m.loaded_rss_mb.toFixed(0)} MB, +${
        (m.peak_rss_mb - m.loaded_rss_mb).toFixed(0)
      } MB)`
      : `${name.padEnd(34)} not measured`;
  console.log(row("evalkit detectDataDrift (Deno)", e));
  console.log(row("SciPy/NumPy same statistics", s));
  console.log(row("Evidently DataDriftPreset", ev));
  if (evNote) console.log(evNote);
  if (s) {
    console.log(
      `evalkit vs SciPy: ${
        (s.seconds / e.seconds).toFixed(2)
      }× the speed (target ≥ 0.5×, i.e. within 2×)`,
    );
    // agreement of the statistics computed by both
    let worst = 0, worstKey = "";
    for (const [f, vals] of Object.entries(e.result)) {
      for (const [k, v] of Object.entries(vals)) {
        const o = s.result[f]?.[k];
        if (typeof v !== "number" || typeof o !== "number") continue;
        const rel = v === o ? 0 : Math.abs(v - o) / Math.max(Math.abs(o), 1e-300);
        if (rel > worst) [worst, worstKey] = [rel, `${f}.${k}`];
      }
    }
    console.log(
      `largest relative difference evalkit vs SciPy over all statistics: ${
        worst.toExponential(2)
      } (${worstKey})`,
    );
    const dE = Object.entries(e.result).filter(([, v]) => v.drifted).map(([k]) => k);
    const dS = Object.entries(s.result).filter(([, v]) => v.drifted).map(([k]) => k);
    console.log(
      `drifted features: evalkit [${dE.join(", ")}], SciPy thresholds [${dS.join(", ")}]`,
    );
  }
  if (ev) {
    console.log(
      `evalkit vs Evidently: ${(ev.seconds / e.seconds).toFixed(1)}× faster (target ≥ 10×)`,
    );
    const evValues = ev.result.values as unknown as Record<
      string,
      { method: string; value: number }
    >;
    let worst = 0, worstKey = "";
    for (const [col, { value }] of Object.entries(evValues ?? {})) {
      const ours = e.result[col];
      const mine = ours ? (col.startsWith("num_") ? ours.w_norm : ours.js) : undefined;
      if (typeof mine !== "number") continue;
      const rel = mine === value ? 0 : Math.abs(mine - value) / Math.abs(value);
      if (rel > worst) [worst, worstKey] = [rel, col];
    }
    console.log(
      `Evidently drifted columns: ${
        JSON.stringify(ev.result.drifted_columns)
      }; largest relative difference of its ` +
        `Wasserstein-normed / JS values vs evalkit: ${worst.toExponential(2)} (${worstKey})`,
    );
  }
} finally {
  await Deno.remove(dir, { recursive: true });
}
