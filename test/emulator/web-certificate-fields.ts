import { X509Certificate } from 'node:crypto';

import type { CertificateVersion, WebCertificate } from './state.js';

/** WebCertificateFields are the properties App Service copies from the Key Vault version it imports. */
export type WebCertificateFields = Pick<
  WebCertificate,
  | 'thumbprint'
  | 'subjectName'
  | 'hostNames'
  | 'issuer'
  | 'issueDate'
  | 'expirationDate'
  | 'publicKeyHash'
  | 'cerBlob'
>;

/** describeVersionForWeb reads the imported fields from a certificate version's X.509. */
export function describeVersionForWeb(version: CertificateVersion): WebCertificateFields {
  const x509 = new X509Certificate(version.der);
  return {
    thumbprint: version.thumbprint,
    subjectName: commonName(x509.subject) ?? x509.subject,
    hostNames: [...version.dnsNames],
    issuer: commonName(x509.issuer) ?? x509.issuer,
    issueDate: version.notBefore,
    expirationDate: version.notAfter,
    publicKeyHash: version.publicKeyHash,
    cerBlob: version.der.toString('base64'),
  };
}

function commonName(distinguishedName: string): string | undefined {
  const line = distinguishedName.split('\n').find((l) => l.startsWith('CN='));
  return line?.slice(3);
}
