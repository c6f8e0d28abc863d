import { checkApiVersion } from './api-version.js';
import { authenticateArm } from './arm-auth.js';
import {
  handleAccessPolicies,
  handleGenericVaultList,
  handleVault,
  handleVaultList,
} from './arm-key-vault.js';
import {
  hasResourceGroup,
  hasSubscription,
  resourceGroupNotFound,
  subscriptionNotFound,
} from './arm-lookup.js';
import { handleRoleAssignments, matchRoleAssignmentPath } from './arm-role-assignments.js';
import type { EmulatorContext } from './context.js';
import { armError } from './error-bodies.js';
import { jsonReply, type Exchange, type Reply } from './exchange.js';
import { handleCertificate, handleCertificateList } from './web-certificates.js';
import { handleHostNameBinding, handleHostNameBindingList } from './web-host-name-bindings.js';
import { handleServerFarm, handleSite } from './web-sites.js';
import { handleUserAssignedIdentity, MANAGED_IDENTITY_API_VERSION } from './managed-identities.js';
import {
  handleApplicationGateway,
  handleApplicationGatewayList,
  handleNetworkOperation,
  NETWORK_API_VERSION,
} from './network-gateways.js';

/** API_VERSIONS are the api-versions the emulator serves, per service. */
export const API_VERSIONS = {
  web: ['2025-05-01'],
  keyVault: ['2026-02-01'],
  genericResources: ['2015-11-01'],
  authorization: ['2022-04-01'],
  subscriptions: ['2022-12-01'],
  network: [NETWORK_API_VERSION],
  managedIdentity: [MANAGED_IDENTITY_API_VERSION],
} as const;

/**
 * handleArm serves Azure Resource Manager: it authenticates the caller, then routes to the
 * Microsoft.Web, Microsoft.KeyVault and Microsoft.Authorization handlers, checking each
 * service's api-version.
 */
export function handleArm(context: EmulatorContext, exchange: Exchange): Reply {
  const auth = authenticateArm(context, exchange);
  if ('reply' in auth) return auth.reply;
  const { state } = context;
  const path = exchange.url.pathname.replace(/\/+$/, '');

  const roleAssignmentPath = matchRoleAssignmentPath(path);
  if (roleAssignmentPath) {
    return (
      checkApiVersion(exchange, API_VERSIONS.authorization) ??
      handleRoleAssignments(state, exchange, roleAssignmentPath)
    );
  }
  if (/^\/subscriptions$/i.test(path)) {
    return (
      checkApiVersion(exchange, API_VERSIONS.subscriptions) ??
      jsonReply(200, { value: state.subscriptions.map((s) => subscriptionResource(context, s)) })
    );
  }
  const sub = /^\/subscriptions\/([^/]+)(\/.*)?$/i.exec(path);
  if (!sub) return notFound(exchange);
  const [, subscriptionId = '', rest = ''] = sub;
  if (!hasSubscription(state, subscriptionId)) return subscriptionNotFound(subscriptionId);
  if (rest === '') {
    const subscription = state.subscriptions.find(
      (s) => s.id.toLowerCase() === subscriptionId.toLowerCase(),
    );
    return (
      checkApiVersion(exchange, API_VERSIONS.subscriptions) ??
      jsonReply(200, subscription && subscriptionResource(context, subscription))
    );
  }
  if (/^\/resources$/i.test(rest)) {
    return (
      checkApiVersion(exchange, API_VERSIONS.genericResources) ??
      handleGenericVaultList(state, exchange, subscriptionId)
    );
  }
  if (/^\/providers\/Microsoft\.KeyVault\/vaults$/i.test(rest)) {
    return (
      checkApiVersion(exchange, API_VERSIONS.keyVault) ?? handleVaultList(state, subscriptionId)
    );
  }
  const operation =
    /^\/providers\/Microsoft\.Network\/locations\/[^/]+\/operations\/([^/]+)$/i.exec(rest);
  if (operation) {
    return (
      checkApiVersion(exchange, API_VERSIONS.network) ??
      handleNetworkOperation(state, exchange, operation[1] ?? '')
    );
  }
  const grouped = /^\/resourceGroups\/([^/]+)\/providers\/([^/]+)\/(.+)$/i.exec(rest);
  if (!grouped) return notFound(exchange);
  const [, group = '', provider = '', resourcePath = ''] = grouped;
  if (!hasResourceGroup(state, subscriptionId, group)) return resourceGroupNotFound(group);
  const segments = resourcePath.split('/').map(decodeURIComponent);

  if (provider.toLowerCase() === 'microsoft.keyvault') {
    return (
      checkApiVersion(exchange, API_VERSIONS.keyVault) ??
      routeKeyVault(context, exchange, subscriptionId, group, segments)
    );
  }
  if (provider.toLowerCase() === 'microsoft.web') {
    return (
      checkApiVersion(exchange, API_VERSIONS.web) ??
      routeWeb(context, exchange, subscriptionId, group, segments)
    );
  }
  if (provider.toLowerCase() === 'microsoft.network') {
    return (
      checkApiVersion(exchange, API_VERSIONS.network) ??
      routeNetwork(context, exchange, subscriptionId, group, segments)
    );
  }
  if (
    provider.toLowerCase() === 'microsoft.managedidentity' &&
    segments[0]?.toLowerCase() === 'userassignedidentities' &&
    segments.length === 2
  ) {
    return (
      checkApiVersion(exchange, API_VERSIONS.managedIdentity) ??
      handleUserAssignedIdentity(state, exchange, subscriptionId, group, segments[1] ?? '')
    );
  }
  return notFound(exchange);
}

