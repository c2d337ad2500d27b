import type { MlflowTransport } from "./transport.ts";

/** Registered models (work in progress). */
export class RegisteredModelsApi {
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

/** Model versions (work in progress). */
export class ModelVersionsApi {
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
