import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';

/** Exchange is one parsed HTTP request as the emulator's handlers see it. */
export interface Exchange {
  readonly method: string;
  /** The request URL; the path has repeated slashes collapsed. */
  readonly url: URL;
  readonly headers: IncomingHttpHeaders;
  readonly rawBody: string;
  /** The JSON body, when the body parsed as JSON; undefined otherwise. */
  readonly json: unknown;
  readonly remoteAddress: string;
}

/** Reply is what a handler answers. */
export interface Reply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** readExchange reads a Node request fully and parses its body. */
export async function readExchange(request: IncomingMessage, origin: string): Promise<Exchange> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) {
    chunks.push(chunk as Buffer);
  }
  const rawBody = Buffer.concat(chunks).toString('utf8');
  let json: unknown;
  if (rawBody.length > 0) {
    try {
      json = JSON.parse(rawBody);
    } catch {
      json = undefined;
    }
  }
  // Collapse leading slashes first: `//subscriptions/…` (a scope joined after `/`) would otherwise
  // parse as a protocol-relative URL with host `subscriptions`.
  const url = new URL((request.url ?? '/').replace(/^\/{2,}/, '/'), origin);
  url.pathname = url.pathname.replace(/\/{2,}/g, '/');
  const address = request.socket.remoteAddress ?? '';
  return {
    method: (request.method ?? 'GET').toUpperCase(),
    url,
    headers: request.headers,
    rawBody,
    json,
    remoteAddress: address.replace(/^::ffff:/, ''),
  };
}

/** jsonReply builds a JSON reply. */
export function jsonReply(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): Reply {
  return { status, body, headers };
}

/** writeReply sends a reply; a body is serialised as JSON with a request id header. */
export function writeReply(response: ServerResponse, reply: Reply, requestId: string): void {
  const headers: Record<string, string> = {
    'x-ms-request-id': requestId,
    ...(reply.headers ?? {}),
  };
  if (reply.body === undefined) {
    response.writeHead(reply.status, headers);
    response.end();
    return;
  }
  const text = JSON.stringify(reply.body);
  response.writeHead(reply.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  response.end(text);
}

/** bearerTokenOf returns the token of an `Authorization: Bearer` header, if any. */
export function bearerTokenOf(exchange: Exchange): string | undefined {
  const header = exchange.headers.authorization;
  const match = header ? /^Bearer\s+(.+)$/i.exec(header) : null;
  return match?.[1];
}
