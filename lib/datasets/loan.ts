/**
 * The shipped loan-approval data: its schema, the documented underwriting rules that label it,
 * and the deterministic generator behind `deno task datasets generate`.
 *
 * @module
 */
import { createRng, type Rng } from "../_internal/rng.ts";
import type { DatasetManager, SavedDataset } from "./manager.ts";
import type { DatasetSchema, Row } from "./types.ts";

/**
 * The loan purposes the shipped data and the Loan Agent API know (`green_energy` is the new
 * category of the drifted `current_month` data).
 *
 * @example
 * ```ts
 * import { LOAN_PURPOSES } from "@evalkit/evalkit/datasets";
 * if (!LOAN_PURPOSES.includes("auto") || LOAN_PURPOSES.includes("boat")) throw new Error("purposes");
 * ```
 */
export const LOAN_PURPOSES: readonly string[] = [
  "debt_consolidation",
  "home_improvement",
  "auto",
  "education",
  "medical",
  "business",
  "green_energy",
];

/**
 * Schema of the shipped loan datasets, and the one definition of what a loan application may
 * hold: the ranges (`minimum`/`maximum`) and allowed values declared here are what
 * `datasets validate --schema loan` checks and what the Loan Agent API's request schema
 * (lib/server) is built from. `applicant_name` is personal data (hashed whenever rows leave
 * the machine); `expected_outcome` is the target; `request_id` is unique.
 *
 * @example
 * ```ts
 * import { loanApprovalSchema, validateRows } from "@evalkit/evalkit/datasets";
 * if (loanApprovalSchema.target !== "expected_outcome") throw new Error("target");
 * const row = {
 *   request_id: "T-1", applicant_name: "A B", age: 40, annual_income: 60000, credit_score: 900,
 *   loan_amount: 10000, loan_term_months: 36, debt_to_income: 0.3, employment_years: 4,
 *   loan_purpose: "auto", home_ownership: "rent", expected_outcome: "approve",
 * };
 * const r = validateRows([row], loanApprovalSchema);
 * if (r.issues[0]?.code !== "out_of_range") throw new Error("credit_score 900 is refused");
 * ```
 */
export const loanApprovalSchema: DatasetSchema = {
  columns: [
    { name: "request_id", type: "string", role: "id", description: "Unique application id" },
    {
      name: "applicant_name",
      type: "string",
      personalData: "hash",
      description: "Applicant's full name (synthetic; personal data)",
    },
    { name: "age", type: "integer", minimum: 18, maximum: 120, description: "Age in years" },
    {
      name: "annual_income",
      type: "number",
      minimum: 0,
      maximum: 1e9,
      description: "Annual income in USD",
    },
    {
      name: "credit_score",
      type: "integer",
      minimum: 300,
      maximum: 850,
      description: "Credit score, 300–850",
    },
    {
      name: "loan_amount",
      type: "number",
      minimum: 1,
      maximum: 1e9,
      description: "Requested amount in USD",
    },
    {
      name: "loan_term_months",
      type: "integer",
      minimum: 1,
      maximum: 600,
      description: "Term in months",
    },
    {
      name: "debt_to_income",
      type: "number",
      minimum: 0,
      maximum: 1.5,
      description:
        "Monthly debt payments / monthly income (usually 0–1; above 1.5 is a data error)",
    },
    {
      name: "employment_years",
      type: "number",
      minimum: 0,
      maximum: 80,
      description: "Years with current employer",
    },
    {
      name: "loan_purpose",
      type: "string",
      values: [...LOAN_PURPOSES],
      description: "Purpose category",
    },
    {
      name: "home_ownership",
      type: "string",
      values: ["own", "mortgage", "rent"],
      description: "Home ownership",
    },
    {
      name: "expected_outcome",
      type: "string",
      role: "target",
      values: ["approve", "reject"],
      description: "Ground-truth decision from the underwriting rules (with label noise)",
    },
  ],
  target: "expected_outcome",
  id: "request_id",
};

/**
 * The thresholds of the underwriting rules.
 *
 * @example
 * ```ts
 * import { LOAN_RULES } from "@evalkit/evalkit/datasets";
 * if (LOAN_RULES.minCreditScore !== 580) throw new Error("rules");
 * ```
 */
export const LOAN_RULES = {
  /** Reject below this credit score. */
  minCreditScore: 580,
  /** Reject above this debt-to-income ratio. */
  maxDebtToIncome: 0.45,
  /** Reject when the loan amount exceeds this share of annual income. */
  maxLoanToIncome: 0.6,
  /** With less than this many years employed… */
  minEmploymentYears: 1,
  /** …reject unless the credit score is at least this. */
  shortEmploymentMinCreditScore: 680,
} as const;

