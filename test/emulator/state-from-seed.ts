import { addSeededGateways, addSeededIdentities, buildSettings } from './gateway-seed.js';
import { deterministicGuid } from './guid.js';
import { buildCluster } from './kubernetes/seed.js';
import { normalizeLocation } from './location.js';
import { buildResourceId, parseResourceId } from './resource-id.js';
import { findBuiltInRole } from './role-definitions.js';
import type { Seed, SeedCertificate, SeedIdentity, SeedVault } from './seed.js';
import { SeedError } from './seed.js';
import type {
  AccessPolicy,
  CertificatePolicy,
  EmulatorState,
  ManagedIdentity,
  Principal,
  Vault,
  VaultCertificate,
  WebApp,
} from './state.js';
import { createCertificateVersion, daysToMs } from './vault-certificates.js';
import { describeVersionForWeb } from './web-certificate-fields.js';
import type { IssuedCertificate } from './x509.js';

/** APP_SERVICE_RP_APP_ID is the App Service resource provider's application id (public cloud). */
export const APP_SERVICE_RP_APP_ID = 'abfa0a7c-a6b6-4736-8310-5855508787cd';

/** buildState turns a validated seed into the emulator's in-memory state. */
export function buildState(
  seed: Seed,
  issuingCa: IssuedCertificate,
  now = new Date(),
): EmulatorState {
  const firstSubscription = seed.subscriptions[0]?.id ?? '';
  const tenantId = seed.tenantId;
  const principals = new Map<string, Principal>();
  const addPrincipal = (p: Principal): void => void principals.set(p.objectId.toLowerCase(), p);

  const clients = (seed.clients ?? []).map((c) => {
    const objectId = c.objectId ?? deterministicGuid(`client-object:${c.clientId}`);
    const displayName = c.displayName ?? `client-${c.clientId.slice(0, 8)}`;
    addPrincipal({ objectId, appId: c.clientId, displayName, principalType: 'ServicePrincipal' });
    return {
      clientId: c.clientId,
      ...(c.clientSecret !== undefined ? { clientSecret: c.clientSecret } : {}),
      ...(c.certificates !== undefined ? { certificates: c.certificates } : {}),
      objectId,
      displayName,
      federatedCredentials: c.federatedCredentials ?? [],
      graphDenied: c.graphDenied === true,
    };
  });
  for (const sp of seed.servicePrincipals ?? []) {
    addPrincipal({
      objectId: sp.objectId ?? deterministicGuid(`sp-object:${tenantId}:${sp.appId}`),
      appId: sp.appId,
      displayName: sp.displayName ?? `sp-${sp.appId.slice(0, 8)}`,
      principalType: 'ServicePrincipal',
    });
  }

  const state: EmulatorState = {
    tenantId,
    subscriptions: seed.subscriptions.map((s) => ({
      id: s.id,
      displayName: s.displayName ?? `Subscription ${s.id.slice(0, 8)}`,
    })),
    clients,
    principals,
    vaults: new Map(),
    serverFarms: new Map(),
    sites: new Map(),
    webCertificates: new Map(),
    roleAssignments: new Map(),
    userAssignedIdentities: new Map(),
    applicationGateways: new Map(),
    gatewayOperations: new Map(),
    settings: buildSettings(seed.settings),
    throttles: [],
    issuingCa,
    kubernetes: undefined,
  };

  for (const seedVault of seed.vaults ?? []) {
    const vault = buildVault(seedVault, firstSubscription, tenantId, issuingCa, now);
    state.vaults.set(vault.name.toLowerCase(), vault);
  }
  for (const f of seed.serverFarms ?? []) {
    const subscriptionId = f.subscriptionId ?? firstSubscription;
    const id = buildResourceId(
      subscriptionId,
      f.resourceGroup,
      'Microsoft.Web/serverfarms',
      f.name,
    );
    state.serverFarms.set(id.toLowerCase(), {
      id,
      subscriptionId,
      resourceGroup: f.resourceGroup,
      name: f.name,
      location: f.location,
      sku: f.sku ?? 'P1v3',
    });
  }
  for (const s of seed.sites ?? []) {
    const subscriptionId = s.subscriptionId ?? firstSubscription;
    const farm = state.serverFarms.get(s.serverFarm.toLowerCase());
    if (!farm) {
      throw new SeedError(`sites '${s.name}': serverFarm '${s.serverFarm}' is not seeded`);
    }
    const id = buildResourceId(subscriptionId, s.resourceGroup, 'Microsoft.Web/sites', s.name);
    const site = buildWebApp({
      id,
      subscriptionId,
      resourceGroup: s.resourceGroup,
      siteName: s.name,
      slotName: undefined,
      location: s.location,
      serverFarmId: farm.id,
      defaultHostName: `${s.name}.azurewebsites.net`.toLowerCase(),
      hostNames: s.hostNames ?? [],
      identity: s.identity,
      state,
      now,
    });
    for (const slot of s.slots ?? []) {
      const slotApp = buildWebApp({
        id: `${id}/slots/${slot.name}`,
        subscriptionId,
        resourceGroup: s.resourceGroup,
        siteName: s.name,
        slotName: slot.name,
        location: s.location,
        serverFarmId: farm.id,
        defaultHostName: `${s.name}-${slot.name}.azurewebsites.net`.toLowerCase(),
        hostNames: slot.hostNames ?? [],
        identity: slot.identity,
        state,
        now,
      });
      site.slots.set(slot.name.toLowerCase(), slotApp);
    }
    state.sites.set(id.toLowerCase(), site);
  }

  for (const w of seed.webCertificates ?? []) {
    const subscriptionId = w.subscriptionId ?? firstSubscription;
    const vault = state.vaults.get(w.vault.toLowerCase());
    const current = vault?.certificates.get(w.certificate.toLowerCase())?.versions.at(-1);
    const farm = state.serverFarms.get(w.serverFarm.toLowerCase());
    if (!vault || !current || !farm) {
      throw new SeedError(
        `webCertificates '${w.name}': vault, certificate or serverFarm not seeded`,
      );
    }
    const id = buildResourceId(
      subscriptionId,
      w.resourceGroup,
      'Microsoft.Web/certificates',
      w.name,
    );
    const certificate = {
      id,
      subscriptionId,
      resourceGroup: w.resourceGroup,
      name: w.name,
      location: w.location,
      tags: {},
      keyVaultId: vault.id,
      keyVaultSecretName: w.certificate,
      serverFarmId: farm.id,
      ...describeVersionForWeb(current),
    };
    state.webCertificates.set(id.toLowerCase(), certificate);
    for (const target of w.bindings ?? []) {
      bindFromSeed(state, subscriptionId, target, certificate.thumbprint);
    }
  }

  for (const r of seed.roleAssignments ?? []) {
    const role = findBuiltInRole(r.roleDefinitionId);
    if (!role) {
      throw new SeedError(
        `roleAssignments: role '${r.roleDefinitionId}' is not a known built-in role`,
      );
    }
    const subscriptionId = /^\/subscriptions\/([^/]+)/i.exec(r.scope)?.[1] ?? firstSubscription;
    const name = r.name ?? deterministicGuid(`ra:${r.scope}:${role.id}:${r.principalId}`);
    const id = `${r.scope.replace(/\/+$/, '')}/providers/Microsoft.Authorization/roleAssignments/${name}`;
    state.roleAssignments.set(id.toLowerCase(), {
      id,
      name,
      scope: r.scope.replace(/\/+$/, ''),
      roleDefinitionId: `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${role.id}`,
      principalId: r.principalId,
      principalType: 'ServicePrincipal',
      description: undefined,
      createdOn: now,
      updatedOn: now,
    });
  }
  addSeededIdentities(seed, state, firstSubscription);
  addSeededGateways(seed, state, firstSubscription);
  if (seed.kubernetes) state.kubernetes = buildCluster(seed.kubernetes, state);
  return state;
}

