import type { CloudName } from './cloud.js';
import { InputError } from './errors.js';
import type {
  AppServiceOptions,
  BindOptions,
  GatewayOptions,
  KubernetesOptions,
  CloudOptions,
  CommonOptions,
  KeyVaultReference,
  Mode,
  Target,
} from './options.js';
import { parseResourceId } from './resource-id.js';

/**
 * InputReader returns the trimmed value of an input by its kebab-case name, or '' when unset.
 * Defaults come from `action.yml` or `task.json`, never from here.
 */
export type InputReader = (name: string) => string;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const RESOURCE_GROUP = /^[-\w.()]{1,89}[-\w()]$|^[-\w()]$/;
const RESOURCE_GROUP_RULE = "a resource group name (1-90 letters, digits, '-', '_', '.', '(', ')')";
const APP_NAME = /^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$/i;
const VAULT_NAME = /^[a-z][a-z0-9-]{1,22}[a-z0-9]$/i;
const KEY_VAULT_OBJECT = /^[0-9a-z-]{1,127}$/i;
const DNS_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/i;
const GATEWAY_CHILD = /^[a-z0-9](?:[a-z0-9_.-]{0,78}[a-z0-9_])?$/i;
const IDENTITY_NAME = /^[a-z0-9][a-z0-9_-]{2,127}$/i;
const DURATION = /^(\d+)\s*(ms|s|m|h)?$/i;
const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** readRequired returns a non-empty input or names it as missing. */
function readRequired(read: InputReader, name: string, what: string): string {
  const value = read(name);
  if (!value) throw new InputError(name, `is required: ${what}.`);
  return value;
}

/** readChoice returns an input that must be one of `choices`. */
function readChoice<T extends string>(read: InputReader, name: string, choices: readonly T[]): T {
  const value = read(name);
  const match = choices.find((choice) => choice.toLowerCase() === value.toLowerCase());
  if (!match) {
    const got = value ? `'${value}'` : 'empty';
    throw new InputError(name, `is ${got}; use one of: ${choices.join(', ')}.`);
  }
  return match;
}

/**
 * readBoolean accepts the YAML 1.2 core-schema spellings, as `@actions/core` does; anything else
 * is an error rather than a silent false.
 */
export function readBoolean(read: InputReader, name: string): boolean {
  const value = read(name);
  if (['true', 'True', 'TRUE'].includes(value)) return true;
  if (['false', 'False', 'FALSE'].includes(value)) return false;
  throw new InputError(name, `is '${value}'; use true or false.`);
}

/** readGuid returns an optional GUID input, or undefined when unset. */
export function readGuid(read: InputReader, name: string, what: string): string | undefined {
  const value = read(name);
  if (!value) return undefined;
  if (!GUID.test(value)) throw new InputError(name, `is '${value}'; it must be ${what} (a GUID).`);
  return value.toLowerCase();
}

/** readList splits a list input on new lines and commas, dropping blanks and duplicates. */
export function readList(read: InputReader, name: string): string[] {
  const items = read(name)
    .split(/[\n,]/)
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
  return [...new Set(items)];
}

function readHttpsUrl(read: InputReader, name: string): string {
  const value = readRequired(read, name, `an https:// URL, needed when environment is 'custom'`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InputError(name, `is '${value}', which is not a URL; give an https:// URL.`);
  }
  if (url.protocol !== 'https:') {
    throw new InputError(name, `is '${value}'; Azure endpoints must use https://.`);
  }
  return value.replace(/\/+$/, '');
}

function parseCloud(read: InputReader): CloudOptions {
  const names: readonly CloudName[] = [
    'AzureCloud',
    'AzureUSGovernment',
    'AzureChinaCloud',
    'custom',
  ];
  const name = readChoice(read, 'environment', names);
  if (name !== 'custom') {
    for (const input of ['resource-manager-endpoint', 'authority-host']) {
      if (read(input)) {
        throw new InputError(
          input,
          `is set, but environment is '${name}'; set environment: custom.`,
        );
      }
    }
    return { name };
  }
  return {
    name,
    resourceManagerEndpoint: readHttpsUrl(read, 'resource-manager-endpoint'),
    authorityHost: readHttpsUrl(read, 'authority-host'),
  };
}

