import { deterministicGuid } from './guid.js';
import { normalizeLocation } from './location.js';
import { buildResourceId } from './resource-id.js';
import type { Seed, SeedApplicationGateway, SeedSettings } from './seed.js';
import type { ApplicationGateway, EmulatorSettings, EmulatorState } from './state.js';

/** DEFAULT_SETTINGS are the knobs' values when neither the seed nor the control API set them. */
export const DEFAULT_SETTINGS: Readonly<EmulatorSettings> = {
  gatewayProvisioningMs: 200,
  gatewayIgnoreIfMatch: false,
  gatewayConcurrency: 'reject-429',
  gatewayRetryAfterSeconds: 10,
  rbacPropagationMs: 0,
  principalVisibilityMs: 0,
  principalVisibilityWithTypeMs: 0,
};

// Seeded Key Vault references name the vault, because its URI (a port) is known only once its
// listener is up; resolveSeededSecretIds rewrites them then.
const SEED_VAULT_PREFIX = 'seed-vault://';

/** buildSettings merges seeded settings over the defaults. */
export function buildSettings(seed: SeedSettings | undefined): EmulatorSettings {
  return { ...DEFAULT_SETTINGS, ...(seed ?? {}) };
}

/** addSeededIdentities adds the seed's user-assigned identities and their principals. */
export function addSeededIdentities(seed: Seed, state: EmulatorState, firstSubscription: string) {
  for (const u of seed.userAssignedIdentities ?? []) {
    const subscriptionId = u.subscriptionId ?? firstSubscription;
    const id = buildResourceId(
      subscriptionId,
      u.resourceGroup,
      'Microsoft.ManagedIdentity/userAssignedIdentities',
      u.name,
    );
    // The same derivation a site's seeded user-assigned identity uses, so both agree.
    const principalId = u.principalId ?? deterministicGuid(`uai-principal:${id.toLowerCase()}`);
    const clientId = u.clientId ?? deterministicGuid(`uai-client:${id.toLowerCase()}`);
    state.userAssignedIdentities.set(id.toLowerCase(), {
      id,
      subscriptionId,
      resourceGroup: u.resourceGroup,
      name: u.name,
      location: normalizeLocation(u.location),
      tags: { ...(u.tags ?? {}) },
      principalId,
      clientId,
      tenantId: state.tenantId,
    });
    state.principals.set(principalId.toLowerCase(), {
      objectId: principalId,
      displayName: u.name,
      principalType: 'ServicePrincipal',
    });
  }
}

/** addSeededGateways adds the seed's Application Gateways, each with a complete configuration. */
export function addSeededGateways(seed: Seed, state: EmulatorState, firstSubscription: string) {
  for (const g of seed.applicationGateways ?? []) {
    const subscriptionId = g.subscriptionId ?? firstSubscription;
    const id = buildResourceId(
      subscriptionId,
      g.resourceGroup,
      'Microsoft.Network/applicationGateways',
      g.name,
    );
    const gateway: ApplicationGateway = {
      id,
      subscriptionId,
      resourceGroup: g.resourceGroup,
      name: g.name,
      location: normalizeLocation(g.location),
      tags: { ...(g.tags ?? {}) },
      userAssignedIdentity: g.identity,
      zones: undefined,
      properties: seededProperties(id, subscriptionId, g),
      etag: newEtag(),
      provisioningState: 'Succeeded',
      operationalState: 'Running',
      resourceGuid: deterministicGuid(`agw-guid:${id.toLowerCase()}`),
      operation: undefined,
      served: new Map(),
      privateEndpointVaults: [...(g.privateEndpointVaults ?? [])],
    };
    state.applicationGateways.set(id.toLowerCase(), gateway);
  }
}

/**
 * resolveSeededSecretIds turns the seeded gateways' vault references into the vaults' URIs once
 * their listeners are up, and records the version each one serves.
 */