function buildVault(
  seedVault: SeedVault,
  firstSubscription: string,
  tenantId: string,
  issuingCa: IssuedCertificate,
  now: Date,
): Vault {
  const subscriptionId = seedVault.subscriptionId ?? firstSubscription;
  const accessPolicies: AccessPolicy[] = (seedVault.accessPolicies ?? []).map((p) => ({
    tenantId: p.tenantId ?? tenantId,
    objectId: p.objectId,
    ...(p.applicationId !== undefined ? { applicationId: p.applicationId } : {}),
    permissions: {
      keys: [...(p.permissions.keys ?? [])],
      secrets: [...(p.permissions.secrets ?? [])],
      certificates: [...(p.permissions.certificates ?? [])],
      storage: [...(p.permissions.storage ?? [])],
    },
  }));
  const acls = seedVault.networkAcls;
  const certificates = new Map<string, VaultCertificate>();
  for (const c of seedVault.certificates ?? []) {
    certificates.set(c.name.toLowerCase(), buildVaultCertificate(c, issuingCa, now));
  }
  return {
    id: buildResourceId(
      subscriptionId,
      seedVault.resourceGroup,
      'Microsoft.KeyVault/vaults',
      seedVault.name,
    ),
    subscriptionId,
    resourceGroup: seedVault.resourceGroup,
    name: seedVault.name,
    location: normalizeLocation(seedVault.location),
    tenantId,
    enableRbacAuthorization: seedVault.enableRbacAuthorization === true,
    accessPolicies,
    networkAcls: acls && {
      defaultAction: acls.defaultAction,
      bypass: acls.bypass ?? 'AzureServices',
      ipRules: [...(acls.ipRules ?? [])],
      virtualNetworkRules: [...(acls.virtualNetworkRules ?? [])],
    },
    publicNetworkAccess: seedVault.publicNetworkAccess ?? 'Enabled',
    uri: '',
    certificates,
  };
}

