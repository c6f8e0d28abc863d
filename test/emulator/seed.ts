import { readFile } from 'node:fs/promises';

import { validateAzureDevOpsSeed, type SeedAzureDevOps } from './azure-devops-oidc.js';
import { GUID_PATTERN } from './guid.js';
import { validateKubernetesSeed, type SeedKubernetes } from './kubernetes/seed.js';

/** SeedFederatedCredential lets a client exchange an external OIDC token for an Entra token. */
export interface SeedFederatedCredential {
  readonly issuer: string;
  readonly subject: string;
  readonly audiences: readonly string[];
}

/** SeedClient is an application registration with a service principal that can get tokens. */
export interface SeedClient {
  readonly clientId: string;
  readonly clientSecret?: string;
  /** The service principal's object id; derived from the client id when absent. */
  readonly objectId?: string;
  readonly displayName?: string;
  readonly federatedCredentials?: readonly SeedFederatedCredential[];
  /** PEM certificates registered on the application, for certificate-signed client assertions. */
  readonly certificates?: readonly string[];
  /** When true, Microsoft Graph answers this client's service-principal lookups with 403. */
  readonly graphDenied?: boolean;
}

/** SeedServicePrincipal is a principal in the tenant that does not sign in (e.g. the App Service RP). */
export interface SeedServicePrincipal {
  readonly appId: string;
  readonly objectId?: string;
  readonly displayName?: string;
}

/** SeedAccessPolicy is one Key Vault access-policy entry. */
export interface SeedAccessPolicy {
  readonly objectId: string;
  readonly tenantId?: string;
  readonly applicationId?: string;
  readonly permissions: {
    readonly keys?: readonly string[];
    readonly secrets?: readonly string[];
    readonly certificates?: readonly string[];
    readonly storage?: readonly string[];
  };
}

/** SeedNetworkAcls is a vault firewall; `ipRules` take plain addresses or CIDR ranges. */
export interface SeedNetworkAcls {
  readonly defaultAction: 'Allow' | 'Deny';
  readonly bypass?: 'AzureServices' | 'None';
  readonly ipRules?: readonly string[];
  readonly virtualNetworkRules?: readonly string[];
}

/** SeedCertificate is a Key Vault certificate the emulator generates as real X.509. */
export interface SeedCertificate {
  readonly name: string;
  /** Distinguished name or bare common name; defaults to `CN=` + the first DNS name. */
  readonly subject?: string;
  readonly dnsNames: readonly string[];
  readonly validFromDaysAgo?: number;
  readonly validDays?: number;
  /** Explicit validity (ISO 8601); overrides the day counts. */
  readonly notBefore?: string;
  readonly notAfter?: string;
  readonly contentType?: 'application/x-pkcs12' | 'application/x-pem-file';
  readonly exportable?: boolean;
  readonly enabled?: boolean;
  /** `self` (default) signs the certificate with its own key; `ca` uses the emulator's issuing CA. */
  readonly issuer?: 'self' | 'ca';
  /** How many versions to create (default 1); older versions have older validity. */
  readonly versions?: number;
  readonly tags?: Readonly<Record<string, string>>;
}

/** SeedVault is a Key Vault, in the management plane and with its own data-plane listener. */
export interface SeedVault {
  /** Defaults to the first subscription. */
  readonly subscriptionId?: string;
  readonly resourceGroup: string;
  readonly name: string;
  readonly location: string;
  readonly enableRbacAuthorization?: boolean;
  readonly accessPolicies?: readonly SeedAccessPolicy[];
  readonly networkAcls?: SeedNetworkAcls;
  readonly publicNetworkAccess?: 'Enabled' | 'Disabled';
  readonly certificates?: readonly SeedCertificate[];
}

/** SeedServerFarm is an App Service plan; its resource group and region form the webspace. */
export interface SeedServerFarm {
  readonly subscriptionId?: string;
  readonly resourceGroup: string;
  readonly name: string;
  readonly location: string;
  readonly sku?: string;
}

