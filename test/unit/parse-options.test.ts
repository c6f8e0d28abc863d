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
      hostnames: 'www.contoso.com,\napi.contoso.com\n\nwww.contoso.com',
    });
    expect(options.appService.hostnames).toEqual(['www.contoso.com', 'api.contoso.com']);
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
    ['target', { target: 'application-gateway' }, /does not support yet/],
    ['mode', { mode: '' }, /Input 'mode' is empty; use one of: apply, plan/],
    ['subscription-id', { 'subscription-id': 'my-sub' }, /must be the subscription id \(a GUID\)/],
    ['grant-access', { 'grant-access': 'yes' }, /Input 'grant-access' is 'yes'; use true or false/],
    ['app-identity', { 'app-identity': 'user' }, /use one of: system, none/],
    ['certificate', { certificate: 'www.contoso.com' }, /Did you mean 'www-contoso-com'/],
    ['certificate', { certificate: '*.contoso.com' }, /Did you mean 'wildcard-contoso-com'/],
    ['hostnames', { hostnames: '*.contoso.com' }, /a wildcard; a binding needs a real hostname/],
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
