import forge from 'node-forge';
import { parse as parseYaml } from 'yaml';

import { PFX_CONTENT_TYPE } from '../pkcs12.js';
import type { EmulatorState } from '../state.js';
import { canRead, checkClientFirewall } from '../vault-access.js';
import { isRecord, type KubeObject, type KubernetesCluster } from './cluster.js';

/** MountedFile is one file the provider writes into the pod's volume. */
export interface MountedFile {
  readonly content: string;
  readonly objectName: string;
  readonly version: string;
}

/** MountResult is the files of a SecretProviderClass, or the provider's error text. */
export type MountResult =
  | { readonly ok: true; readonly files: ReadonlyMap<string, MountedFile> }
  | { readonly ok: false; readonly error: string };

const CLOUDS = new Set([
  '',
  'AzurePublicCloud',
  'AzureUSGovernmentCloud',
  'AzureChinaCloud',
  'AzureGermanCloud',
  'AzureStackCloud',
]);

/**
 * fetchObjects does what the Azure provider does on a mount: read the SecretProviderClass'
 * parameters (exact key spellings only), pick the identity (the node's user-assigned identity by
 * `userAssignedIdentityID`, or a workload identity by `clientID` federated with the pod's
 * ServiceAccount), and read every object from the emulator's Key Vault as that identity.
 */
export function fetchObjects(
  state: EmulatorState,
  cluster: KubernetesCluster,
  pod: KubeObject,
  spc: KubeObject,
): MountResult {
  const spec = isRecord(spc['spec']) ? spc['spec'] : {};
  const parameters = isRecord(spec['parameters']) ? spec['parameters'] : {};
  const param = (key: string): string =>
    typeof parameters[key] === 'string' ? parameters[key] : '';
  const identity = pickIdentity(cluster, pod, param);
  if (typeof identity === 'string') return { ok: false, error: identity };

  const vaultName = param('keyvaultName');
  if (vaultName === '') return { ok: false, error: 'keyvaultName is not set' };
  const tenant = param('tenantID') || param('tenantId');
  if (tenant === '') return { ok: false, error: 'tenantId is not set' };
  if (!CLOUDS.has(param('cloudName'))) {
    return { ok: false, error: `cloudName ${param('cloudName')} is not valid` };
  }
  if (tenant.toLowerCase() !== state.tenantId.toLowerCase()) {
    return {
      ok: false,
      error: `AADSTS90002: Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID.`,
    };
  }
  const vault = state.vaults.get(vaultName.toLowerCase());
  if (!vault) {
    return { ok: false, error: `dial tcp: lookup ${vaultName}.vault.azure.net: no such host` };
  }
  let entries: Record<string, unknown>[];
  try {
    entries = parseObjects(param('objects'));
  } catch (error) {
    return { ok: false, error: `failed to unmarshal objects: ${String(error)}` };
  }
  const files = new Map<string, MountedFile>();
  for (const entry of entries) {
    const name = typeof entry['objectName'] === 'string' ? entry['objectName'] : '';
    const type = typeof entry['objectType'] === 'string' ? entry['objectType'] : '';
    const wanted = typeof entry['objectVersion'] === 'string' ? entry['objectVersion'] : '';
    const alias = typeof entry['objectAlias'] === 'string' ? entry['objectAlias'] : '';
    const what = `objectType:${type}, objectName:${name}, objectVersion:${wanted}`;
    if (type !== 'secret' && type !== 'cert') {
      return {
        ok: false,
        error: `failed to get objectType:${type}: the emulator serves secret and cert`,
      };
    }
    const kind = type === 'secret' ? 'secrets' : 'certificates';
    const url = `GET ${vault.uri}${kind}/${name}/${wanted}`;
    const firewall = checkClientFirewall(vault, '127.0.0.1');
    if (!firewall.allowed) {
      return {
        ok: false,
        error: `failed to get ${what}: ${url}\nRESPONSE 403: 403 Forbidden\nERROR CODE: Forbidden (ForbiddenByFirewall: ${firewall.reason})`,
      };
    }
    if (!canRead(state, vault, identity.principalId, kind, name)) {
      return {
        ok: false,
        error: `failed to get ${what}: ${url}\nRESPONSE 403: 403 Forbidden\nERROR CODE: Forbidden (${vault.enableRbacAuthorization ? 'ForbiddenByRbac' : 'AccessDenied'}: the identity with client id ${identity.clientId} may not ${kind === 'secrets' ? 'get secrets' : 'get certificates'} in '${vault.name}')`,
      };
    }
    const certificate = vault.certificates.get(name.toLowerCase());
    const version =
      wanted === ''
        ? certificate?.versions.at(-1)
        : certificate?.versions.find((v) => v.version === wanted);
    if (!certificate || !version) {
      return {
        ok: false,
        error: `failed to get ${what}: ${url}\nRESPONSE 404: 404 Not Found\nERROR CODE: ${type === 'secret' ? 'SecretNotFound' : 'CertificateNotFound'}`,
      };
    }
    if (type === 'secret' && !version.enabled) {
      return {
        ok: false,
        error: `failed to get ${what}: ${url}\nRESPONSE 403: 403 Forbidden\nERROR CODE: Forbidden (SecretDisabled)`,
      };
    }
    const content =
      type === 'cert'
        ? derToPem(version.der)
        : version.contentType === PFX_CONTENT_TYPE
          ? pfxToPem(version.secretValue)
          : version.secretValue;
    files.set(alias || name, { content, objectName: name, version: version.version });
  }
  return { ok: true, files };
}