/** Thresholds of the underwriting rules (the shape of {@link LOAN_RULES}; an agent may vary them). */
export interface LoanRules {
  /** Reject below this credit score. */
  readonly minCreditScore: number;
  /** Reject above this debt-to-income ratio. */
  readonly maxDebtToIncome: number;
  /** Reject when the loan amount exceeds this share of annual income. */
  readonly maxLoanToIncome: number;
  /** With less than this many years employed… */
  readonly minEmploymentYears: number;
  /** …reject unless the credit score is at least this. */
  readonly shortEmploymentMinCreditScore: number;
}

/** The figures of one application that the underwriting rules look at. */
export interface LoanApplicationFigures {
  /** `credit_score`. */
  creditScore: number;
  /** `debt_to_income`. */
  debtToIncome: number;
  /** `loan_amount`. */
  loanAmount: number;
  /** `annual_income`. */
  annualIncome: number;
  /** `employment_years`. */
  employmentYears: number;
}

/** One underwriting rule, named after the threshold that decides it. */
export type LoanRule =
  | "minCreditScore"
  | "maxDebtToIncome"
  | "maxLoanToIncome"
  | "shortEmploymentMinCreditScore";

/**
 * The underwriting rules an application fails, in the documented order: credit score below
 * `minCreditScore`, debt-to-income above `maxDebtToIncome`, loan amount above
 * `maxLoanToIncome` × income, employment below `minEmploymentYears` with credit score below
 * `shortEmploymentMinCreditScore`. The one implementation of the rules: the shipped data's
 * labels ({@link loanRuleDecision}) and the reference agent both use it.
 *
 * @example
 * ```ts
 * import { failedLoanRules, LOAN_RULES } from "@evalkit/evalkit/datasets";
 * const figures = { creditScore: 600, debtToIncome: 0.5, loanAmount: 1000, annualIncome: 50000, employmentYears: 0.5 };
 * const failed = failedLoanRules(figures, LOAN_RULES);
 * if (failed.join() !== "maxDebtToIncome,shortEmploymentMinCreditScore") throw new Error(failed.join());
 * ```
 */
export function failedLoanRules(
  figures: LoanApplicationFigures,
  rules: LoanRules = LOAN_RULES,
): LoanRule[] {
  const { creditScore, debtToIncome, loanAmount, annualIncome, employmentYears } = figures;
  const failed: LoanRule[] = [];
  if (creditScore < rules.minCreditScore) failed.push("minCreditScore");
  if (debtToIncome > rules.maxDebtToIncome) failed.push("maxDebtToIncome");
  if (loanAmount > rules.maxLoanToIncome * annualIncome) failed.push("maxLoanToIncome");
  if (
    employmentYears < rules.minEmploymentYears && creditScore < rules.shortEmploymentMinCreditScore
  ) {
    failed.push("shortEmploymentMinCreditScore");
  }
  return failed;
}

const RULE_CODES: Record<LoanRule, string> = {
  minCreditScore: "credit_score_below_580",
  maxDebtToIncome: "debt_to_income_above_0.45",
  maxLoanToIncome: "loan_amount_above_60pct_income",
  shortEmploymentMinCreditScore: "short_employment_with_credit_below_680",
};

/** A rule-based decision with its reasons. */
export interface LoanRuleDecision {
  /** `approve` or `reject`. */
  outcome: "approve" | "reject";
  /** The rules that rejected it (empty when approved). */
  reasons: string[];
}

/**
 * The documented underwriting rules that label the shipped data (before label noise):
 * reject when credit_score < 580, when debt_to_income > 0.45, when loan_amount > 0.6 ×
 * annual_income, or when employment_years < 1 and credit_score < 680; approve otherwise.
 *
 * @example
 * ```ts
 * import { loanRuleDecision } from "@evalkit/evalkit/datasets";
 * const d = loanRuleDecision({ credit_score: 550, debt_to_income: 0.2, loan_amount: 1000, annual_income: 50000, employment_years: 5 });
 * if (d.outcome !== "reject") throw new Error("rules");
 * ```
 */
export function loanRuleDecision(row: Row): LoanRuleDecision {
  const reasons = failedLoanRules({
    creditScore: Number(row.credit_score),
    debtToIncome: Number(row.debt_to_income),
    loanAmount: Number(row.loan_amount),
    annualIncome: Number(row.annual_income),
    employmentYears: Number(row.employment_years),
  }).map((rule) => RULE_CODES[rule]);
  return { outcome: reasons.length === 0 ? "approve" : "reject", reasons };
}

