/**
 * Host is what a runner gives the core: logging with groups, secret masking, outputs and the job
 * summary. The GitHub Action, the Azure DevOps task and the CLI each provide one, so the core never
 * imports a runner's library.
 */
export interface Host {
  /** debug logs a detail that only a user who asked for debug output sees. */
  debug(message: string): void;
  /** info logs a milestone or a resource id. */
  info(message: string): void;
  /** warning logs a misconfiguration that does not stop the run. */
  warning(message: string): void;
  /** group runs `work` inside a collapsible log group that always closes. */
  group<T>(name: string, work: () => Promise<T>): Promise<T>;
  /** setSecret masks a value in every later line of the log. */
  setSecret(value: string): void;
  /** setOutput publishes one step output. */
  setOutput(name: string, value: string): void;
  /** writeSummary appends markdown to the job summary. */
  writeSummary(markdown: string): Promise<void>;
}