/** SeedIdentity is a site's managed identity at start. */
export interface SeedIdentity {
  readonly type: 'None' | 'SystemAssigned' | 'UserAssigned' | 'SystemAssigned, UserAssigned';
  readonly principalId?: string;
  /** Resource ids of user-assigned identities. */
  readonly userAssignedIdentities?: readonly string[];
}

/** SeedSlot is a deployment slot of a site. */
export interface SeedSlot {
  readonly name: string;
  readonly hostNames?: readonly string[];
  readonly identity?: SeedIdentity;
}

/** SeedSite is a web app. */
export interface SeedSite {
  readonly subscriptionId?: string;
  readonly resourceGroup: string;
  readonly name: string;
  readonly location: string;
  /** The plan's resource id. */
  readonly serverFarm: string;
  /** Defaults to `{name}.azurewebsites.net`; the default host is always added. */
  readonly hostNames?: readonly string[];
  readonly identity?: SeedIdentity;
  readonly slots?: readonly SeedSlot[];
}

/** SeedWebCertificate is a Microsoft.Web/certificates resource imported before the run. */
export interface SeedWebCertificate {
  readonly subscriptionId?: string;
  readonly resourceGroup: string;
  readonly name: string;
  readonly location: string;
  readonly serverFarm: string;
  /** Vault name and certificate name in the seed; the current version is imported. */
  readonly vault: string;
  readonly certificate: string;
  /** Hosts to bind with SNI at start: `site/host` or `site/slot/host`. */
  readonly bindings?: readonly string[];
}

/** SeedRoleAssignment is an Azure RBAC assignment present at start. */
export interface SeedRoleAssignment {
  readonly name?: string;
  readonly scope: string;
  /** A built-in role's GUID or its full role definition id. */
  readonly roleDefinitionId: string;
  readonly principalId: string;
}

/** SeedUserAssignedIdentity is a Microsoft.ManagedIdentity/userAssignedIdentities resource. */
export interface SeedUserAssignedIdentity {
  readonly subscriptionId?: string;
  readonly resourceGroup: string;
  readonly name: string;
  readonly location: string;
  /** Derived from the resource id when absent (the same GUIDs a site's identity gets). */
  readonly principalId?: string;
  readonly clientId?: string;
  readonly tags?: Readonly<Record<string, string>>;
}

/** SeedGatewayCertificate is an sslCertificates entry that references a seeded vault certificate. */
export interface SeedGatewayCertificate {
  readonly name: string;
  readonly vault: string;
  /** The certificate (= secret) name in that vault. */
  readonly secret: string;
  /** Absent: a versionless reference; `current`: pinned to the current version; or a version id. */
  readonly version?: string;
}

/** SeedGatewayListener is an HTTPS listener (with its routing rule) on port 443. */
export interface SeedGatewayListener {
  readonly name: string;
  readonly hostName?: string;
  /** The name of an sslCertificates entry. */
  readonly sslCertificate: string;
}

/** SeedApplicationGateway is a v2 Application Gateway with a working default configuration. */
export interface SeedApplicationGateway {
  readonly subscriptionId?: string;
  readonly resourceGroup: string;
  readonly name: string;
  readonly location: string;
  readonly sku?: { readonly name: string; readonly tier: string; readonly capacity?: number };
  /** The gateway subnet's resource id (gatewayIPConfigurations[0].subnet). */
  readonly subnet: string;
  /** Resource id of its one user-assigned identity (must be in `userAssignedIdentities`). */
  readonly identity?: string;
  readonly sslCertificates?: readonly SeedGatewayCertificate[];
  readonly httpsListeners?: readonly SeedGatewayListener[];
  readonly tags?: Readonly<Record<string, string>>;
  /** Vaults its virtual network reaches through a private endpoint (past their firewall). */
  readonly privateEndpointVaults?: readonly string[];
}

/** SeedSettings are the emulator's knobs at start (see EmulatorSettings; all optional). */
export interface SeedSettings {
  readonly gatewayProvisioningMs?: number;
  readonly gatewayIgnoreIfMatch?: boolean;
  readonly gatewayConcurrency?: 'reject-429' | 'reject-409' | 'supersede';
  readonly gatewayRetryAfterSeconds?: number | null;
  readonly rbacPropagationMs?: number;
  readonly principalVisibilityMs?: number;
  readonly principalVisibilityWithTypeMs?: number;
}

