import { authenticate, type Caller } from './access-token.js';
import type { EmulatorContext } from './context.js';
import { keyVaultError } from './error-bodies.js';
import { jsonReply, type Exchange, type Reply } from './exchange.js';
import { VAULT_OBJECT_NAME } from './resource-names.js';
import type { CertificateVersion, Vault, VaultCertificate } from './state.js';
import { canRead, checkClientFirewall, type VaultObjectKind } from './vault-access.js';

/** KEY_VAULT_API_VERSIONS are the data-plane api-versions the emulator serves. */
export const KEY_VAULT_API_VERSIONS = ['2025-07-01'] as const;

/** KeyVaultReply is a data-plane reply, with the versioned path to record for latest-version reads. */
export interface KeyVaultReply extends Reply {
  readonly recordPath?: string;
}

/**
 * handleKeyVault serves one vault's data plane: the 401 challenge, the firewall, the caller's
 * permissions (access policies or RBAC, whichever the vault uses), certificates (latest,
 * versioned, versions list) and their secrets.
 */
export function handleKeyVault(
  context: EmulatorContext,
  vault: Vault,
  exchange: Exchange,
): KeyVaultReply {
  const version = exchange.url.searchParams.get('api-version') ?? '';
  if (!(KEY_VAULT_API_VERSIONS as readonly string[]).includes(version)) {
    return keyVaultError(
      400,
      'BadParameter',
      `The specified version (${version}) is not recognized. Consider using the latest supported version (${KEY_VAULT_API_VERSIONS.join(', ')}).`,
    );
  }
  const challenge = {
    'www-authenticate': `Bearer authorization="${context.endpoints.origin}/${context.state.tenantId}", resource="${context.endpoints.keyVaultAudience}"`,
  };
  const check = authenticate(context, exchange, [context.endpoints.keyVaultAudience]);
  if (!check.ok) {
    const message =
      check.problem === 'missing'
        ? 'AKV10000: Request is missing a Bearer or PoP token.'
        : check.problem === 'audience'
          ? `AKV10022: Invalid audience. Expected ${context.endpoints.keyVaultAudience}, found: ${check.audience ?? ''}.`
          : check.problem === 'expired'
            ? 'AKV10032: Token expired.'
            : 'AKV10001: Invalid token.';
    return keyVaultError(401, 'Unauthorized', message, undefined, challenge);
  }
  const caller = check.caller;
  const firewall = checkClientFirewall(vault, exchange.remoteAddress);
  if (!firewall.allowed) {
    return keyVaultError(
      403,
      'Forbidden',
      `Client address is not authorized and caller is not a trusted service.\r\nClient address: ${exchange.remoteAddress}\r\nCaller: ${callerText(caller)}\r\nVault: ${vault.name};location=${vault.location}`,
      'ForbiddenByFirewall',
    );
  }
  if (exchange.method !== 'GET') {
    return keyVaultError(
      405,
      'MethodNotAllowed',
      `The emulator serves only GET on the data plane, not ${exchange.method}.`,
    );
  }
  const segments = exchange.url.pathname.split('/').slice(1).map(decodeURIComponent);
  const [collection, name, third] = segments;
  if (
    (collection !== 'certificates' && collection !== 'secrets') ||
    name === undefined ||
    segments.length > 3
  ) {
    return keyVaultError(
      404,
      'NotFound',
      `The path '${exchange.url.pathname}' is not served by the emulated Key Vault.`,
    );
  }
  if (!VAULT_OBJECT_NAME.test(name)) {
    return keyVaultError(
      400,
      'BadParameter',
      `The request URI contains an invalid name: ${name}. Names may contain only 0-9, a-z, A-Z and -.`,
    );
  }
  const listing = third === 'versions' && collection === 'certificates';
  const denied = authorize(context, vault, caller, collection, name, listing ? 'list' : 'get');
  if (denied) return denied;
  const certificate = vault.certificates.get(name.toLowerCase());
  if (listing) {
    if (!certificate) return notFound(collection, name);
    return jsonReply(200, {
      value: certificate.versions.map((v) => certificateItem(vault, certificate, v)),
      nextLink: null,
    });
  }
  const requested =
    third === undefined || third === ''
      ? certificate?.versions.at(-1)
      : certificate?.versions.find((v) => v.version === third);
  if (!certificate || !requested) return notFound(collection, third ? `${name}/${third}` : name);
  const recordPath = `/${collection}/${certificate.name}/${requested.version}`;
  if (collection === 'certificates') {
    return { ...jsonReply(200, certificateBundle(vault, certificate, requested)), recordPath };
  }
  if (!requested.enabled) {
    return keyVaultError(
      403,
      'Forbidden',
      'Operation get is not allowed on a disabled secret.',
      'SecretDisabled',
    );
  }
  return {
    ...jsonReply(200, {
      value: requested.secretValue,
      contentType: requested.contentType,
      id: `${vault.uri}secrets/${certificate.name}/${requested.version}`,
      managed: true,
      attributes: attributes(requested),
      tags: certificate.tags,
      kid: `${vault.uri}keys/${certificate.name}/${requested.version}`,
    }),
    recordPath,
  };
}

