import type { ApplicationGateway } from '@azure/arm-network';

import type { AzureContext } from '../../core/azure-context.js';
import { backoffDelay, formatDuration, sleep } from '../../core/backoff.js';
import { AzureRequestError, BindError, PreconditionError } from '../../core/errors.js';
import type { GatewayBindOptions } from '../../core/options.js';
import type { Change, Check, TargetPlan } from '../../core/plan.js';
import { parseResourceId, sameResourceId } from '../../core/resource-id.js';
import { readCertificateMetadata, type CertificateMetadata } from '../../keyvault/certificate.js';
import { checkCertificateUsable } from '../../keyvault/certificate-checks.js';
import {
  SecretAccessClient,
  describeGrant,
  type SecretReadAccess,
} from '../../keyvault/secret-access.js';
import { VaultClient, isFirewallClosed, type VaultInfo } from '../../keyvault/vault.js';
import { GatewayClient, type PutOutcome } from './gateway-client.js';
import {
  applyDesired,
  assignedIdentities,
  certificateId,
  missingParts,
  revertEdit,
  type DesiredState,
} from './gateway-edit.js';
import { IdentityClient, type UserAssignedIdentity } from './identity-client.js';
import { versionlessSecretId } from './secret-reference.js';

/** How many times a write may lose to another writer before the step gives up. */
const MAX_CONFLICTS = 12;

/** The identity the step grants Key Vault access to, known now or created by a change. */
interface IdentityPlan {
  readonly id: string;
  /** current is undefined until a new identity is created. */
  current: UserAssignedIdentity | undefined;
  readonly create: { subscriptionId: string; resourceGroup: string; name: string } | undefined;
}

/**
 * checkGatewayFirewall refuses a vault whose firewall would stop the gateway from fetching the
 * secret: a gateway reaches Key Vault from its subnet, so the subnet must be allowed (service
 * endpoint rule) or the vault reached through a private endpoint. It never opens the firewall.
 */
function checkGatewayFirewall(vault: VaultInfo, gateway: ApplicationGateway): Check {
  if (!isFirewallClosed(vault)) {
    return { subject: 'Vault firewall', outcome: 'ok', detail: 'open to all networks' };
  }
  const subnets = (gateway.gatewayIPConfigurations ?? [])
    .map((configuration) => configuration.subnet?.id)
    .filter((id): id is string => !!id);
  const allowed = subnets.find((id) =>
    vault.firewall.virtualNetworkSubnets.includes(id.toLowerCase()),
  );
  if (allowed) {
    return {
      subject: 'Vault firewall',
      outcome: 'ok',
      detail: `closed; allows gateway subnet ${allowed}`,
    };
  }
  if (vault.firewall.privateEndpoints > 0) {
    return {
      subject: 'Vault firewall',
      outcome: 'ok',
      detail: 'closed; reachable through a private endpoint',
    };
  }
  const subnet = subnets[0] ?? '(the gateway subnet)';
  throw new PreconditionError(
    `Vault '${vault.name}' has a firewall that does not let gateway '${gateway.name}' in, so the ` +
      `gateway cannot fetch the certificate. Allow the gateway's subnet (az keyvault network-rule ` +
      `add --name ${vault.name} --subnet ${subnet}; the subnet needs the Microsoft.KeyVault ` +
      'service endpoint) or give the vault a private endpoint the gateway can reach. This step ' +
      'does not change firewalls.',
  );
}

function isKeyVaultAccessFailure(code: string): boolean {
  return /KeyVault|SecretAccess|Forbidden/i.test(code);
}

