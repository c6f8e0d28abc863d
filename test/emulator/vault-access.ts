import { findBuiltInRole } from './role-definitions.js';
import { scopeContains } from './scope.js';
import type { EmulatorState, Vault } from './state.js';

/** VaultObjectKind is the kind of Key Vault object a read targets. */
export type VaultObjectKind = 'secrets' | 'certificates';

/**
 * canRead decides whether a principal may read (`get`, or `list` its versions) a vault object, using only the
 * authorization model the vault is in: access policies, or Azure RBAC when
 * `enableRbacAuthorization` is on. A policy on an RBAC vault, or a role on a policy vault,
 * grants nothing, as on the platform.
 */
export function canRead(
  state: EmulatorState,
  vault: Vault,
  objectId: string,
  kind: VaultObjectKind,
  objectName: string,
  operation: 'get' | 'list' = 'get',
): boolean {
  if (!vault.enableRbacAuthorization) {
    return vault.accessPolicies.some(
      (p) =>
        p.objectId.toLowerCase() === objectId.toLowerCase() &&
        p.tenantId.toLowerCase() === vault.tenantId.toLowerCase() &&
        p.permissions[kind].some(
          (op) => op.toLowerCase() === operation || op.toLowerCase() === 'all',
        ),
    );
  }
  const target = `${vault.id}/${kind}/${objectName}`;
  return [...state.roleAssignments.values()].some((a) => {
    if (a.principalId.toLowerCase() !== objectId.toLowerCase()) return false;
    // A new assignment grants nothing until it has propagated (state.settings.rbacPropagationMs).
    if (a.effectiveAt !== undefined && a.effectiveAt.getTime() > Date.now()) return false;
    if (!scopeContains(a.scope, target)) return false;
    const role = findBuiltInRole(a.roleDefinitionId);
    return kind === 'secrets' ? role?.readsSecrets === true : role?.readsCertificates === true;
  });
}

/** FirewallVerdict says whether a vault's network rules let a caller in, and why not. */
export type FirewallVerdict =
  { readonly allowed: true } | { readonly allowed: false; readonly reason: string };

/**
 * checkTrustedServiceFirewall applies the vault firewall to a trusted Azure service (the App
 * Service RP): it gets in only when the network is open or `bypass` is `AzureServices`.
 */
export function checkTrustedServiceFirewall(vault: Vault): FirewallVerdict {
  const acls = vault.networkAcls;
  const closed = vault.publicNetworkAccess === 'Disabled' || acls?.defaultAction === 'Deny';
  if (!closed || acls?.bypass === 'AzureServices') {
    return { allowed: true };
  }
  const setting =
    vault.publicNetworkAccess === 'Disabled'
      ? 'publicNetworkAccess is Disabled'
      : 'networkAcls.defaultAction is Deny';
  return {
    allowed: false,
    reason: `${setting} and networkAcls.bypass is ${acls?.bypass ?? 'None'}, not AzureServices`,
  };
}

/**
 * checkClientFirewall applies the vault firewall to a caller on the public network: it needs an
 * IP rule for its address (the emulator's callers are all 127.0.0.1).
 */
export function checkClientFirewall(vault: Vault, address: string): FirewallVerdict {
  if (vault.publicNetworkAccess === 'Disabled') {
    return { allowed: false, reason: 'public network access is disabled' };
  }
  const acls = vault.networkAcls;
  if (acls?.defaultAction !== 'Deny') {
    return { allowed: true };
  }
  const allowed = acls.ipRules.some((rule) => rule === address || rule === `${address}/32`);
  return allowed ? { allowed: true } : { allowed: false, reason: 'no IP rule allows the caller' };
}
