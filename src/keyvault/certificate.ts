import { X509Certificate } from 'node:crypto';

import { CertificateClient } from '@azure/keyvault-certificates';

import type { AzureContext } from '../core/azure-context.js';
import { errorBodyPolicies } from '../core/error-bodies.js';
import { describeAzureFailure, readServiceError } from '../core/azure-error.js';
import { PreconditionError } from '../core/errors.js';
import type { VaultInfo } from './vault.js';

/** CertificateMetadata is what Key Vault says of a certificate's current version. */
export interface CertificateMetadata {
  readonly name: string;
  readonly version: string;
  /** thumbprint is the SHA-1 thumbprint in upper-case hex, as App Service shows it. */
  readonly thumbprint: string;
  /** dnsNames are the subject alternative names, or the subject CN when there are none. */
  readonly dnsNames: readonly string[];
  readonly subject: string;
  readonly notBefore: Date;
  readonly expiresOn: Date;
  readonly enabled: boolean;
  readonly contentType: string | undefined;
  readonly exportable: boolean | undefined;
  readonly keyType: string | undefined;
}

function namesOf(x509: X509Certificate): string[] {
  const sans = (x509.subjectAltName ?? '')
    .split(/,\s*/)
    .filter((entry) => entry.startsWith('DNS:'))
    .map((entry) => entry.slice(4).toLowerCase());
  if (sans.length > 0) return sans;
  const cn = /(?:^|\n)CN=([^\n]+)/.exec(x509.subject)?.[1];
  return cn ? [cn.toLowerCase()] : [];
}

function accessHint(vault: VaultInfo, code: string | undefined): string {
  if (code?.includes('ForbiddenByFirewall')) {
    return (
      `The vault's firewall refused this machine (the runner or agent). Allow its address in ` +
      `vault '${vault.name}' (Networking), or run the step on a runner or agent inside an ` +
      'allowed network.'
    );
  }
  return vault.rbac
    ? `The pipeline's identity needs a role that reads certificates on vault '${vault.name}' ` +
        '(for example Key Vault Certificate User or Key Vault Reader).'
    : `The pipeline's identity needs an access policy with 'get' on certificates in vault ` +
        `'${vault.name}'.`;
}

/**
 * readCertificateMetadata reads the certificate's current version and policy from the Key Vault
 * data plane. It never reads the secret (the private key): App Service fetches that itself.
 */
export async function readCertificateMetadata(
  context: AzureContext,
  vault: VaultInfo,
  name: string,
): Promise<CertificateMetadata> {
  const client = new CertificateClient(vault.vaultUri, context.credential, {
    disableChallengeResourceVerification: !context.cloud.verifyKeyVaultChallengeResource,
    additionalPolicies: errorBodyPolicies,
  });

  let certificate;
  try {
    certificate = await client.getCertificate(name);
  } catch (error) {
    const service = readServiceError(error);
    const hint =
      service?.statusCode === 404
        ? `Check the 'certificate' input: vault '${vault.name}' has no certificate '${name}'.`
        : service?.statusCode === 403
          ? accessHint(vault, service.code)
          : undefined;
    throw describeAzureFailure(
      `read certificate '${name}' from vault '${vault.name}'`,
      error,
      hint,
    );
  }

  if (!certificate.cer) {
    throw new PreconditionError(
      `Certificate '${name}' in vault '${vault.name}' has no issued version yet ` +
        '(it may be pending issuance). Complete it in Key Vault and run again.',
    );
  }
  const x509 = new X509Certificate(certificate.cer);
  return {
    name,
    version: certificate.properties.version ?? '',
    thumbprint: x509.fingerprint.replace(/:/g, '').toUpperCase(),
    dnsNames: namesOf(x509),
    subject: x509.subject.replace(/\n/g, ', '),
    notBefore: new Date(x509.validFrom),
    expiresOn: new Date(x509.validTo),
    enabled: certificate.properties.enabled !== false,
    contentType: certificate.policy?.contentType,
    exportable: certificate.policy?.exportable,
    keyType: certificate.policy?.keyType,
  };
}