async function planIdentity(
  options: GatewayBindOptions,
  gateway: ApplicationGateway,
  identities: IdentityClient,
): Promise<IdentityPlan> {
  const { gateway: input, subscriptionId } = options;
  const requested = input.gatewayIdentity?.startsWith('/')
    ? input.gatewayIdentity
    : input.gatewayIdentity
      ? `/subscriptions/${subscriptionId}/resourceGroups/${input.resourceGroup}/providers/` +
        `Microsoft.ManagedIdentity/userAssignedIdentities/${input.gatewayIdentity}`
      : undefined;

  const assigned = assignedIdentities(gateway);
  if (assigned.length > 0) {
    const id = assigned[0] ?? '';
    if (requested && !sameResourceId(requested, id)) {
      throw new PreconditionError(
        `Gateway '${input.gatewayName}' already uses identity ${id}, and 'gateway-identity' names ` +
          `${requested}. A gateway takes one user-assigned identity, and the certificates it ` +
          'already serves depend on the current one: replacing it would break them. Leave ' +
          "'gateway-identity' empty to grant the current identity, or change it by hand.",
      );
    }
    const details = gateway.identity?.userAssignedIdentities?.[id];
    return {
      id,
      current: {
        id,
        name: id.split('/').pop() ?? id,
        principalId: details?.principalId ?? (await identities.find(id))?.principalId ?? '',
        clientId: details?.clientId ?? '',
      },
      create: undefined,
    };
  }

  if (requested) {
    const found = await identities.find(requested);
    if (!found) {
      throw new PreconditionError(
        `Input 'gateway-identity' names ${requested}, which does not exist. Create it, or leave ` +
          `'gateway-identity' empty to let the step create ${input.gatewayName}-keyvault.`,
      );
    }
    return { id: found.id, current: found, create: undefined };
  }

  const name = `${input.gatewayName}-keyvault`;
  const parsed = parseResourceId(gateway.id ?? '');
  const location = {
    subscriptionId: parsed?.subscriptionId ?? subscriptionId,
    resourceGroup: input.resourceGroup,
    name,
  };
  const id =
    `/subscriptions/${location.subscriptionId}/resourceGroups/${location.resourceGroup}` +
    `/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`;
  const existing = await identities.find(id);
  return { id, current: existing, create: existing ? undefined : location };
}

/**
 * GatewayWriter makes the one PUT per gateway safely next to other writers: If-Match with the
 * etag it read, re-read and re-apply on 412, on another operation in progress and on a
 * superseded operation, check after the write that the change survived (some writers ignore
 * If-Match), and wait out Key Vault access that has not propagated yet, up to a deadline.
 */
class GatewayWriter {
  constructor(
    private readonly client: GatewayClient,
    private readonly context: AzureContext,
    private readonly resourceGroup: string,
    private readonly name: string,
  ) {}

  async write(desired: DesiredState, deadline: number, describeAccess: () => string) {
    const { host } = this.context;
    let conflicts = 0;
    let waits = 0;
    // What our entries, listeners and identity were before this step wrote anything: the state
    // a rollback returns them to (later reads may already hold our failed attempt).
    let original: ApplicationGateway | undefined;
    for (;;) {
      const current = await this.client.get(this.resourceGroup, this.name);
      original ??= current;
      const edit = applyDesired(current, desired);
      for (const warning of edit.warnings) host.warning(warning);
      if (edit.changes.length === 0 && current.provisioningState !== 'Failed') {
        host.info('The gateway already has the change.');
        return;
      }

      const started = Date.now();
      const outcome = await this.client.put(
        this.resourceGroup,
        this.name,
        edit.gateway,
        current.etag,
      );
      const next = await this.handle(outcome, original, desired, deadline, describeAccess, {
        conflicts,
        waits,
        took: Date.now() - started,
      });
      if (next === 'done') return;
      if (next === 'conflict') conflicts++;
      else waits++;
      if (conflicts > MAX_CONFLICTS) {
        throw new BindError(
          `Failed to update Application Gateway '${this.name}': other writers changed it ` +
            `${conflicts} times while this step tried to. Run again when it is quieter.`,
        );
      }
    }
  }

