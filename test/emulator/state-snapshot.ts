import { gatewaySnapshot } from './control-gateways.js';
import { identityResource } from './managed-identities.js';
import type { EmulatorState, WebApp } from './state.js';

/** snapshotState renders the whole state as plain JSON for `GET /state`. */
export function snapshotState(state: EmulatorState): Record<string, unknown> {
  return {
    tenantId: state.tenantId,
    subscriptions: state.subscriptions,
    clients: state.clients.map((c) => ({
      clientId: c.clientId,
      objectId: c.objectId,
      displayName: c.displayName,
      graphDenied: c.graphDenied,
    })),
    principals: [...state.principals.values()],
    vaults: [...state.vaults.values()].map((v) => ({
      id: v.id,
      name: v.name,
      uri: v.uri,
      location: v.location,
      enableRbacAuthorization: v.enableRbacAuthorization,
      accessPolicies: v.accessPolicies,
      networkAcls: v.networkAcls ?? null,
      publicNetworkAccess: v.publicNetworkAccess,
      certificates: [...v.certificates.values()].map((c) => ({
        name: c.name,
        policy: c.policy,
        versions: c.versions.map((ver) => ({
          version: ver.version,
          thumbprint: ver.thumbprint,
          x5t: ver.x5t,
          enabled: ver.enabled,
          notBefore: ver.notBefore.toISOString(),
          notAfter: ver.notAfter.toISOString(),
          dnsNames: ver.dnsNames,
          contentType: ver.contentType,
          exportable: ver.exportable,
        })),
      })),
    })),
    serverFarms: [...state.serverFarms.values()],
    sites: [...state.sites.values()].map((s) => ({
      ...appSnapshot(s),
      slots: [...s.slots.values()].map(appSnapshot),
    })),
    webCertificates: [...state.webCertificates.values()].map((c) => ({
      ...c,
      issueDate: c.issueDate.toISOString(),
      expirationDate: c.expirationDate.toISOString(),
      cerBlob: undefined,
    })),
    roleAssignments: [...state.roleAssignments.values()],
    userAssignedIdentities: [...state.userAssignedIdentities.values()].map(identityResource),
    applicationGateways: [...state.applicationGateways.values()].map((g) =>
      gatewaySnapshot(state, g),
    ),
    settings: state.settings,
  };
}

function appSnapshot(app: WebApp): Record<string, unknown> {
  return {
    id: app.id,
    siteName: app.siteName,
    slotName: app.slotName ?? null,
    location: app.location,
    serverFarmId: app.serverFarmId,
    hostNames: app.hostNames,
    identity: {
      systemAssigned: app.identity.systemAssigned ?? null,
      userAssigned: Object.fromEntries(app.identity.userAssigned),
    },
    bindings: [...app.bindings.values()].map((b) => ({
      hostName: b.hostName,
      sslState: b.sslState,
      thumbprint: b.thumbprint ?? null,
    })),
  };
}
