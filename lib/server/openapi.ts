import { z } from "zod";
import {
  DecisionResponseSchema,
  ErrorResponseSchema,
  EvaluateDatasetRequestSchema,
  EvaluationJobSchema,
  LoanApplicationSchema,
} from "./schemas.ts";

function schema(s: z.ZodType, io: "input" | "output"): Record<string, unknown> {
  const json = z.toJSONSchema(s, { io, unrepresentable: "any" }) as Record<string, unknown>;
  delete json.$schema;
  return json;
}

function jsonContent(ref: string): Record<string, unknown> {
  return { "application/json": { schema: { $ref: `#/components/schemas/${ref}` } } };
}

const errors = (...codes: number[]) =>
  Object.fromEntries(
    codes.map((c) => [String(c), { description: ERROR_TEXT[c], content: jsonContent("Error") }]),
  );

const ERROR_TEXT: Record<number, string> = {
  400: "Invalid request (issues listed), or a malformed percent-encoded path",
  401: "Missing or wrong bearer token",
  404: "Unknown dataset or job",
  408: "The body did not arrive within the body timeout",
  413: "Body too large",
  415: "Content-Type is not application/json",
  429: "Too many evaluation jobs running and queued; retry after the Retry-After seconds",
  504: "The agent did not answer in time",
};

/**
 * The Loan Agent API's OpenAPI 3.1 document, generated from the same zod schemas that
 * validate requests.
 *
 * @example
 * ```ts
 * import { openApiDocument } from "@evalkit/evalkit/server";
 * const doc = openApiDocument("0.1.0");
 * if (doc.openapi !== "3.1.0") throw new Error("unexpected");
 * ```
 */
export function openApiDocument(version: string): { openapi: string } & Record<string, unknown> {
  const secured = [{ bearer: [] }];
  return {
    openapi: "3.1.0",
    info: {
      title: "evalkit Loan Agent API",
      version,
      description: "Loan decisions, dataset evaluations recorded in MLflow, and runtime metrics.",
    },
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
      schemas: {
        LoanApplication: schema(LoanApplicationSchema, "input"),
        Decision: schema(DecisionResponseSchema, "output"),
        EvaluateDatasetRequest: schema(EvaluateDatasetRequestSchema, "input"),
        EvaluationJob: schema(EvaluationJobSchema, "output"),
        Error: schema(ErrorResponseSchema, "output"),
      },
    },
    paths: {
      "/health": {
        get: {
          summary: "Liveness",
          responses: {
            "200": {
              description: "Healthy",
              content: { "application/json": { schema: { type: "object" } } },
            },
          },
        },
      },
      "/api/v1/openapi.json": {
        get: {
          summary: "This document",
          responses: { "200": { description: "OpenAPI 3.1 document" } },
        },
      },
      "/api/v1/loan/decision": {
        post: {
          summary: "Decide one loan application",
          security: secured,
          requestBody: { required: true, content: jsonContent("LoanApplication") },
          responses: {
            "200": { description: "The decision", content: jsonContent("Decision") },
            ...errors(400, 401, 408, 413, 415, 504),
          },
        },
      },
      "/api/v1/loan/evaluate_dataset": {
        post: {
          summary: "Evaluate the agent on a shipped dataset and record the run in MLflow",
          security: secured,
          requestBody: { required: true, content: jsonContent("EvaluateDatasetRequest") },
          responses: {
            "200": {
              description: "Finished: run id and metrics",
              content: jsonContent("EvaluationJob"),
            },
            "202": { description: "Accepted: poll the job", content: jsonContent("EvaluationJob") },
            ...errors(400, 401, 404, 408, 413, 415, 429),
          },
        },
      },
      "/api/v1/loan/evaluations/{id}": {
        get: {
          summary: "An evaluation job's status",
          security: secured,
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
          responses: {
            "200": { description: "The job", content: jsonContent("EvaluationJob") },
            ...errors(400, 401, 404),
          },
        },
      },
      "/api/v1/metrics/summary": {
        get: {
          summary: "Runtime metrics summary (replaces /metrics)",
          security: secured,
          responses: {
            "200": {
              description: "Collector summary",
              content: { "application/json": { schema: { type: "object" } } },
            },
            ...errors(401),
          },
        },
      },
    },
  };
}
