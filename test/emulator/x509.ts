import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

/** IssuedCertificate is an X.509 certificate together with its RSA private key. */
export interface IssuedCertificate {
  readonly certificate: forge.pki.Certificate;
  readonly privateKey: forge.pki.rsa.PrivateKey;
  readonly certificatePem: string;
  readonly privateKeyPem: string;
  /** The DER encoding of the certificate. */
  readonly der: Buffer;
  /** The SHA-1 thumbprint of the DER encoding, upper-case hexadecimal (App Service's form). */
  readonly thumbprint: string;
}

/** IssueOptions describes the certificate that issueCertificate builds. */
export interface IssueOptions {
  /** A distinguished name such as `CN=www.contoso.com, O=Contoso`, or a bare common name. */
  readonly subject: string;
  readonly dnsNames: readonly string[];
  readonly ipAddresses?: readonly string[];
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly isCertificateAuthority?: boolean;
  /** The signing authority; the certificate is self-signed when absent. */
  readonly issuer?: IssuedCertificate;
}

/**
 * issueCertificate generates a fresh 2048-bit RSA key (with node:crypto, which is far faster than
 * forge's JavaScript key generation) and builds an X.509 v3 certificate for it with node-forge.
 */
export function issueCertificate(options: IssueOptions): IssuedCertificate {
  const { privateKey: privateKeyPem } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const privateKey = forge.pki.privateKeyFromPem(privateKeyPem);
  const certificate = forge.pki.createCertificate();
  certificate.publicKey = forge.pki.setRsaPublicKey(privateKey.n, privateKey.e);
  // DER wants a minimal, positive INTEGER: 16 random bytes whose first byte is 0x40-0x7f (no sign
  // bit, no leading zero byte). The former odd-length hex serial ("0" + 30 digits) began with a
  // zero byte about one time in 32, which OpenSSL 3 (node:crypto) refuses to parse.
  const serial = randomBytes(16);
  serial[0] = ((serial[0] ?? 0) & 0x3f) | 0x40;
  certificate.serialNumber = serial.toString('hex');
  certificate.validity.notBefore = options.notBefore;
  certificate.validity.notAfter = options.notAfter;
  const subject = parseDistinguishedName(options.subject);
  certificate.setSubject(subject);
  certificate.setIssuer(options.issuer ? options.issuer.certificate.subject.attributes : subject);
  certificate.setExtensions(buildExtensions(options));
  certificate.sign(options.issuer?.privateKey ?? privateKey, forge.md.sha256.create());

  const der = Buffer.from(
    forge.asn1.toDer(forge.pki.certificateToAsn1(certificate)).getBytes(),
    'binary',
  );
  return {
    certificate,
    privateKey,
    certificatePem: forge.pki.certificateToPem(certificate),
    privateKeyPem,
    der,
    thumbprint: createHash('sha1').update(der).digest('hex').toUpperCase(),
  };
}

function buildExtensions(options: IssueOptions): object[] {
  const altNames = [
    ...options.dnsNames.map((value) => ({ type: 2, value })),
    ...(options.ipAddresses ?? []).map((ip) => ({ type: 7, ip })),
  ];
  const extensions: object[] = [
    { name: 'basicConstraints', cA: options.isCertificateAuthority === true, critical: true },
    options.isCertificateAuthority === true
      ? { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true }
      : { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ];
  if (options.isCertificateAuthority !== true) {
    extensions.push({ name: 'extKeyUsage', serverAuth: true, clientAuth: true });
  }
  if (altNames.length > 0) {
    extensions.push({ name: 'subjectAltName', altNames });
  }
  return extensions;
}

/** parseDistinguishedName turns `CN=a, O=b` (or a bare `a`) into forge subject attributes. */
export function parseDistinguishedName(text: string): forge.pki.CertificateField[] {
  if (!text.includes('=')) {
    return [{ shortName: 'CN', value: text }];
  }
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .map((part) => {
      const at = part.indexOf('=');
      return { shortName: part.slice(0, at).trim(), value: part.slice(at + 1).trim() };
    });
}

/** commonNameOf returns the CN of a forge certificate name, or '' when it has none. */
export function commonNameOf(name: forge.pki.Certificate['subject']): string {
  const field = name.getField('CN') as { value?: unknown } | null;
  return typeof field?.value === 'string' ? field.value : '';
}

/** dnsNamesOf returns the DNS subject alternative names of a forge certificate. */
export function dnsNamesOf(certificate: forge.pki.Certificate): string[] {
  const extension = certificate.getExtension('subjectAltName') as {
    altNames?: { type: number; value: string }[];
  } | null;
  return (extension?.altNames ?? []).filter((n) => n.type === 2).map((n) => n.value);
}