  private async handle(
    outcome: PutOutcome,
    before: ApplicationGateway,
    desired: DesiredState,
    deadline: number,
    describeAccess: () => string,
    counts: { conflicts: number; waits: number; took: number },
  ): Promise<'done' | 'conflict' | 'wait'> {
    const { host } = this.context;
    switch (outcome.kind) {
      case 'succeeded': {
        // Let a writer that read before us and ignores If-Match land its PUT, then look.
        await sleep(Math.min(5000, Math.max(1000, counts.took)));
        const after = await this.client.get(this.resourceGroup, this.name);
        const missing = missingParts(after, desired);
        if (missing.length === 0) return 'done';
        host.warning(
          `Another writer replaced the gateway after this step's update and dropped ${missing.join(', ')}; applying again.`,
        );
        return 'conflict';
      }
      case 'stale':
        host.info('The gateway changed since it was read (412 Precondition Failed); re-reading.');
        return 'conflict';
      case 'canceled':
        host.info('Another update superseded this one (Canceled); re-reading and applying again.');
        return 'conflict';
      case 'busy': {
        const delay = outcome.retryAfterMs ?? backoffDelay(counts.conflicts + 1, 2000, 60_000);
        host.info(
          `Another operation is in progress on the gateway (${outcome.code}); retrying in ${formatDuration(delay)}.`,
        );
        await sleep(delay);
        return 'conflict';
      }
      case 'failed': {
        const { code, message } = outcome.error;
        const delay = backoffDelay(counts.waits + 1, 5000, 60_000);
        if (isKeyVaultAccessFailure(code) && Date.now() + delay < deadline) {
          host.info(
            `The gateway cannot read Key Vault yet (${code}); new grants take minutes to apply. ` +
              `Waiting ${formatDuration(delay)} (${formatDuration(deadline - Date.now())} left of 'propagation-timeout').`,
          );
          await sleep(delay);
          return 'wait';
        }
        await this.revert(before, desired);
        const fix = isKeyVaultAccessFailure(code)
          ? `The identity still could not read the secret when 'propagation-timeout' ran out. ` +
            `Check the grant (${describeAccess()}), the vault firewall, and that the key is ` +
            "exportable; or raise 'propagation-timeout'."
          : 'The gateway was returned to its previous configuration.';
        throw new PreconditionError(
          `Failed to update Application Gateway '${this.name}' (${code}): ${message} ${fix}`,
        );
      }
    }
  }

