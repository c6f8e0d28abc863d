import type { EmulatorContext } from './context.js';
import { jsonReply, type Exchange, type Reply } from './exchange.js';
import { newEtag } from './gateway-seed.js';
import { gatewayResource } from './gateway-resource.js';
import { settleGateway } from './network-gateways.js';
import { parseThrottleRule } from './throttle.js';
import type { ApplicationGateway, EmulatorSettings, EmulatorState } from './state.js';

/**
 * handleGatewayControl serves the control routes for gateways and the emulator's knobs; it
 * answers undefined for a path it does not own.
 *
 * - `GET /settings`, `PATCH /settings` (body: any EmulatorSettings fields)
 * - `GET /gateways/{rg}/{name}`: the resource as ARM renders it, plus what each certificate serves
 *   and the operation in flight
 * - `POST /gateways/{rg}/{name}/external-edit`: another writer (AGIC, Terraform) changes the
 *   gateway behind the product's back: body `{ add?: { collection, entry }, remove?: { collection,
 *   name }, keepEtag? }`
 */
export function handleGatewayControl(
  context: EmulatorContext,
  exchange: Exchange,
  path: string,
  body: Record<string, unknown>,
): Reply | undefined {
  const { state } = context;
  if (path === '/settings') {
    if (exchange.method === 'PATCH') {
      const error = applySettings(state.settings, body);
      if (error) return jsonReply(400, { error });
    }
    return exchange.method === 'GET' || exchange.method === 'PATCH'
      ? jsonReply(200, state.settings)
      : jsonReply(405, { error: 'use GET or PATCH on /settings' });
  }
  if (path === '/throttle' && exchange.method === 'POST') {
    const rule = parseThrottleRule(body);
    if (typeof rule === 'string') return jsonReply(400, { error: rule });
    state.throttles.push(rule);
    return jsonReply(201, { ...rule, path: rule.path.source });
  }
  if (path === '/throttle' && exchange.method === 'DELETE') {
    state.throttles.splice(0);
    return { status: 204 };
  }
  const match = /^\/gateways\/([^/]+)\/([^/]+)(\/external-edit)?$/.exec(path);
  if (!match) return undefined;
  const [, group = '', name = '', edit] = match;
  const gateway = [...state.applicationGateways.values()].find(
    (g) =>
      g.resourceGroup.toLowerCase() === group.toLowerCase() &&
      g.name.toLowerCase() === name.toLowerCase(),
  );
  if (!gateway) return jsonReply(404, { error: `no gateway '${group}/${name}'` });
  settleGateway(state, gateway);
  if (edit === undefined && exchange.method === 'GET') {
    return jsonReply(200, gatewaySnapshot(state, gateway));
  }
  if (edit !== undefined && exchange.method === 'POST') {
    const error = editGateway(gateway, body);
    if (error) return jsonReply(400, { error });
    return jsonReply(200, gatewaySnapshot(state, gateway));
  }
  return jsonReply(405, { error: `no control route for ${exchange.method} ${path}` });
}

/** gatewaySnapshot is a gateway for `GET /state` and the control API. */
export function gatewaySnapshot(
  state: EmulatorState,
  gateway: ApplicationGateway,
): Record<string, unknown> {
  settleGateway(state, gateway);
  return {
    resource: gatewayResource(state, gateway),
    served: Object.fromEntries(
      [...gateway.served].map(([key, s]) => [
        key,
        { vault: s.vault, secret: s.secret, version: s.version, thumbprint: s.thumbprint },
      ]),
    ),
    operation: gateway.operation ?? null,
    privateEndpointVaults: gateway.privateEndpointVaults,
  };
}

function applySettings(settings: EmulatorSettings, body: Record<string, unknown>): string | null {
  const numbers = [
    'gatewayProvisioningMs',
    'rbacPropagationMs',
    'principalVisibilityMs',
    'principalVisibilityWithTypeMs',
  ] as const;
  for (const key of numbers) {
    const value = body[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || value < 0) return `${key} must be a number >= 0`;
    settings[key] = value;
  }
  const ignore = body['gatewayIgnoreIfMatch'];
  if (ignore !== undefined) {
    if (typeof ignore !== 'boolean') return 'gatewayIgnoreIfMatch must be a boolean';
    settings.gatewayIgnoreIfMatch = ignore;
  }
  const mode = body['gatewayConcurrency'];
  if (mode !== undefined) {
    if (mode !== 'reject-429' && mode !== 'reject-409' && mode !== 'supersede') {
      return 'gatewayConcurrency must be reject-429, reject-409 or supersede';
    }
    settings.gatewayConcurrency = mode;
  }
  const retryAfter = body['gatewayRetryAfterSeconds'];
  if (retryAfter !== undefined) {
    if (retryAfter !== null && typeof retryAfter !== 'number') {
      return 'gatewayRetryAfterSeconds must be a number or null';
    }
    settings.gatewayRetryAfterSeconds = retryAfter;
  }
  return null;
}

function editGateway(gateway: ApplicationGateway, body: Record<string, unknown>): string | null {
  const add = body['add'] as { collection?: unknown; entry?: unknown } | undefined;
  const remove = body['remove'] as { collection?: unknown; name?: unknown } | undefined;
  if (add) {
    if (typeof add.collection !== 'string' || typeof add.entry !== 'object' || !add.entry) {
      return 'add needs { collection, entry }';
    }
    const list = collectionOf(gateway, add.collection);
    const entry = add.entry as { name?: unknown };
    const at = list.findIndex(
      (e) =>
        String((e as { name?: unknown }).name).toLowerCase() === String(entry.name).toLowerCase(),
    );
    if (at >= 0) list.splice(at, 1, entry);
    else list.push(entry);
  }
  if (remove) {
    if (typeof remove.collection !== 'string' || typeof remove.name !== 'string') {
      return 'remove needs { collection, name }';
    }
    const name = remove.name.toLowerCase();
    const list = collectionOf(gateway, remove.collection);
    gateway.properties[remove.collection] = list.filter(
      (e) => String((e as { name?: unknown }).name).toLowerCase() !== name,
    );
    if (remove.collection === 'sslCertificates') gateway.served.delete(name);
  }
  if (body['keepEtag'] !== true) gateway.etag = newEtag();
  return null;
}

function collectionOf(gateway: ApplicationGateway, collection: string): unknown[] {
  const existing = gateway.properties[collection];
  if (Array.isArray(existing)) return existing as unknown[];
  const created: unknown[] = [];
  gateway.properties[collection] = created;
  return created;
}