/** Knobs of the generator; `current_month` uses the drifted values. */
export interface LoanGeneratorOptions {
  /** Number of rows. */
  rows: number;
  /** Seed. */
  seed: number;
  /** Prefix of request ids, e.g. `LT`. */
  idPrefix: string;
  /** Multiplier on incomes. Default 1. */
  incomeFactor?: number;
  /** Credit score mean. Default 690. */
  creditMean?: number;
  /** Credit score standard deviation. Default 65. */
  creditSd?: number;
  /** Share of a new `green_energy` loan purpose. Default 0. */
  greenEnergyShare?: number;
  /** Share of labels flipped after the rules (label noise). Default 0.05. */
  labelNoise?: number;
}

const FIRST = [
  "Ava",
  "Liam",
  "Olivia",
  "Noah",
  "Emma",
  "Mateo",
  "Sophia",
  "Lucas",
  "Amara",
  "Ethan",
  "Mia",
  "Hiro",
  "Isabella",
  "Omar",
  "Chloe",
  "Arjun",
  "Grace",
  "Leo",
  "Zara",
  "Samuel",
  "Nora",
  "Kwame",
  "Elena",
  "Diego",
  "Aisha",
  "Jonas",
  "Priya",
  "Felix",
  "Lina",
  "Tomas",
  "Yara",
  "Ivan",
  "Hana",
  "Marco",
  "Fatima",
  "Oscar",
  "Ingrid",
  "Ravi",
  "Sofia",
  "Bruno",
];
const LAST = [
  "Smith",
  "Garcia",
  "Nguyen",
  "Müller",
  "Okafor",
  "Kowalski",
  "Rossi",
  "Tanaka",
  "Silva",
  "Johnson",
  "Khan",
  "Dubois",
  "Andersen",
  "Lopez",
  "Kim",
  "Brown",
  "Ivanova",
  "Mensah",
  "Patel",
  "Schmidt",
  "Novak",
  "Costa",
  "Haddad",
  "Larsen",
  "Moreau",
  "Chen",
  "Wilson",
  "Popescu",
  "Yilmaz",
  "Fischer",
  "O'Brien",
  "Sato",
  "Jansen",
  "Ortiz",
  "Berg",
  "Adeyemi",
  "Horvat",
  "Lindqvist",
  "Reyes",
  "Walker",
];
const PURPOSES: [string, number, number][] = [
  // purpose, weight, typical amount (USD)
  ["debt_consolidation", 0.30, 15000],
  ["home_improvement", 0.18, 25000],
  ["auto", 0.18, 22000],
  ["education", 0.10, 18000],
  ["medical", 0.10, 8000],
  ["business", 0.14, 35000],
];
const TERMS = [12, 24, 36, 48, 60, 72, 84, 120];

function pick<T>(rng: Rng, items: readonly [T, number][]): T {
  const total = items.reduce((a, [, w]) => a + w, 0);
  let u = rng.next() * total;
  for (const [v, w] of items) {
    u -= w;
    if (u < 0) return v;
  }
  return items[items.length - 1]![0];
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));
const round = (x: number, step: number) => Math.round(x / step) * step;
const round2 = (x: number) => Math.round(x * 100) / 100;
const round3 = (x: number) => Math.round(x * 1000) / 1000;

/**
 * Generates loan applications deterministically from a seed, labelled by
 * {@link loanRuleDecision} with a share of labels flipped (label noise).
 *
 * @example
 * ```ts
 * import { generateLoanRows } from "@evalkit/evalkit/datasets";
 * const a = generateLoanRows({ rows: 5, seed: 1, idPrefix: "T" });
 * const b = generateLoanRows({ rows: 5, seed: 1, idPrefix: "T" });
 * if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error("not deterministic");
 * ```
 */
