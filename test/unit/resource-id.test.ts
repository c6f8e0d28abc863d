import { describe, expect, it } from 'vitest';

import { isScopeWithin, parseResourceId } from '../../src/core/resource-id.js';

describe('parseResourceId', () => {
  it('splits a nested id', () => {
    const id = parseResourceId(
      '/subscriptions/s1/resourceGroups/rg-plan/providers/Microsoft.Web/serverfarms/plan1/',
    );
    expect(id).toMatchObject({
      subscriptionId: 's1',
      resourceGroup: 'rg-plan',
      provider: 'microsoft.web/serverfarms',
      name: 'plan1',
      childPath: [],
    });
  });

  it.each(['', 'plan1', '/subscriptions/s1/resourceGroups/rg', "[resourceId('x')]"])(
    'rejects %j',
    (text) => expect(parseResourceId(text)).toBeUndefined(),
  );
});

describe('isScopeWithin', () => {
  const secret =
    '/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv1/secrets/c';
  it.each([
    ['/subscriptions/s', true],
    ['/subscriptions/S/resourceGroups/RG', true],
    ['/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv1', true],
    [secret, true],
    ['/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv10', false],
    [`${secret}2`, false],
  ])('%s contains the secret: %s', (scope, expected) => {
    expect(isScopeWithin(scope, secret)).toBe(expected);
  });
});
