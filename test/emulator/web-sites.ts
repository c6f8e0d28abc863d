import { randomUUID } from 'node:crypto';

import { resourceNotFound } from './arm-lookup.js';
import { armError } from './error-bodies.js';
import { jsonReply, type Exchange, type Reply } from './exchange.js';
import { buildResourceId } from './resource-id.js';
import type { EmulatorState, WebApp } from './state.js';
import { serverFarmResource, siteResource } from './web-resources.js';

/** WebTarget names a site, or a slot of it, from an ARM path. */
export interface WebTarget {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly siteName: string;
  readonly slotName: string | undefined;
}

/** findWebApp resolves a site or slot, or answers ARM's 404. */
export function findWebApp(state: EmulatorState, target: WebTarget): WebApp | Reply {
  const id = buildResourceId(
    target.subscriptionId,
    target.resourceGroup,
    'Microsoft.Web/sites',
    target.siteName,
  );
  const site = state.sites.get(id.toLowerCase());
  if (!site) return resourceNotFound('Microsoft.Web/sites', target.siteName, target.resourceGroup);
  if (target.slotName === undefined) return site;
  const slot = site.slots.get(target.slotName.toLowerCase());
  return (
    slot ??
    resourceNotFound(
      'Microsoft.Web/sites/slots',
      `${target.siteName}/${target.slotName}`,
      target.resourceGroup,
    )
  );
}

/** isWebApp tells a resolved app from a reply. */
export function isWebApp(value: WebApp | Reply): value is WebApp {
  return 'siteName' in value;
}

/** handleSite serves GET and PATCH of a site or slot. */
export function handleSite(state: EmulatorState, exchange: Exchange, target: WebTarget): Reply {
  const app = findWebApp(state, target);
  if (!isWebApp(app)) return app;
  if (exchange.method === 'GET') return jsonReply(200, siteResource(state, app));
  if (exchange.method !== 'PATCH') return methodNotAllowed(exchange);
  const body = exchange.json;
  if (typeof body !== 'object' || body === null) {
    return armError(
      400,
      'InvalidRequestContent',
      'The request content was invalid and could not be deserialized.',
    );
  }
  const patch = body as { identity?: unknown; properties?: unknown };
  if (patch.identity !== undefined) {
    const refused = applyIdentity(state, app, patch.identity);
    if (refused) return refused;
  }
  if (typeof patch.properties === 'object' && patch.properties !== null) {
    for (const [key, value] of Object.entries(patch.properties)) {
      // Host names and SSL states change only through hostNameBindings; other writable
      // properties are kept as sent.
      if (!['hostNames', 'enabledHostNames', 'hostNameSslStates', 'serverFarmId'].includes(key)) {
        app.extraProperties[key] = value;
      }
    }
  }
  app.lastModified = new Date();
  return jsonReply(200, siteResource(state, app));
}

function applyIdentity(state: EmulatorState, app: WebApp, identity: unknown): Reply | undefined {
  const block = identity as { type?: unknown; userAssignedIdentities?: unknown };
  const type = typeof block.type === 'string' ? block.type.replace(/\s+/g, '').toLowerCase() : '';
  const valid = ['none', 'systemassigned', 'userassigned', 'systemassigned,userassigned'];
  if (!valid.includes(type)) {
    return armError(
      400,
      'BadRequest',
      `The identity type '${String(block.type)}' is not supported.`,
    );
  }
  if (type.includes('systemassigned')) {
    if (!app.identity.systemAssigned) {
      const principalId = randomUUID();
      app.identity.systemAssigned = { principalId, tenantId: state.tenantId };
      state.principals.set(principalId, {
        objectId: principalId,
        displayName:
          app.slotName === undefined ? app.siteName : `${app.siteName}/slots/${app.slotName}`,
        principalType: 'ServicePrincipal',
      });
    }
  } else if (app.identity.systemAssigned) {
    state.principals.delete(app.identity.systemAssigned.principalId.toLowerCase());
    app.identity.systemAssigned = undefined;
  }
  if (type === 'none') {
    app.identity.userAssigned.clear();
  }
  if (typeof block.userAssignedIdentities === 'object' && block.userAssignedIdentities !== null) {
    for (const [id, value] of Object.entries(block.userAssignedIdentities)) {
      if (value === null) {
        app.identity.userAssigned.delete(id);
      } else if (!app.identity.userAssigned.has(id)) {
        const principalId = randomUUID();
        app.identity.userAssigned.set(id, { principalId, clientId: randomUUID() });
        state.principals.set(principalId, {
          objectId: principalId,
          displayName: id.split('/').pop() ?? id,
          principalType: 'ServicePrincipal',
        });
      }
    }
  }
  return undefined;
}

/** handleServerFarm serves GET of an App Service plan. */
export function handleServerFarm(
  state: EmulatorState,
  exchange: Exchange,
  subscriptionId: string,
  resourceGroup: string,
  name: string,
): Reply {
  const id = buildResourceId(subscriptionId, resourceGroup, 'Microsoft.Web/serverfarms', name);
  const farm = state.serverFarms.get(id.toLowerCase());
  if (exchange.method !== 'GET') return methodNotAllowed(exchange);
  if (!farm) return resourceNotFound('Microsoft.Web/serverFarms', name, resourceGroup);
  return jsonReply(200, serverFarmResource(state, farm));
}

/** methodNotAllowed answers a method the emulator does not model for a resource. */
export function methodNotAllowed(exchange: Exchange): Reply {
  return armError(
    405,
    'MethodNotAllowed',
    `The HTTP method '${exchange.method}' is not supported by the emulator for '${exchange.url.pathname}'.`,
  );
}
