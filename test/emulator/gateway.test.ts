import type { ApplicationGateway } from '@azure/arm-network';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { DEFAULT_SETTINGS } from './gateway-seed.js';
import { startEmulator, type RunningEmulator } from './index.js';
import type { Seed } from './seed.js';
import { createEmulatorClients, type EmulatorClients } from './sdk-clients.js';

const SUB = '11111111-1111-4111-8111-111111111111';
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const PIPELINE = '33333333-3333-4333-8333-333333333333';
const ID1_PRINCIPAL = '66666666-6666-4666-8666-666666666666';
const SUBNET = `/subscriptions/${SUB}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/agw`;
const uai = (name: string): string =>
  `/subscriptions/${SUB}/resourceGroups/rg-id/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`;
const GATEWAY = `/subscriptions/${SUB}/resourceGroups/rg-agw/providers/Microsoft.Network/applicationGateways/agw1`;
const SECRETS_USER = `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/4633458b-17de-408a-b874-0445c86b69e6`;
const cert = (name: string, extra: object = {}) => ({
  name,
  dnsNames: [`${name}.contoso.com`],
  ...extra,
});
const id1Policy = { objectId: ID1_PRINCIPAL, permissions: { secrets: ['get'] } };

const seed: Seed = {
  tenantId: TENANT,
  subscriptions: [{ id: SUB }],
  clients: [
    { clientId: '22222222-2222-4222-8222-222222222222', clientSecret: 's', objectId: PIPELINE },
  ],
  vaults: [
    {
      resourceGroup: 'rg-kv',
      name: 'kv-policy',
      location: 'westeurope',
      accessPolicies: [id1Policy],
      certificates: [cert('www'), cert('shop'), cert('nokey', { exportable: false })],
    },
    {
      resourceGroup: 'rg-kv',
      name: 'kv-rbac',
      location: 'westeurope',
      enableRbacAuthorization: true,
      accessPolicies: [id1Policy],
      certificates: [cert('rbac')],
    },
    {
      resourceGroup: 'rg-kv',
      name: 'kv-closed',
      location: 'westeurope',
      accessPolicies: [id1Policy],
      networkAcls: { defaultAction: 'Deny', bypass: 'AzureServices' },
      certificates: [cert('closed')],
    },
    {
      resourceGroup: 'rg-kv',
      name: 'kv-subnet',
      location: 'westeurope',
      accessPolicies: [id1Policy],
      networkAcls: { defaultAction: 'Deny', bypass: 'None', virtualNetworkRules: [SUBNET] },
      certificates: [cert('subnet')],
    },
  ],
  userAssignedIdentities: [
    { resourceGroup: 'rg-id', name: 'id1', location: 'westeurope', principalId: ID1_PRINCIPAL },
    { resourceGroup: 'rg-id', name: 'id2', location: 'westeurope' },
  ],
  applicationGateways: [
    {
      resourceGroup: 'rg-agw',
      name: 'agw1',
      location: 'westeurope',
      subnet: SUBNET,
      identity: uai('id1'),
      sslCertificates: [{ name: 'www', vault: 'kv-policy', secret: 'www' }],
      httpsListeners: [
        { name: 'listener-www', hostName: 'www.contoso.com', sslCertificate: 'www' },
      ],
      tags: { owner: 'platform' },
    },
  ],
  settings: { gatewayProvisioningMs: 50 },
};

const POLL = { updateIntervalInMs: 20 };

