import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { v5 as uuidv5 } from 'uuid';

import { classicArmClientOptions, type AzureContext } from '../core/azure-context.js';
import { describeAzureFailure, serviceErrorCode } from '../core/azure-error.js';
import { PreconditionError } from '../core/errors.js';
import type { Change, Check } from '../core/plan.js';
import { isScopeWithin } from '../core/resource-id.js';
import { VaultClient, type VaultInfo } from './vault.js';

/** Built-in roles whose data actions include reading a secret's value. */
const SECRET_READER_ROLES: Readonly<Record<string, string>> = {
  '4633458b-17de-408a-b874-0445c86b69e6': 'Key Vault Secrets User',
  'db79e9a7-68ee-4b58-9aeb-b90e7c24fcba': 'Key Vault Certificate User',
  'b86a8fe4-44ce-4948-aee5-eccb2c155cd7': 'Key Vault Secrets Officer',
  '00482a5a-887f-4fb3-b363-3b7fe8e74483': 'Key Vault Administrator',
};

/** The role this product grants: the narrowest built-in role that reads one secret. */
const SECRETS_USER = '4633458b-17de-408a-b874-0445c86b69e6';

// A fixed namespace makes role assignment names deterministic, so a rerun PUTs the same name.
const ROLE_ASSIGNMENT_NAMESPACE = '5b0c3bb8-3a4f-4c38-9a0b-6a6c1f1f3d2e';

/** SecretReadGrant is the grant that lets a principal read one certificate's secret. */
export type SecretReadGrant =
  | {
      readonly kind: 'access-policy';
      readonly vault: VaultInfo;
      readonly principalId: string;
      readonly principalName: string;
      readonly permissions: PolicyPermissions;
    }
  | {
      readonly kind: 'role-assignment';
      readonly vault: VaultInfo;
      readonly principalId: string;
      readonly principalName: string;
      readonly scope: string;
      readonly roleDefinitionGuid: string;
      readonly roleName: string;
      readonly assignmentName: string;
    };

/** PolicyPermissions are what an access policy grants, when the vault uses access policies. */
export interface PolicyPermissions {
  readonly secrets: readonly string[];
  readonly certificates: readonly string[];
}

function describePermissions(permissions: PolicyPermissions): string {
  const parts = [
    permissions.secrets.length > 0 ? `${permissions.secrets.join(', ')} on secrets` : '',
    permissions.certificates.length > 0
      ? `${permissions.certificates.join(', ')} on certificates`
      : '',
  ];
  return parts.filter(Boolean).join(' and ');
}

function permissionFlags(permissions: PolicyPermissions): string {
  const flags = [
    permissions.secrets.length > 0 ? `--secret-permissions ${permissions.secrets.join(' ')}` : '',
    permissions.certificates.length > 0
      ? `--certificate-permissions ${permissions.certificates.join(' ')}`
      : '',
  ];
  return flags.filter(Boolean).join(' ');
}

/** SecretReadAccess says whether the principal can read the secret and, if not, what to grant. */
export interface SecretReadAccess {
  readonly present: boolean;
  /** how names the policy or role assignment that gives access, or the one that would. */
  readonly how: string;
  readonly grant: SecretReadGrant;
}

/** secretScope is the ARM scope of a Key Vault secret, for a role assignment on it alone. */
export function secretScope(vault: VaultInfo, secretName: string): string {
  return `${vault.id}/secrets/${secretName}`;
}

/** summarizeGrant says in a few words what the grant is, for the plan and the summary. */
export function summarizeGrant(grant: SecretReadGrant): string {
  return grant.kind === 'access-policy'
    ? `access policy on vault '${grant.vault.name}': ${describePermissions(grant.permissions)} ` +
        `for ${grant.principalName}`
    : `role '${grant.roleName}' on secret '${grant.scope.split('/').pop()}' of vault ` +
        `'${grant.vault.name}' for ${grant.principalName}`;
}

/**
 * describeGrant says in words and as an `az` command what the grant is, for an administrator
 * who must make it by hand when `grant-access` is false.
 */
export function describeGrant(grant: SecretReadGrant): string {
  if (grant.kind === 'access-policy') {
    return (
      `${summarizeGrant(grant)} (object ${grant.principalId}): ` +
      `az keyvault set-policy --name ${grant.vault.name} --object-id ${grant.principalId} ` +
      permissionFlags(grant.permissions)
    );
  }
  return (
    `${summarizeGrant(grant)} (object ${grant.principalId}): ` +
    `az role assignment create --assignee-object-id ${grant.principalId} ` +
    `--assignee-principal-type ServicePrincipal --role "${grant.roleName}" --scope ${grant.scope}`
  );
}

/**
 * SecretAccessClient checks and grants read access to a certificate's secret, by the vault's
 * permission model: an access policy on a policy vault, a role assignment on an RBAC vault. A
 * policy on an RBAC vault (or a role on a policy vault) would be accepted and grant nothing, so
 * the model decides which is checked and which is written.
 */
export class SecretAccessClient {
  constructor(private readonly context: AzureContext) {}

  private authorization(vault: VaultInfo): AuthorizationManagementClient {
    return new AuthorizationManagementClient(
      this.context.credential,
      vault.subscriptionId,
      classicArmClientOptions(this.context),
    );
  }

