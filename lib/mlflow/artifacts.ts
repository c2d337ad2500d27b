import type { MlflowTransport } from "./transport.ts";

/** Artifacts of runs and logged models (work in progress). */
export class ArtifactsApi {
  readonly #transport: MlflowTransport;
  /** Creates the API over a transport. */
  constructor(transport: MlflowTransport) {
    this.#transport = transport;
  }
  /** The transport. */
  get transport(): MlflowTransport {
    return this.#transport;
  }
}
