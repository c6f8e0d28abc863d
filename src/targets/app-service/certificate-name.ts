/** The tag that marks an App Service certificate as imported by this product. */
export const MANAGED_BY_TAG = 'managed-by';
export const MANAGED_BY_VALUE = 'keyvault-cert-bind';

/**
 * webCertificateName derives the name under which a Key Vault certificate version is imported
 * into a webspace. It is deterministic (vault, certificate, thumbprint), so a rerun finds its own
 * import, and a renewal gets a new name, so the old import can stay bound until the new one is.
 */
export function webCertificateName(vaultName: string, certificateName: string, thumbprint: string) {
  const base = `${vaultName}-${certificateName}`.toLowerCase().slice(0, 110);
  return `${base}-${thumbprint.slice(0, 8).toLowerCase()}`;
}