/** Seed is the whole initial state of the emulator (see README.md for the format). */
export interface Seed {
  readonly tenantId: string;
  readonly subscriptions: readonly { readonly id: string; readonly displayName?: string }[];
  readonly clients?: readonly SeedClient[];
  readonly servicePrincipals?: readonly SeedServicePrincipal[];
  readonly vaults?: readonly SeedVault[];
  readonly serverFarms?: readonly SeedServerFarm[];
  readonly sites?: readonly SeedSite[];
  readonly webCertificates?: readonly SeedWebCertificate[];
  readonly roleAssignments?: readonly SeedRoleAssignment[];
  readonly userAssignedIdentities?: readonly SeedUserAssignedIdentity[];
  readonly applicationGateways?: readonly SeedApplicationGateway[];
  readonly settings?: SeedSettings;
  readonly azureDevOps?: SeedAzureDevOps;
  /** One emulated Kubernetes cluster (see kubernetes/seed.ts). */
  readonly kubernetes?: SeedKubernetes;
}

/** SeedError reports an invalid seed; the message names the offending field. */
export class SeedError extends Error {
  override readonly name = 'SeedError';
}

/** loadSeed reads a seed file (or takes a seed object) and validates it. */
export async function loadSeed(source: Seed | string): Promise<Seed> {
  if (typeof source !== 'string') {
    validateSeed(source);
    return source;
  }
  let value: unknown;
  try {
    value = JSON.parse(await readFile(source, 'utf8'));
  } catch (error) {
    throw new SeedError(`Failed to read seed '${source}'`, { cause: error });
  }
  validateSeed(value);
  return value;
}

const VAULT_NAME = /^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/;
const OBJECT_NAME = /^[0-9A-Za-z-]{1,127}$/;

/**
 * validateSeed checks the structure and the cross references of a seed, and throws a SeedError
 * that names the first problem.
 */
