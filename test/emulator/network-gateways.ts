import { resourceNotFound } from './arm-lookup.js';
import type { EmulatorContext } from './context.js';
import { armError } from './error-bodies.js';
import { jsonReply, type Exchange, type Reply } from './exchange.js';
import { newEtag } from './gateway-seed.js';
import { fetchGatewaySecrets, parseSecretId, pollGatewaySecrets } from './gateway-key-vault.js';
import { GATEWAY_COLLECTIONS, gatewayResource } from './gateway-resource.js';
import { normalizeLocation } from './location.js';
import { buildResourceId, parseResourceId } from './resource-id.js';
import type { ApplicationGateway, EmulatorState, GatewayOperation } from './state.js';
import { methodNotAllowed } from './web-sites.js';

/** NETWORK_API_VERSION is the Network api-version the emulator serves (arm-network 39). */
export const NETWORK_API_VERSION = '2026-01-01';

const TYPE = 'Microsoft.Network/applicationGateways';

/** GatewayTarget names a gateway by its path. */
export interface GatewayTarget {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly name: string;
}

/** handleApplicationGateway serves GET and PUT (a long-running operation) of one gateway. */
export function handleApplicationGateway(
  context: EmulatorContext,
  exchange: Exchange,
  target: GatewayTarget,
): Reply {
  const { state } = context;
  const id = buildResourceId(target.subscriptionId, target.resourceGroup, TYPE, target.name);
  const gateway = state.applicationGateways.get(id.toLowerCase());
  if (gateway) settleGateway(state, gateway);
  if (exchange.method === 'GET') {
    return gateway
      ? jsonReply(200, gatewayResource(state, gateway))
      : resourceNotFound(TYPE, target.name, target.resourceGroup);
  }
  if (exchange.method === 'PUT') return putGateway(context, exchange, target, id, gateway);
  return methodNotAllowed(exchange);
}

/** handleApplicationGatewayList serves the gateways of a resource group. */
export function handleApplicationGatewayList(
  state: EmulatorState,
  subscriptionId: string,
  resourceGroup: string,
): Reply {
  const value = [...state.applicationGateways.values()]
    .filter(
      (g) =>
        g.subscriptionId.toLowerCase() === subscriptionId.toLowerCase() &&
        g.resourceGroup.toLowerCase() === resourceGroup.toLowerCase(),
    )
    .map((g) => {
      settleGateway(state, g);
      return gatewayResource(state, g);
    });
  return jsonReply(200, { value });
}

/**
 * handleNetworkOperation serves an `Azure-AsyncOperation` status URL:
 * `{ status: InProgress|Succeeded|Failed|Canceled, error? }`.
 */
export function handleNetworkOperation(
  state: EmulatorState,
  exchange: Exchange,
  operationId: string,
): Reply {
  if (exchange.method !== 'GET') return methodNotAllowed(exchange);
  const operation = state.gatewayOperations.get(operationId.toLowerCase());
  if (!operation) {
    return armError(404, 'NotFound', `Operation '${operationId}' was not found.`);
  }
  const gateway = state.applicationGateways.get(operation.gatewayId.toLowerCase());
  if (gateway) settleGateway(state, gateway);
  return jsonReply(200, {
    status: operation.status,
    ...(operation.error ? { error: operation.error } : {}),
  });
}

/** isNetworkOperationPath tells whether a path is an asynchronous-operation status URL. */
export function isNetworkOperationPath(path: string): boolean {
  return /^\/subscriptions\/[^/]+\/providers\/Microsoft\.Network\/locations\/[^/]+\/operations\/[^/]+\/?$/i.test(
    path,
  );
}

/**
 * settleGateway brings a gateway up to now: a PUT whose provisioning time is over fetches its
 * Key Vault certificates and ends Succeeded or Failed (leaving the gateway Failed, as the
 * platform does); a settled gateway polls Key Vault for new versions.
 */
