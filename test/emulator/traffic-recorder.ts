import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import type { Exchange } from './exchange.js';

/** RecordedPair is one request/response pair in oav's `validate-traffic` format. */
export interface RecordedPair {
  readonly liveRequest: {
    readonly headers: Record<string, string>;
    readonly method: string;
    readonly url: string;
    readonly body: unknown;
  };
  readonly liveResponse: {
    readonly statusCode: string;
    readonly headers: Record<string, string>;
    readonly body: unknown;
  };
}

/**
 * TrafficRecorder writes one JSON file per ARM or Key Vault exchange into a folder, with the
 * public Azure host in the URL (so oav finds the operation) and without the Authorization header.
 */
export class TrafficRecorder {
  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  /** record writes a pair; `publicUrl` is the URL as it would be on public Azure. */
  record(
    seq: number,
    exchange: Exchange,
    publicUrl: string,
    status: number,
    responseHeaders: Record<string, string>,
    responseBody: unknown,
  ): void {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(exchange.headers)) {
      if (name === 'authorization' || value === undefined) continue;
      headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    const pair: RecordedPair = {
      liveRequest: {
        headers,
        method: exchange.method,
        url: publicUrl,
        body: exchange.json ?? null,
      },
      liveResponse: {
        statusCode: String(status),
        headers: responseHeaders,
        body: responseBody ?? null,
      },
    };
    const slug = new URL(publicUrl).pathname
      .split('/')
      .filter(Boolean)
      .slice(-2)
      .join('-')
      .replace(/[^A-Za-z0-9.-]/g, '_');
    const file = `${String(seq).padStart(5, '0')}-${exchange.method}-${slug}.json`;
    writeFileSync(path.join(this.dir, file), `${JSON.stringify(pair, null, 2)}\n`);
  }
}