/** buildVaultCertificate generates every seeded version of a Key Vault certificate. */
export function buildVaultCertificate(
  c: SeedCertificate,
  issuingCa: IssuedCertificate,
  now: Date,
): VaultCertificate {
  const firstDns = c.dnsNames[0] ?? c.name;
  const validDays = c.validDays ?? 365;
  const policy: CertificatePolicy = {
    subject: c.subject ?? `CN=${firstDns}`,
    dnsNames: [...c.dnsNames],
    validDays,
    contentType: c.contentType ?? 'application/x-pkcs12',
    exportable: c.exportable !== false,
    issuer: c.issuer ?? 'self',
  };
  const count = Math.max(1, c.versions ?? 1);
  const versions = [];
  for (let i = count - 1; i >= 0; i -= 1) {
    // Older versions are shifted back by their validity, so the last one is the current one.
    const shift = daysToMs(validDays) * i;
    const notBefore = c.notBefore
      ? new Date(new Date(c.notBefore).getTime() - shift)
      : new Date(now.getTime() - daysToMs(c.validFromDaysAgo ?? 1) - shift);
    const notAfter = c.notAfter
      ? new Date(new Date(c.notAfter).getTime() - shift)
      : new Date(notBefore.getTime() + daysToMs(validDays));
    const created = new Date(Math.min(now.getTime(), notBefore.getTime()));
    versions.push(createCertificateVersion(policy, { notBefore, notAfter }, issuingCa, created));
  }
  const current = versions.at(-1);
  if (current && c.enabled === false) current.enabled = false;
  return { name: c.name, policy, versions, tags: { ...(c.tags ?? {}) } };
}

function buildWebApp(input: {
  id: string;
  subscriptionId: string;
  resourceGroup: string;
  siteName: string;
  slotName: string | undefined;
  location: string;
  serverFarmId: string;
  defaultHostName: string;
  hostNames: readonly string[];
  identity: SeedIdentity | undefined;
  state: EmulatorState;
  now: Date;
}): WebApp {
  const hostNames = [input.defaultHostName];
  for (const host of input.hostNames) {
    if (!hostNames.includes(host.toLowerCase())) hostNames.push(host.toLowerCase());
  }
  const app: WebApp = {
    id: input.id,
    subscriptionId: input.subscriptionId,
    resourceGroup: input.resourceGroup,
    siteName: input.siteName,
    slotName: input.slotName,
    location: input.location,
    serverFarmId: input.serverFarmId,
    defaultHostName: input.defaultHostName,
    hostNames,
    identity: buildIdentity(input.identity, input.id, input.state),
    bindings: new Map(),
    slots: new Map(),
    lastModified: input.now,
    extraProperties: {},
  };
  for (const host of hostNames) {
    app.bindings.set(host, { hostName: host, sslState: 'Disabled', thumbprint: undefined });
  }
  return app;
}

function buildIdentity(
  seedIdentity: SeedIdentity | undefined,
  resourceId: string,
  state: EmulatorState,
): ManagedIdentity {
  const identity: ManagedIdentity = { systemAssigned: undefined, userAssigned: new Map() };
  if (!seedIdentity) return identity;
  if (seedIdentity.type.includes('SystemAssigned')) {
    const principalId =
      seedIdentity.principalId ?? deterministicGuid(`system-identity:${resourceId}`);
    identity.systemAssigned = { principalId, tenantId: state.tenantId };
    state.principals.set(principalId.toLowerCase(), {
      objectId: principalId,
      displayName: resourceId.split('/').pop() ?? resourceId,
      principalType: 'ServicePrincipal',
    });
  }
  for (const uai of seedIdentity.userAssignedIdentities ?? []) {
    const parsed = parseResourceId(uai);
    const principalId = deterministicGuid(`uai-principal:${uai.toLowerCase()}`);
    identity.userAssigned.set(uai, {
      principalId,
      clientId: deterministicGuid(`uai-client:${uai.toLowerCase()}`),
    });
    state.principals.set(principalId, {
      objectId: principalId,
      displayName: parsed?.name ?? uai,
      principalType: 'ServicePrincipal',
    });
  }
  return identity;
}

function bindFromSeed(
  state: EmulatorState,
  subscriptionId: string,
  target: string,
  thumbprint: string,
): void {
  const parts = target.split('/');
  const [siteName, second, third] = parts;
  const site = [...state.sites.values()].find(
    (s) =>
      s.subscriptionId === subscriptionId && s.siteName.toLowerCase() === siteName?.toLowerCase(),
  );
  const app = third !== undefined ? site?.slots.get(second?.toLowerCase() ?? '') : site;
  const host = (third ?? second ?? '').toLowerCase();
  const binding = app?.bindings.get(host);
  if (!binding) {
    throw new SeedError(`webCertificates bindings: '${target}' is not a host of a seeded site`);
  }
  binding.sslState = 'SniEnabled';
  binding.thumbprint = thumbprint;
}
