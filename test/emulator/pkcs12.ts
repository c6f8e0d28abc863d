import { createHash } from 'node:crypto';
import forge from 'node-forge';

import type { IssuedCertificate } from './x509.js';

/** PFX_CONTENT_TYPE is the secret content type of a PKCS#12 certificate in Key Vault. */
export const PFX_CONTENT_TYPE = 'application/x-pkcs12';
/** PEM_CONTENT_TYPE is the secret content type of a PEM certificate in Key Vault. */
export const PEM_CONTENT_TYPE = 'application/x-pem-file';

/**
 * encodeSecretValue builds the secret payload Key Vault keeps for a certificate: a passwordless
 * PFX in base64, or PEM text. A non-exportable key is left out, as Key Vault returns only the
 * public part of such a certificate through its secret.
 */
export function encodeSecretValue(
  leaf: IssuedCertificate,
  chain: readonly IssuedCertificate[],
  contentType: string,
  exportable: boolean,
): string {
  if (contentType === PEM_CONTENT_TYPE) {
    const key = exportable ? forge.pki.privateKeyToPem(leaf.privateKey) : '';
    return key + [leaf, ...chain].map((c) => c.certificatePem).join('');
  }
  const asn1 = forge.pkcs12.toPkcs12Asn1(
    exportable ? leaf.privateKey : null,
    [leaf.certificate, ...chain.map((c) => c.certificate)],
    null,
    { algorithm: '3des' },
  );
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary').toString('base64');
}

const CERT_BAG = '1.2.840.113549.1.12.10.1.3';
const KEY_BAG = '1.2.840.113549.1.12.10.1.1';
const SHROUDED_KEY_BAG = '1.2.840.113549.1.12.10.1.2';

/** PfxInspection is what App Service learns when it opens a secret as a passwordless PFX. */
export type PfxInspection =
  | { readonly ok: true; readonly thumbprint: string; readonly hasPrivateKey: boolean }
  | { readonly ok: false; readonly reason: string };

/**
 * inspectPfx opens a base64 secret value as a passwordless PKCS#12 file, as the App Service
 * resource provider does on import, and reports the leaf's thumbprint and whether a key is present.
 */
export function inspectPfx(value: string): PfxInspection {
  let pfx: forge.pkcs12.Pkcs12Pfx;
  try {
    const bytes = Buffer.from(value, 'base64').toString('binary');
    // forge accepts null for "no password", which its typings do not declare.
    const noPassword = null as unknown as string;
    pfx = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(bytes), false, noPassword);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { ok: false, reason: `the secret is not a passwordless PKCS#12 file (${detail})` };
  }
  const certBags = pfx.getBags({ bagType: CERT_BAG })[CERT_BAG] ?? [];
  const leaf = certBags[0]?.cert;
  if (leaf === undefined) {
    return { ok: false, reason: 'the PKCS#12 file holds no certificate' };
  }
  const keyBags = [
    ...(pfx.getBags({ bagType: KEY_BAG })[KEY_BAG] ?? []),
    ...(pfx.getBags({ bagType: SHROUDED_KEY_BAG })[SHROUDED_KEY_BAG] ?? []),
  ];
  const der = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(leaf)).getBytes(), 'binary');
  return {
    ok: true,
    thumbprint: createHash('sha1').update(der).digest('hex').toUpperCase(),
    hasPrivateKey: keyBags.some((bag) => bag.key !== undefined),
  };
}
