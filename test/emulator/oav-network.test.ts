import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startEmulator, type RunningEmulator } from './index.js';
import { checkConformance, passedOperationIds } from './oav.js';
import type { Seed } from './seed.js';
import { createEmulatorClients, type EmulatorClients } from './sdk-clients.js';

const SUB = '11111111-1111-4111-8111-111111111111';
const ID1_PRINCIPAL = '66666666-6666-4666-8666-666666666666';
const ID1 = `/subscriptions/${SUB}/resourceGroups/rg-id/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id1`;

const seed: Seed = {
  tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
  subscriptions: [{ id: SUB }],
  clients: [{ clientId: '22222222-2222-4222-8222-222222222222', clientSecret: 's' }],
  vaults: [
    {
      resourceGroup: 'rg-kv',
      name: 'kv1',
      location: 'westeurope',
      accessPolicies: [{ objectId: ID1_PRINCIPAL, permissions: { secrets: ['get'] } }],
      certificates: [
        { name: 'www', dnsNames: ['www.contoso.com'] },
        { name: 'shop', dnsNames: ['shop.contoso.com'] },
      ],
    },
  ],
  userAssignedIdentities: [
    { resourceGroup: 'rg-id', name: 'id1', location: 'westeurope', principalId: ID1_PRINCIPAL },
  ],
  applicationGateways: [
    {
      resourceGroup: 'rg-agw',
      name: 'agw1',
      location: 'westeurope',
      subnet: `/subscriptions/${SUB}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/agw`,
      identity: ID1,
      sslCertificates: [{ name: 'www', vault: 'kv1', secret: 'www' }],
      httpsListeners: [
        { name: 'listener-www', hostName: 'www.contoso.com', sslCertificate: 'www' },
      ],
      tags: { owner: 'platform' },
    },
  ],
  settings: { gatewayProvisioningMs: 20 },
};

async function settle(promise: Promise<unknown>): Promise<void> {
  await promise.catch(() => undefined);
}

describe('Network and ManagedIdentity traffic conforms to the Azure specs (oav)', () => {
  let emulator: RunningEmulator;
  let clients: EmulatorClients;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'emulator-network-traffic-'));
    emulator = await startEmulator({ seed, trafficDir: dir });
    clients = createEmulatorClients(emulator.info);
  });
  afterAll(async () => {
    await emulator.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('validates gateway and identity operations, success and error cases', async () => {
    const { network, msi } = clients;
    const poll = { updateIntervalInMs: 10 };
    const gateway = await network.applicationGateways.get('rg-agw', 'agw1');
    await settle(network.applicationGateways.get('rg-agw', 'missing'));
    for await (const g of network.applicationGateways.list('rg-agw')) void g;
    const shop = `${emulator.info.vaults['kv1'] ?? ''}secrets/shop`;
    await network.applicationGateways.beginCreateOrUpdateAndWait(
      'rg-agw',
      'agw1',
      {
        ...gateway,
        sslCertificates: [
          ...(gateway.sslCertificates ?? []),
          { name: 'shop', keyVaultSecretId: shop },
        ],
      },
      poll,
    );
    await settle(
      network.applicationGateways.beginCreateOrUpdateAndWait(
        'rg-agw',
        'agw1',
        { ...gateway, identity: { type: 'SystemAssigned' } },
        poll,
      ),
    );
    await settle(
      network.applicationGateways.beginCreateOrUpdateAndWait('rg-agw', 'agw1', gateway, {
        ...poll,
        requestOptions: { headers: { 'If-Match': 'W/"stale"' } },
      }),
    );
    await msi.userAssignedIdentities.createOrUpdate('rg-id', 'id-new', { location: 'westeurope' });
    await msi.userAssignedIdentities.createOrUpdate('rg-id', 'id-new', {
      location: 'westeurope',
      tags: { purpose: 'agw' },
    });
    await msi.userAssignedIdentities.get('rg-id', 'id1');
    await settle(msi.userAssignedIdentities.get('rg-id', 'missing'));

    // Status URLs (Azure-AsyncOperation) are described by no spec and are not recorded.
    const files = await readdir(dir);
    expect(files.length).toBeGreaterThan(0);
    const { main } = await checkConformance(dir);
    const { exitCode, report, stderr } = main;
    expect(report.errors ?? [], stderr.slice(-4000)).toEqual([]);
    expect(exitCode).toBe(0);
    expect(passedOperationIds(report)).toEqual(
      expect.arrayContaining([
        'ApplicationGateways_Get',
        'ApplicationGateways_List',
        'ApplicationGateways_CreateOrUpdate',
        'UserAssignedIdentities_CreateOrUpdate',
        'UserAssignedIdentities_Get',
      ]),
    );
  }, 120_000);
});
