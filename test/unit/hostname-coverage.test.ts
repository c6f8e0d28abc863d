import { describe, expect, it } from 'vitest';

import { certificateCovers } from '../../src/keyvault/hostname-coverage.js';

describe('certificateCovers', () => {
  it.each([
    ['www.contoso.com', 'www.contoso.com', true],
    ['WWW.Contoso.com', 'www.contoso.COM', true],
    ['www.contoso.com', 'api.contoso.com', false],
    ['*.contoso.com', 'www.contoso.com', true],
    ['*.contoso.com', 'contoso.com', false],
    ['*.contoso.com', 'a.b.contoso.com', false],
    ['*.contoso.com', 'www.contoso.com.evil.com', false],
    ['*.contoso.com', 'wwwcontoso.com', false],
  ])('%s covers %s: %s', (name, host, expected) => {
    expect(certificateCovers(name, host)).toBe(expected);
  });
});