/**
 * parseKeyVault classifies the `key-vault` input as a vault name, a vault resource id or a vault
 * URI, rejecting URLs of objects inside a vault (a certificate or secret URL) with the fix.
 */
export function parseKeyVault(read: InputReader): KeyVaultReference {
  const value = readRequired(read, 'key-vault', 'the vault name, resource id or URI');

  if (value.startsWith('/')) {
    const id = parseResourceId(value);
    if (!id || id.provider !== 'microsoft.keyvault/vaults' || id.childPath.length > 0) {
      throw new InputError(
        'key-vault',
        `is '${value}', which is not a vault resource id; expected ` +
          '/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.KeyVault/vaults/<name>.',
      );
    }
    return { kind: 'resource-id', id: id.id };
  }

  if (/^[a-z]+:\/\//i.test(value)) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new InputError('key-vault', `is '${value}', which is not a valid URI.`);
    }
    if (url.protocol !== 'https:') {
      throw new InputError('key-vault', `is '${value}'; a vault URI starts with https://.`);
    }
    if (url.pathname !== '/' && url.pathname !== '') {
      throw new InputError(
        'key-vault',
        `is '${value}', a URL inside the vault; give the vault URI (${url.origin}/) ` +
          "and put the certificate's name in the 'certificate' input.",
      );
    }
    return { kind: 'uri', uri: `${url.origin}/` };
  }

  if (!VAULT_NAME.test(value) || value.includes('--')) {
    throw new InputError(
      'key-vault',
      `is '${value}', which is not a vault name (3-24 letters, digits and single hyphens, ` +
        'starting with a letter), a resource id or a https:// URI.',
    );
  }
  return { kind: 'name', name: value };
}

