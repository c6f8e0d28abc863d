import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  expectNoSecretLeak,
  failureMessage,
  startHarness,
  type Harness,
  expectConformantTraffic,
} from './harness.js';
import { concurrentCertificates, gatewaySeed, identityId } from './gateway-seed.js';

interface GatewayView {
  resource: {
    etag: string;
    tags?: Record<string, string>;
    identity?: { userAssignedIdentities?: Record<string, unknown> };
    properties: {
      provisioningState: string;
      sslCertificates?: { name: string; properties: { keyVaultSecretId?: string } }[];
      httpListeners?: { name: string; properties: { sslCertificate?: { id: string } } }[];
      [collection: string]: unknown;
    };
  };
  served: { name: string; thumbprint: string }[];
}

async function readGateway(harness: Harness, name: string): Promise<GatewayView> {
  const response = await fetch(`${harness.emulator.info.controlUrl}/gateways/rg-agw/${name}`);
  return (await response.json()) as GatewayView;
}

async function setSettings(harness: Harness, settings: Record<string, unknown>): Promise<void> {
  await fetch(`${harness.emulator.info.controlUrl}/settings`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(settings),
  });
}

function gatewayInputs(harness: Harness, overrides: Record<string, string>) {
  return harness.inputs({
    target: 'application-gateway',
    'app-name': '',
    'resource-group': 'rg-agw',
    'key-vault': 'kv-agw',
    ...overrides,
  });
}

function entry(view: GatewayView, name: string) {
  return view.resource.properties.sslCertificates?.find((c) => c.name === name);
}

/** withoutEtags drops the sub-resource etags, which Azure renews on every write of a gateway. */
function withoutEtags(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutEtags);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== 'etag')
      .map(([key, inner]) => [key, withoutEtags(inner)]),
  );
}

/** Everything in a gateway except what the step may change and what every write changes. */
function untouched(view: GatewayView, ours: { certificates: string[]; listeners: string[] }) {
  const {
    provisioningState: _state,
    sslCertificates,
    httpListeners,
    ...rest
  } = view.resource.properties;
  return withoutEtags({
    tags: view.resource.tags,
    identity: view.resource.identity,
    rest,
    others: (sslCertificates ?? []).filter((c) => !ours.certificates.includes(c.name)),
    listeners: (httpListeners ?? []).filter((l) => !ours.listeners.includes(l.name)),
  });
}

