/** KeyVaultObjectUrl is a Key Vault object URL split into its parts. */
export interface KeyVaultObjectUrl {
  /** origin is the vault's origin, `https://kv1.vault.azure.net`. */
  readonly origin: string;
  readonly collection: string;
  readonly name: string;
  readonly version: string | undefined;
}

/** parseKeyVaultObjectUrl splits `https://<vault>/<collection>/<name>[/<version>]`. */
export function parseKeyVaultObjectUrl(text: string | undefined): KeyVaultObjectUrl | undefined {
  if (!text) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  const [collection, name, version, ...rest] = url.pathname.split('/').filter(Boolean);
  if (!collection || !name || rest.length > 0) return undefined;
  return { origin: url.origin.toLowerCase(), collection: collection.toLowerCase(), name, version };
}

/**
 * versionlessSecretId is the reference a gateway needs to follow renewals: the secret (never the
 * certificate: gateways reject `/certificates/` URLs) with no version, so the gateway's periodic
 * poll of Key Vault picks up each new version.
 */
export function versionlessSecretId(vaultUri: string, name: string): string {
  return `${vaultUri.replace(/\/+$/, '')}/secrets/${name}`;
}

/** sameSecret tells whether a reference names the given secret, whatever its form or version. */
export function sameSecret(reference: string | undefined, secretId: string): boolean {
  const a = parseKeyVaultObjectUrl(reference);
  const b = parseKeyVaultObjectUrl(secretId);
  return !!a && !!b && a.origin === b.origin && a.name.toLowerCase() === b.name.toLowerCase();
}