export function settleGateway(state: EmulatorState, gateway: ApplicationGateway): void {
  const operation = gateway.operation;
  if (operation && Date.now() >= operation.completesAt) {
    const error = fetchGatewaySecrets(state, gateway);
    operation.status = error ? 'Failed' : 'Succeeded';
    operation.error = error;
    gateway.provisioningState = error ? 'Failed' : 'Succeeded';
    gateway.operation = undefined;
    gateway.etag = newEtag();
    return;
  }
  if (!operation && gateway.provisioningState === 'Succeeded') pollGatewaySecrets(state, gateway);
}

function putGateway(
  context: EmulatorContext,
  exchange: Exchange,
  target: GatewayTarget,
  id: string,
  existing: ApplicationGateway | undefined,
): Reply {
  const { state } = context;
  const precondition = checkPreconditions(state, exchange, id, existing);
  if (precondition) return precondition;
  const body = exchange.json;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return armError(400, 'InvalidRequestFormat', 'Cannot parse the request.');
  }
  const request = body as Record<string, unknown>;
  const location = typeof request['location'] === 'string' ? request['location'] : '';
  if (location === '') {
    return armError(
      400,
      'LocationRequired',
      'The location property is required for this definition.',
    );
  }
  const identity = checkIdentity(state, id, request['identity']);
  if ('reply' in identity) return identity.reply;
  const properties = (
    typeof request['properties'] === 'object' && request['properties'] !== null
      ? request['properties']
      : {}
  ) as Record<string, unknown>;
  const invalid =
    checkReferences(id, properties) ??
    checkSecretIds(state, id, properties, identity.userAssignedIdentity);
  if (invalid) return invalid;

  const busy = existing?.operation;
  if (busy) {
    const conflict = rejectConcurrent(context, busy);
    if (conflict) return conflict;
  }

  const operation: GatewayOperation = {
    id: crypto.randomUUID(),
    gatewayId: id,
    location: normalizeLocation(location),
    completesAt: Date.now() + state.settings.gatewayProvisioningMs,
    status: 'InProgress',
    error: undefined,
  };
  if (busy) {
    busy.status = 'Canceled';
    busy.error = {
      code: 'Canceled',
      message: 'Operation was canceled.',
      details: [
        {
          code: 'CanceledAndSupersededDueToAnotherOperation',
          message: `Operation PutApplicationGatewayOperation (${busy.id}) was canceled and superseded by operation PutApplicationGatewayOperation (${operation.id}).`,
        },
      ],
    };
  }
  state.gatewayOperations.set(operation.id.toLowerCase(), operation);
  const tags = (request['tags'] ?? {}) as Record<string, string>;
  const zones = Array.isArray(request['zones']) ? request['zones'].map(String) : undefined;
  // A PUT replaces the whole gateway with what was sent: the last writer wins.
  const gateway: ApplicationGateway = existing ?? {
    id,
    subscriptionId: target.subscriptionId,
    resourceGroup: target.resourceGroup,
    name: target.name,
    location: normalizeLocation(location),
    tags,
    userAssignedIdentity: undefined,
    zones,
    properties: {},
    etag: '',
    provisioningState: 'Updating',
    operationalState: 'Running',
    resourceGuid: crypto.randomUUID(),
    operation: undefined,
    served: new Map(),
    privateEndpointVaults: [],
  };
  gateway.tags = { ...tags };
  gateway.zones = zones;
  gateway.userAssignedIdentity = identity.userAssignedIdentity;
  gateway.properties = writableProperties(properties);
  gateway.etag = newEtag();
  gateway.provisioningState = 'Updating';
  gateway.operation = operation;
  state.applicationGateways.set(id.toLowerCase(), gateway);

  const statusUrl = `${context.endpoints.origin}/subscriptions/${target.subscriptionId}/providers/Microsoft.Network/locations/${operation.location}/operations/${operation.id}?api-version=${NETWORK_API_VERSION}`;
  return jsonReply(existing ? 200 : 201, gatewayResource(state, gateway), {
    'azure-asyncoperation': statusUrl,
  });
}