export function validateSeed(value: unknown): asserts value is Seed {
  const seed = requireObject(value, 'seed');
  requireGuid(seed['tenantId'], 'tenantId');
  const subscriptions = requireArray(seed['subscriptions'], 'subscriptions');
  if (subscriptions.length === 0) {
    throw new SeedError('subscriptions: at least one subscription is required');
  }
  subscriptions.forEach((s, i) =>
    requireGuid(requireObject(s, `subscriptions[${i}]`)['id'], `subscriptions[${i}].id`),
  );
  const subscriptionIds = new Set(
    subscriptions.map((s) => String((s as { id: string }).id).toLowerCase()),
  );
  const checkSubscription = (id: unknown, where: string): void => {
    if (id !== undefined && !subscriptionIds.has(String(id).toLowerCase())) {
      throw new SeedError(`${where}: subscription '${String(id)}' is not in subscriptions`);
    }
  };

  optionalArray(seed['clients'], 'clients').forEach((c, i) => {
    const client = requireObject(c, `clients[${i}]`);
    requireGuid(client['clientId'], `clients[${i}].clientId`);
    if (client['objectId'] !== undefined) requireGuid(client['objectId'], `clients[${i}].objectId`);
    optionalArray(client['federatedCredentials'], `clients[${i}].federatedCredentials`).forEach(
      (f, j) => {
        const where = `clients[${i}].federatedCredentials[${j}]`;
        const fic = requireObject(f, where);
        requireString(fic['issuer'], `${where}.issuer`);
        requireString(fic['subject'], `${where}.subject`);
        requireArray(fic['audiences'], `${where}.audiences`);
      },
    );
    optionalArray(client['certificates'], `clients[${i}].certificates`).forEach((pem, j) => {
      if (!String(pem).includes('-----BEGIN CERTIFICATE-----')) {
        throw new SeedError(`clients[${i}].certificates[${j}]: must be a PEM certificate`);
      }
    });
  });
  validateAzureDevOpsSeed(seed['azureDevOps'], (message) => {
    throw new SeedError(message);
  });
  optionalArray(seed['servicePrincipals'], 'servicePrincipals').forEach((p, i) =>
    requireGuid(
      requireObject(p, `servicePrincipals[${i}]`)['appId'],
      `servicePrincipals[${i}].appId`,
    ),
  );

  const vaultNames = new Map<string, Set<string>>();
  optionalArray(seed['vaults'], 'vaults').forEach((v, i) => {
    const where = `vaults[${i}]`;
    const vault = requireObject(v, where);
    const name = requireString(vault['name'], `${where}.name`);
    if (!VAULT_NAME.test(name)) {
      throw new SeedError(
        `${where}.name: '${name}' is not a valid vault name (3-24 letters, digits, dashes)`,
      );
    }
    requireString(vault['resourceGroup'], `${where}.resourceGroup`);
    requireString(vault['location'], `${where}.location`);
    checkSubscription(vault['subscriptionId'], `${where}.subscriptionId`);
    const certificates = new Set<string>();
    optionalArray(vault['certificates'], `${where}.certificates`).forEach((c, j) => {
      const cw = `${where}.certificates[${j}]`;
      const certificate = requireObject(c, cw);
      const certName = requireString(certificate['name'], `${cw}.name`);
      if (!OBJECT_NAME.test(certName)) {
        throw new SeedError(`${cw}.name: '${certName}' must match ^[0-9A-Za-z-]{1,127}$`);
      }
      const dnsNames = requireArray(certificate['dnsNames'], `${cw}.dnsNames`);
      dnsNames.forEach((d, k) => requireString(d, `${cw}.dnsNames[${k}]`));
      const contentType = certificate['contentType'];
      if (
        contentType !== undefined &&
        contentType !== 'application/x-pkcs12' &&
        contentType !== 'application/x-pem-file'
      ) {
        throw new SeedError(
          `${cw}.contentType: must be application/x-pkcs12 or application/x-pem-file`,
        );
      }
      certificates.add(certName.toLowerCase());
    });
    if (vaultNames.has(name.toLowerCase())) {
      throw new SeedError(`${where}.name: vault '${name}' is seeded twice`);
    }
    vaultNames.set(name.toLowerCase(), certificates);
  });

  optionalArray(seed['serverFarms'], 'serverFarms').forEach((f, i) => {
    const farm = requireObject(f, `serverFarms[${i}]`);
    requireString(farm['name'], `serverFarms[${i}].name`);
    requireString(farm['resourceGroup'], `serverFarms[${i}].resourceGroup`);
    requireString(farm['location'], `serverFarms[${i}].location`);
    checkSubscription(farm['subscriptionId'], `serverFarms[${i}].subscriptionId`);
  });
  optionalArray(seed['sites'], 'sites').forEach((s, i) => {
    const site = requireObject(s, `sites[${i}]`);
    requireString(site['name'], `sites[${i}].name`);
    requireString(site['resourceGroup'], `sites[${i}].resourceGroup`);
    requireString(site['location'], `sites[${i}].location`);
    requireString(site['serverFarm'], `sites[${i}].serverFarm`);
    checkSubscription(site['subscriptionId'], `sites[${i}].subscriptionId`);
  });
  optionalArray(seed['webCertificates'], 'webCertificates').forEach((w, i) => {
    const where = `webCertificates[${i}]`;
    const web = requireObject(w, where);
    requireString(web['name'], `${where}.name`);
    const vault = requireString(web['vault'], `${where}.vault`);
    const certificate = requireString(web['certificate'], `${where}.certificate`);
    if (!vaultNames.get(vault.toLowerCase())?.has(certificate.toLowerCase())) {
      throw new SeedError(
        `${where}: certificate '${certificate}' is not seeded in vault '${vault}'`,
      );
    }
  });
  optionalArray(seed['roleAssignments'], 'roleAssignments').forEach((r, i) => {
    const assignment = requireObject(r, `roleAssignments[${i}]`);
    requireString(assignment['scope'], `roleAssignments[${i}].scope`);
    requireString(assignment['roleDefinitionId'], `roleAssignments[${i}].roleDefinitionId`);
    requireGuid(assignment['principalId'], `roleAssignments[${i}].principalId`);
  });
  validateGatewaySeed(seed, vaultNames, checkSubscription);
  validateKubernetesSeed(seed['kubernetes'], (message) => {
    throw new SeedError(message);
  });
}

