/**
 * Reading configuration from the environment without tripping over missing permissions.
 *
 * @module
 */

/** Returns the variable's value, or `undefined` when unset, empty, or not permitted. */
export function readEnv(name: string): string | undefined {
  try {
    const value = Deno.env.get(name);
    return value === undefined || value === "" ? undefined : value;
  } catch {
    // No --allow-env for this name: treat as unset, as a user would expect.
    return undefined;
  }
}

/** Parses a boolean-ish variable (`1`, `true`, `yes`, `on`; case-insensitive). */
export function readEnvFlag(name: string): boolean {
  const v = readEnv(name)?.toLowerCase();
  return v === "1" || v === "true" || v === "yes" || v === "on";
}