function checkPreconditions(
  state: EmulatorState,
  exchange: Exchange,
  id: string,
  existing: ApplicationGateway | undefined,
): Reply | undefined {
  if (state.settings.gatewayIgnoreIfMatch) return undefined;
  const ifMatch = exchange.headers['if-match'];
  const ifNoneMatch = exchange.headers['if-none-match'];
  const stale =
    (ifMatch !== undefined && (!existing || (ifMatch !== '*' && ifMatch !== existing.etag))) ||
    (ifNoneMatch === '*' && existing !== undefined);
  if (!stale) return undefined;
  return armError(
    412,
    'PreconditionFailed',
    `Precondition failed for resource '${id}': the etag in the If-Match header (${ifMatch ?? `If-None-Match ${ifNoneMatch ?? ''}`}) does not match the current etag ${existing?.etag ?? '(none: the resource does not exist)'}.`,
  );
}

function rejectConcurrent(context: EmulatorContext, busy: GatewayOperation): Reply | undefined {
  const { settings } = context.state;
  const busyUrl = `https://management.azure.com/subscriptions/${parseResourceId(busy.gatewayId)?.subscriptionId ?? ''}/providers/Microsoft.Network/locations/${busy.location}/operations/${busy.id}?api-version=${NETWORK_API_VERSION}`;
  if (settings.gatewayConcurrency === 'reject-409') {
    return armError(
      409,
      'AnotherOperationInProgress',
      `Another operation on this or dependent resource is in progress. To retrieve status of the operation use uri: ${busyUrl}.`,
    );
  }
  if (settings.gatewayConcurrency === 'reject-429') {
    const seconds = settings.gatewayRetryAfterSeconds;
    const reply = armError(
      429,
      'RetryableErrorDueToAnotherOperation',
      `Operation PutApplicationGatewayOperation (${crypto.randomUUID()}) on resource '${busy.gatewayId}' is not allowed because another operation PutApplicationGatewayOperation (${busy.id}) is in progress on this or a dependent resource. Please retry after ${seconds ?? 10} seconds.`,
    );
    return seconds === null ? reply : { ...reply, headers: { 'retry-after': String(seconds) } };
  }
  return undefined;
}

type IdentityCheck =
  { readonly userAssignedIdentity: string | undefined } | { readonly reply: Reply };

function checkIdentity(state: EmulatorState, gatewayId: string, value: unknown): IdentityCheck {
  if (value === undefined || value === null) return { userAssignedIdentity: undefined };
  const identity = value as { type?: unknown; userAssignedIdentities?: unknown };
  const type = typeof identity.type === 'string' ? identity.type : '';
  if (type.toLowerCase() === 'none') return { userAssignedIdentity: undefined };
  if (type.toLowerCase().includes('systemassigned')) {
    return {
      reply: armError(
        400,
        'CannotSetResourceIdentity',
        `Resource type '${TYPE}' does not support creation of 'SystemAssigned' resource identity. The supported types are 'UserAssigned'.`,
      ),
    };
  }
  const ids = Object.keys(
    typeof identity.userAssignedIdentities === 'object' && identity.userAssignedIdentities !== null
      ? identity.userAssignedIdentities
      : {},
  );
  if (type !== 'UserAssigned' || ids.length === 0) {
    return {
      reply: armError(
        400,
        'InvalidIdentityType',
        `The identity type '${type}' is not valid for resource '${gatewayId}': use 'UserAssigned' with one user-assigned identity.`,
      ),
    };
  }
  if (ids.length > 1) {
    return {
      reply: armError(
        400,
        'ApplicationGatewayMultipleUserAssignedIdentitiesNotSupported',
        `Application Gateway '${gatewayId}' supports only one user assigned identity, but ${ids.length} were specified.`,
      ),
    };
  }
  const [uai = ''] = ids;
  if (!state.userAssignedIdentities.has(uai.toLowerCase())) {
    return {
      reply: armError(
        400,
        'FailedIdentityOperation',
        `Identity operation for resource '${gatewayId}' failed with error 'Failed to perform resource identity operation. Status: 'NotFound'. Response: '{"error":{"code":"NotFound","message":"Resource '${uai}' was not found."}}'.'.`,
      ),
    };
  }
  return { userAssignedIdentity: uai };
}

