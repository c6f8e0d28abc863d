/** EmulatedService is which emulated surface answered a request. */
export type EmulatedService =
  | 'arm'
  | 'keyvault'
  | 'entra'
  | 'graph'
  | 'github-oidc'
  | 'azure-devops-oidc'
  | 'metadata'
  | 'kubernetes'
  | 'unknown';

/** RequestRecord is one request to the HTTPS listeners, as `GET /requests` lists it. */
export interface RequestRecord {
  readonly seq: number;
  readonly method: string;
  /** The Host header, e.g. `127.0.0.1:PORT`. */
  readonly host: string;
  /** Path and query string. */
  readonly path: string;
  readonly status: number;
  readonly service: EmulatedService;
  /** Set for the vault's data-plane listener. */
  readonly vault?: string;
  /** True for PUT, PATCH, POST and DELETE sent to ARM, Key Vault or the Kubernetes API server. */
  readonly write: boolean;
}

const WRITE_METHODS = new Set(['PUT', 'PATCH', 'POST', 'DELETE']);

/** RequestLog numbers and keeps the requests the emulator answered. */
export class RequestLog {
  private next = 1;
  private records: RequestRecord[] = [];

  /** add appends a request and returns its record. */
  add(entry: Omit<RequestRecord, 'seq' | 'write'>): RequestRecord {
    const write =
      (entry.service === 'arm' || entry.service === 'keyvault' || entry.service === 'kubernetes') &&
      WRITE_METHODS.has(entry.method);
    const record = { seq: this.next, ...entry, write };
    this.next += 1;
    this.records.push(record);
    return record;
  }

  /** list returns the requests in order. */
  list(): readonly RequestRecord[] {
    return this.records;
  }

  /** clear forgets the requests (sequence numbers keep counting). */
  clear(): void {
    this.records = [];
  }
}