describe('Application Gateway and managed identities', () => {
  let emulator: RunningEmulator;
  let clients: EmulatorClients;

  const control = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const response = await fetch(`${emulator.info.controlUrl}${path}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return response.json();
  };
  const secretId = (vault: string, name: string): string =>
    `${emulator.info.vaults[vault] ?? ''}secrets/${name}`;
  const withCertificate = (gateway: ApplicationGateway, name: string, id: string) => ({
    ...gateway,
    sslCertificates: [...(gateway.sslCertificates ?? []), { name, keyVaultSecretId: id }],
  });
  const failure = async (promise: Promise<unknown>) => {
    try {
      await promise;
    } catch (error) {
      return error as { code?: string; statusCode?: number; message: string; response?: unknown };
    }
    throw new Error('expected a failure');
  };

  beforeAll(async () => {
    emulator = await startEmulator({ seed });
    clients = createEmulatorClients(emulator.info);
  });
  afterAll(async () => {
    await emulator.stop();
  });
  beforeEach(async () => {
    await control('PATCH', '/settings', { ...DEFAULT_SETTINGS, gatewayProvisioningMs: 50 });
  });

  it('serves a seeded gateway in the Network shape, with what each certificate serves', async () => {
    const gateway = await clients.network.applicationGateways.get('rg-agw', 'agw1');
    expect(gateway.id).toBe(GATEWAY);
    expect(gateway.provisioningState).toBe('Succeeded');
    expect(gateway.operationalState).toBe('Running');
    expect(gateway.etag).toMatch(/^W\/"/);
    expect(gateway.tags).toEqual({ owner: 'platform' });
    expect(Object.keys(gateway.identity?.userAssignedIdentities ?? {})).toEqual([uai('id1')]);
    const [certificate] = gateway.sslCertificates ?? [];
    expect(certificate?.id).toBe(`${GATEWAY}/sslCertificates/www`);
    expect(certificate?.keyVaultSecretId).toBe(secretId('kv-policy', 'www'));
    expect(certificate?.publicCertData).toMatch(/^MII/);
    const https = gateway.httpListeners?.find((l) => l.name === 'listener-www');
    expect(https?.protocol).toBe('Https');
    expect(https?.sslCertificate?.id).toBe(`${GATEWAY}/sslCertificates/www`);
    expect(gateway.requestRoutingRules?.length).toBe(2);
    expect(gateway.probes?.[0]?.name).toBe('probe-default');
  });

  it('follows a PUT to Succeeded through Azure-AsyncOperation, and the versionless reference follows renewals', async () => {
    const gateway = await clients.network.applicationGateways.get('rg-agw', 'agw1');
    const updated = await clients.network.applicationGateways.beginCreateOrUpdateAndWait(
      'rg-agw',
      'agw1',
      withCertificate(gateway, 'shop', secretId('kv-policy', 'shop')),
      POLL,
    );
    expect(updated.provisioningState).toBe('Succeeded');
    expect(updated.etag).not.toBe(gateway.etag);
    expect(updated.sslCertificates?.map((c) => c.name)).toEqual(['www', 'shop']);

    const renewed = (await control('POST', '/vaults/kv-policy/certificates/shop/renew', {})) as {
      thumbprint: string;
    };
    const seen = (await control('GET', '/gateways/rg-agw/agw1')) as {
      served: Record<string, { thumbprint: string }>;
    };
    expect(seen.served['shop']?.thumbprint).toBe(renewed.thumbprint);
  });

  it('answers 412 to a stale If-Match, unless the gateway ignores If-Match', async () => {
    const gateway = await clients.network.applicationGateways.get('rg-agw', 'agw1');
    await control('POST', '/gateways/rg-agw/agw1/external-edit', {
      add: {
        collection: 'frontendPorts',
        entry: { name: 'port_8080', properties: { port: 8080 } },
      },
    });
    const headers = { 'If-Match': gateway.etag ?? '' };
    const stale = await failure(
      clients.network.applicationGateways.beginCreateOrUpdateAndWait('rg-agw', 'agw1', gateway, {
        ...POLL,
        requestOptions: { headers },
      }),
    );
    expect(stale.statusCode).toBe(412);
    expect(stale.code).toBe('PreconditionFailed');

    await control('PATCH', '/settings', { gatewayIgnoreIfMatch: true });
    const written = await clients.network.applicationGateways.beginCreateOrUpdateAndWait(
      'rg-agw',
      'agw1',
      gateway,
      { ...POLL, requestOptions: { headers } },
    );
    // The last writer wins: the other writer's port is gone.
    expect(written.frontendPorts?.map((p) => p.name)).not.toContain('port_8080');
  });

  it('rejects a PUT while another is in flight (429 without Retry-After, 409), or supersedes it', async () => {
    const gateway = await clients.network.applicationGateways.get('rg-agw', 'agw1');
    await control('PATCH', '/settings', {
      gatewayProvisioningMs: 400,
      gatewayRetryAfterSeconds: null,
    });
    const first = await clients.network.applicationGateways.beginCreateOrUpdate(
      'rg-agw',
      'agw1',
      gateway,
      POLL,
    );
    const busy = await failure(
      clients.network.applicationGateways.beginCreateOrUpdateAndWait(
        'rg-agw',
        'agw1',
        gateway,
        POLL,
      ),
    );
    expect(busy.statusCode).toBe(429);
    expect(busy.code).toBe('RetryableErrorDueToAnotherOperation');

    await control('PATCH', '/settings', { gatewayConcurrency: 'reject-409' });
    const conflict = await failure(
      clients.network.applicationGateways.beginCreateOrUpdateAndWait(
        'rg-agw',
        'agw1',
        gateway,
        POLL,
      ),
    );
    expect(conflict.statusCode).toBe(409);
    expect(conflict.code).toBe('AnotherOperationInProgress');
    await first.pollUntilDone();

    await control('PATCH', '/settings', { gatewayConcurrency: 'supersede' });
    const superseded = await clients.network.applicationGateways.beginCreateOrUpdate(
      'rg-agw',
      'agw1',
      gateway,
      POLL,
    );
    const second = await clients.network.applicationGateways.beginCreateOrUpdateAndWait(
      'rg-agw',
      'agw1',
      gateway,
      POLL,
    );
    expect(second.provisioningState).toBe('Succeeded');
    const canceled = await failure(superseded.pollUntilDone());
    expect(canceled.message).toMatch(/cancel/i);
  });

  it('retries a 429 with Retry-After in the SDK, which then overwrites the other writer', async () => {
    const gateway = await clients.network.applicationGateways.get('rg-agw', 'agw1');
    await control('PATCH', '/settings', {
      gatewayProvisioningMs: 300,
      gatewayRetryAfterSeconds: 1,
    });
    const other = withCertificate(gateway, 'other', secretId('kv-policy', 'shop'));
    const first = await clients.network.applicationGateways.beginCreateOrUpdate(
      'rg-agw',
      'agw1',
      other,
      POLL,
    );
    const mine = await clients.network.applicationGateways.beginCreateOrUpdateAndWait(
      'rg-agw',
      'agw1',
      gateway,
      POLL,
    );
    await first.pollUntilDone();
    expect(mine.sslCertificates?.map((c) => c.name)).not.toContain('other');
  });

  it('enforces the identity rules: user-assigned only, exactly one, existing', async () => {
    const gateway = await clients.network.applicationGateways.get('rg-agw', 'agw1');
    const put = (identity: ApplicationGateway['identity']) =>
      failure(
        clients.network.applicationGateways.beginCreateOrUpdateAndWait(
          'rg-agw',
          'agw1',
          { ...gateway, identity },
          POLL,
        ),
      );
    const system = await put({ type: 'SystemAssigned' });
    expect([system.statusCode, system.code]).toEqual([400, 'CannotSetResourceIdentity']);
    const two = await put({
      type: 'UserAssigned',
      userAssignedIdentities: { [uai('id1')]: {}, [uai('id2')]: {} },
    });
    expect(two.statusCode).toBe(400);
    expect(two.code).toBe('ApplicationGatewayMultipleUserAssignedIdentitiesNotSupported');
    const missing = await put({
      type: 'UserAssigned',
      userAssignedIdentities: { [uai('nope')]: {} },
    });
    expect([missing.statusCode, missing.code]).toEqual([400, 'FailedIdentityOperation']);
  });

  it('rejects a /certificates/ URL and a listener naming a missing certificate', async () => {
    const gateway = await clients.network.applicationGateways.get('rg-agw', 'agw1');
    const certificatesUrl = `${emulator.info.vaults['kv-policy'] ?? ''}certificates/shop`;
    const wrong = await failure(
      clients.network.applicationGateways.beginCreateOrUpdateAndWait(
        'rg-agw',
        'agw1',
        withCertificate(gateway, 'shop2', certificatesUrl),
        POLL,
      ),
    );
    expect(wrong.statusCode).toBe(400);
    expect(wrong.message).toMatch(/doesn't properly reference a secret/);

    const dangling = await failure(
      clients.network.applicationGateways.beginCreateOrUpdateAndWait(
        'rg-agw',
        'agw1',
        { ...gateway, sslCertificates: [] },
        POLL,
      ),
    );
    expect([dangling.statusCode, dangling.code]).toEqual([400, 'InvalidResourceReference']);
  });

  it.each([
    ['an identity without rights (identity swap)', 'kv-policy', 'shop', 'id2'],
    ['a policy on an RBAC vault', 'kv-rbac', 'rbac', 'id1'],
    [
      'a closed vault (trusted-service bypass does not cover gateways)',
      'kv-closed',
      'closed',
      'id1',
    ],
  ])(
    'fails the operation as AccessDenied for %s and leaves the gateway Failed',
    async (_, vault, name, identity) => {
      const gateway = await clients.network.applicationGateways.get('rg-agw', 'agw1');
      const error = await failure(
        clients.network.applicationGateways.beginCreateOrUpdateAndWait(
          'rg-agw',
          'agw1',
          {
            ...withCertificate(gateway, 'new', secretId(vault, name)),
            identity: { type: 'UserAssigned', userAssignedIdentities: { [uai(identity)]: {} } },
          },
          POLL,
        ),
      );
      expect(error.message).toMatch(/ApplicationGatewayKeyVaultSecretException|Problem occured/);
      const after = await clients.network.applicationGateways.get('rg-agw', 'agw1');
      expect(after.provisioningState).toBe('Failed');
      const status = (await control('GET', '/state')) as object;
      expect(JSON.stringify(status)).toContain('agw1');
      // Put the gateway back as it was.
      await clients.network.applicationGateways.beginCreateOrUpdateAndWait(
        'rg-agw',
        'agw1',
        gateway,
        POLL,
      );
    },
  );

  it('ends a non-exportable certificate as Failed with the Key Vault secret error', async () => {
    const gateway = await clients.network.applicationGateways.get('rg-agw', 'agw1');
    const error = await failure(
      clients.network.applicationGateways.beginCreateOrUpdateAndWait(
        'rg-agw',
        'agw1',
        withCertificate(gateway, 'nokey', secretId('kv-policy', 'nokey')),
        POLL,
      ),
    );
    expect(error.message).toMatch(/Problem occured/);
    const operation = [...emulator.state.gatewayOperations.values()].at(-1);
    expect(operation?.status).toBe('Failed');
    expect(operation?.error?.code).toBe('ApplicationGatewayKeyVaultSecretException');
    expect(operation?.error?.details?.map((d) => d.code)).toEqual([
      'ApplicationGatewayKeyVaultSecretInvalidCertificate',
    ]);
    await clients.network.applicationGateways.beginCreateOrUpdateAndWait(
      'rg-agw',
      'agw1',
      gateway,
      POLL,
    );
  });

  it('lets a gateway past a closed vault through its subnet rule', async () => {
    const gateway = await clients.network.applicationGateways.get('rg-agw', 'agw1');
    const updated = await clients.network.applicationGateways.beginCreateOrUpdateAndWait(
      'rg-agw',
      'agw1',
      withCertificate(gateway, 'subnet', secretId('kv-subnet', 'subnet')),
      POLL,
    );
    expect(updated.provisioningState).toBe('Succeeded');
    await clients.network.applicationGateways.beginCreateOrUpdateAndWait(
      'rg-agw',
      'agw1',
      gateway,
      POLL,
    );
  });

  it('honours the RBAC propagation delay', async () => {
    await control('PATCH', '/settings', { rbacPropagationMs: 400 });
    const gateway = await clients.network.applicationGateways.get('rg-agw', 'agw1');
    const scope = `/subscriptions/${SUB}/resourceGroups/rg-kv/providers/Microsoft.KeyVault/vaults/kv-rbac/secrets/rbac`;
    await clients.authorization.roleAssignments.create(
      scope,
      '0b5c39d1-1f92-40f9-9450-3889bf7c4b55',
      {
        roleDefinitionId: SECRETS_USER,
        principalId: ID1_PRINCIPAL,
        principalType: 'ServicePrincipal',
      },
    );
    const body = withCertificate(gateway, 'rbac', secretId('kv-rbac', 'rbac'));
    const early = await failure(
      clients.network.applicationGateways.beginCreateOrUpdateAndWait('rg-agw', 'agw1', body, POLL),
    );
    expect(early.message).toMatch(/Problem occured/);
    await new Promise((resolve) => setTimeout(resolve, 450));
    const later = await clients.network.applicationGateways.beginCreateOrUpdateAndWait(
      'rg-agw',
      'agw1',
      body,
      POLL,
    );
    expect(later.provisioningState).toBe('Succeeded');
  });

  it('throttles the next requests to an endpoint, with and without Retry-After', async () => {
    await control('POST', '/throttle', { path: '/applicationGateways/agw1$', method: 'GET' });
    const throttled = await failure(clients.network.applicationGateways.get('rg-agw', 'agw1'));
    expect([throttled.statusCode, throttled.code]).toEqual([429, 'TooManyRequests']);
    await control('POST', '/throttle', {
      path: '/applicationGateways/agw1$',
      method: 'GET',
      retryAfterSeconds: 1,
    });
    // The SDK waits for Retry-After and retries by itself.
    const gateway = await clients.network.applicationGateways.get('rg-agw', 'agw1');
    expect(gateway.name).toBe('agw1');
    const requests = (await control('GET', '/requests')) as { status: number }[];
    expect(requests.filter((r) => r.status === 429).length).toBeGreaterThanOrEqual(2);
  });

  it('creates identities whose principal role assignment cannot see for a while, unless principalType is sent', async () => {
    await control('PATCH', '/settings', { principalVisibilityMs: 60_000 });
    const created = await clients.msi.userAssignedIdentities.createOrUpdate('rg-id', 'id-new', {
      location: 'westeurope',
    });
    expect(created.principalId).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.clientId).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.tenantId).toBe(TENANT);
    const read = await clients.msi.userAssignedIdentities.get('rg-id', 'id-new');
    expect(read.principalId).toBe(created.principalId);

    const scope = `/subscriptions/${SUB}/resourceGroups/rg-kv/providers/Microsoft.KeyVault/vaults/kv-rbac`;
    const untyped = await failure(
      clients.authorization.roleAssignments.create(scope, 'a1b2c3d4-0000-4000-8000-000000000001', {
        roleDefinitionId: SECRETS_USER,
        principalId: created.principalId ?? '',
      }),
    );
    expect([untyped.statusCode, untyped.code]).toEqual([400, 'PrincipalNotFound']);
    const typed = await clients.authorization.roleAssignments.create(
      scope,
      'a1b2c3d4-0000-4000-8000-000000000002',
      {
        roleDefinitionId: SECRETS_USER,
        principalId: created.principalId ?? '',
        principalType: 'ServicePrincipal',
      },
    );
    expect(typed.principalId).toBe(created.principalId);
    await clients.keyVault.vaults.updateAccessPolicy('rg-kv', 'kv-policy', 'add', {
      properties: {
        accessPolicies: [
          {
            tenantId: TENANT,
            objectId: created.principalId ?? '',
            permissions: { secrets: ['get'] },
          },
        ],
      },
    });
  });
});