function validateGatewaySeed(
  seed: Record<string, unknown>,
  vaultNames: ReadonlyMap<string, ReadonlySet<string>>,
  checkSubscription: (id: unknown, where: string) => void,
): void {
  const identities = new Set<string>();
  optionalArray(seed['userAssignedIdentities'], 'userAssignedIdentities').forEach((u, i) => {
    const where = `userAssignedIdentities[${i}]`;
    const identity = requireObject(u, where);
    const name = requireString(identity['name'], `${where}.name`);
    requireString(identity['resourceGroup'], `${where}.resourceGroup`);
    requireString(identity['location'], `${where}.location`);
    checkSubscription(identity['subscriptionId'], `${where}.subscriptionId`);
    if (identity['principalId'] !== undefined)
      requireGuid(identity['principalId'], `${where}.principalId`);
    if (identity['clientId'] !== undefined) requireGuid(identity['clientId'], `${where}.clientId`);
    identities.add(`${String(identity['resourceGroup'])}/${name}`.toLowerCase());
  });
  optionalArray(seed['applicationGateways'], 'applicationGateways').forEach((g, i) => {
    const where = `applicationGateways[${i}]`;
    const gateway = requireObject(g, where);
    requireString(gateway['name'], `${where}.name`);
    requireString(gateway['resourceGroup'], `${where}.resourceGroup`);
    requireString(gateway['location'], `${where}.location`);
    requireString(gateway['subnet'], `${where}.subnet`);
    checkSubscription(gateway['subscriptionId'], `${where}.subscriptionId`);
    if (gateway['identity'] !== undefined) {
      const id = requireString(gateway['identity'], `${where}.identity`);
      const match =
        /\/resourceGroups\/([^/]+)\/providers\/Microsoft\.ManagedIdentity\/userAssignedIdentities\/([^/]+)$/i.exec(
          id,
        );
      if (!match || !identities.has(`${match[1] ?? ''}/${match[2] ?? ''}`.toLowerCase())) {
        throw new SeedError(`${where}.identity: '${id}' is not in userAssignedIdentities`);
      }
    }
    const certificates = new Set<string>();
    optionalArray(gateway['sslCertificates'], `${where}.sslCertificates`).forEach((c, j) => {
      const cw = `${where}.sslCertificates[${j}]`;
      const certificate = requireObject(c, cw);
      certificates.add(requireString(certificate['name'], `${cw}.name`).toLowerCase());
      const vault = requireString(certificate['vault'], `${cw}.vault`);
      const secret = requireString(certificate['secret'], `${cw}.secret`);
      if (!vaultNames.get(vault.toLowerCase())?.has(secret.toLowerCase())) {
        throw new SeedError(`${cw}: certificate '${secret}' is not seeded in vault '${vault}'`);
      }
    });
    optionalArray(gateway['httpsListeners'], `${where}.httpsListeners`).forEach((l, j) => {
      const lw = `${where}.httpsListeners[${j}]`;
      const listener = requireObject(l, lw);
      requireString(listener['name'], `${lw}.name`);
      const ref = requireString(listener['sslCertificate'], `${lw}.sslCertificate`);
      if (!certificates.has(ref.toLowerCase())) {
        throw new SeedError(`${lw}.sslCertificate: '${ref}' is not in sslCertificates`);
      }
    });
  });
  if (seed['settings'] !== undefined) requireObject(seed['settings'], 'settings');
}

function requireObject(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SeedError(`${where}: expected an object`);
  }
  return value as Record<string, unknown>;
}

function requireArray(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value)) {
    throw new SeedError(`${where}: expected an array`);
  }
  return value;
}

function optionalArray(value: unknown, where: string): unknown[] {
  return value === undefined ? [] : requireArray(value, where);
}

function requireString(value: unknown, where: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new SeedError(`${where}: expected a non-empty string`);
  }
  return value;
}

function requireGuid(value: unknown, where: string): string {
  const text = requireString(value, where);
  if (!GUID_PATTERN.test(text)) {
    throw new SeedError(`${where}: '${text}' is not a GUID`);
  }
  return text;
}
