import https from 'node:https';

import { ClientAssertionCredential } from '@azure/identity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startEmulator, type RunningEmulator } from './index.js';
import type { Seed } from './seed.js';
import {
  createEmulatorClients,
  emulatorAgent,
  emulatorSecretCredential,
  type EmulatorClients,
} from './sdk-clients.js';

const SUB = '11111111-1111-4111-8111-111111111111';
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const PIPELINE = '33333333-3333-4333-8333-333333333333';
const RP = '44444444-4444-4444-8444-444444444444';
const FARM = `/subscriptions/${SUB}/resourceGroups/rg-plan/providers/Microsoft.Web/serverfarms/plan1`;
const SECRETS_USER = `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/4633458b-17de-408a-b874-0445c86b69e6`;
const vaultId = (name: string): string =>
  `/subscriptions/${SUB}/resourceGroups/rg-kv/providers/Microsoft.KeyVault/vaults/${name}`;

const cert = (name: string, extra: object = {}) => ({
  name,
  dnsNames: ['www.contoso.com', '*.contoso.com'],
  ...extra,
});
const pipelinePolicy = { objectId: PIPELINE, permissions: { certificates: ['get', 'list'] } };
const rpPolicy = { objectId: RP, permissions: { secrets: ['get'] } };

const seed: Seed = {
  tenantId: TENANT,
  subscriptions: [{ id: SUB }],
  clients: [
    {
      clientId: '22222222-2222-4222-8222-222222222222',
      clientSecret: 's3cret',
      objectId: PIPELINE,
      federatedCredentials: [
        {
          issuer: 'https://token.actions.githubusercontent.com',
          subject: 'repo:contoso/app:ref:refs/heads/main',
          audiences: ['api://AzureADTokenExchange'],
        },
      ],
    },
    { clientId: '55555555-5555-4555-8555-555555555555', clientSecret: 'x', graphDenied: true },
  ],
  servicePrincipals: [{ appId: 'abfa0a7c-a6b6-4736-8310-5855508787cd', objectId: RP }],
  vaults: [
    {
      resourceGroup: 'rg-kv',
      name: 'kv-policy',
      location: 'westeurope',
      accessPolicies: [pipelinePolicy, rpPolicy],
      certificates: [
        cert('good'),
        cert('twin'),
        cert('pem', { contentType: 'application/x-pem-file' }),
        cert('nokey', { exportable: false }),
        cert('apex', { dnsNames: ['contoso.com'] }),
      ],
    },
    {
      resourceGroup: 'rg-kv',
      name: 'kv-rbac',
      location: 'westeurope',
      enableRbacAuthorization: true,
      // A policy on an RBAC vault grants nothing.
      accessPolicies: [pipelinePolicy, rpPolicy],
      certificates: [cert('rbac')],
    },
    {
      resourceGroup: 'rg-kv',
      name: 'kv-closed',
      location: 'westeurope',
      accessPolicies: [pipelinePolicy, rpPolicy],
      networkAcls: { defaultAction: 'Deny', bypass: 'None' },
      certificates: [cert('closed')],
    },
  ],
  serverFarms: [{ resourceGroup: 'rg-plan', name: 'plan1', location: 'West Europe' }],
  sites: [
    {
      resourceGroup: 'rg-app',
      name: 'app1',
      location: 'West Europe',
      serverFarm: FARM,
      hostNames: ['www.contoso.com', 'contoso.com', 'a.b.contoso.com'],
      slots: [{ name: 'staging', hostNames: ['staging.contoso.com'] }],
    },
  ],
};

function statusOf(error: unknown): number | undefined {
  return (error as { statusCode?: number }).statusCode;
}

/** CaptureOptions collects the raw response body: the Web SDK drops App Service's PascalCase errors. */
interface CaptureOptions {
  onResponse: (raw: { body?: unknown; bodyAsText?: string | null }) => void;
}

