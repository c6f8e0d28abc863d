import type { CloudName } from './cloud.js';
import { InputError } from './errors.js';
import type {
  AppServiceOptions,
  BindOptions,
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

function parseCertificateName(read: InputReader): string {
  const value = readRequired(read, 'certificate', 'the name of the certificate in Key Vault');
  if (!KEY_VAULT_OBJECT.test(value)) {
    throw new InputError(
      'certificate',
      `is '${value}'; Key Vault names allow only letters, digits and hyphens ` +
        `(1-127, ^[0-9A-Za-z-]+$). Did you mean '${suggestObjectName(value)}'?`,
    );
  }
  return value;
}

function parseHostnames(read: InputReader): string[] | undefined {
  const hostnames = readList(read, 'hostnames').map((host) => host.toLowerCase());
  for (const host of hostnames) {
    if (host.startsWith('*.')) {
      throw new InputError(
        'hostnames',
        `contains '${host}', a wildcard; a binding needs a real hostname of the app ` +
          `(for example 'www.${host.slice(2)}'). Leave hostnames empty to bind every ` +
          'hostname of the app that the certificate covers.',
      );
    }
    const labels = host.replace(/\.$/, '').split('.');
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
    appServicePrincipalObjectId: readGuid(
      read,
      'app-service-principal-object-id',
      "the object id of the App Service resource provider's service principal",
    ),
  };
}

/**
 * parseBindOptions reads and checks every input of the step, including the rules that span
 * inputs, so that bad input fails before any request is sent.
 */
export function parseBindOptions(read: InputReader): BindOptions {
  const target = readChoice<Target | 'application-gateway' | 'kubernetes'>(read, 'target', [
    'app-service',
    'application-gateway',
    'kubernetes',
  ]);
  if (target !== 'app-service') {
    throw new InputError(
      'target',
      `is '${target}', which this version does not support yet; use app-service.`,
    );
  }
  const mode = readChoice<Mode>(read, 'mode', ['apply', 'plan']);
  const subscriptionId = readGuid(read, 'subscription-id', 'the subscription id');
  if (!subscriptionId) {
    throw new InputError('subscription-id', "is required: the id of the target's subscription.");
  }
  const common: CommonOptions = {
    mode,
    subscriptionId,
    keyVault: parseKeyVault(read),
    certificate: parseCertificateName(read),
    grantAccess: readBoolean(read, 'grant-access'),
    cloud: parseCloud(read),
  };

  return { ...common, target, appService: parseAppService(read) };
}
