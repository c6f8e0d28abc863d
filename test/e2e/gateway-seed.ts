import type { Seed, SeedCertificate } from '../emulator/seed.js';
import { ids, scenarioSeed } from './scenario-seed.js';

const rgAgw = 'rg-agw';
const subnet = `/subscriptions/${ids.subscription}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet1/subnets/agw`;

/** identityId is the resource id of a user-assigned identity in the gateways' resource group. */
export function identityId(name: string): string {
  return `/subscriptions/${ids.subscription}/resourceGroups/${rgAgw}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`;
}

const certificate = (name: string, host: string): SeedCertificate => ({
  name,
  dnsNames: [host],
  validDays: 365,
});

/** The eight certificates the concurrency test adds to one gateway at once. */
export const concurrentCertificates = Array.from({ length: 8 }, (_, i) => `app-${i + 1}`);

/**
 * gatewaySeed adds to the end-to-end world: a gateway with no identity (agw-new), a busy
 * gateway whose identity already serves another certificate, with an HTTPS listener, tags and a
 * versioned reference to upgrade (agw-busy), and an empty one for the concurrency test
 * (agw-many); an access-policy vault and an RBAC vault for them.
 */
export function gatewaySeed(settings: Seed['settings'] = {}): Seed {
  const base = scenarioSeed();
  return {
    ...base,
    vaults: [
      ...(base.vaults ?? []),
      {
        resourceGroup: 'rg-kv',
        name: 'kv-agw',
        location: 'westeurope',
        accessPolicies: [
          { objectId: ids.pipelineObject, permissions: { certificates: ['get', 'list'] } },
          { objectId: '66666666-0000-4000-8000-000000000006', permissions: { secrets: ['get'] } },
        ],
        certificates: [
          certificate('www', 'www.contoso.com'),
          certificate('legacy', 'legacy.contoso.com'),
          certificate('shop', 'shop.contoso.com'),
          ...concurrentCertificates.map((name) => certificate(name, `${name}.contoso.com`)),
        ],
      },
      {
        resourceGroup: 'rg-kv',
        name: 'kv-agw-rbac',
        location: 'westeurope',
        enableRbacAuthorization: true,
        certificates: [certificate('api', 'api.contoso.com')],
      },
    ],
    roleAssignments: [
      ...(base.roleAssignments ?? []),
      {
        scope: `/subscriptions/${ids.subscription}/resourceGroups/rg-kv/providers/Microsoft.KeyVault/vaults/kv-agw-rbac`,
        roleDefinitionId: 'db79e9a7-68ee-4b58-9aeb-b90e7c24fcba',
        principalId: ids.pipelineObject,
      },
    ],
    userAssignedIdentities: [
      {
        resourceGroup: rgAgw,
        name: 'id-busy',
        location: 'westeurope',
        principalId: '66666666-0000-4000-8000-000000000006',
      },
      { resourceGroup: rgAgw, name: 'id-other', location: 'westeurope' },
    ],
    applicationGateways: [
      { resourceGroup: rgAgw, name: 'agw-new', location: 'westeurope', subnet },
      { resourceGroup: rgAgw, name: 'agw-slow', location: 'westeurope', subnet },
      { resourceGroup: rgAgw, name: 'agw-late', location: 'westeurope', subnet },
      {
        resourceGroup: rgAgw,
        name: 'agw-busy',
        location: 'westeurope',
        subnet,
        identity: identityId('id-busy'),
        sslCertificates: [
          { name: 'legacy', vault: 'kv-agw', secret: 'legacy' },
          { name: 'shop', vault: 'kv-agw', secret: 'shop', version: 'current' },
        ],
        httpsListeners: [
          { name: 'listener-legacy', hostName: 'legacy.contoso.com', sslCertificate: 'legacy' },
          { name: 'listener-www', hostName: 'www.contoso.com', sslCertificate: 'legacy' },
        ],
        tags: { owner: 'platform-team', 'cost-center': '4711' },
      },
      {
        resourceGroup: rgAgw,
        name: 'agw-many',
        location: 'westeurope',
        subnet,
        identity: identityId('id-busy'),
      },
    ],
    settings: { gatewayProvisioningMs: 300, gatewayRetryAfterSeconds: 1, ...settings },
  };
}
