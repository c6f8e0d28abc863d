import type { ApplicationGateway } from '@azure/arm-network';

import type { AzureContext } from '../../core/azure-context.js';
import { PreconditionError } from '../../core/errors.js';
import type { GatewayBindOptions } from '../../core/options.js';
import type { Change, Check, TargetPlan } from '../../core/plan.js';
import { parseResourceId, sameResourceId } from '../../core/resource-id.js';
import { readCertificateMetadata, type CertificateMetadata } from '../../keyvault/certificate.js';
import { checkCertificateUsable } from '../../keyvault/certificate-checks.js';
import { SecretAccessClient } from '../../keyvault/secret-access.js';
import { VaultClient, isFirewallClosed, type VaultInfo } from '../../keyvault/vault.js';
import { GatewayClient } from './gateway-client.js';
import {
  applyDesired,
  assignedIdentities,
  certificateId,
  type DesiredState,
} from './gateway-edit.js';
import { planGrants } from './gateway-grants.js';
import { GatewayWriter } from './gateway-writer.js';
import { IdentityClient, type IdentityPlan } from './identity-client.js';
import { versionlessSecretId } from './secret-reference.js';

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
      listenerCoverage: certificates[0]?.dnsNames ?? [],
    };
    // Fail on a taken-over entry or a wrong listener now, before any write; warn in plan too.
    const edit = applyDesired(gateway, desired);
    for (const warning of edit.warnings) host.warning(warning);
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