function routeNetwork(
  context: EmulatorContext,
  exchange: Exchange,
  subscriptionId: string,
  resourceGroup: string,
  s: string[],
): Reply {
  const [type, name] = s;
  if (type?.toLowerCase() !== 'applicationgateways') return notFound(exchange);
  if (name === undefined) {
    return exchange.method === 'GET'
      ? handleApplicationGatewayList(context.state, subscriptionId, resourceGroup)
      : notFound(exchange);
  }
  if (s.length !== 2) return notFound(exchange);
  return handleApplicationGateway(context, exchange, { subscriptionId, resourceGroup, name });
}

function routeKeyVault(
  context: EmulatorContext,
  exchange: Exchange,
  subscriptionId: string,
  group: string,
  s: string[],
): Reply {
  const [type, name, child, kind] = s;
  if (type?.toLowerCase() !== 'vaults') return notFound(exchange);
  if (name === undefined) return handleVaultList(context.state, subscriptionId, group);
  if (child === undefined) return handleVault(context.state, exchange, subscriptionId, group, name);
  if (child.toLowerCase() === 'accesspolicies' && kind !== undefined && s.length === 4) {
    return handleAccessPolicies(context.state, exchange, subscriptionId, group, name, kind);
  }
  return notFound(exchange);
}

function routeWeb(
  context: EmulatorContext,
  exchange: Exchange,
  subscriptionId: string,
  resourceGroup: string,
  s: string[],
): Reply {
  const { state } = context;
  const [type, name] = s;
  const kind = type?.toLowerCase();
  if (kind === 'certificates') {
    if (name === undefined) {
      return exchange.method === 'GET'
        ? handleCertificateList(state, subscriptionId, resourceGroup)
        : notFound(exchange);
    }
    return s.length === 2
      ? handleCertificate(state, exchange, subscriptionId, resourceGroup, name)
      : notFound(exchange);
  }
  if (kind === 'serverfarms' && name !== undefined && s.length === 2) {
    return handleServerFarm(state, exchange, subscriptionId, resourceGroup, name);
  }
  if (kind !== 'sites' || name === undefined) return notFound(exchange);
  let rest = s.slice(2);
  let slotName: string | undefined;
  if (rest[0]?.toLowerCase() === 'slots' && rest[1] !== undefined) {
    slotName = rest[1];
    rest = rest.slice(2);
  }
  const target = { subscriptionId, resourceGroup, siteName: name, slotName };
  if (rest.length === 0) return handleSite(state, exchange, target);
  if (rest[0]?.toLowerCase() === 'hostnamebindings') {
    if (rest.length === 1) return handleHostNameBindingList(state, exchange, target);
    if (rest.length === 2 && rest[1] !== undefined)
      return handleHostNameBinding(state, exchange, target, rest[1]);
  }
  return notFound(exchange);
}

function subscriptionResource(
  context: EmulatorContext,
  s: { id: string; displayName: string },
): Record<string, unknown> {
  return {
    id: `/subscriptions/${s.id}`,
    authorizationSource: 'RoleBased',
    managedByTenants: [],
    subscriptionId: s.id,
    tenantId: context.state.tenantId,
    displayName: s.displayName,
    state: 'Enabled',
    subscriptionPolicies: {
      locationPlacementId: 'Public_2014-09-01',
      quotaId: 'PayAsYouGo_2014-09-01',
      spendingLimit: 'Off',
    },
  };
}

/** notFound is the emulator's ARM-style answer for a path it does not serve. */
export function notFound(exchange: Exchange): Reply {
  return armError(
    404,
    'NotFound',
    `The requested path '${exchange.url.pathname}' is not served by the Azure emulator.`,
  );
}
