// Private: the Deno Jupyter kernel API when running inside `deno jupyter`, else undefined.
// Outside the kernel even reading `Deno.jupyter` throws, hence the try.

/** The kernel's display function (subset used here). */
export interface KernelApi {
  display(
    obj: unknown,
    options?: { raw?: boolean; update?: boolean; display_id?: string },
  ): Promise<void>;
}

export function jupyterKernel(): KernelApi | undefined {
  try {
    return (Deno as unknown as { jupyter?: KernelApi }).jupyter;
  } catch {
    return undefined;
  }
}
