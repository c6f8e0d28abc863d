import { ManagedServiceIdentityClient, type Identity } from '@azure/arm-msi';

import { classicArmClientOptions, type AzureContext } from '../../core/azure-context.js';
import { describeAzureFailure, isNotFound } from '../../core/azure-error.js';
import { parseResourceId } from '../../core/resource-id.js';

/** UserAssignedIdentity is what the step needs of a user-assigned managed identity. */
export interface UserAssignedIdentity {
  readonly id: string;
  readonly name: string;
  readonly principalId: string;
  readonly clientId: string;
}

/** IdentityPlan is the identity the step grants access to, known now or created by a change. */
export interface IdentityPlan {
  readonly id: string;
  /** current is undefined until a new identity is created. */
  current: UserAssignedIdentity | undefined;
  readonly create: { subscriptionId: string; resourceGroup: string; name: string } | undefined;
}

function toIdentity(identity: Identity): UserAssignedIdentity {
  return {
    id: identity.id ?? '',
    name: identity.name ?? '',
    principalId: identity.principalId ?? '',
    clientId: identity.clientId ?? '',
  };
}

/** IdentityClient reads and creates user-assigned managed identities. */
export class IdentityClient {
  constructor(private readonly context: AzureContext) {}

  private client(subscriptionId: string): ManagedServiceIdentityClient {
    return new ManagedServiceIdentityClient(
      this.context.credential,
      subscriptionId,
      classicArmClientOptions(this.context),
    );
  }

  /** find reads an identity by resource id, or returns undefined when it does not exist. */
  async find(id: string): Promise<UserAssignedIdentity | undefined> {
    const parsed = parseResourceId(id);
    if (!parsed) return undefined;
    try {
      const identity = await this.client(parsed.subscriptionId).userAssignedIdentities.get(
        parsed.resourceGroup,
        parsed.name,
      );
      return toIdentity(identity);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw describeAzureFailure(`read managed identity '${id}'`, error);
    }
  }

  /** create creates (or updates) an identity in a resource group and region. */
  async create(
    subscriptionId: string,
    resourceGroup: string,
    name: string,
    location: string,
  ): Promise<UserAssignedIdentity> {
    try {
      const identity = await this.client(subscriptionId).userAssignedIdentities.createOrUpdate(
        resourceGroup,
        name,
        { location, tags: { 'managed-by': 'keyvault-cert-bind' } },
      );
      return toIdentity(identity);
    } catch (error) {
      throw describeAzureFailure(
        `create managed identity '${name}' in resource group '${resourceGroup}'`,
        error,
        "The pipeline's identity needs Managed Identity Contributor on the resource group, or " +
          "name an existing identity in 'gateway-identity'.",
      );
    }
  }
}