  /** revert takes our additions back out after a failed write, so the gateway can recover. */
  private async revert(before: ApplicationGateway, desired: DesiredState): Promise<void> {
    const { host } = this.context;
    try {
      const current = await this.client.get(this.resourceGroup, this.name);
      const reverted = revertEdit(current, before, desired);
      if (JSON.stringify(reverted) === JSON.stringify(current)) return;
      const outcome = await this.client.put(this.resourceGroup, this.name, reverted, current.etag);
      if (outcome.kind === 'succeeded') {
        host.info("Rolled back this step's additions: the gateway has its previous configuration.");
      } else {
        const detail =
          outcome.kind === 'failed' ? ` (${outcome.error.code}: ${outcome.error.message})` : '';
        host.warning(
          `Could not roll back this step's additions to gateway '${this.name}': ${outcome.kind}${detail}. ` +
            'Remove them by hand if the gateway stays Failed.',
        );
      }
    } catch (error) {
      host.warning(
        `Could not roll back this step's additions to gateway '${this.name}': ` +
          `${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}

/**
 * planGatewayBinding reads the gateway, the vault and the certificates, checks them, and plans
 * the changes that make the gateway serve them from Key Vault with a versionless reference: the
 * identity (reused, named or created), read access on each secret, and one PUT of the gateway
 * with the identity, the `sslCertificates` entries and the listener references.
 */
export async function planGatewayBinding(
  options: GatewayBindOptions,
  context: AzureContext,
  now: Date,
): Promise<TargetPlan> {
  const { host } = context;
  const input = options.gateway;
  const gateways = new GatewayClient(context, options.subscriptionId);
  const identities = new IdentityClient(context);
  const access = new SecretAccessClient(context);

  const state = await host.group('Read the gateway, the vault and the certificates', async () => {
    const gateway = await gateways.get(input.resourceGroup, input.gatewayName);
    host.info(
      `Gateway: ${gateway.id} (${gateway.sku?.name ?? 'unknown SKU'}, ${gateway.provisioningState})`,
    );
    const vault = await new VaultClient(context).resolveVault(
      options.keyVault,
      options.subscriptionId,
    );
    host.info(
      `Vault: ${vault.id} (${vault.rbac ? 'Azure RBAC' : 'access policies'}, ${vault.vaultUri})`,
    );
    const certificates: CertificateMetadata[] = [];
    for (const { certificate: name } of input.entries) {
      const certificate = await readCertificateMetadata(context, vault, name);
      host.info(
        `Certificate: ${certificate.name} version ${certificate.version}, thumbprint ` +
          `${certificate.thumbprint}, expires ${certificate.expiresOn.toISOString()}`,
      );
      certificates.push(certificate);
    }
    return { gateway, vault, certificates };
  });
  const { gateway, vault, certificates } = state;

  return host.group('Check and plan', async () => {
    if (options.certificateVersion) {
      host.warning(
        `'certificate' names version ${options.certificateVersion}; the gateway gets the ` +
          'versionless secret instead, so that every renewal reaches it.',
      );
    }
    const checks = certificates.flatMap((certificate) =>
      checkCertificateUsable(certificate, vault, now, 'Application Gateway'),
    );
    checks.push(checkGatewayFirewall(vault, gateway));

    const identity = await planIdentity(options, gateway, identities);
    const desired: DesiredState = {
      gatewayId: gateway.id ?? '',
      identityId: identity.id,
      certificates: input.entries.map(({ certificate, sslCertificateName }) => ({
        name: sslCertificateName,
        secretId: versionlessSecretId(vault.vaultUri, certificate),
      })),
      listeners: input.listeners,
    };
    // Fail on a missing or plain-HTTP listener now, before any write.
    const edit = applyDesired(gateway, desired);
    const identityName = `identity ${identity.id.split('/').pop()}`;
    checks.push({
      subject: 'Gateway identity',
      outcome: 'ok',
      detail: identity.create
        ? `${identityName} (to create)`
        : `${identityName} (${identity.current?.clientId ?? ''})`,
    });

    const changes: Change[] = [];
    if (identity.create) {
      const { subscriptionId, resourceGroup, name } = identity.create;
      if (!options.grantAccess) {
        throw new PreconditionError(
          `Gateway '${input.gatewayName}' has no identity, so the step would create ${name} and ` +
            "grant it read on the secret, but 'grant-access' is false. Name an identity that " +
            "can already read the secret in 'gateway-identity', or set 'grant-access: true'.",
        );
      }
      changes.push({
        action: `Create managed identity ${name}`,
        resource: identity.id,
        apply: async () => {
          identity.current = await identities.create(
            subscriptionId,
            resourceGroup,
            name,
            gateway.location ?? '',
          );
          host.info(
            `Identity ${name}: principal ${identity.current.principalId}, client ${identity.current.clientId}`,
          );
        },
      });
    }

    const grants = await planGrants(options, context, access, vault, certificates, identity);
    checks.push(...grants.checks);
    changes.push(...grants.changes);
    const deadline = () => Date.now() + input.propagationTimeoutMs;

    if (edit.changes.length > 0 || gateway.provisioningState === 'Failed') {
      const writer = new GatewayWriter(gateways, context, input.resourceGroup, input.gatewayName);
      changes.push({
        action: `Update gateway (one PUT): ${edit.changes.join('; ') || 'recover from Failed'}`,
        resource: gateway.id ?? input.gatewayName,
        apply: () => writer.write(desired, deadline(), grants.describe),
      });
    }

    const joined = (values: string[]) => values.join(',');
    return {
      title: `Application Gateway ${input.gatewayName}`,
      checks,
      changes,
      outputs: () => ({
        thumbprint: joined(certificates.map((c) => c.thumbprint)),
        'expires-on': joined(certificates.map((c) => c.expiresOn.toISOString())),
        'ssl-certificate-id': joined(
          desired.certificates.map((c) => certificateId(gateway.id ?? '', c.name)),
        ),
        'key-vault-secret-id': joined(desired.certificates.map((c) => c.secretId)),
        'identity-client-id': identity.current?.clientId ?? '',
      }),
    };
  });
}

/**
 * planGrants checks that the gateway's identity can read each certificate's secret and plans the
 * grants it lacks (one access policy covers a policy vault; an RBAC vault needs one role
 * assignment per secret). For an identity the step is about to create, the check happens when
 * the change runs.
 */
async function planGrants(
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