/** suggestObjectName turns a free-form name into one Key Vault allows, for error messages. */
export function suggestObjectName(value: string): string {
  const slug = value
    .replace(/^\*\./, 'wildcard.')
    .replace(/[^0-9a-z-]+/gi, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
  return slug.slice(0, 127) || 'certificate';
}

/** CertificateReference is the `certificate` input: a name, or a Key Vault object URL. */
interface CertificateReference {
  readonly name: string;
  /** vaultUri is the vault of a URL given as `certificate`. */
  readonly vaultUri: string | undefined;
  /** version is the version a URL named; the step always binds the versionless reference. */
  readonly version: string | undefined;
  /** names are every certificate named (several only for a gateway). */
  readonly names: readonly string[];
}

function checkObjectName(value: string): string {
  if (!KEY_VAULT_OBJECT.test(value)) {
    throw new InputError(
      'certificate',
      `is '${value}'; Key Vault names allow only letters, digits and hyphens ` +
        `(1-127, ^[0-9A-Za-z-]+$). Did you mean '${suggestObjectName(value)}'?`,
    );
  }
  return value;
}

/**
 * parseCertificate reads the `certificate` input: a bare name, or a certificate or secret URL,
 * versioned or not (`https://kv1.vault.azure.net/certificates/cert1/<version>`), which is
 * normalised to its vault and name.
 */
function parseCertificate(read: InputReader): CertificateReference {
  const value = readRequired(read, 'certificate', 'the name of the certificate in Key Vault');
  // Key Vault object names are case-insensitive: 'www' and 'WWW' are one certificate.
  const names = readList(read, 'certificate').filter(
    (name, index, all) =>
      all.findIndex((other) => other.toLowerCase() === name.toLowerCase()) === index,
  );
  if (names.length > 1) {
    // Several certificates (for one gateway PUT) are given by name, all in `key-vault`.
    for (const name of names) checkObjectName(name);
    return { name: names[0] ?? '', vaultUri: undefined, version: undefined, names };
  }
  if (!/^https?:\/\//i.test(value)) {
    const name = checkObjectName(value);
    return { name, vaultUri: undefined, version: undefined, names: [name] };
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InputError('certificate', `is '${value}', which is not a valid URL.`);
  }
  const [collection, name, version, ...rest] = url.pathname.split('/').filter(Boolean);
  if (
    url.protocol !== 'https:' ||
    !name ||
    rest.length > 0 ||
    !['certificates', 'secrets'].includes((collection ?? '').toLowerCase())
  ) {
    throw new InputError(
      'certificate',
      `is '${value}'; give the certificate's name, or its Key Vault URL ` +
        '(https://<vault>/certificates/<name> or https://<vault>/secrets/<name>).',
    );
  }
  const checked = checkObjectName(name);
  return { name: checked, vaultUri: `${url.origin}/`, version, names: [checked] };
}

/** parseVaultAndCertificate reads `key-vault` and `certificate`, which must agree. */
function parseVaultAndCertificate(read: InputReader): {
  keyVault: KeyVaultReference;
  certificate: CertificateReference;
} {
  const certificate = parseCertificate(read);
  if (!read('key-vault') && certificate.vaultUri) {
    return { keyVault: { kind: 'uri', uri: certificate.vaultUri }, certificate };
  }
  const keyVault = parseKeyVault(read);
  if (
    certificate.vaultUri &&
    keyVault.kind === 'uri' &&
    keyVault.uri.toLowerCase() !== certificate.vaultUri.toLowerCase()
  ) {
    throw new InputError(
      'certificate',
      `is a URL in vault ${certificate.vaultUri}, but key-vault is ${keyVault.uri}; ` +
        'give one vault, or leave key-vault empty.',
    );
  }
  return { keyVault, certificate };
}

function parseHostnames(read: InputReader): string[] | undefined {
  // DNS names are case-insensitive and may carry the root's trailing dot: normalise both away
  // before removing duplicates, so that the app's hostNames compare equal.
  const hostnames = [
    ...new Set(readList(read, 'hostnames').map((host) => host.toLowerCase().replace(/\.$/, ''))),
  ];
  for (const host of hostnames) {
    const labels = host.replace(/^\*\./, 'wildcard.').split('.');
    if (host.length > 253 || labels.length < 2 || !labels.every((l) => DNS_LABEL.test(l))) {
      throw new InputError('hostnames', `contains '${host}', which is not a DNS hostname.`);
    }
  }
  return hostnames.length > 0 ? hostnames : undefined;
}

function parseName(read: InputReader, name: string, pattern: RegExp, rule: string): string {
  const value = readRequired(read, name, rule);
  if (!pattern.test(value)) throw new InputError(name, `is '${value}'; it must be ${rule}.`);
  return value;
}

// The App Service resource provider's application ids (public and US Government clouds).
const APP_SERVICE_APP_IDS = [
  'abfa0a7c-a6b6-4736-8310-5855508787cd',
  '6a02c803-dafd-4136-b4c3-5a6f318b4714',
];

function parseServicePrincipalObjectId(read: InputReader): string | undefined {
  const name = 'app-service-principal-object-id';
  const value = readGuid(
    read,
    name,
    "the object id of the App Service resource provider's service principal",
  );
  if (value && APP_SERVICE_APP_IDS.includes(value)) {
    throw new InputError(
      name,
      `is ${value}, the App Service application id, not the object id of its service ` +
        `principal in your tenant; get that with 'az ad sp show --id ${value} --query id -o tsv'.`,
    );
  }
  return value;
}

function parseAppService(read: InputReader): AppServiceOptions {
  return {
    resourceGroup: parseName(read, 'resource-group', RESOURCE_GROUP, RESOURCE_GROUP_RULE),
    appName: parseName(
      read,
      'app-name',
      APP_NAME,
      'the App Service app name (2-60 letters, digits, hyphens)',
    ),
    slot: read('slot') ? parseName(read, 'slot', APP_NAME, 'a deployment slot name') : undefined,
    hostnames: parseHostnames(read),
    appIdentity: readChoice(read, 'app-identity', ['system', 'none'] as const),
    appServicePrincipalObjectId: parseServicePrincipalObjectId(read),
  };
}

/** readDuration reads a duration such as `90s`, `10m` or `600` (seconds). */
export function readDuration(read: InputReader, name: string): number {
  const value = read(name);
  const match = DURATION.exec(value);
  if (!match) {
    throw new InputError(name, `is '${value}'; give a duration such as 90s, 10m or 1h.`);
  }
  const milliseconds = Number(match[1]) * (DURATION_UNITS[(match[2] ?? 's').toLowerCase()] ?? 1000);
  if (milliseconds < 1000) {
    throw new InputError(name, `is '${value}'; give at least 1s.`);
  }
  if (milliseconds > 6 * 3_600_000) {
    throw new InputError(name, `is '${value}'; the longest wait allowed is 6h.`);
  }
  return milliseconds;
}

function parseGatewayIdentity(read: InputReader): string | undefined {
  const value = read('gateway-identity');
  if (!value) return undefined;
  if (value.startsWith('/')) {
    const id = parseResourceId(value);
    if (!id || id.provider !== 'microsoft.managedidentity/userassignedidentities') {
      throw new InputError(
        'gateway-identity',
        `is '${value}', which is not a user-assigned identity's resource id ` +
          '(/subscriptions/…/providers/Microsoft.ManagedIdentity/userAssignedIdentities/<name>).',
      );
    }
    return id.id;
  }
  if (!IDENTITY_NAME.test(value)) {
    throw new InputError(
      'gateway-identity',
      `is '${value}'; give a user-assigned identity's resource id, or its name (3-128 letters, ` +
        "digits, '-' and '_') in the gateway's resource group.",
    );
  }
  return value;
}

function parseGateway(read: InputReader, certificates: readonly string[]): GatewayOptions {
  if (certificates.length > 1) {
    for (const input of ['ssl-certificate-name', 'listeners']) {
      if (read(input)) {
        throw new InputError(
          input,
          `is set, but 'certificate' names ${certificates.length} certificates; give one ` +
            'certificate per step to name its entry or attach listeners.',
        );
      }
    }
  }
  const sslCertificateName = read('ssl-certificate-name') || certificates[0] || '';
  if (!GATEWAY_CHILD.test(sslCertificateName)) {
    throw new InputError(
      'ssl-certificate-name',
      `is '${sslCertificateName}'; a gateway certificate name has 1-80 letters, digits, '.', ` +
        "'-' and '_', and starts with a letter or digit.",
    );
  }
  const listeners = readList(read, 'listeners');
  for (const listener of listeners) {
    if (!GATEWAY_CHILD.test(listener)) {
      throw new InputError('listeners', `contains '${listener}', which is not a listener name.`);
    }
  }
  return {
    resourceGroup: parseName(read, 'resource-group', RESOURCE_GROUP, RESOURCE_GROUP_RULE),
    gatewayName: parseName(
      read,
      'gateway-name',
      GATEWAY_CHILD,
      "the Application Gateway name (1-80 letters, digits, '.', '-', '_')",
    ),
    entries: certificates.map((certificate, index) => {
      if (index > 0 && !GATEWAY_CHILD.test(certificate)) {
        throw new InputError(
          'certificate',
          `names '${certificate}', which is not a valid gateway certificate name (1-80 letters, ` +
            "digits, '.', '-', '_'); give it its own step with 'ssl-certificate-name'.",
        );
      }
      return {
        certificate,
        sslCertificateName: index === 0 ? sslCertificateName : certificate,
      };
    }),
    listeners,
    gatewayIdentity: parseGatewayIdentity(read),
    propagationTimeoutMs: readDuration(read, 'propagation-timeout'),
  };
}

const DNS_1123_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

function parseKubernetes(read: InputReader): KubernetesOptions {
  const namespace = parseName(
    read,
    'namespace',
    DNS_1123_LABEL,
    "the ingress controller's namespace (a DNS-1123 label: lower-case letters, digits, '-')",
  );
  const secretName = read('secret-name') || undefined;
  if (secretName && !DNS_1123_LABEL.test(secretName)) {
    throw new InputError(
      'secret-name',
      `is '${secretName}'; a Secret name here is a DNS-1123 label (lower-case letters, digits ` +
        "and '-', at most 63 characters, starting and ending with a letter or digit).",
    );
  }
  const identity = readRequired(
    read,
    'identity-client-id',
    "the client id of the kubelet identity or workload identity that reads Key Vault (or a user-assigned identity's resource id)",
  );
  if (identity.startsWith('/')) {
    const id = parseResourceId(identity);
    if (!id || id.provider !== 'microsoft.managedidentity/userassignedidentities') {
      throw new InputError(
        'identity-client-id',
        `is '${identity}', which is neither a client id (GUID) nor a user-assigned identity's ` +
          'resource id.',
      );
    }
  } else if (!GUID.test(identity)) {
    throw new InputError(
      'identity-client-id',
      `is '${identity}'; give the identity's client id (a GUID, not its object id or name) or ` +
        'its resource id. For the kubelet identity: az aks show --query identityProfile.kubeletidentity.clientId.',
    );
  }
  const outputDir = read('output-dir') || undefined;
  const apply = readBoolean(read, 'apply');
  if (!apply && !outputDir) {
    throw new InputError(
      'output-dir',
      "is required when 'apply' is false: the step then only renders the manifests, into this folder.",
    );
  }
  return {
    namespace,
    ingressController: readChoice(read, 'ingress-controller', ['traefik', 'nginx'] as const),
    secretName,
    identityClientId: identity.startsWith('/') ? identity : identity.toLowerCase(),
    identityType: readChoice(read, 'identity-type', ['kubelet', 'workload'] as const),
    outputDir,
    apply,
    setDefault: readBoolean(read, 'set-default'),
    adopt: readBoolean(read, 'adopt'),
    waitTimeoutMs: readDuration(read, 'wait-timeout'),
  };
}

/**
 * rejectForeignInputs fails when an input that belongs to another target is set, so that a
 * copy-pasted step does not silently ignore what the user meant.
 */
function rejectForeignInputs(read: InputReader, target: Target, foreign: Record<string, Target>) {
  for (const [input, owner] of Object.entries(foreign)) {
    if (owner !== target && read(input)) {
      throw new InputError(input, `applies to target '${owner}', but target is '${target}'.`);
    }
  }
}

/** Inputs without a default that only one target reads. */
const TARGET_INPUTS: Record<string, Target> = {
  'app-name': 'app-service',
  slot: 'app-service',
  hostnames: 'app-service',
  'app-service-principal-object-id': 'app-service',
  'gateway-name': 'application-gateway',
  'ssl-certificate-name': 'application-gateway',
  listeners: 'application-gateway',
  'gateway-identity': 'application-gateway',
  namespace: 'kubernetes',
  'ingress-controller': 'kubernetes',
  'secret-name': 'kubernetes',
  'identity-client-id': 'kubernetes',
  'output-dir': 'kubernetes',
};

/**
 * parseBindOptions reads and checks every input of the step, including the rules that span
 * inputs, so that bad input fails before any request is sent.
 */
export function parseBindOptions(read: InputReader): BindOptions {
  const target = readChoice<Target>(read, 'target', [
    'app-service',
    'application-gateway',
    'kubernetes',
  ]);
  rejectForeignInputs(read, target, TARGET_INPUTS);
  const mode = readChoice<Mode>(read, 'mode', ['apply', 'plan']);
  const subscriptionId = readGuid(read, 'subscription-id', 'the subscription id');
  if (!subscriptionId) {
    throw new InputError('subscription-id', "is required: the id of the target's subscription.");
  }
  const vaultAndCertificate = parseVaultAndCertificate(read);
  const common: CommonOptions = {
    mode,
    subscriptionId,
    keyVault: vaultAndCertificate.keyVault,
    certificate: vaultAndCertificate.certificate.name,
    certificateVersion: vaultAndCertificate.certificate.version,
    grantAccess: readBoolean(read, 'grant-access'),
    cloud: parseCloud(read),
  };

  const { names } = vaultAndCertificate.certificate;
  if (target === 'app-service' && names.length > 1) {
    throw new InputError(
      'certificate',
      `names ${names.length} certificates; an App Service step binds one. Use one step per ` +
        'certificate (several certificates in one step are for a gateway).',
    );
  }
  if (target === 'kubernetes' && names.length > 1) {
    throw new InputError(
      'certificate',
      `names ${names.length} certificates; a Kubernetes step syncs one Secret. Use one step ` +
        'per certificate.',
    );
  }
  switch (target) {
    case 'app-service':
      return { ...common, target, appService: parseAppService(read) };
    case 'application-gateway':
      return { ...common, target, gateway: parseGateway(read, names) };
    case 'kubernetes':
      return { ...common, target, kubernetes: parseKubernetes(read) };
  }
}
