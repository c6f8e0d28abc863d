import type {
  ApplicationGateway,
  EmulatorState,
  GatewayOperationError,
  ServedCertificate,
  Vault,
} from './state.js';
import { canRead } from './vault-access.js';

/** SecretReference is a parsed `keyVaultSecretId`. */
export interface SecretReference {
  readonly vault: Vault | undefined;
  readonly secret: string;
  readonly version: string | undefined;
}

/**
 * parseSecretId parses `https://{vault host}/secrets/{name}[/{version}]`; it answers a reason
 * string when the URL does not reference a secret (a `/certificates/` URL among others). The vault
 * host is the emulator's vault URI, or `{name}.vault.azure.net`.
 */
export function parseSecretId(state: EmulatorState, text: string): SecretReference | string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'The specified Key Vault URI is not a valid URI.';
  }
  const segments = url.pathname.split('/').filter((s) => s !== '');
  const [collection, secret, version] = segments;
  if (
    url.protocol !== 'https:' ||
    collection?.toLowerCase() !== 'secrets' ||
    secret === undefined ||
    segments.length > 3
  ) {
    return "The specified Key Vault URI doesn't properly reference a secret. A valid Key Vault URI should be in the following format: https://{keyvaultname}.{keyvaultdomain}/secrets/{secretname}. A secret version may optionally be appended as well.";
  }
  const host = url.host.toLowerCase();
  const vault = [...state.vaults.values()].find(
    (v) =>
      (v.uri !== '' && new URL(v.uri).host.toLowerCase() === host) ||
      `${v.name}.vault.azure.net`.toLowerCase() === host,
  );
  return { vault, secret, version };
}

/** KeyVaultFetch is what a gateway got when it fetched one sslCertificate from Key Vault. */
export type KeyVaultFetch =
  | { readonly ok: true; readonly served: ServedCertificate }
  | { readonly ok: false; readonly code: string; readonly message: string };

/**
 * fetchSecret does what the gateway does with a Key Vault reference, as its user-assigned
 * identity: through the vault firewall (a gateway is not a trusted service: only its subnet in
 * `virtualNetworkRules` or a private endpoint gets it past a closed vault), then the vault's own
 * authorization model, then the secret itself, which must hold a PFX with its private key.
 */
export function fetchSecret(
  state: EmulatorState,
  gateway: ApplicationGateway,
  secretId: string,
): KeyVaultFetch {
  const denied = {
    ok: false as const,
    code: 'ApplicationGatewayKeyVaultSecretAccessDenied',
    message: `Access denied for KeyVault Secret '${secretId}' for Application Gateway '${gateway.id}'. Make sure that Identity assigned to Application Gateway has access to the KeyVault associated with secret.`,
  };
  const notFound = {
    ok: false as const,
    code: 'ApplicationGatewayKeyVaultSecretNotFound',
    message: `KeyVault Secret '${secretId}' referenced by Application Gateway '${gateway.id}' was not found.`,
  };
  const reference = parseSecretId(state, secretId);
  if (typeof reference === 'string' || !reference.vault) return notFound;
  const { vault } = reference;
  if (!passesFirewall(vault, gateway)) return denied;
  const identity = gateway.userAssignedIdentity
    ? state.userAssignedIdentities.get(gateway.userAssignedIdentity.toLowerCase())
    : undefined;
  if (!identity || !canRead(state, vault, identity.principalId, 'secrets', reference.secret)) {
    return denied;
  }
  const certificate = vault.certificates.get(reference.secret.toLowerCase());
  const version =
    reference.version === undefined
      ? certificate?.versions.at(-1)
      : certificate?.versions.find((v) => v.version === reference.version);
  if (!certificate || !version) return notFound;
  if (!version.enabled) {
    return {
      ok: false,
      code: 'ApplicationGatewayKeyVaultSecretDisabled',
      message: `KeyVault Secret '${secretId}' referenced by Application Gateway '${gateway.id}' is disabled.`,
    };
  }
  if (!version.exportable || version.contentType !== 'application/x-pkcs12') {
    return {
      ok: false,
      code: 'ApplicationGatewayKeyVaultSecretInvalidCertificate',
      message: `KeyVault Secret '${secretId}' referenced by Application Gateway '${gateway.id}' does not hold a PFX certificate with its private key. The certificate's key must be exportable and its content type application/x-pkcs12.`,
    };
  }
  return {
    ok: true,
    served: {
      vault: vault.name,
      secret: certificate.name,
      version: version.version,
      thumbprint: version.thumbprint,
      der: version.der,
    },
  };
}

/**
 * fetchGatewaySecrets fetches every Key Vault reference of a gateway, as the end of a PUT does;
 * it records what each serves and answers the operation's error when any fetch failed.
 */
export function fetchGatewaySecrets(
  state: EmulatorState,
  gateway: ApplicationGateway,
): GatewayOperationError | undefined {
  const failures: { code: string; message: string }[] = [];
  for (const { name, secretId } of keyVaultReferences(gateway)) {
    const fetched = fetchSecret(state, gateway, secretId);
    if (fetched.ok) gateway.served.set(name.toLowerCase(), fetched.served);
    else failures.push({ code: fetched.code, message: fetched.message });
  }
  if (failures.length === 0) return undefined;
  return {
    code: 'ApplicationGatewayKeyVaultSecretException',
    message: `Problem occured while accessing and validating KeyVault Secrets associated with Application Gateway '${gateway.id}'. See details below:`,
    details: failures,
  };
}

/**
 * pollGatewaySecrets is the gateway's periodic Key Vault poll: a versionless reference moves to
 * the vault's current version when the gateway can still read it; otherwise it keeps serving
 * what it has.
 */
export function pollGatewaySecrets(state: EmulatorState, gateway: ApplicationGateway): void {
  for (const { name, secretId } of keyVaultReferences(gateway)) {
    const fetched = fetchSecret(state, gateway, secretId);
    if (fetched.ok) gateway.served.set(name.toLowerCase(), fetched.served);
  }
}

/** keyVaultReferences lists the gateway's sslCertificates that reference Key Vault. */
export function keyVaultReferences(
  gateway: ApplicationGateway,
): { readonly name: string; readonly secretId: string }[] {
  const entries = gateway.properties['sslCertificates'];
  if (!Array.isArray(entries)) return [];
  return entries.flatMap((entry: unknown) => {
    const e = entry as { name?: unknown; properties?: { keyVaultSecretId?: unknown } };
    const secretId = e.properties?.keyVaultSecretId;
    return typeof e.name === 'string' && typeof secretId === 'string'
      ? [{ name: e.name, secretId }]
      : [];
  });
}

function passesFirewall(vault: Vault, gateway: ApplicationGateway): boolean {
  if (gateway.privateEndpointVaults.some((v) => v.toLowerCase() === vault.name.toLowerCase())) {
    return true;
  }
  if (vault.publicNetworkAccess === 'Disabled') return false;
  const acls = vault.networkAcls;
  if (acls?.defaultAction !== 'Deny') return true;
  // `bypass: AzureServices` does not cover Application Gateway.
  const rules = acls.virtualNetworkRules.map((r) => r.toLowerCase());
  return gatewaySubnets(gateway).some((subnet) => rules.includes(subnet.toLowerCase()));
}

function gatewaySubnets(gateway: ApplicationGateway): string[] {
  const configs = gateway.properties['gatewayIPConfigurations'];
  if (!Array.isArray(configs)) return [];
  return configs.flatMap((c: unknown) => {
    const id = (c as { properties?: { subnet?: { id?: unknown } } }).properties?.subnet?.id;
    return typeof id === 'string' ? [id] : [];
  });
}
