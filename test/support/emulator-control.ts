/** RecordedRequest is one request the emulator received, as its control API lists it. */
export interface RecordedRequest {
  readonly seq: number;
  readonly method: string;
  readonly host: string;
  readonly path: string;
  readonly status: number;
  readonly write: boolean;
}

/**
 * EmulatorControl reads the emulator's control API: its state, the requests it received, and the
 * renewal of a Key Vault certificate.
 */
export class EmulatorControl {
  constructor(private readonly controlUrl: string) {}

  private async call<T>(method: string, path: string): Promise<T> {
    const response = await fetch(`${this.controlUrl}${path}`, { method });
    if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status}`);
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** requests lists every request received so far. */
  requests(): Promise<RecordedRequest[]> {
    return this.call('GET', '/requests');
  }

  /** mark returns the number of requests so far, to count only what a run sends after it. */
  async mark(): Promise<number> {
    return (await this.requests()).length;
  }

  /** writesSince lists the writes received after a mark. */
  async writesSince(mark: number): Promise<RecordedRequest[]> {
    return (await this.requests()).slice(mark).filter((request) => request.write);
  }

  /** requestsSince lists every request received after a mark. */
  async requestsSince(mark: number): Promise<RecordedRequest[]> {
    return (await this.requests()).slice(mark);
  }

  /** state returns the emulator's whole state. */
  state<T = unknown>(): Promise<T> {
    return this.call('GET', '/state');
  }

  /** renew makes a new version of a Key Vault certificate, with a new key and thumbprint. */
  renew(vault: string, certificate: string): Promise<{ version: string; thumbprint: string }> {
    return this.call('POST', `/vaults/${vault}/certificates/${certificate}/renew`);
  }
}