/** checkReferences answers InvalidResourceReference for a sub-resource id naming no entry. */
function checkReferences(
  gatewayId: string,
  properties: Record<string, unknown>,
): Reply | undefined {
  const prefix = `${gatewayId}/`.toLowerCase();
  const names = new Map<string, Set<string>>();
  for (const collection of GATEWAY_COLLECTIONS) {
    const entries = properties[collection];
    const set = new Set<string>();
    if (Array.isArray(entries)) {
      for (const e of entries) {
        const name = (e as { name?: unknown }).name;
        if (typeof name === 'string') set.add(name.toLowerCase());
      }
    }
    names.set(collection.toLowerCase(), set);
  }
  for (const collection of GATEWAY_COLLECTIONS) {
    const entries = properties[collection];
    if (!Array.isArray(entries)) continue;
    for (const e of entries) {
      const entry = e as { name?: unknown; properties?: unknown };
      const referrer = `${gatewayId}/${collection}/${String(entry.name ?? '')}`;
      for (const ref of subResourceIds(entry.properties)) {
        if (!ref.toLowerCase().startsWith(prefix)) continue;
        const [kind = '', name = '', ...rest] = ref.slice(prefix.length).split('/');
        if (rest.length === 0 && names.get(kind.toLowerCase())?.has(name.toLowerCase())) continue;
        return armError(
          400,
          'InvalidResourceReference',
          `Resource ${ref} referenced by resource ${referrer} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.`,
        );
      }
    }
  }
  return undefined;
}

function subResourceIds(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(subResourceIds);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, v]) =>
    key === 'id' && typeof v === 'string' ? [v] : subResourceIds(v),
  );
}

function checkSecretIds(
  state: EmulatorState,
  gatewayId: string,
  properties: Record<string, unknown>,
  userAssignedIdentity: string | undefined,
): Reply | undefined {
  const entries = properties['sslCertificates'];
  if (!Array.isArray(entries)) return undefined;
  for (const e of entries) {
    const entry = e as { name?: unknown; properties?: { keyVaultSecretId?: unknown } };
    const secretId = entry.properties?.keyVaultSecretId;
    if (typeof secretId !== 'string') continue;
    const where = `${gatewayId}/sslCertificates/${String(entry.name ?? '')}`;
    const parsed = parseSecretId(state, secretId);
    if (typeof parsed === 'string') {
      return armError(
        400,
        'ApplicationGatewaySslCertificateInvalidKeyVaultSecretId',
        `SecretId '${secretId}' specified in '${where}' is invalid. Reason: ${parsed}`,
      );
    }
    if (userAssignedIdentity === undefined) {
      return armError(
        400,
        'ApplicationGatewaySslCertificateKeyVaultSecretIdRequiresIdentity',
        `SslCertificate '${where}' references KeyVault Secret '${secretId}', which requires the Application Gateway to have a user assigned identity.`,
      );
    }
  }
  return undefined;
}

function writableProperties(properties: Record<string, unknown>): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(properties)) as Record<string, unknown>;
  for (const key of [
    'provisioningState',
    'operationalState',
    'resourceGuid',
    'privateEndpointConnections',
    'defaultPredefinedSslPolicy',
  ]) {
    delete copy[key];
  }
  for (const collection of GATEWAY_COLLECTIONS) {
    const entries = copy[collection];
    if (!Array.isArray(entries)) continue;
    copy[collection] = entries.map((e: unknown) => {
      const { etag: _etag, type: _type, id: _id, ...rest } = e as Record<string, unknown>;
      const props = rest['properties'] as Record<string, unknown> | undefined;
      if (props) {
        delete props['provisioningState'];
        delete props['publicCertData'];
      }
      return rest;
    });
  }
  return copy;
}
