import { resourceNotFound } from './arm-lookup.js';
import { armError } from './error-bodies.js';
import { jsonReply, type Exchange, type Reply } from './exchange.js';
import { normalizeLocation } from './location.js';
import { buildResourceId } from './resource-id.js';
import type { EmulatorState, UserAssignedIdentity } from './state.js';
import { methodNotAllowed } from './web-sites.js';

/** MANAGED_IDENTITY_API_VERSION is the api-version arm-msi 2.2 sends. */
export const MANAGED_IDENTITY_API_VERSION = '2024-11-30';

const TYPE = 'Microsoft.ManagedIdentity/userAssignedIdentities';

/** identityResource renders a user-assigned identity in the 2024-11-30 shape. */
export function identityResource(identity: UserAssignedIdentity): Record<string, unknown> {
  return {
    id: identity.id,
    name: identity.name,
    type: TYPE,
    location: identity.location,
    tags: identity.tags,
    properties: {
      tenantId: identity.tenantId,
      principalId: identity.principalId,
      clientId: identity.clientId,
      isolationScope: 'None',
    },
  };
}

/**
 * handleUserAssignedIdentity serves GET and PUT of a user-assigned identity. A new identity's
 * principal is in the directory at once, but role assignment does not see it for
 * `principalVisibilityMs` (`principalVisibilityWithTypeMs` when the assignment says its
 * principalType): the replication delay that answers PrincipalNotFound on the platform.
 */
export function handleUserAssignedIdentity(
  state: EmulatorState,
  exchange: Exchange,
  subscriptionId: string,
  resourceGroup: string,
  name: string,
): Reply {
  const id = buildResourceId(subscriptionId, resourceGroup, TYPE, name);
  const existing = state.userAssignedIdentities.get(id.toLowerCase());
  if (exchange.method === 'GET') {
    return existing
      ? jsonReply(200, identityResource(existing))
      : resourceNotFound(TYPE, name, resourceGroup);
  }
  if (exchange.method !== 'PUT') return methodNotAllowed(exchange);

  const body = (exchange.json ?? {}) as { location?: unknown; tags?: unknown };
  if (typeof body.location !== 'string' || body.location === '') {
    return armError(
      400,
      'LocationRequired',
      'The location property is required for this definition.',
    );
  }
  const tags = (typeof body.tags === 'object' && body.tags !== null ? body.tags : {}) as Record<
    string,
    string
  >;
  if (existing) {
    existing.tags = { ...tags };
    return jsonReply(200, identityResource(existing));
  }
  const identity: UserAssignedIdentity = {
    id,
    subscriptionId,
    resourceGroup,
    name,
    location: normalizeLocation(body.location),
    tags: { ...tags },
    principalId: crypto.randomUUID(),
    clientId: crypto.randomUUID(),
    tenantId: state.tenantId,
  };
  state.userAssignedIdentities.set(id.toLowerCase(), identity);
  const now = Date.now();
  const { principalVisibilityMs, principalVisibilityWithTypeMs } = state.settings;
  state.principals.set(identity.principalId.toLowerCase(), {
    objectId: identity.principalId,
    displayName: name,
    principalType: 'ServicePrincipal',
    ...(principalVisibilityMs > 0 ? { visibleAt: new Date(now + principalVisibilityMs) } : {}),
    ...(principalVisibilityWithTypeMs > 0
      ? { visibleWithTypeAt: new Date(now + principalVisibilityWithTypeMs) }
      : {}),
  });
  return jsonReply(201, identityResource(identity));
}
