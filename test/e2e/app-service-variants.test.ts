import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { readView } from '../support/emulator-state.js';
import {
  expectNoSecretLeak,
  startHarness,
  type Harness,
  expectConformantTraffic,
} from './harness.js';
import { ids, scenarioSeed } from './scenario-seed.js';

const planId = `/subscriptions/${ids.subscription}/resourceGroups/rg-plan/providers/Microsoft.Web/serverfarms/plan1`;

describe('App Service variants, bundled action', () => {
  let harness: Harness;

  beforeAll(async () => {
    const seed = scenarioSeed();
    harness = await startHarness({
      ...seed,
      // A certificate imported by hand (the portal) before this tool existed: same thumbprint as
      // the vault's current api-only version, so the step must reuse it, not import a twin.
      webCertificates: [
        {
          resourceGroup: 'rg-plan',
          name: 'portal-api',
          location: 'westeurope',
          serverFarm: planId,
          vault: 'kv-policy',
          certificate: 'api-only',
        },
      ],
    });
  });
  afterAll(async () => {
    await harness?.emulator.stop();
  });

  it('RBAC vault with a client secret: assigns Key Vault Secrets User on the secret alone', async () => {
    const inputs = harness.inputs({
      'app-name': 'app2',
      'key-vault': 'kv-rbac',
      'app-identity': 'none',
    });
    const result = await harness.runWithSecret(inputs);
    expect(result.exitCode, result.stdout).toBe(0);

    const view = readView(await harness.control.state());
    const secretScope = `/subscriptions/${ids.subscription}/resourceGroups/rg-kv/providers/Microsoft.KeyVault/vaults/kv-rbac/secrets/www-contoso`;
    expect(view.roleAssignments().filter((a) => a.principalId === ids.appServiceRpObject)).toEqual([
      expect.objectContaining({
        scope: secretScope,
        roleDefinitionId: expect.stringMatching(/4633458b-17de-408a-b874-0445c86b69e6$/),
      }),
    ]);
    expect(view.siteIdentity('app2')).toBeUndefined();
    expect(view.binding('app2', 'blog.contoso.com')?.thumbprint).toBe(
      view.currentThumbprint('kv-rbac', 'www-contoso'),
    );
    expect(view.accessPolicy('kv-rbac', ids.appServiceRpObject)).toBeUndefined();
    expectNoSecretLeak(result, harness.secrets);
    expect(result.stdout).toContain(`::add-mask::${harness.secrets[0]}`);

    const mark = await harness.control.mark();
    const again = await harness.runWithSecret(inputs);
    expect(again.exitCode).toBe(0);
    expect(await harness.control.writesSince(mark)).toEqual([]);
  });

  it.each([
    [
      'resource id',
      `/subscriptions/${ids.sharedSubscription}/resourceGroups/rg-shared/providers/Microsoft.KeyVault/vaults/kv-shared`,
    ],
    ['URI', 'uri'],
  ])('a vault in another subscription, given by %s', async (_, reference) => {
    const vault =
      reference === 'uri' ? (harness.emulator.info.vaults['kv-shared'] ?? '') : reference;
    const inputs = harness.inputs({
      'app-name': 'app3',
      'key-vault': vault,
      'app-identity': 'none',
    });
    const result = await harness.runWithOidc(inputs);
    expect(result.exitCode, result.stdout).toBe(0);

    const view = readView(await harness.control.state());
    expect(view.binding('app3', 'docs.contoso.com')?.thumbprint).toBe(
      view.currentThumbprint('kv-shared', 'www-contoso'),
    );
    expect(view.accessPolicy('kv-shared', ids.appServiceRpObject)).toBeDefined();
  });

  it('binds a deployment slot', async () => {
    const inputs = harness.inputs({ slot: 'staging', 'app-identity': 'system' });
    const result = await harness.runWithOidc(inputs);
    expect(result.exitCode, result.stdout).toBe(0);

    const view = readView(await harness.control.state());
    expect(view.binding('app1/staging', 'staging.contoso.com')?.thumbprint).toBe(
      view.currentThumbprint('kv-policy', 'www-contoso'),
    );
    expect(view.siteIdentity('app1/staging')).toBeDefined();
    expect(view.siteIdentity('app1')).toBeUndefined();
    expect(result.outputs['bound-hostnames']).toBe('staging.contoso.com');
  });

  it('reuses a certificate already in the webspace with the same thumbprint', async () => {
    const mark = await harness.control.mark();
    const inputs = harness.inputs({
      certificate: 'api-only',
      hostnames: 'api.contoso.com',
      'app-identity': 'none',
    });
    const result = await harness.runWithOidc(inputs);
    expect(result.exitCode, result.stdout).toBe(0);

    const writes = await harness.control.writesSince(mark);
    expect(writes.filter((w) => /\/certificates\//.test(w.path))).toEqual([]);
    expect(result.outputs['certificate-id']).toMatch(/\/certificates\/portal-api$/);
    const view = readView(await harness.control.state());
    expect(view.binding('app1', 'api.contoso.com')?.thumbprint).toBe(
      view.currentThumbprint('kv-policy', 'api-only'),
    );
  });

  it('works behind a vault firewall that lets trusted services through', async () => {
    const result = await harness.runWithOidc(
      harness.inputs({
        'key-vault': 'kv-trusted',
        hostnames: 'www.contoso.com',
        'app-identity': 'none',
      }),
    );
    expect(result.exitCode, result.stdout).toBe(0);
  });

  it('takes the App Service principal object id as input when Graph is denied', async () => {
    const result = await harness.runWithSecret(
      harness.inputs({
        'app-service-principal-object-id': ids.appServiceRpObject,
        'key-vault': 'kv-trusted',
        hostnames: 'www.contoso.com',
        'app-identity': 'none',
      }),
      ids.graphDeniedClient,
    );
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.outputs['changed']).toBe('false');
  });

  it('keeps a superseded import that another app still uses, then removes it once free', async () => {
    const both = { 'key-vault': 'kv-rbac', 'app-identity': 'none' };
    // app2 is bound to kv-rbac/www-contoso by the first test; bind app1 too.
    const app1 = harness.inputs({ ...both, hostnames: 'www.contoso.com' });
    const app2 = harness.inputs({ ...both, 'app-name': 'app2' });
    expect((await harness.runWithOidc(app1)).exitCode).toBe(0);
    const old = readView(await harness.control.state()).currentThumbprint('kv-rbac', 'www-contoso');
    const renewed = await harness.control.renew('kv-rbac', 'www-contoso');

    const first = await harness.runWithOidc(app1);
    expect(first.exitCode, first.stdout).toBe(0);
    expect(first.stdout).toMatch(/::warning::Kept '.*': App Service says it is still in use/);
    let view = readView(await harness.control.state());
    expect(view.binding('app1', 'www.contoso.com')?.thumbprint).toBe(renewed.thumbprint);
    expect(view.binding('app2', 'blog.contoso.com')?.thumbprint).toBe(old);
    expect(view.webCertificates().map((c) => c.thumbprint)).toContain(old);

    const second = await harness.runWithOidc(app2);
    expect(second.exitCode, second.stdout).toBe(0);
    view = readView(await harness.control.state());
    expect(view.binding('app2', 'blog.contoso.com')?.thumbprint).toBe(renewed.thumbprint);
    expect(view.webCertificates().map((c) => c.thumbprint)).not.toContain(old);
  });

  it('recorded traffic validates against the Azure REST specs', async () => {
    await expectConformantTraffic(harness.trafficDir, [
      'WebApps_GetSlot',
      'WebApps_UpdateSlot',
      'WebApps_ListHostNameBindingsSlot',
      'WebApps_CreateOrUpdateHostNameBindingSlot',
      'Vaults_Get',
      'RoleAssignments_ListForScope',
      'RoleAssignments_Create',
    ]);
  });
});
