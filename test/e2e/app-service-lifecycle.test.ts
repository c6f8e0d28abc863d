import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { node24 } from '../support/github-runner.js';
import { readView } from '../support/emulator-state.js';
import {
  expectNoSecretLeak,
  maskedValues,
  startHarness,
  type Harness,
  expectConformantTraffic,
} from './harness.js';
import { ids, scenarioSeed } from './scenario-seed.js';

// One emulator for the whole story of one app: plan, first run, rerun, renewal, rerun. The tests
// run in order and each starts from the state the previous one left.
describe('App Service, bundled action, OIDC sign-in, access-policy vault', () => {
  let harness: Harness;
  const inputs = () => harness.inputs({ hostnames: 'www.contoso.com\napi.contoso.com' });

  beforeAll(async () => {
    harness = await startHarness(scenarioSeed());
  });
  afterAll(async () => {
    await harness?.emulator.stop();
  });

  it('plan mode prints every change and sends no write', async () => {
    const mark = await harness.control.mark();
    const result = await harness.runWithOidc({ ...inputs(), mode: 'plan' });

    expect(result.exitCode, result.stdout).toBe(0);
    expect(await harness.control.writesSince(mark)).toEqual([]);
    expect(result.stdout).toMatch(/would: Turn on the system-assigned identity/);
    expect(result.stdout).toMatch(/would: Grant access policy/);
    expect(result.stdout).toMatch(/would: Import Key Vault certificate www-contoso/);
    expect(result.stdout).toMatch(/would: Bind www\.contoso\.com/);
    expect(result.stdout).toMatch(/would: Bind api\.contoso\.com/);
    expect(result.outputs['changed']).toBe('false');
    expect(result.summary).toMatch(/Planned change \(not applied\)/);
    expectNoSecretLeak(result, harness.secrets);
  });

  it('first run turns on the identity, grants, imports into the webspace and binds', async () => {
    const mark = await harness.control.mark();
    const result = await harness.runWithOidc(inputs());

    expect(result.exitCode, result.stdout).toBe(0);
    const view = readView(await harness.control.state());
    const thumbprint = view.currentThumbprint('kv-policy', 'www-contoso');

    expect(view.siteIdentity('app1')).toMatch(/^[0-9a-f-]{36}$/);
    expect(view.accessPolicy('kv-policy', ids.appServiceRpObject)).toMatchObject({
      secrets: ['get'],
      certificates: ['get'],
    });
    const imported = view.webCertificates().filter((c) => c.thumbprint === thumbprint);
    expect(imported).toHaveLength(1);
    // The plan is in rg-plan, the app in rg-app: the import lives in the plan's webspace.
    expect(imported[0]).toMatchObject({ resourceGroup: 'rg-plan', location: 'westeurope' });
    expect(imported[0]?.keyVaultId).toMatch(/\/vaults\/kv-policy$/);
    expect(view.binding('app1', 'www.contoso.com')).toMatchObject({
      sslState: 'SniEnabled',
      thumbprint,
    });
    expect(view.binding('app1', 'api.contoso.com')).toMatchObject({
      sslState: 'SniEnabled',
      thumbprint,
    });
    expect(view.binding('app1', 'shop.fabrikam.com')?.thumbprint ?? null).toBeNull();

    expect(result.outputs).toMatchObject({
      thumbprint,
      'certificate-id': imported[0]?.id,
      'bound-hostnames': 'www.contoso.com,api.contoso.com',
      changed: 'true',
    });
    expect(new Date(result.outputs['expires-on'] ?? '').getTime()).toBeGreaterThan(Date.now());
    expect(result.summary).toContain(thumbprint);
    expect(result.summary).toMatch(/\| Import Key Vault certificate www-contoso .*\| applied \|/);

    const writes = await harness.control.writesSince(mark);
    expect(writes.map((w) => w.method)).toEqual(['PATCH', 'PUT', 'PUT', 'PUT', 'PUT']);
    expectNoSecretLeak(result, harness.secrets);
    // Access tokens were masked as they were issued.
    expect(maskedValues(result).some((value) => value.startsWith('eyJ'))).toBe(true);
  });

  it('a second run sends 0 writes and reports no change', async () => {
    const mark = await harness.control.mark();
    const result = await harness.runWithOidc(inputs());

    expect(result.exitCode, result.stdout).toBe(0);
    expect(await harness.control.writesSince(mark)).toEqual([]);
    expect(result.outputs['changed']).toBe('false');
    expect(result.summary).toMatch(/No changes/);
  });

  it('after a renewal in Key Vault it rebinds to the new thumbprint and removes the old import', async () => {
    const before = readView(await harness.control.state());
    const oldThumbprint = before.currentThumbprint('kv-policy', 'www-contoso');
    const renewed = await harness.control.renew('kv-policy', 'www-contoso');
    expect(renewed.thumbprint).not.toBe(oldThumbprint);

    const mark = await harness.control.mark();
    const result = await harness.runWithOidc(inputs());
    expect(result.exitCode, result.stdout).toBe(0);

    const view = readView(await harness.control.state());
    expect(view.binding('app1', 'www.contoso.com')?.thumbprint).toBe(renewed.thumbprint);
    expect(view.binding('app1', 'api.contoso.com')?.thumbprint).toBe(renewed.thumbprint);
    const thumbprints = view.webCertificates().map((c) => c.thumbprint);
    expect(thumbprints).toContain(renewed.thumbprint);
    expect(thumbprints).not.toContain(oldThumbprint);
    expect(result.outputs).toMatchObject({ thumbprint: renewed.thumbprint, changed: 'true' });

    // Make before break: import, then both bindings, and only then the delete.
    const writes = await harness.control.writesSince(mark);
    expect(writes.map((w) => w.method)).toEqual(['PUT', 'PUT', 'PUT', 'DELETE']);
    expect(writes[0]?.path).toMatch(/\/certificates\//);
    expect(writes[3]?.path).toMatch(/\/certificates\//);
  });

  it('runs on Node 24 as the node24 runtime does, and still changes nothing', async (context) => {
    // CI installs Node 24 (npm run setup:node24); elsewhere the test is skipped, never faked.
    if (!node24 && process.env['CI'])
      throw new Error('Node 24 is missing: run npm run setup:node24');
    if (!node24) context.skip();
    const mark = await harness.control.mark();
    const result = await harness.runWithOidc(inputs(), node24);

    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(await harness.control.writesSince(mark)).toEqual([]);
    expect(result.outputs['changed']).toBe('false');
  });

  it('recorded traffic validates against the Azure REST specs', async () => {
    await expectConformantTraffic(harness.trafficDir, [
      'WebApps_Get',
      'WebApps_Update',
      'AppServicePlans_Get',
      'Certificates_ListByResourceGroup',
      'Certificates_CreateOrUpdate',
      'Certificates_Delete',
      'WebApps_ListHostNameBindings',
      'WebApps_CreateOrUpdateHostNameBinding',
      'Vaults_ListBySubscription',
      'Vaults_UpdateAccessPolicy',
      'GetCertificate',
    ]);
  });
});
