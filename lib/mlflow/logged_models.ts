import type { MlflowTransport } from "./transport.ts";

/** MLflow 3 logged models (work in progress). */
export class LoggedModelsApi {
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