export function resolveSeededSecretIds(state: EmulatorState): void {
  for (const gateway of state.applicationGateways.values()) {
    const certificates = gateway.properties['sslCertificates'];
    if (!Array.isArray(certificates)) continue;
    for (const entry of certificates as { name: string; properties: Record<string, unknown> }[]) {
      const reference = entry.properties['keyVaultSecretId'];
      if (typeof reference !== 'string' || !reference.startsWith(SEED_VAULT_PREFIX)) continue;
      const [vaultName = '', , secret = '', version] = reference
        .slice(SEED_VAULT_PREFIX.length)
        .split('/');
      const vault = state.vaults.get(vaultName.toLowerCase());
      const certificate = vault?.certificates.get(secret.toLowerCase());
      const current = certificate?.versions.at(-1);
      if (!vault || !certificate || !current) continue;
      const pinned =
        version === 'current'
          ? current
          : version === undefined
            ? undefined
            : certificate.versions.find((v) => v.version === version);
      entry.properties['keyVaultSecretId'] =
        `${vault.uri}secrets/${certificate.name}${pinned ? `/${pinned.version}` : ''}`;
      const served = pinned ?? current;
      gateway.served.set(entry.name.toLowerCase(), {
        vault: vault.name,
        secret: certificate.name,
        version: served.version,
        thumbprint: served.thumbprint,
        der: served.der,
      });
    }
  }
}

/** newEtag makes a Network-style weak etag. */
export function newEtag(): string {
  return `W/"${crypto.randomUUID()}"`;
}

function seededProperties(
  id: string,
  subscriptionId: string,
  g: SeedApplicationGateway,
): Record<string, unknown> {
  const ref = (collection: string, name: string) => ({ id: `${id}/${collection}/${name}` });
  const backend = `${g.name}-backend.contoso.internal`;
  const listeners = [
    {
      name: 'listener-http',
      properties: {
        frontendIPConfiguration: ref('frontendIPConfigurations', 'appGwPublicFrontendIp'),
        frontendPort: ref('frontendPorts', 'port_80'),
        protocol: 'Http',
        requireServerNameIndication: false,
      },
    },
    ...(g.httpsListeners ?? []).map((l) => ({
      name: l.name,
      properties: {
        frontendIPConfiguration: ref('frontendIPConfigurations', 'appGwPublicFrontendIp'),
        frontendPort: ref('frontendPorts', 'port_443'),
        protocol: 'Https',
        ...(l.hostName !== undefined ? { hostName: l.hostName } : {}),
        sslCertificate: ref('sslCertificates', l.sslCertificate),
        requireServerNameIndication: l.hostName !== undefined,
      },
    })),
  ];
  return {
    sku: {
      name: g.sku?.name ?? 'Standard_v2',
      tier: g.sku?.tier ?? 'Standard_v2',
      capacity: g.sku?.capacity ?? 2,
      family: 'Generation_1',
    },
    gatewayIPConfigurations: [
      { name: 'appGatewayIpConfig', properties: { subnet: { id: g.subnet } } },
    ],
    frontendIPConfigurations: [
      {
        name: 'appGwPublicFrontendIp',
        properties: {
          privateIPAllocationMethod: 'Dynamic',
          publicIPAddress: {
            id: buildResourceId(
              subscriptionId,
              g.resourceGroup,
              'Microsoft.Network/publicIPAddresses',
              `${g.name}-pip`,
            ),
          },
        },
      },
    ],
    frontendPorts: [
      { name: 'port_80', properties: { port: 80 } },
      { name: 'port_443', properties: { port: 443 } },
    ],
    sslCertificates: (g.sslCertificates ?? []).map((c) => ({
      name: c.name,
      properties: {
        keyVaultSecretId: `${SEED_VAULT_PREFIX}${c.vault}/secrets/${c.secret}${c.version !== undefined ? `/${c.version}` : ''}`,
      },
    })),
    probes: [
      {
        name: 'probe-default',
        properties: {
          protocol: 'Http',
          host: backend,
          path: '/healthz',
          interval: 30,
          timeout: 30,
          unhealthyThreshold: 3,
          pickHostNameFromBackendHttpSettings: false,
          minServers: 0,
          match: { statusCodes: ['200-399'] },
        },
      },
    ],
    backendAddressPools: [
      { name: 'pool-default', properties: { backendAddresses: [{ fqdn: backend }] } },
    ],
    backendHttpSettingsCollection: [
      {
        name: 'settings-default',
        properties: {
          port: 80,
          protocol: 'Http',
          cookieBasedAffinity: 'Disabled',
          requestTimeout: 30,
          pickHostNameFromBackendAddress: false,
          probe: ref('probes', 'probe-default'),
        },
      },
    ],
    httpListeners: listeners,
    requestRoutingRules: listeners.map((l, i) => ({
      name: `rule-${l.name}`,
      properties: {
        ruleType: 'Basic',
        priority: 100 + i * 10,
        httpListener: ref('httpListeners', l.name),
        backendAddressPool: ref('backendAddressPools', 'pool-default'),
        backendHttpSettings: ref('backendHttpSettingsCollection', 'settings-default'),
      },
    })),
    enableHttp2: true,
  };
}
