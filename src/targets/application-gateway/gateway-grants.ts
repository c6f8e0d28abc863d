import type { AzureContext } from '../../core/azure-context.js';
import { backoffDelay, formatDuration, sleep } from '../../core/backoff.js';
import { AzureRequestError, PreconditionError } from '../../core/errors.js';
import type { GatewayBindOptions } from '../../core/options.js';
import type { Change, Check } from '../../core/plan.js';
import type { CertificateMetadata } from '../../keyvault/certificate.js';
import {
  describeGrant,
  type SecretAccessClient,
  type SecretReadAccess,
} from '../../keyvault/secret-access.js';
import type { VaultInfo } from '../../keyvault/vault.js';
import type { IdentityPlan } from './identity-client.js';

/**
 * planGrants checks that the gateway's identity can read each certificate's secret and plans the
 * grants it lacks (one access policy covers a policy vault; an RBAC vault needs one role
 * assignment per secret). For an identity the step is about to create, the check happens when
 * the change runs.
 */
export async function planGrants(
  options: GatewayBindOptions,
  context: AzureContext,
  access: SecretAccessClient,
  vault: VaultInfo,
  certificates: readonly CertificateMetadata[],
  identity: IdentityPlan,
): Promise<{ checks: Check[]; changes: Change[]; describe: () => string }> {
  const policy = { secrets: ['get'], certificates: [] };
  const principalName = `gateway identity ${identity.id.split('/').pop()}`;
  const deadline = () => Date.now() + options.gateway.propagationTimeoutMs;
  const secrets = vault.rbac ? certificates.map((c) => c.name) : [certificates[0]?.name ?? ''];
  const checks: Check[] = [];
  const changes: Change[] = [];
  const needed: SecretReadAccess[] = [];

  for (const secret of secrets) {
    let secretRead: SecretReadAccess | undefined;
    if (identity.current) {
      secretRead = await access.checkSecretRead(
        vault,
        secret,
        identity.current.principalId,
        principalName,
        policy,
      );
      if (secretRead.present) {
        checks.push({
          subject: `Gateway identity can read ${secret}`,
          outcome: 'ok',
          detail: secretRead.how,
        });
        continue;
      }
      if (!options.grantAccess) {
        throw new PreconditionError(
          `The gateway's identity cannot read the secret of certificate '${secret}' and ` +
            "'grant-access' is false. Ask an administrator to make this grant, then run again: " +
            describeGrant(secretRead.grant),
        );
      }
      needed.push(secretRead);
    }
    changes.push({
      action: secretRead
        ? `Grant ${secretRead.how}`
        : `Grant ${principalName} get on secret ${secret}`,
      resource: vault.id,
      apply: async () => {
        const principalId = identity.current?.principalId ?? '';
        secretRead ??= await access.checkSecretRead(
          vault,
          secret,
          principalId,
          principalName,
          policy,
        );
        if (!secretRead.present) {
          needed.push(secretRead);
          await grantWhenVisible(access, secretRead, deadline(), context);
        }
      },
    });
  }
  const describe = () =>
    needed.map((secretRead) => describeGrant(secretRead.grant)).join('; ') ||
    'the grants listed in the summary';
  return { checks, changes, describe };
}

/**
 * grantWhenVisible makes a grant, waiting while the directory does not yet know a brand-new
 * identity (PrincipalNotFound), up to the deadline.
 */
async function grantWhenVisible(
  access: SecretAccessClient,
  secretRead: SecretReadAccess,
  deadline: number,
  context: AzureContext,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await access.applyGrant(secretRead.grant);
      return;
    } catch (error) {
      const notYet =
        error instanceof AzureRequestError && /PrincipalNotFound/i.test(error.code ?? '');
      const delay = backoffDelay(attempt, 2000, 30_000);
      if (!notYet || Date.now() + delay >= deadline) throw error;
      context.host.info(
        `The new identity is not visible to Azure RBAC yet (PrincipalNotFound); retrying in ` +
          `${formatDuration(delay)} (${formatDuration(deadline - Date.now())} left of 'propagation-timeout').`,
      );
      await sleep(delay);
    }
  }
}
