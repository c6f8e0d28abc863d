import { armError } from './error-bodies.js';
import type { Reply } from './exchange.js';

const WEB_CERTIFICATE_NAME = /^[A-Za-z0-9_.()-]{1,260}$/;

/**
 * checkWebCertificateName applies ARM's name rule for Microsoft.Web/certificates: letters,
 * digits, `-`, `_`, `.`, `(`, `)`, up to 260 characters, not ending in a period. A host such as
 * `*.contoso.com` is not a valid name.
 */
export function checkWebCertificateName(name: string): Reply | undefined {
  if (WEB_CERTIFICATE_NAME.test(name) && !name.endsWith('.')) return undefined;
  return armError(
    400,
    'InvalidResourceName',
    `The resource name '${name}' is invalid. It can contain letters, digits, '-', '_', '.', '(' and ')', be up to 260 characters long, and must not end in a period. For example: 'wildcard-contoso-com'.`,
  );
}

/** VAULT_OBJECT_NAME is Key Vault's rule for certificate and secret names. */
export const VAULT_OBJECT_NAME = /^[0-9A-Za-z-]{1,127}$/;
