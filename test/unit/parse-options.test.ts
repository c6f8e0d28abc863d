import { describe, expect, it } from 'vitest';

import { InputError } from '../../src/core/errors.js';
import { parseBindOptions } from '../../src/core/parse-options.js';

const valid: Record<string, string> = {
  target: 'app-service',
  mode: 'apply',
  'subscription-id': '00000000-0000-0000-0000-0000000000aa',
  'resource-group': 'rg-app',
  'app-name': 'app1',
  'key-vault': 'kv1',
  certificate: 'cert1',
  'app-identity': 'system',
  'grant-access': 'true',
  environment: 'AzureCloud',
};

function parseWith(overrides: Record<string, string>) {
  const inputs = { ...valid, ...overrides };
  return parseBindOptions((name) => inputs[name] ?? '');
}

describe('parseBindOptions', () => {
  it('reads a complete set of inputs', () => {
    const options = parseWith({
      hostnames: 'www.contoso.com,\napi.contoso.com\n\nWWW.Contoso.com.\n*.contoso.com',
    });
    if (options.target !== 'app-service') throw new Error('expected app-service options');
    expect(options.appService.hostnames).toEqual([
      'www.contoso.com',
      'api.contoso.com',
      '*.contoso.com',
    ]);
    expect(options.keyVault).toEqual({ kind: 'name', name: 'kv1' });
    expect(options.grantAccess).toBe(true);
    expect(options.cloud).toEqual({ name: 'AzureCloud' });
  });

  it.each([
    [
      'a vault resource id',
      '/subscriptions/s2/resourceGroups/rg-kv/providers/Microsoft.KeyVault/vaults/kv1',
      { kind: 'resource-id' },
    ],
    [
      'a vault URI',
      'https://kv1.vault.azure.net',
      { kind: 'uri', uri: 'https://kv1.vault.azure.net/' },
    ],
  ])('accepts %s as key-vault', (_, value, expected) => {
    expect(parseWith({ 'key-vault': value }).keyVault).toMatchObject(expected);
  });

  it.each([
    ['target', { target: 'function-app' }, /Input 'target' is 'function-app'; use one of/],
    [
      'identity-client-id',
      {
        target: 'kubernetes',
        'app-name': '',
        namespace: 'ingress',
        'ingress-controller': 'nginx',
        'identity-client-id': 'kubelet',
      },
      /give the identity's client id \(a GUID, not its object id or name\)/,
    ],
    [
      'namespace',
      {
        target: 'kubernetes',
        'app-name': '',
        namespace: 'Ingress_NS',
        'ingress-controller': 'nginx',
      },
      /a DNS-1123 label/,
    ],
    [
      'secret-name',
      { target: 'kubernetes', 'app-name': '', namespace: 'ingress', 'secret-name': 'TLS.Secret' },
      /a Secret name here is a DNS-1123 label/,
    ],
    ['namespace', { namespace: 'ingress' }, /applies to target 'kubernetes'/],
    ['gateway-name', { 'gateway-name': 'agw1' }, /applies to target 'application-gateway'/],
    [
      'app-name',
      { target: 'application-gateway', 'gateway-name': 'agw1' },
      /applies to target 'app-service'/,
    ],
    [
      'propagation-timeout',
      {
        target: 'application-gateway',
        'app-name': '',
        'gateway-name': 'agw1',
        'propagation-timeout': 'soon',
      },
      /give a duration such as 90s, 10m or 1h/,
    ],
    [
      'gateway-identity',
      {
        target: 'application-gateway',
        'app-name': '',
        'gateway-name': 'agw1',
        'gateway-identity': '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/sites/x',
      },
      /not a user-assigned identity's resource id/,
    ],
    [
      'listeners',
      { target: 'application-gateway', 'app-name': '', 'gateway-name': 'agw1', listeners: 'a b' },
      /not a listener name/,
    ],
    [
      'certificate',
      { certificate: 'https://kv1.vault.azure.net/keys/cert1' },
      /give the certificate's name, or its Key Vault URL/,
    ],
    [
      'certificate',
      {
        'key-vault': 'https://kv2.vault.azure.net/',
        certificate: 'https://kv1.vault.azure.net/secrets/c1',
      },
      /give one vault, or leave key-vault empty/,
    ],
    ['mode', { mode: '' }, /Input 'mode' is empty; use one of: apply, plan/],
    ['subscription-id', { 'subscription-id': 'my-sub' }, /must be the subscription id \(a GUID\)/],
    ['grant-access', { 'grant-access': 'yes' }, /Input 'grant-access' is 'yes'; use true or false/],
    ['app-identity', { 'app-identity': 'user' }, /use one of: system, none/],
    ['certificate', { certificate: 'www.contoso.com' }, /Did you mean 'www-contoso-com'/],
    ['certificate', { certificate: '*.contoso.com' }, /Did you mean 'wildcard-contoso-com'/],
    [
      'app-service-principal-object-id',
      { 'app-service-principal-object-id': 'abfa0a7c-a6b6-4736-8310-5855508787cd' },
      /the App Service application id, not the object id/,
    ],
    ['hostnames', { hostnames: 'not a host' }, /not a DNS hostname/],
    [
      'key-vault',
      { 'key-vault': 'https://kv1.vault.azure.net/certificates/cert1' },
      /a URL inside the vault/,
    ],
    [
      'key-vault',
      { 'key-vault': '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/sites/app1' },
      /not a vault resource id/,
    ],
    ['key-vault', { 'key-vault': "[parameters('vault')]" }, /not a vault name/],
    ['key-vault', { 'key-vault': '' }, /is required/],
    [
      'resource-manager-endpoint',
      { 'resource-manager-endpoint': 'https://x' },
      /set environment: custom/,
    ],
    ['resource-manager-endpoint', { environment: 'custom' }, /is required: an https:\/\/ URL/],
    [
      'authority-host',
      {
        environment: 'custom',
        'resource-manager-endpoint': 'https://arm',
        'authority-host': 'http://login',
      },
      /must use https/,
    ],
    ['app-service-principal-object-id', { 'app-service-principal-object-id': 'abc' }, /a GUID/],
  ])('rejects bad %s with a message naming it', (input, overrides, message) => {
    let error: unknown;
    try {
      parseWith(overrides);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).input).toBe(input);
    expect((error as Error).message).toMatch(message);
  });

  it('reads the gateway inputs, with the certificate name as the default entry name', () => {
    const options = parseWith({
      target: 'application-gateway',
      'app-name': '',
      'gateway-name': 'agw1',
      listeners: 'https-a, https-b',
      'gateway-identity': 'id-agw',
      'propagation-timeout': '90s',
    });
    expect(options).toMatchObject({
      target: 'application-gateway',
      gateway: {
        gatewayName: 'agw1',
        entries: [{ certificate: 'cert1', sslCertificateName: 'cert1' }],
        listeners: ['https-a', 'https-b'],
        gatewayIdentity: 'id-agw',
        propagationTimeoutMs: 90_000,
      },
    });
  });

  it('reads several certificates for one gateway, each its own entry', () => {
    const options = parseWith({
      target: 'application-gateway',
      'app-name': '',
      'gateway-name': 'agw1',
      certificate: 'www\napi, shop',
      'propagation-timeout': '10m',
    });
    if (options.target !== 'application-gateway') throw new Error('expected gateway options');
    expect(options.gateway.entries.map((e) => e.sslCertificateName)).toEqual([
      'www',
      'api',
      'shop',
    ]);
  });

  it.each([
    ['certificate', { certificate: 'www,api' }, /an App Service step binds one/],
    [
      'listeners',
      {
        target: 'application-gateway',
        'app-name': '',
        'gateway-name': 'g',
        certificate: 'a,b',
        listeners: 'l',
      },
      /names 2 certificates; give one certificate per step/,
    ],
  ])('refuses several certificates with %s', (_, overrides, message) => {
    expect(() => parseWith(overrides)).toThrow(message);
  });

  it.each([
    ['https://kv1.vault.azure.net/certificates/cert1', undefined],
    ['https://kv1.vault.azure.net/secrets/cert1/0123abcd', '0123abcd'],
  ])('normalises the certificate URL %s to its vault and name', (url, version) => {
    const options = parseWith({ 'key-vault': '', certificate: url });
    expect(options.keyVault).toEqual({ kind: 'uri', uri: 'https://kv1.vault.azure.net/' });
    expect(options.certificate).toBe('cert1');
    expect(options.certificateVersion).toBe(version);
  });

  it('reads a custom cloud', () => {
    const options = parseWith({
      environment: 'custom',
      'resource-manager-endpoint': 'https://management.local/',
      'authority-host': 'https://login.local',
    });
    expect(options.cloud).toEqual({
      name: 'custom',
      resourceManagerEndpoint: 'https://management.local',
      authorityHost: 'https://login.local',
    });
  });
});