async function failure(
  call: (options: CaptureOptions) => Promise<unknown>,
): Promise<{ status?: number; body: string }> {
  let body = '';
  const options: CaptureOptions = {
    onResponse: (raw) => {
      body = raw.bodyAsText ?? JSON.stringify(raw.body ?? null);
    },
  };
  try {
    await call(options);
  } catch (error) {
    const status = statusOf(error);
    const code = (error as { code?: unknown }).code;
    return {
      ...(status !== undefined ? { status } : {}),
      body: `${body} ${String(code)} ${String(error)}`,
    };
  }
  throw new Error('expected the call to fail');
}

describe('emulator platform rules', () => {
  let emulator: RunningEmulator;
  let c: EmulatorClients;
  const importCert = (
    name: string,
    vault: string,
    secret: string,
    options: Partial<CaptureOptions> = {},
    location = 'West Europe',
    rg = 'rg-plan',
  ) =>
    c.web.certificates.createOrUpdate(
      rg,
      name,
      { location, keyVaultId: vaultId(vault), keyVaultSecretName: secret, serverFarmId: FARM },
      options,
    );

  beforeAll(async () => {
    emulator = await startEmulator({ seed });
    c = createEmulatorClients(emulator.info);
  });
  afterAll(async () => {
    await emulator.stop();
  });

  function raw(method: string, url: string, headers: Record<string, string> = {}) {
    return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
      (resolve, reject) => {
        const request = https.request(
          url,
          { method, headers, agent: emulatorAgent(emulator.info) },
          (res) => {
            let body = '';
            res.on('data', (chunk: Buffer) => (body += chunk.toString()));
            res.on('end', () =>
              resolve({ status: res.statusCode ?? 0, headers: res.headers, body }),
            );
          },
        );
        request.on('error', reject);
        request.end();
      },
    );
  }

  it('answers the Key Vault 401 challenge with the authority and resource', async () => {
    const uri = emulator.info.vaults['kv-policy'] ?? '';
    const res = await raw('GET', `${uri}certificates/good/?api-version=2025-07-01`);
    expect(res.status).toBe(401);
    expect(String(res.headers['www-authenticate'])).toBe(
      `Bearer authorization="${emulator.info.authorityHost}/${TENANT}", resource="https://vault.emulator.local"`,
    );
  });

  it('rejects unknown api-versions and routes with ARM bodies', async () => {
    const token = await c.credential.getToken(`${emulator.info.armAudience}.default`);
    const auth = { authorization: `Bearer ${token?.token ?? ''}` };
    const base = `${emulator.info.resourceManagerEndpoint}/subscriptions/${SUB}/resourceGroups/rg-app/providers/Microsoft.Web/sites/app1`;
    const bad = await raw('GET', `${base}?api-version=2019-08-01`, auth);
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({ error: { code: 'InvalidApiVersionParameter' } });
    expect(bad.body).toContain('2025-05-01');
    const unknown = await raw('GET', `${emulator.info.resourceManagerEndpoint}/nothing/here`, auth);
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body)).toHaveProperty('error.code');
  });

  it('refuses ARM tokens for another audience', async () => {
    const kvToken = await c.credential.getToken('https://vault.emulator.local/.default');
    const res = await raw(
      'GET',
      `${emulator.info.resourceManagerEndpoint}/subscriptions?api-version=2022-12-01`,
      {
        authorization: `Bearer ${kvToken?.token ?? ''}`,
      },
    );
    expect(res.status).toBe(401);
    expect(res.body).toContain('InvalidAuthenticationTokenAudience');
  });

  it('issues tokens for a GitHub OIDC federated assertion', async () => {
    const { info } = emulator;
    const credential = new ClientAssertionCredential(
      info.tenantId,
      info.clientId,
      async () => {
        const res = await raw('GET', `${info.oidcRequestUrl}&audience=api://AzureADTokenExchange`, {
          authorization: `Bearer ${info.oidcRequestToken}`,
        });
        return (JSON.parse(res.body) as { value: string }).value;
      },
      {
        authorityHost: info.authorityHost,
        disableInstanceDiscovery: true,
        agent: emulatorAgent(info),
      },
    );
    const token = await credential.getToken(`${info.armAudience}.default`);
    expect(token?.token).toBeTruthy();
    const wrong = await raw('GET', `${info.oidcRequestUrl}&audience=x`, {
      authorization: 'Bearer nope',
    });
    expect(wrong.status).toBe(401);
  });

  it('looks up the RP service principal in Graph, and denies clients without Graph rights', async () => {
    const { info } = emulator;
    const url = `${info.graphEndpoint}/v1.0/servicePrincipals?$filter=${encodeURIComponent("appId eq 'abfa0a7c-a6b6-4736-8310-5855508787cd'")}&$select=id,appId`;
    const token = await c.credential.getToken(`${info.graphAudience}/.default`);
    const ok = await raw('GET', url, { authorization: `Bearer ${token?.token ?? ''}` });
    expect(JSON.parse(ok.body)).toMatchObject({ value: [{ id: RP }] });
    const denied = createEmulatorClients(
      info,
      emulatorSecretCredential(info, '55555555-5555-4555-8555-555555555555', 'x'),
    );
    const deniedToken = await denied.credential.getToken(`${info.graphAudience}/.default`);
    const res = await raw('GET', url, { authorization: `Bearer ${deniedToken?.token ?? ''}` });
    expect(res.status).toBe(403);
    expect(res.body).toContain('Authorization_RequestDenied');
  });

  it('enforces policy vs RBAC on the data plane', async () => {
    await expect(c.certificates('kv-policy').getCertificate('good')).resolves.toBeTruthy();
    const denied = await failure((o) => c.certificates('kv-rbac').getCertificate('rbac', o));
    expect(denied.status).toBe(403);
    expect(denied.body).toContain('ForbiddenByRbac');
    const blocked = await failure((o) => c.certificates('kv-closed').getCertificate('closed', o));
    expect(blocked.status).toBe(403);
    expect(blocked.body).toContain('ForbiddenByFirewall');
  });

  it('imports only with RP access, through the firewall, PFX with key, in the webspace', async () => {
    const noRbac = await failure((o) => importCert('c-rbac', 'kv-rbac', 'rbac', o));
    expect(noRbac.status).toBe(400);
    expect(noRbac.body).toContain('does not have access');
    const firewall = await failure((o) => importCert('c-closed', 'kv-closed', 'closed', o));
    expect(firewall.body).toContain('firewall');
    expect((await failure((o) => importCert('c-pem', 'kv-policy', 'pem', o))).body).toContain(
      'application/x-pkcs12',
    );
    expect((await failure((o) => importCert('c-nokey', 'kv-policy', 'nokey', o))).body).toContain(
      'private key',
    );
    const wrongGroup = await failure((o) =>
      importCert('c-app', 'kv-policy', 'good', o, 'West Europe', 'rg-app'),
    );
    expect(wrongGroup.status).toBe(400);
    expect(wrongGroup.body).toContain('webspace');
    const wrongRegion = await failure((o) =>
      importCert('c-region', 'kv-policy', 'good', o, 'North Europe'),
    );
    expect(wrongRegion.body).toContain('webspace');
    const badId = await failure((o) =>
      c.web.certificates.createOrUpdate(
        'rg-plan',
        'c-bad',
        {
          location: 'West Europe',
          keyVaultId: 'https://kv-policy.vault.azure.net/certificates/good',
          keyVaultSecretName: 'good',
          serverFarmId: FARM,
        },
        o,
      ),
    );
    expect(badId.body).toContain('KeyVaultId');
    expect((await failure((o) => importCert('*.contoso.com', 'kv-policy', 'good', o))).status).toBe(
      400,
    );

    await c.authorization.roleAssignments.create(
      vaultId('kv-rbac') + '/secrets/rbac',
      '0b1c2d3e-0000-4000-8000-000000000001',
      { roleDefinitionId: SECRETS_USER, principalId: RP },
    );
    const imported = await importCert('c-rbac', 'kv-rbac', 'rbac');
    expect(imported.thumbprint).toMatch(/^[0-9A-F]{40}$/);
  });

  it('enforces one thumbprint per webspace and no delete while bound', async () => {
    const good = await importCert('c-good', 'kv-policy', 'good');
    const again = await importCert('c-good', 'kv-policy', 'good');
    expect(again.thumbprint).toBe(good.thumbprint);
    await c.web.webApps.createOrUpdateHostNameBinding('rg-app', 'app1', 'www.contoso.com', {
      sslState: 'SniEnabled',
      thumbprint: good.thumbprint ?? '',
    });
    const site = await c.web.webApps.get('rg-app', 'app1');
    expect(site.hostNameSslStates?.find((s) => s.name === 'www.contoso.com')?.thumbprint).toBe(
      good.thumbprint,
    );
    const removal = await failure((o) => c.web.certificates.delete('rg-plan', 'c-good', o));
    expect(removal.status).toBe(409);
  });

  it('rejects a second name for the same thumbprint', async () => {
    const { state } = emulator;
    const twin = state.vaults.get('kv-policy')?.certificates.get('twin');
    const good = state.vaults.get('kv-policy')?.certificates.get('good');
    const goodVersion = good?.versions.at(-1);
    if (!twin || !goodVersion) throw new Error('seed missing');
    twin.versions.push(goodVersion);
    const duplicate = await failure((o) => importCert('c-twin', 'kv-policy', 'twin', o));
    expect(duplicate.status).toBe(409);
    expect(duplicate.body).toContain('same thumbprint');
  });

  it('binds only hosts on the site that the certificate covers', async () => {
    const good = await c.web.certificates.get('rg-plan', 'c-good');
    const bind = (host: string, slot?: string, o: Partial<CaptureOptions> = {}) => {
      const envelope = { sslState: 'SniEnabled' as const, thumbprint: good.thumbprint ?? '' };
      return slot
        ? c.web.webApps.createOrUpdateHostNameBindingSlot('rg-app', 'app1', host, slot, envelope, o)
        : c.web.webApps.createOrUpdateHostNameBinding('rg-app', 'app1', host, envelope, o);
    };
    const missing = await failure((o) => bind('api.contoso.com', undefined, o));
    expect(missing.status).toBe(404);
    expect(missing.body).toContain('04020');
    expect((await failure((o) => bind('contoso.com', undefined, o))).body).toContain(
      'does not match',
    );
    expect((await failure((o) => bind('a.b.contoso.com', undefined, o))).body).toContain(
      'does not match',
    );
    const slotBinding = await bind('staging.contoso.com', 'staging');
    expect(slotBinding.name).toBe('app1/staging/staging.contoso.com');
  });

  it('renews with a new key and thumbprint', async () => {
    const before = await c.certificates('kv-policy').getCertificate('good');
    const res = await fetch(
      `${emulator.info.controlUrl}/vaults/kv-policy/certificates/good/renew`,
      { method: 'POST' },
    );
    const renewed = (await res.json()) as { version: string; thumbprint: string };
    const after = await c.certificates('kv-policy').getCertificate('good');
    expect(after.properties.version).toBe(renewed.version);
    expect(
      Buffer.from(after.properties.x509Thumbprint ?? [])
        .toString('hex')
        .toUpperCase(),
    ).toBe(renewed.thumbprint);
    expect(after.properties.x509Thumbprint).not.toEqual(before.properties.x509Thumbprint);
  });

  it('rejects role assignments for unknown principals and duplicates', async () => {
    const scope = vaultId('kv-rbac');
    const unknown = await failure(() =>
      c.authorization.roleAssignments.create(scope, '0b1c2d3e-0000-4000-8000-000000000002', {
        roleDefinitionId: SECRETS_USER,
        principalId: '99999999-9999-4999-8999-999999999999',
      }),
    );
    expect(unknown.body).toContain('PrincipalNotFound');
    await c.authorization.roleAssignments.create(scope, '0b1c2d3e-0000-4000-8000-000000000003', {
      roleDefinitionId: SECRETS_USER,
      principalId: PIPELINE,
    });
    const twin = await failure(() =>
      c.authorization.roleAssignments.create(scope, '0b1c2d3e-0000-4000-8000-000000000004', {
        roleDefinitionId: SECRETS_USER,
        principalId: PIPELINE,
      }),
    );
    expect(twin.status).toBe(409);
    expect(twin.body).toContain('RoleAssignmentExists');
  });
});