function callerText(caller: Caller): string {
  return `appid=${caller.appId};oid=${caller.objectId};iss=https://sts.windows.net/${caller.tenantId}/`;
}

function authorize(
  context: EmulatorContext,
  vault: Vault,
  caller: Caller,
  kind: VaultObjectKind,
  name: string,
  operation: 'get' | 'list',
): Reply | undefined {
  if (canRead(context.state, vault, caller.objectId, kind, name, operation)) return undefined;
  if (vault.enableRbacAuthorization) {
    const action =
      kind === 'secrets'
        ? 'Microsoft.KeyVault/vaults/secrets/getSecret/action'
        : 'Microsoft.KeyVault/vaults/certificates/read';
    return keyVaultError(
      403,
      'Forbidden',
      `Caller is not authorized to perform action on resource.\r\nIf role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\r\nCaller: ${callerText(caller)}\r\nAction: '${action}'\r\nResource: '${vault.id.toLowerCase()}/${kind}/${name.toLowerCase()}'\r\nAssignment: (not found)\r\nDenyAssignmentId: null\r\nDecisionReason: null \r\nVault: ${vault.name};location=${vault.location}\r\n`,
      'ForbiddenByRbac',
    );
  }
  return keyVaultError(
    403,
    'Forbidden',
    `The user, group or application '${callerText(caller)}' does not have ${kind} ${operation} permission on key vault '${vault.name};location=${vault.location}'. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125287`,
    'AccessDenied',
  );
}

function notFound(collection: string, what: string): Reply {
  const noun = collection === 'certificates' ? 'certificate' : 'secret';
  const code = collection === 'certificates' ? 'CertificateNotFound' : 'SecretNotFound';
  return keyVaultError(
    404,
    code,
    `A ${noun} with (name/id) ${what} was not found in this key vault. If you recently deleted this ${noun} you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`,
  );
}

function seconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

function attributes(v: CertificateVersion): Record<string, unknown> {
  return {
    enabled: v.enabled,
    nbf: seconds(v.notBefore),
    exp: seconds(v.notAfter),
    created: seconds(v.created),
    updated: seconds(v.updated),
    recoveryLevel: 'Recoverable+Purgeable',
    recoverableDays: 90,
  };
}

function certificateItem(
  vault: Vault,
  certificate: VaultCertificate,
  v: CertificateVersion,
): Record<string, unknown> {
  return {
    id: `${vault.uri}certificates/${certificate.name}/${v.version}`,
    x5t: v.x5t,
    attributes: attributes(v),
    tags: certificate.tags,
  };
}

/** certificateBundle renders a version in the data plane's `CertificateBundle` shape. */
export function certificateBundle(
  vault: Vault,
  certificate: VaultCertificate,
  v: CertificateVersion,
): Record<string, unknown> {
  const first = certificate.versions[0] ?? v;
  const policy = certificate.policy;
  return {
    id: `${vault.uri}certificates/${certificate.name}/${v.version}`,
    kid: `${vault.uri}keys/${certificate.name}/${v.version}`,
    sid: `${vault.uri}secrets/${certificate.name}/${v.version}`,
    x5t: v.x5t,
    cer: v.der.toString('base64'),
    contentType: v.contentType,
    attributes: attributes(v),
    policy: {
      id: `${vault.uri}certificates/${certificate.name}/policy`,
      key_props: { exportable: policy.exportable, kty: 'RSA', key_size: 2048, reuse_key: false },
      secret_props: { contentType: policy.contentType },
      x509_props: {
        subject: policy.subject,
        sans: { dns_names: [...policy.dnsNames] },
        ekus: ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2'],
        key_usage: ['digitalSignature', 'keyEncipherment'],
        validity_months: Math.max(1, Math.round(policy.validDays / 30)),
      },
      lifetime_actions: [
        { trigger: { lifetime_percentage: 80 }, action: { action_type: 'AutoRenew' } },
      ],
      issuer: { name: policy.issuer === 'ca' ? 'Unknown' : 'Self' },
      attributes: {
        enabled: true,
        created: seconds(first.created),
        updated: seconds(first.created),
      },
    },
    tags: certificate.tags,
  };
}