describe('Application Gateway, bundled action', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness(gatewaySeed());
  });
  afterAll(async () => {
    await harness?.emulator.stop();
  });

  it('creates and assigns an identity, grants it, adds a versionless reference in one PUT', async () => {
    const vaultUri = harness.emulator.info.vaults['kv-agw'] ?? '';
    const mark = await harness.control.mark();
    const result = await harness.runWithOidc(
      gatewayInputs(harness, { 'gateway-name': 'agw-new', certificate: 'www' }),
    );
    expect(result.exitCode, result.stdout).toBe(0);

    const view = await readGateway(harness, 'agw-new');
    expect(Object.keys(view.resource.identity?.userAssignedIdentities ?? {})).toEqual([
      identityId('agw-new-keyvault'),
    ]);
    expect(entry(view, 'www')?.properties.keyVaultSecretId).toBe(`${vaultUri}secrets/www`);
    expect(view.resource.properties.provisioningState).toBe('Succeeded');
    expect(result.outputs).toMatchObject({
      'key-vault-secret-id': `${vaultUri}secrets/www`,
      'ssl-certificate-id': expect.stringMatching(
        /\/applicationGateways\/agw-new\/sslCertificates\/www$/,
      ),
      'identity-client-id': expect.stringMatching(/^[0-9a-f-]{36}$/),
      changed: 'true',
    });
    const writes = await harness.control.writesSince(mark);
    expect(writes.filter((w) => /applicationGateways/.test(w.path))).toHaveLength(1);
    expect(writes.map((w) => w.method)).toEqual(['PUT', 'PUT', 'PUT']);
    expectNoSecretLeak(result, harness.secrets);

    const again = await harness.control.mark();
    const rerun = await harness.runWithOidc(
      gatewayInputs(harness, { 'gateway-name': 'agw-new', certificate: 'www' }),
    );
    expect(rerun.exitCode, rerun.stdout).toBe(0);
    expect(await harness.control.writesSince(again)).toEqual([]);
    expect(rerun.outputs['changed']).toBe('false');
  });

  it('adds several certificates in one PUT', async () => {
    const mark = await harness.control.mark();
    const result = await harness.runWithOidc(
      gatewayInputs(harness, { 'gateway-name': 'agw-new', certificate: 'legacy\nshop' }),
    );
    expect(result.exitCode, result.stdout).toBe(0);
    const view = await readGateway(harness, 'agw-new');
    expect(entry(view, 'legacy')?.properties.keyVaultSecretId).toMatch(/\/secrets\/legacy$/);
    expect(entry(view, 'shop')?.properties.keyVaultSecretId).toMatch(/\/secrets\/shop$/);
    const writes = await harness.control.writesSince(mark);
    expect(
      writes.map((w) => w.method + ' ' + w.path.split('?')[0]?.split('/').slice(-2).join('/')),
    ).toEqual(['PUT applicationGateways/agw-new']);
    expect(result.outputs['key-vault-secret-id']?.split(',')).toHaveLength(2);
  });

  it('keeps everything it does not own, reuses the identity, attaches the listener, upgrades a versioned reference', async () => {
    const before = await readGateway(harness, 'agw-busy');
    const ours = { certificates: ['www', 'shop'], listeners: ['listener-www'] };
    const result = await harness.runWithOidc(
      gatewayInputs(harness, {
        'gateway-name': 'agw-busy',
        certificate: 'www',
        listeners: 'listener-www',
      }),
    );
    expect(result.exitCode, result.stdout).toBe(0);

    const after = await readGateway(harness, 'agw-busy');
    expect(untouched(after, ours)).toEqual(untouched(before, ours));
    expect(Object.keys(after.resource.identity?.userAssignedIdentities ?? {})).toEqual([
      identityId('id-busy'),
    ]);
    const listener = after.resource.properties.httpListeners?.find(
      (l) => l.name === 'listener-www',
    );
    expect(listener?.properties.sslCertificate?.id).toMatch(/\/sslCertificates\/www$/);

    const shop = await harness.runWithOidc(
      gatewayInputs(harness, { 'gateway-name': 'agw-busy', certificate: 'shop' }),
    );
    expect(shop.exitCode, shop.stdout).toBe(0);
    expect(shop.stdout).toMatch(
      /::warning::Certificate 'shop' referenced version \w+, which never rotates/,
    );
    const upgraded = await readGateway(harness, 'agw-busy');
    expect(entry(upgraded, 'shop')?.properties.keyVaultSecretId).toMatch(/\/secrets\/shop$/);
    expect(untouched(upgraded, ours)).toEqual(untouched(before, ours));
  });

  it('normalises a /certificates/ URL to the versionless secret', async () => {
    const vaultUri = harness.emulator.info.vaults['kv-agw'] ?? '';
    const result = await harness.runWithOidc(
      gatewayInputs(harness, {
        'gateway-name': 'agw-busy',
        'key-vault': '',
        certificate: `${vaultUri}certificates/legacy`,
      }),
    );
    expect(result.exitCode, result.stdout).toBe(0);
    const view = await readGateway(harness, 'agw-busy');
    expect(entry(view, 'legacy')?.properties.keyVaultSecretId).toBe(`${vaultUri}secrets/legacy`);
  });

  it.each([
    [
      'a gateway-identity other than the one the gateway has',
      { 'gateway-name': 'agw-busy', certificate: 'www', 'gateway-identity': 'id-other' },
      /already uses identity .*id-busy, and 'gateway-identity' names .*id-other.*would break them/,
    ],
    [
      'a plain HTTP listener',
      { 'gateway-name': 'agw-busy', certificate: 'www', listeners: 'listener-http' },
      /Input 'listeners' names 'listener-http', an Http listener; only HTTPS listeners/,
    ],
    [
      'a listener the gateway does not have',
      { 'gateway-name': 'agw-busy', certificate: 'www', listeners: 'listener-nope' },
      /Input 'listeners' names 'listener-nope', which gateway 'agw-busy' does not have/,
    ],
    [
      'taking over an entry (any case) that serves another secret',
      { 'gateway-name': 'agw-busy', certificate: 'www', 'ssl-certificate-name': 'LEGACY' },
      /already has a certificate entry 'legacy' that serves .*\/secrets\/legacy to listener\(s\) listener-legacy.*'ssl-certificate-name'/,
    ],
    [
      'a listener whose hostname the certificate does not cover',
      { 'gateway-name': 'agw-busy', certificate: 'shop', listeners: 'listener-legacy' },
      /Input 'listeners' names 'listener-legacy', which serves legacy\.contoso\.com; the certificate covers shop\.contoso\.com/,
    ],
    [
      'a PEM secret',
      { 'gateway-name': 'agw-busy', 'key-vault': 'kv-policy', certificate: 'pem-cert' },
      /only PKCS#12/,
    ],
  ])('refuses %s, with 0 writes', async (_, overrides, message) => {
    const mark = await harness.control.mark();
    const result = await harness.runWithOidc(gatewayInputs(harness, overrides));
    expect(result.exitCode).toBe(1);
    expect(failureMessage(result)).toMatch(message);
    expect(await harness.control.writesSince(mark)).toEqual([]);
  });

  it('waits out throttling of the gateway PUT, then writes', async () => {
    await fetch(`${harness.emulator.info.controlUrl}/throttle`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        service: 'arm',
        method: 'PUT',
        path: 'applicationGateways',
        count: 1,
        retryAfterSeconds: 1,
      }),
    });
    const result = await harness.runWithOidc(
      gatewayInputs(harness, { 'gateway-name': 'agw-new', certificate: 'app-8' }),
    );
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.stdout).toMatch(
      /The gateway is busy or throttled \(TooManyRequests\); re-reading it and retrying in/,
    );
    expect(entry(await readGateway(harness, 'agw-new'), 'app-8')).toBeDefined();
  });

  it('waits out PrincipalNotFound and RBAC propagation within propagation-timeout', async () => {
    await setSettings(harness, { rbacPropagationMs: 4000, principalVisibilityWithTypeMs: 2500 });
    try {
      const result = await harness.runWithOidc(
        gatewayInputs(harness, {
          'gateway-name': 'agw-slow',
          'key-vault': 'kv-agw-rbac',
          certificate: 'api',
          'propagation-timeout': '60s',
        }),
      );
      expect(result.exitCode, result.stdout).toBe(0);
      expect(result.stdout).toMatch(
        /not visible to Azure RBAC yet \(PrincipalNotFound\); retrying/,
      );
      expect(result.stdout).toMatch(/cannot read Key Vault yet \(ApplicationGatewayKeyVault\w+\)/);
      const view = await readGateway(harness, 'agw-slow');
      expect(view.resource.properties.provisioningState).toBe('Succeeded');
      expect(entry(view, 'api')?.properties.keyVaultSecretId).toMatch(/\/secrets\/api$/);
    } finally {
      await setSettings(harness, { rbacPropagationMs: 0, principalVisibilityWithTypeMs: 0 });
    }
  });

  it('past propagation-timeout, fails clearly and rolls its additions back', async () => {
    await setSettings(harness, { rbacPropagationMs: 600_000 });
    try {
      const before = await readGateway(harness, 'agw-late');
      const result = await harness.runWithOidc(
        gatewayInputs(harness, {
          'gateway-name': 'agw-late',
          'key-vault': 'kv-agw-rbac',
          certificate: 'api',
          'propagation-timeout': '5s',
        }),
      );
      expect(result.exitCode).toBe(1);
      expect(failureMessage(result)).toMatch(
        /Failed to update Application Gateway 'agw-late' \(ApplicationGatewayKeyVault\w+\).*'propagation-timeout' ran out.*Key Vault Secrets User/,
      );
      const after = await readGateway(harness, 'agw-late');
      expect(after.resource.properties.provisioningState).toBe('Succeeded');
      expect(entry(after, 'api')).toBeUndefined();
      expect(untouched(after, { certificates: [], listeners: [] })).toEqual(
        untouched(before, { certificates: [], listeners: [] }),
      );
    } finally {
      await setSettings(harness, { rbacPropagationMs: 0 });
    }
  });

  it.each([
    ['honoured', false, ''],
    ['ignored', true, '-b'],
  ])(
    '8 runs at once, each adding a certificate to one gateway (If-Match %s): all 8 land, nothing else changes',
    async (_, ignoreIfMatch, suffix) => {
      await setSettings(harness, { gatewayIgnoreIfMatch: ignoreIfMatch });
      try {
        const before = await readGateway(harness, 'agw-many');
        const names = concurrentCertificates.map((name) => `${name}${suffix}`);
        const results = await Promise.all(
          concurrentCertificates.map((certificate, i) =>
            harness.runWithOidc(
              gatewayInputs(harness, {
                'gateway-name': 'agw-many',
                certificate,
                'ssl-certificate-name': names[i] ?? certificate,
              }),
            ),
          ),
        );
        for (const result of results) expect(result.exitCode, result.stdout).toBe(0);

        const after = await readGateway(harness, 'agw-many');
        for (const name of names) expect(entry(after, name), name).toBeDefined();
        const previous = (before.resource.properties.sslCertificates ?? []).map((c) => c.name);
        expect((after.resource.properties.sslCertificates ?? []).map((c) => c.name).sort()).toEqual(
          [...previous, ...names].sort(),
        );
        const ours = { certificates: [...previous, ...names], listeners: [] };
        expect(untouched(after, ours)).toEqual(untouched(before, ours));
      } finally {
        await setSettings(harness, { gatewayIgnoreIfMatch: false });
      }
    },
  );

  it('recorded traffic validates against the Azure REST specs', async () => {
    await expectConformantTraffic(harness.trafficDir, [
      'ApplicationGateways_Get',
      'ApplicationGateways_CreateOrUpdate',
      'UserAssignedIdentities_Get',
      'UserAssignedIdentities_CreateOrUpdate',
      'Vaults_UpdateAccessPolicy',
      'RoleAssignments_Create',
    ]);
  });
});