function pickIdentity(
  cluster: KubernetesCluster,
  pod: KubeObject,
  param: (key: string) => string,
): { clientId: string; principalId: string } | string {
  if (param('usePodIdentity') === 'true') {
    return 'aad-pod-identity is not modelled by the emulator (and is deprecated upstream)';
  }
  if (param('useVMManagedIdentity') === 'true') {
    // The provider reads only `userAssignedIdentityID`; any other spelling is ignored.
    const clientId = param('userAssignedIdentityID');
    const imds = (description: string): string =>
      `failed to acquire a token from IMDS: {"error":"invalid_request","error_description":"${description}"}`;
    if (clientId === '') {
      if (cluster.nodeIdentities.length > 1) {
        return imds(
          'Multiple user assigned identities exist, please specify the clientId / resourceId of the identity in the token request',
        );
      }
      return cluster.nodeIdentities[0] ?? imds('Identity not found');
    }
    const found = cluster.nodeIdentities.find(
      (n) => n.clientId.toLowerCase() === clientId.toLowerCase(),
    );
    return found ?? imds('Identity not found');
  }
  const clientId = param('clientID');
  if (clientId !== '') {
    const spec = isRecord(pod['spec']) ? pod['spec'] : {};
    const account =
      typeof spec['serviceAccountName'] === 'string' ? spec['serviceAccountName'] : 'default';
    const namespace = pod.metadata.namespace ?? 'default';
    const subject = `system:serviceaccount:${namespace}:${account}`;
    const found = cluster.workloadIdentities.find(
      (w) =>
        w.clientId.toLowerCase() === clientId.toLowerCase() &&
        w.namespace === namespace &&
        w.serviceAccount === account,
    );
    return (
      found ??
      `AADSTS70021: No matching federated identity record found for presented assertion. Assertion Issuer: '${cluster.oidcIssuer}'. Assertion Subject: '${subject}'. Assertion Audience: 'api://AzureADTokenExchange'.`
    );
  }
  return 'failed to get credentials, nodePublishSecretRef secret is not set';
}

function parseObjects(text: string): Record<string, unknown>[] {
  const parsed: unknown = parseYaml(text);
  const array = isRecord(parsed) ? parsed['array'] : undefined;
  if (!Array.isArray(array)) return [];
  return array.map((item) => {
    const entry: unknown = typeof item === 'string' ? parseYaml(item) : item;
    return isRecord(entry) ? entry : {};
  });
}

function derToPem(der: Buffer): string {
  const body = der
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`;
}

function pfxToPem(value: string): string {
  const bytes = Buffer.from(value, 'base64').toString('binary');
  // forge accepts null for "no password", which its typings do not declare.
  const noPassword = null as unknown as string;
  const pfx = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(bytes), false, noPassword);
  const keyBags = [
    ...(pfx.getBags({ bagType: forge.pki.oids.keyBag ?? '' })[forge.pki.oids.keyBag ?? ''] ?? []),
    ...(pfx.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag ?? '' })[
      forge.pki.oids.pkcs8ShroudedKeyBag ?? ''
    ] ?? []),
  ];
  const certBag = forge.pki.oids.certBag ?? '';
  const certs = pfx.getBags({ bagType: certBag })[certBag] ?? [];
  const key = keyBags.find((bag) => bag.key !== undefined)?.key;
  return (
    (key ? forge.pki.privateKeyToPem(key) : '') +
    certs.map((bag) => (bag.cert ? forge.pki.certificateToPem(bag.cert) : '')).join('')
  );
}

/** pemBlocks returns the PEM blocks of a text with the given label (e.g. CERTIFICATE). */
export function pemBlocks(text: string, label: RegExp): string[] {
  return [...text.matchAll(/-----BEGIN ([A-Z ]+)-----[\s\S]*?-----END \1-----\r?\n?/g)]
    .filter((m) => label.test(m[1] ?? ''))
    .map((m) => (m[0].endsWith('\n') ? m[0] : `${m[0]}\n`));
}
