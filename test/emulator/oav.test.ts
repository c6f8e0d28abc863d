import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startEmulator, type RunningEmulator } from './index.js';
import { checkConformance, passedOperationIds } from './oav.js';
import { createEmulatorClients, type EmulatorClients } from './sdk-clients.js';

const seedPath = new URL('./seeds/demo.json', import.meta.url).pathname;
const SUB = '11111111-1111-4111-8111-111111111111';
const RP = '44444444-4444-4444-8444-444444444444';
const PIPELINE = '33333333-3333-4333-8333-333333333333';
const FARM = `/subscriptions/${SUB}/resourceGroups/rg-plan/providers/Microsoft.Web/serverfarms/plan-demo`;
const VAULT = `/subscriptions/${SUB}/resourceGroups/rg-kv/providers/Microsoft.KeyVault/vaults/kv-demo`;

async function settle(promise: Promise<unknown>): Promise<void> {
  await promise.catch(() => undefined);
}

describe('recorded traffic conforms to the Azure specs (oav)', () => {
  let emulator: RunningEmulator;
  let clients: EmulatorClients;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'emulator-traffic-'));
    emulator = await startEmulator({ seed: seedPath, trafficDir: dir });
    clients = createEmulatorClients(emulator.info);
  });
  afterAll(async () => {
    await emulator.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('validates every operation the product uses, success and error cases', async () => {
    const { web, keyVault, authorization } = clients;
    const kv = clients.certificates('kv-demo');

    await web.webApps.get('rg-app', 'app-demo');
    await settle(web.webApps.get('rg-app', 'missing-app'));
    await web.webApps.update('rg-app', 'app-demo', { identity: { type: 'SystemAssigned' } });
    await web.appServicePlans.get('rg-plan', 'plan-demo');
    await keyVault.vaults.get('rg-kv', 'kv-demo');
    for await (const vault of keyVault.vaults.listBySubscription()) void vault;
    await keyVault.vaults.updateAccessPolicy('rg-kv', 'kv-demo', 'add', {
      properties: {
        accessPolicies: [
          { tenantId: emulator.info.tenantId, objectId: RP, permissions: { secrets: ['get'] } },
        ],
      },
    });
    const scope = `${VAULT}/secrets/www-contoso`;
    const roleDefinitionId = `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/db79e9a7-68ee-4b58-9aeb-b90e7c24fcba`;
    const name = '5a2c7a61-2f7e-4b0e-9d64-3f1c0a7e9b11';
    await authorization.roleAssignments.create(scope, name, {
      roleDefinitionId,
      principalId: PIPELINE,
    });
    await settle(
      authorization.roleAssignments.create(scope, '5a2c7a61-2f7e-4b0e-9d64-3f1c0a7e9b12', {
        roleDefinitionId,
        principalId: PIPELINE,
      }),
    );
    await authorization.roleAssignments.get(scope, name);
    for await (const a of authorization.roleAssignments.listForScope(VAULT, {
      filter: `principalId eq '${PIPELINE}'`,
    }))
      void a;
    await authorization.roleAssignments.delete(scope, name);

    const certificate = await kv.getCertificate('www-contoso');
    await kv.getCertificateVersion('www-contoso', certificate.properties.version ?? '');
    for await (const v of kv.listPropertiesOfCertificateVersions('www-contoso')) void v;
    await settle(kv.getCertificate('nothing-here'));

    const imported = await web.certificates.createOrUpdate('rg-plan', 'www-contoso', {
      location: 'West Europe',
      keyVaultId: VAULT,
      keyVaultSecretName: 'www-contoso',
      serverFarmId: FARM,
    });
    await settle(
      web.certificates.createOrUpdate('rg-plan', 'www-contoso-again', {
        location: 'West Europe',
        keyVaultId: VAULT,
        keyVaultSecretName: 'www-contoso',
        serverFarmId: FARM,
      }),
    );
    await web.certificates.get('rg-plan', 'www-contoso');
    for await (const c of web.certificates.listByResourceGroup('rg-plan')) void c;
    await web.webApps.createOrUpdateHostNameBinding('rg-app', 'app-demo', 'www.contoso.com', {
      sslState: 'SniEnabled',
      thumbprint: imported.thumbprint ?? '',
    });
    await settle(
      web.webApps.createOrUpdateHostNameBinding('rg-app', 'app-demo', 'shop.contoso.com', {
        sslState: 'SniEnabled',
        thumbprint: imported.thumbprint ?? '',
      }),
    );
    await web.webApps.getHostNameBinding('rg-app', 'app-demo', 'www.contoso.com');
    for await (const b of web.webApps.listHostNameBindings('rg-app', 'app-demo')) void b;
    await settle(web.certificates.delete('rg-plan', 'www-contoso'));
    await web.webApps.createOrUpdateHostNameBinding('rg-app', 'app-demo', 'www.contoso.com', {
      sslState: 'Disabled',
    });
    await web.certificates.delete('rg-plan', 'www-contoso');

    // App Service's PascalCase error bodies are validated apart (see checkConformance).
    const { main, unexpectedAppServiceErrors, appServiceErrorPairs } = await checkConformance(dir);
    expect(appServiceErrorPairs).toBeGreaterThan(0);
    expect(unexpectedAppServiceErrors).toEqual([]);
    const { exitCode, report, stderr } = main;
    expect(report.errors ?? [], stderr.slice(-4000)).toEqual([]);
    expect(exitCode).toBe(0);
    const passed = passedOperationIds(report);
    expect(passed).toEqual(
      expect.arrayContaining([
        'WebApps_Get',
        'WebApps_Update',
        'AppServicePlans_Get',
        'Certificates_CreateOrUpdate',
        'Certificates_Get',
        'Certificates_ListByResourceGroup',
        'Certificates_Delete',
        'WebApps_CreateOrUpdateHostNameBinding',
        'WebApps_GetHostNameBinding',
        'WebApps_ListHostNameBindings',
        'Vaults_Get',
        'Vaults_ListBySubscription',
        'Vaults_UpdateAccessPolicy',
        'RoleAssignments_Create',
        'RoleAssignments_Get',
        // oav matches a list at a vault scope to the more specific ListForResource path.
        'RoleAssignments_ListForResource',
        'RoleAssignments_Delete',
        // `/certificates/{name}/versions` is matched by oav as GetCertificate with version
        // 'versions' and is not reported separately, so only GetCertificate is asserted.
        'GetCertificate',
      ]),
    );
  }, 120_000);
});
