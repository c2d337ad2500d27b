/**
 * Every validation issue code evalkit emits, each with its one meaning. {@link IssueCode} is the
 * closed union of these names: `Issue.code` is typed with it, so a caller can `switch` on it
 * exhaustively and a free-string code anywhere in the library fails the type check.
 * `tests/issue_codes_test.ts` pins the list (adding, removing or renaming a code is a visible,
 * reviewed change, as zod pins its issue shapes).
 *
 * @module
 */

/** Each issue code and its meaning (the documentation callers switch on). */
export const ISSUE_CODES = {
  // --- Dataset files (thrown by the readers, with file and line) -------------------------
  not_found: "The file, dataset or dataset version does not exist",
  unknown_format:
    "The file's format cannot be told from its name: not .json, .jsonl, .ndjson, .csv or .tsv",
  unsupported_encoding: "The file is not UTF-8 (it starts with a UTF-16 byte order mark)",
  invalid_utf8: "The file has bytes that are not valid UTF-8 (the message gives the byte offset)",
  empty_file: "The file holds nothing but whitespace",
  invalid_json: "The text is not valid JSON (including comments, which JSON does not allow)",
  duplicate_key: "A JSON object holds the same key twice (JSON readers silently keep the last)",
  too_deep: "A value inside a row nests more than MAX_NESTING_DEPTH (64) levels",
  not_an_array: "A .json dataset file is not an array of rows",
  not_an_object: "A row is not a JSON object (an array, a number, null, …)",
  invalid_csv:
    "The CSV is malformed: a quote inside an unquoted value, text after a closing quote, an unclosed quote, an over-long record",
  ragged_row: "A CSV record has a different number of fields than the header",
  invalid_option:
    "A reader option cannot be used (an empty CSV delimiter, or one that is a quote or line break)",
  wrong_delimiter:
    "The CSV header is one column containing ;, tab or |: the file uses another delimiter",
  invalid_header: "A CSV header name is empty or repeated",
  missing_column: "The CSV header lacks a column the declared schema requires",
  // --- Rows (validateRows) ----------------------------------------------------------------
  empty_dataset: "The dataset has no rows",
  missing_target:
    "The target column is absent from the schema, the header or every row, or one row lacks it",
  missing_field: "A required field is absent, null or empty",
  wrong_type:
    "A value has the wrong type for its field (text in a numeric column, a non-number metric value)",
  non_finite: "A numeric field holds NaN or ±Infinity",
  out_of_range: "A number is outside its column's minimum–maximum, or an integer beyond ±2^53−1",
  invalid_value: "A value is not one of its column's allowed values",
  duplicate_id: "An id was seen before (ids equal after Unicode NFC normalisation count as one)",
  invalid_id:
    "An id holds a control character (NUL, tab, C1), a lone surrogate or a Unicode non-character",
  invalid_text:
    "A text value holds a lone UTF-16 surrogate, which UTF-8 (and so the digest) cannot carry",
  // --- The dataset store ------------------------------------------------------------------
  invalid_name:
    "A dataset name is not 1–100 lowercase letters, digits, _ or -, starting with a letter",
  invalid_version: "A dataset version is neither semver nor date-like",
  version_exists:
    "That dataset version already exists with other content or schema (versions are immutable)",
  digest_mismatch: "A stored data file no longer matches the digest recorded when it was saved",
  invalid_schema: "A schema file (--schema) does not describe a DatasetSchema",
  // --- MLflow requests (checked before sending) -------------------------------------------
  invalid_key: "A metric, param or tag key is not a string MLflow accepts (characters, /-segments)",
  key_too_long: "A key is longer than MLflow's limit (250 characters)",
  value_too_long: "A param or tag value is longer than MLflow's limit",
  invalid_timestamp: "A metric timestamp is not an integer number of milliseconds ≥ 0",
  invalid_step: "A metric step is not a safe integer",
  duplicate_param: "A param is logged twice in one batch (MLflow refuses changing a param)",
  // --- Databricks workspace paths (validateWorkspaceExperimentName) ------------------------
  empty: "The workspace path is empty",
  not_absolute: "The workspace path does not start with /",
  too_long: "The workspace path is longer than 1,000 characters",
  bad_character: "The workspace path holds a control character or a backslash",
  trailing_slash: "The workspace path ends with /",
  empty_segment: "The workspace path holds an empty segment (//)",
  relative_segment: "The workspace path holds a . or .. segment",
  missing_name: "A /Shared/ workspace path names no experiment (/Shared/<folder…>/<name>)",
  missing_user: "A /Users/ workspace path names no user or no experiment (/Users/<user>/<name>)",
  unknown_root: "The workspace path starts with neither /Shared/ nor /Users/<user>/",
} as const;

/** The closed union of issue codes; see {@link ISSUE_CODES} for each one's meaning. */
export type IssueCode = keyof typeof ISSUE_CODES;
