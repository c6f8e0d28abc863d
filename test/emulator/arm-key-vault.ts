import { resourceNotFound } from './arm-lookup.js';
import { armError } from './error-bodies.js';
import { jsonReply, type Exchange, type Reply } from './exchange.js';
import type { AccessPolicy, EmulatorState, Permissions, Vault } from './state.js';
import { methodNotAllowed } from './web-sites.js';

/** vaultResource renders a vault in the Key Vault 2026-02-01 `Vault` shape. */
export function vaultResource(vault: Vault): Record<string, unknown> {
  const acls = vault.networkAcls;
  return {
    id: vault.id,
    name: vault.name,
    type: 'Microsoft.KeyVault/vaults',
    location: vault.location,
    tags: {},
    properties: {
      sku: { family: 'A', name: 'standard' },
      tenantId: vault.tenantId,
      accessPolicies: vault.accessPolicies.map(policyResource),
      enabledForDeployment: false,
      enabledForDiskEncryption: false,
      enabledForTemplateDeployment: false,
      enableSoftDelete: true,
      softDeleteRetentionInDays: 90,
      enableRbacAuthorization: vault.enableRbacAuthorization,
      vaultUri: vault.uri,
      provisioningState: 'Succeeded',
      publicNetworkAccess: vault.publicNetworkAccess,
      ...(acls
        ? {
            networkAcls: {
              bypass: acls.bypass,
              defaultAction: acls.defaultAction,
              ipRules: acls.ipRules.map((value) => ({ value })),
              virtualNetworkRules: acls.virtualNetworkRules.map((id) => ({
                id,
                ignoreMissingVnetServiceEndpoint: false,
              })),
            },
          }
        : {}),
    },
  };
}

function policyResource(policy: AccessPolicy): Record<string, unknown> {
  return {
    tenantId: policy.tenantId,
    objectId: policy.objectId,
    ...(policy.applicationId !== undefined ? { applicationId: policy.applicationId } : {}),
    permissions: { ...policy.permissions },
  };
}

/** handleVaultList lists vaults of a subscription (optionally of one resource group). */
export function handleVaultList(
  state: EmulatorState,
  subscriptionId: string,
  resourceGroup?: string,
): Reply {
  const value = [...state.vaults.values()]
    .filter(
      (v) =>
        v.subscriptionId.toLowerCase() === subscriptionId.toLowerCase() &&
        (resourceGroup === undefined ||
          v.resourceGroup.toLowerCase() === resourceGroup.toLowerCase()),
    )
    .map(vaultResource);
  return jsonReply(200, { value });
}

/**
 * handleGenericVaultList answers `GET /subscriptions/{s}/resources?$filter=resourceType eq
 * 'Microsoft.KeyVault/vaults'`, which the SDK's `vaults.list()` sends (api-version 2015-11-01).
 */
export function handleGenericVaultList(
  state: EmulatorState,
  exchange: Exchange,
  subscriptionId: string,
): Reply {
  const filter = exchange.url.searchParams.get('$filter') ?? '';
  if (!/^resourceType eq 'Microsoft\.KeyVault\/vaults'$/i.test(filter.trim())) {
    return armError(
      400,
      'InvalidFilterInQueryString',
      `The emulator supports only $filter=resourceType eq 'Microsoft.KeyVault/vaults', not '${filter}'.`,
    );
  }
  const value = [...state.vaults.values()]
    .filter((v) => v.subscriptionId.toLowerCase() === subscriptionId.toLowerCase())
    .map((v) => ({
      id: v.id,
      name: v.name,
      type: 'Microsoft.KeyVault/vaults',
      location: v.location,
      tags: {},
    }));
  return jsonReply(200, { value });
}

/** findVault resolves a vault from its subscription, group and name. */
export function findVault(
  state: EmulatorState,
  subscriptionId: string,
  resourceGroup: string,
  name: string,
): Vault | undefined {
  const vault = state.vaults.get(name.toLowerCase());
  return vault &&
    vault.subscriptionId.toLowerCase() === subscriptionId.toLowerCase() &&
    vault.resourceGroup.toLowerCase() === resourceGroup.toLowerCase()
    ? vault
    : undefined;
}

/** handleVault serves GET of a vault. */
export function handleVault(
  state: EmulatorState,
  exchange: Exchange,
  subscriptionId: string,
  resourceGroup: string,
  name: string,
): Reply {
  const vault = findVault(state, subscriptionId, resourceGroup, name);
  if (exchange.method !== 'GET') return methodNotAllowed(exchange);
  if (!vault) return resourceNotFound('Microsoft.KeyVault/vaults', name, resourceGroup);
  return jsonReply(200, vaultResource(vault));
}

