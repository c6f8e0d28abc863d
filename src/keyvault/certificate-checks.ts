import type { Check } from '../core/plan.js';
import { PreconditionError } from '../core/errors.js';
import type { CertificateMetadata } from './certificate.js';
import type { VaultInfo } from './vault.js';

const PKCS12 = 'application/x-pkcs12';
const EXPIRY_WARNING_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * checkCertificateUsable refuses a certificate that the consumer (App Service, a gateway, an
 * ingress controller) could not use: not PKCS#12, a key that cannot be exported, disabled,
 * expired or not yet valid. It warns when fewer than 30 days are left.
 */
export function checkCertificateUsable(
  certificate: CertificateMetadata,
  vault: VaultInfo,
  now: Date,
  consumer: string,
): Check[] {
  const where = `certificate '${certificate.name}' in vault '${vault.name}'`;
  if (certificate.contentType?.toLowerCase() !== PKCS12) {
    throw new PreconditionError(
      `The secret of ${where} is '${certificate.contentType ?? 'unknown'}', but ${consumer} can ` +
        `import only PKCS#12 (${PKCS12}). Re-import or re-create it in Key Vault as a ` +
        'passwordless PFX (content type application/x-pkcs12).',
    );
  }
  if (certificate.exportable === false) {
    throw new PreconditionError(
      `The key of ${where} is not exportable, so ${consumer} cannot fetch it. Create a new ` +
        'version with an exportable key (policy keyProperties.exportable = true, key type RSA or ' +
        'EC, not HSM).',
    );
  }
  if (!certificate.enabled) {
    throw new PreconditionError(`${where} is disabled; enable it in Key Vault and run again.`);
  }
  if (certificate.expiresOn.getTime() <= now.getTime()) {
    throw new PreconditionError(
      `${where} expired on ${certificate.expiresOn.toISOString()}; renew it in Key Vault first.`,
    );
  }
  if (certificate.notBefore.getTime() > now.getTime()) {
    throw new PreconditionError(
      `${where} is not valid before ${certificate.notBefore.toISOString()}; run again then.`,
    );
  }

  const daysLeft = Math.floor((certificate.expiresOn.getTime() - now.getTime()) / DAY_MS);
  const checks: Check[] = [
    {
      subject: 'Key Vault certificate',
      outcome: 'ok',
      detail:
        `${certificate.name} (${vault.name}), thumbprint ${certificate.thumbprint}, ` +
        `PKCS#12 with exportable key, covers ${certificate.dnsNames.join(', ')}`,
    },
  ];
  checks.push({
    subject: 'Expiry',
    outcome: daysLeft < EXPIRY_WARNING_DAYS ? 'warning' : 'ok',
    detail: `${certificate.expiresOn.toISOString()} (${daysLeft} days left)`,
  });
  return checks;
}
