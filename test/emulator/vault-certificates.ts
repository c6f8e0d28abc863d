import { createHash, randomBytes, X509Certificate } from 'node:crypto';

import { encodeSecretValue } from './pkcs12.js';
import type { CertificatePolicy, CertificateVersion } from './state.js';
import { issueCertificate, type IssuedCertificate } from './x509.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** VersionValidity is the validity window of a new certificate version. */
export interface VersionValidity {
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/**
 * createCertificateVersion generates a new version of a Key Vault certificate: a new key, a new
 * X.509 certificate (self-signed or signed by the issuing CA) and the secret payload.
 */
export function createCertificateVersion(
  policy: CertificatePolicy,
  validity: VersionValidity,
  issuingCa: IssuedCertificate,
  now: Date = new Date(),
): CertificateVersion {
  const issued = issueCertificate({
    subject: policy.subject,
    dnsNames: policy.dnsNames,
    notBefore: validity.notBefore,
    notAfter: validity.notAfter,
    ...(policy.issuer === 'ca' ? { issuer: issuingCa } : {}),
  });
  const chain = policy.issuer === 'ca' ? [issuingCa] : [];
  const spki = new X509Certificate(issued.der).publicKey.export({ type: 'spki', format: 'der' });
  return {
    version: randomBytes(16).toString('hex'),
    thumbprint: issued.thumbprint,
    x5t: createHash('sha1').update(issued.der).digest('base64url'),
    der: issued.der,
    subject: policy.subject,
    dnsNames: [...policy.dnsNames],
    issuerName: policy.issuer === 'ca' ? 'Unknown' : 'Self',
    notBefore: validity.notBefore,
    notAfter: validity.notAfter,
    created: now,
    updated: now,
    enabled: true,
    contentType: policy.contentType,
    exportable: policy.exportable,
    secretValue: encodeSecretValue(issued, chain, policy.contentType, policy.exportable),
    publicKeyHash: createHash('sha256').update(spki).digest('base64'),
  };
}

/** renewalValidity is the validity of a version issued now under a policy. */
export function renewalValidity(
  policy: CertificatePolicy,
  now: Date = new Date(),
): VersionValidity {
  // Back-date by a minute so a version is valid the moment it is created, despite clock skew.
  const notBefore = new Date(now.getTime() - 60_000);
  return { notBefore, notAfter: new Date(notBefore.getTime() + policy.validDays * DAY_MS) };
}

/** daysToMs converts whole days to milliseconds. */
export function daysToMs(days: number): number {
  return days * DAY_MS;
}
