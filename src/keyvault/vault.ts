import { KeyVaultManagementClient, type Vault } from '@azure/arm-keyvault';
import { SubscriptionClient } from '@azure/arm-resources-subscriptions';

import {
  armClientOptions,
  classicArmClientOptions,
  type AzureContext,
} from '../core/azure-context.js';
import { describeAzureFailure, isNotFound } from '../core/azure-error.js';
import { PreconditionError } from '../core/errors.js';
import type { KeyVaultReference } from '../core/options.js';
import { parseResourceId } from '../core/resource-id.js';

/** AccessPolicy is one entry of a vault's access policy list. */
export interface AccessPolicy {
  readonly tenantId: string;
  readonly objectId: string;
  readonly secrets: readonly string[];
  readonly certificates: readonly string[];
}

/** VaultInfo is what the step needs to know of a vault's ARM resource. */
export interface VaultInfo {
  readonly id: string;
  readonly name: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly location: string;
  readonly tenantId: string;
  readonly vaultUri: string;
  /** rbac is true when the vault authorizes data access with Azure RBAC, not access policies. */
  readonly rbac: boolean;
  readonly accessPolicies: readonly AccessPolicy[];
  readonly firewall: {
    readonly defaultAction: 'Allow' | 'Deny';
    readonly bypassesTrustedServices: boolean;
    readonly publicNetworkAccess: string;
    /** virtualNetworkSubnets are the subnet ids the firewall lets in (lower-cased). */
    readonly virtualNetworkSubnets: readonly string[];
    /** privateEndpoints counts the approved private endpoint connections. */
    readonly privateEndpoints: number;
  };
}

function toVaultInfo(vault: Vault): VaultInfo {
  const id = parseResourceId(vault.id ?? '');
  if (!id)
    throw new PreconditionError(`Azure returned a vault without a valid id ('${vault.id}').`);
  const acls = vault.properties.networkAcls;
  return {
    id: id.id,
    name: id.name,
    subscriptionId: id.subscriptionId,
    resourceGroup: id.resourceGroup,
    location: vault.location ?? '',
    tenantId: vault.properties.tenantId,
    vaultUri: vault.properties.vaultUri ?? '',
    rbac: vault.properties.enableRbacAuthorization === true,
    accessPolicies: (vault.properties.accessPolicies ?? []).map((entry) => ({
      tenantId: entry.tenantId,
      objectId: entry.objectId,
      secrets: (entry.permissions.secrets ?? []).map((p) => p.toLowerCase()),
      certificates: (entry.permissions.certificates ?? []).map((p) => p.toLowerCase()),
    })),
    firewall: {
      defaultAction: acls?.defaultAction === 'Deny' ? 'Deny' : 'Allow',
      bypassesTrustedServices: (acls?.bypass ?? 'AzureServices') === 'AzureServices',
      publicNetworkAccess: vault.properties.publicNetworkAccess ?? 'Enabled',
      virtualNetworkSubnets: (acls?.virtualNetworkRules ?? []).map((rule) => rule.id.toLowerCase()),
      privateEndpoints: (vault.properties.privateEndpointConnections ?? []).filter(
        (connection) =>
          connection.privateLinkServiceConnectionState?.status?.toLowerCase() === 'approved',
      ).length,
    },
  };
}

function sameUri(a: string, b: string): boolean {
  return a.replace(/\/+$/, '').toLowerCase() === b.replace(/\/+$/, '').toLowerCase();
}

/**
 * VaultClient reads a vault's ARM resource and adds access policies, wrapping the Key Vault
 * management SDK.
 */
export class VaultClient {
  constructor(private readonly context: AzureContext) {}

  private client(subscriptionId: string): KeyVaultManagementClient {
    return new KeyVaultManagementClient(
      this.context.credential,
      subscriptionId,
      armClientOptions(this.context),
    );
  }