const PERMISSION_KINDS = ['keys', 'secrets', 'certificates', 'storage'] as const;

/**
 * handleAccessPolicies serves `PUT vaults/{name}/accessPolicies/{add|replace|remove}`: `add`
 * merges permissions into the entry of the same tenant and object (or appends one), `remove`
 * takes permissions away, `replace` sets an entry's permissions. The list is never replaced.
 */
export function handleAccessPolicies(
  state: EmulatorState,
  exchange: Exchange,
  subscriptionId: string,
  resourceGroup: string,
  name: string,
  operationKind: string,
): Reply {
  if (exchange.method !== 'PUT') return methodNotAllowed(exchange);
  const vault = findVault(state, subscriptionId, resourceGroup, name);
  if (!vault) return resourceNotFound('Microsoft.KeyVault/vaults', name, resourceGroup);
  const kind = operationKind.toLowerCase();
  if (kind !== 'add' && kind !== 'replace' && kind !== 'remove') {
    return armError(
      400,
      'BadRequest',
      `The operation kind '${operationKind}' is invalid; use add, replace or remove.`,
    );
  }
  const body = exchange.json as { properties?: { accessPolicies?: unknown } } | undefined;
  const entries = body?.properties?.accessPolicies;
  if (!Array.isArray(entries)) {
    return armError(400, 'BadRequest', 'The request body must contain properties.accessPolicies.');
  }
  const sent: AccessPolicy[] = [];
  for (const entry of entries as unknown[]) {
    const parsed = parsePolicy(entry);
    if (!parsed) {
      return armError(
        400,
        'BadRequest',
        'Each access policy needs tenantId, objectId and permissions.',
      );
    }
    sent.push(parsed);
  }
  for (const policy of sent) {
    applyPolicy(vault, policy, kind);
  }
  return jsonReply(200, {
    id: `${vault.id}/accessPolicies/${kind}`,
    name: kind,
    type: 'Microsoft.KeyVault/vaults/accessPolicies',
    location: vault.location,
    properties: { accessPolicies: sent.map(policyResource) },
  });
}

function parsePolicy(entry: unknown): AccessPolicy | undefined {
  const e = entry as {
    tenantId?: unknown;
    objectId?: unknown;
    applicationId?: unknown;
    permissions?: Record<string, unknown>;
  };
  if (
    typeof e?.tenantId !== 'string' ||
    typeof e.objectId !== 'string' ||
    typeof e.permissions !== 'object' ||
    e.permissions === null
  ) {
    return undefined;
  }
  const permissions: Permissions = { keys: [], secrets: [], certificates: [], storage: [] };
  for (const kind of PERMISSION_KINDS) {
    const list = e.permissions[kind];
    if (Array.isArray(list)) permissions[kind] = list.map(String);
  }
  return {
    tenantId: e.tenantId,
    objectId: e.objectId,
    ...(typeof e.applicationId === 'string' ? { applicationId: e.applicationId } : {}),
    permissions,
  };
}

function applyPolicy(vault: Vault, policy: AccessPolicy, kind: 'add' | 'replace' | 'remove'): void {
  const existing = vault.accessPolicies.find(
    (p) =>
      p.tenantId.toLowerCase() === policy.tenantId.toLowerCase() &&
      p.objectId.toLowerCase() === policy.objectId.toLowerCase() &&
      (p.applicationId ?? '').toLowerCase() === (policy.applicationId ?? '').toLowerCase(),
  );
  if (!existing) {
    if (kind !== 'remove') vault.accessPolicies.push(policy);
    return;
  }
  for (const k of PERMISSION_KINDS) {
    const current = existing.permissions[k];
    const lower = new Set(current.map((p) => p.toLowerCase()));
    if (kind === 'add') {
      existing.permissions[k] = [
        ...current,
        ...policy.permissions[k].filter((p) => !lower.has(p.toLowerCase())),
      ];
    } else if (kind === 'replace') {
      existing.permissions[k] = [...policy.permissions[k]];
    } else {
      const drop = new Set(policy.permissions[k].map((p) => p.toLowerCase()));
      existing.permissions[k] = current.filter((p) => !drop.has(p.toLowerCase()));
    }
  }
  if (kind === 'remove' && PERMISSION_KINDS.every((k) => existing.permissions[k].length === 0)) {
    vault.accessPolicies.splice(vault.accessPolicies.indexOf(existing), 1);
  }
}