  /** checkSecretRead finds whether the principal can already read the secret. */
  async checkSecretRead(
    vault: VaultInfo,
    secretName: string,
    principalId: string,
    principalName: string,
    permissions: PolicyPermissions,
  ): Promise<SecretReadAccess> {
    if (!vault.rbac) {
      const grant: SecretReadGrant = {
        kind: 'access-policy',
        vault,
        principalId,
        principalName,
        permissions,
      };
      const policy = vault.accessPolicies.find(
        (entry) =>
          entry.objectId.toLowerCase() === principalId.toLowerCase() &&
          entry.tenantId.toLowerCase() === vault.tenantId.toLowerCase() &&
          (entry.secrets.includes('get') || entry.secrets.includes('all')),
      );
      return policy
        ? { present: true, how: `access policy on vault '${vault.name}' (get on secrets)`, grant }
        : { present: false, how: summarizeGrant(grant), grant };
    }

    const scope = secretScope(vault, secretName);
    const grant: SecretReadGrant = {
      kind: 'role-assignment',
      vault,
      principalId,
      principalName,
      scope,
      roleDefinitionGuid: SECRETS_USER,
      roleName: SECRET_READER_ROLES[SECRETS_USER] ?? 'Key Vault Secrets User',
      assignmentName: uuidv5(
        `${scope}|${SECRETS_USER}|${principalId}`.toLowerCase(),
        ROLE_ASSIGNMENT_NAMESPACE,
      ),
    };
    try {
      const assignments = this.authorization(vault).roleAssignments.listForScope(scope, {
        filter: `principalId eq '${principalId}'`,
      });
      for await (const assignment of assignments) {
        const roleGuid = assignment.roleDefinitionId?.split('/').pop()?.toLowerCase() ?? '';
        const roleName = SECRET_READER_ROLES[roleGuid];
        if (
          roleName &&
          assignment.principalId?.toLowerCase() === principalId.toLowerCase() &&
          assignment.scope &&
          isScopeWithin(assignment.scope, scope)
        ) {
          return { present: true, how: `role '${roleName}' on ${assignment.scope}`, grant };
        }
      }
    } catch (error) {
      throw describeAzureFailure(
        `list role assignments of ${principalName} on ${scope}`,
        error,
        "The pipeline's identity needs Microsoft.Authorization/roleAssignments/read on the vault.",
      );
    }
    return { present: false, how: summarizeGrant(grant), grant };
  }

  /** applyGrant makes the grant. A role assignment that already exists counts as made. */
  async applyGrant(grant: SecretReadGrant): Promise<void> {
    if (grant.kind === 'access-policy') {
      await new VaultClient(this.context).addAccessPolicy(
        grant.vault,
        grant.principalId,
        grant.permissions,
      );
      return;
    }

    const roleDefinitionId =
      `/subscriptions/${grant.vault.subscriptionId}/providers/Microsoft.Authorization/` +
      `roleDefinitions/${grant.roleDefinitionGuid}`;
    try {
      await this.authorization(grant.vault).roleAssignments.create(
        grant.scope,
        grant.assignmentName,
        {
          roleDefinitionId,
          principalId: grant.principalId,
          // Naming the principal type lets ARM skip the directory look-up that fails for
          // principals created moments ago.
          principalType: 'ServicePrincipal',
          description:
            'Lets the App Service resource provider read this certificate (keyvault-cert-bind).',
        },
      );
    } catch (error) {
      if (serviceErrorCode(error) === 'RoleAssignmentExists') return;
      throw describeAzureFailure(
        `assign role '${grant.roleName}' to ${grant.principalName} on ${grant.scope}`,
        error,
        "The pipeline's identity needs Microsoft.Authorization/roleAssignments/write there " +
          '(for example Role Based Access Control Administrator or User Access Administrator).',
      );
    }
  }
}

/** SecretReadPlan is what a target adds to its plan for one principal's read on one secret. */
export interface SecretReadPlan {
  readonly access: SecretReadAccess;
  readonly check: Check | undefined;
  readonly change: Change | undefined;
}

/**
 * planSecretRead checks that a principal can read a certificate's secret and returns either the
 * check that says so, or the change that grants it; with `grantAccess` false a missing grant is a
 * refusal that names the exact grant an administrator must make.
 */
export async function planSecretRead(
  client: SecretAccessClient,
  request: {
    readonly vault: VaultInfo;
    readonly secretName: string;
    readonly principalId: string;
    /** who reads, as a sentence starts: 'App Service', 'The pod identity'. */
    readonly reader: string;
    readonly permissions: PolicyPermissions;
    readonly grantAccess: boolean;
  },
): Promise<SecretReadPlan> {
  const { vault, secretName, principalId, reader } = request;
  const access = await client.checkSecretRead(
    vault,
    secretName,
    principalId,
    reader.toLowerCase().startsWith('the ') ? reader.toLowerCase() : reader,
    request.permissions,
  );
  if (access.present) {
    return {
      access,
      check: { subject: `${reader} can read the secret`, outcome: 'ok', detail: access.how },
      change: undefined,
    };
  }
  if (!request.grantAccess) {
    throw new PreconditionError(
      `${reader} cannot read the secret of certificate '${secretName}' and 'grant-access' is ` +
        `false. Ask an administrator to make this grant, then run again: ${describeGrant(access.grant)}`,
    );
  }
  return {
    access,
    check: undefined,
    change: {
      action: `Grant ${access.how}`,
      resource: vault.id,
      apply: () => client.applyGrant(access.grant),
    },
  };
}