  /**
   * resolveVault finds the vault the `key-vault` input names: by id directly, by name in the
   * app's subscription, by URI in the app's subscription and then in every other subscription the
   * identity can see (vaults often live in a shared subscription).
   */
  async resolveVault(reference: KeyVaultReference, subscriptionId: string): Promise<VaultInfo> {
    if (reference.kind === 'resource-id') {
      const id = parseResourceId(reference.id);
      if (!id) throw new PreconditionError(`'${reference.id}' is not a vault resource id.`);
      try {
        const vault = await this.client(id.subscriptionId).vaults.get(id.resourceGroup, id.name);
        return toVaultInfo(vault);
      } catch (error) {
        const hint = isNotFound(error)
          ? "Check the 'key-vault' resource id, and that the pipeline's identity can read it."
          : undefined;
        throw describeAzureFailure(`read vault '${reference.id}'`, error, hint);
      }
    }

    const matches = (vault: VaultInfo): boolean =>
      reference.kind === 'name'
        ? vault.name.toLowerCase() === reference.name.toLowerCase()
        : sameUri(vault.vaultUri, reference.uri);
    const found = await this.findInSubscription(subscriptionId, matches);
    if (found) return found;

    if (reference.kind === 'name') {
      throw new PreconditionError(
        `Key Vault '${reference.name}' was not found in subscription ${subscriptionId}. ` +
          "For a vault in another subscription, give its resource id or URI in 'key-vault'.",
      );
    }
    for (const other of await this.listSubscriptions()) {
      if (other.toLowerCase() === subscriptionId.toLowerCase()) continue;
      const vault = await this.findInSubscription(other, matches);
      if (vault) return vault;
    }
    throw new PreconditionError(
      `No Key Vault with URI '${reference.uri}' is visible to the pipeline's identity in any ` +
        "subscription. Check the URI, or give the vault's resource id in 'key-vault'.",
    );
  }

  private async findInSubscription(
    subscriptionId: string,
    matches: (vault: VaultInfo) => boolean,
  ): Promise<VaultInfo | undefined> {
    try {
      for await (const vault of this.client(subscriptionId).vaults.listBySubscription()) {
        const info = toVaultInfo(vault);
        if (matches(info)) return info;
      }
      return undefined;
    } catch (error) {
      throw describeAzureFailure(`list the vaults of subscription ${subscriptionId}`, error);
    }
  }

  private async listSubscriptions(): Promise<string[]> {
    const client = new SubscriptionClient(
      this.context.credential,
      classicArmClientOptions(this.context),
    );
    const ids: string[] = [];
    try {
      for await (const subscription of client.subscriptions.list()) {
        if (subscription.subscriptionId) ids.push(subscription.subscriptionId);
      }
    } catch (error) {
      throw describeAzureFailure('list the subscriptions the identity can see', error);
    }
    return ids;
  }

  /**
   * addAccessPolicy adds permissions for one principal with `accessPolicies/add`, which merges
   * into the list instead of replacing it, so other tools' policies are never lost.
   */
  async addAccessPolicy(
    vault: VaultInfo,
    objectId: string,
    permissions: { readonly secrets: readonly string[]; readonly certificates: readonly string[] },
  ): Promise<void> {
    try {
      await this.client(vault.subscriptionId).vaults.updateAccessPolicy(
        vault.resourceGroup,
        vault.name,
        'add',
        {
          properties: {
            accessPolicies: [
              {
                tenantId: vault.tenantId,
                objectId,
                permissions: {
                  secrets: [...permissions.secrets] as ('get' | 'list')[],
                  certificates: [...permissions.certificates] as ('get' | 'list')[],
                },
              },
            ],
          },
        },
      );
    } catch (error) {
      throw describeAzureFailure(
        `add an access policy for object ${objectId} to vault '${vault.name}'`,
        error,
        "The pipeline's identity needs Microsoft.KeyVault/vaults/accessPolicies/write " +
          '(for example Key Vault Contributor) on the vault.',
      );
    }
  }
}

/** isFirewallClosed tells whether the vault refuses public traffic that no rule lets in. */
export function isFirewallClosed(vault: VaultInfo): boolean {
  return (
    vault.firewall.defaultAction === 'Deny' ||
    vault.firewall.publicNetworkAccess.toLowerCase() === 'disabled'
  );
}