export function generateLoanRows(options: LoanGeneratorOptions): Row[] {
  const rng = createRng(options.seed);
  const incomeFactor = options.incomeFactor ?? 1;
  const creditMean = options.creditMean ?? 690, creditSd = options.creditSd ?? 65;
  const green = options.greenEnergyShare ?? 0;
  const noise = options.labelNoise ?? 0.05;
  const purposes: [[string, number], number][] = PURPOSES.map((
    [p, w, amt],
  ) => [[p, amt], w * (1 - green)]);
  if (green > 0) purposes.push([["green_energy", 28000], green]);
  const width = Math.max(6, String(options.rows).length);
  const rows: Row[] = [];
  for (let i = 0; i < options.rows; i++) {
    const name = `${FIRST[rng.int(FIRST.length)]} ${LAST[rng.int(LAST.length)]}`;
    const age = Math.round(clamp(40 + 11 * rng.normal(), 21, 75));
    const income = clamp(
      round(Math.exp(Math.log(62000 * incomeFactor) + 0.45 * rng.normal()), 100),
      12000,
      400000,
    );
    const credit = Math.round(clamp(creditMean + creditSd * rng.normal(), 300, 850));
    const [purpose, typical] = pick(rng, purposes);
    const amount = clamp(round(typical * Math.exp(0.5 * rng.normal()), 100), 1000, 150000);
    const term = TERMS[rng.int(TERMS.length)]!;
    const dti = round3(clamp(0.28 + 0.11 * rng.normal(), 0.01, 0.95));
    const years = round(Math.min(age - 18, -Math.log(1 - rng.next()) * 6), 0.1);
    const home = pick(rng, [["rent", 0.4], ["mortgage", 0.4], ["own", 0.2]] as [string, number][]);
    const row: Row = {
      request_id: `${options.idPrefix}-${String(i + 1).padStart(width, "0")}`,
      applicant_name: name,
      age,
      annual_income: income,
      credit_score: credit,
      loan_amount: amount,
      loan_term_months: term,
      debt_to_income: dti,
      employment_years: round2(years),
      loan_purpose: purpose,
      home_ownership: home,
      expected_outcome: "approve",
    };
    let outcome = loanRuleDecision(row).outcome;
    if (rng.next() < noise) outcome = outcome === "approve" ? "reject" : "approve";
    row.expected_outcome = outcome;
    rows.push(row);
  }
  return rows;
}

/** One shipped dataset: its name, version, description, creation time and generator options. */
export interface ShippedDatasetSpec {
  /** Name. */
  name: string;
  /** Version. */
  version: string;
  /** Description. */
  description: string;
  /** Fixed creation time (keeps the output byte-identical). */
  createdAt: string;
  /** Tags. */
  tags: Record<string, string>;
  /** Generator options. */
  generator: LoanGeneratorOptions;
}

/**
 * The shipped datasets and how each is generated (see docs/datasets.md).
 *
 * @example
 * ```ts
 * import { SHIPPED_DATASETS } from "@evalkit/evalkit/datasets";
 * if (SHIPPED_DATASETS[0]!.name !== "loan_approval_test_set") throw new Error("shipped");
 * ```
 */
export const SHIPPED_DATASETS: readonly ShippedDatasetSpec[] = [
  {
    name: "loan_approval_test_set",
    version: "1.0.0",
    description:
      "1,200 synthetic loan applications labelled by the documented underwriting rules with 5% label noise",
    createdAt: "2025-10-01T00:00:00.000Z",
    tags: { domain: "lending", kind: "evaluation", generator: "evalkit.loan/v1" },
    generator: { rows: 1200, seed: 20251001, idPrefix: "LT" },
  },
  {
    name: "baseline_v1",
    version: "2025.09",
    description: "Reference traffic for drift detection: same distribution as the test set",
    createdAt: "2025-09-30T00:00:00.000Z",
    tags: { domain: "lending", kind: "drift-baseline", generator: "evalkit.loan/v1" },
    generator: { rows: 2000, seed: 20250930, idPrefix: "LB" },
  },
  {
    name: "current_month",
    version: "2025.10",
    description:
      "Current traffic with drift: incomes 15% lower, credit scores lower and wider (mean 655, sd 85), a new loan_purpose green_energy (12%)",
    createdAt: "2025-10-31T00:00:00.000Z",
    tags: { domain: "lending", kind: "drift-current", generator: "evalkit.loan/v1" },
    generator: {
      rows: 2000,
      seed: 20251031,
      idPrefix: "LC",
      incomeFactor: 0.85,
      creditMean: 655,
      creditSd: 85,
      greenEnergyShare: 0.12,
    },
  },
];

/**
 * Generates and saves every shipped dataset into a manager's folder. Deterministic: running it
 * again writes byte-identical files (an existing identical version is a no-op).
 *
 * @example
 * ```ts
 * import { DatasetManager, generateShippedDatasets } from "@evalkit/evalkit/datasets";
 * const basePath = await Deno.makeTempDir();
 * const saved = await generateShippedDatasets(new DatasetManager({ basePath }));
 * await Deno.remove(basePath, { recursive: true });
 * if (saved.length !== 3 || !saved.every((s) => s.created)) throw new Error("generated");
 * ```
 */
export async function generateShippedDatasets(manager: DatasetManager): Promise<SavedDataset[]> {
  const out: SavedDataset[] = [];
  for (const spec of SHIPPED_DATASETS) {
    const rows = generateLoanRows(spec.generator);
    out.push(
      await manager.save(rows, {
        name: spec.name,
        version: spec.version,
        description: spec.description,
        tags: spec.tags,
        schema: loanApprovalSchema,
        createdAt: spec.createdAt,
        source: { type: "generated", uri: "deno task datasets generate" },
        operation: { type: "generate", generator: "evalkit.loan/v1", ...spec.generator },
      }),
    );
  }
  return out;
}
