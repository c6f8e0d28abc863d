import forge from 'node-forge';

import type { ApplicationGateway, EmulatorState } from './state.js';

/** GATEWAY_COLLECTIONS are the child collections whose entries get ids, etags and types. */
export const GATEWAY_COLLECTIONS = [
  'gatewayIPConfigurations',
  'authenticationCertificates',
  'trustedRootCertificates',
  'trustedClientCertificates',
  'sslCertificates',
  'frontendIPConfigurations',
  'frontendPorts',
  'probes',
  'backendAddressPools',
  'backendHttpSettingsCollection',
  'backendSettingsCollection',
  'httpListeners',
  'listeners',
  'sslProfiles',
  'urlPathMaps',
  'requestRoutingRules',
  'routingRules',
  'rewriteRuleSets',
  'redirectConfigurations',
  'privateLinkConfigurations',
  'loadDistributionPolicies',
] as const;

// Write-only secrets of an uploaded certificate: accepted by PUT, never returned.
const WRITE_ONLY = ['data', 'password'];

/**
 * gatewayResource renders a gateway in the Network 2026-01-01 shape: the properties as last
 * written, each child with its id, etag, type and provisioningState, and each Key Vault
 * certificate with the `publicCertData` (PKCS#7) of the version it currently serves.
 */
export function gatewayResource(
  state: EmulatorState,
  gateway: ApplicationGateway,
): Record<string, unknown> {
  const properties: Record<string, unknown> = { ...gateway.properties };
  for (const collection of GATEWAY_COLLECTIONS) {
    const entries = properties[collection];
    if (!Array.isArray(entries)) continue;
    properties[collection] = entries.map((entry: unknown) =>
      childResource(gateway, collection, entry as Record<string, unknown>),
    );
  }
  const identity = gateway.userAssignedIdentity
    ? state.userAssignedIdentities.get(gateway.userAssignedIdentity.toLowerCase())
    : undefined;
  return {
    id: gateway.id,
    name: gateway.name,
    type: 'Microsoft.Network/applicationGateways',
    location: gateway.location,
    ...(Object.keys(gateway.tags).length > 0 ? { tags: gateway.tags } : {}),
    etag: gateway.etag,
    ...(gateway.zones ? { zones: gateway.zones } : {}),
    ...(gateway.userAssignedIdentity
      ? {
          identity: {
            type: 'UserAssigned',
            userAssignedIdentities: {
              [gateway.userAssignedIdentity]: identity
                ? { principalId: identity.principalId, clientId: identity.clientId }
                : {},
            },
          },
        }
      : {}),
    properties: {
      ...properties,
      resourceGuid: gateway.resourceGuid,
      provisioningState: gateway.provisioningState,
      operationalState: gateway.operationalState,
    },
  };
}

function childResource(
  gateway: ApplicationGateway,
  collection: string,
  entry: Record<string, unknown>,
): Record<string, unknown> {
  const name = typeof entry['name'] === 'string' ? entry['name'] : '';
  const properties: Record<string, unknown> = {
    ...((entry['properties'] as Record<string, unknown> | undefined) ?? {}),
  };
  if (collection === 'sslCertificates') {
    for (const key of WRITE_ONLY) delete properties[key];
    const served = gateway.served.get(name.toLowerCase());
    if (served) properties['publicCertData'] = pkcs7Of(served.der);
  }
  properties['provisioningState'] = gateway.provisioningState;
  return {
    ...entry,
    id: `${gateway.id}/${collection}/${name}`,
    name,
    etag: gateway.etag,
    type: `Microsoft.Network/applicationGateways/${collection}`,
    properties,
  };
}

/** pkcs7Of wraps a DER certificate in a degenerate PKCS#7 SignedData, base64 (publicCertData). */
function pkcs7Of(der: Buffer): string {
  const p7 = forge.pkcs7.createSignedData();
  p7.addCertificate(forge.pki.certificateFromAsn1(forge.asn1.fromDer(der.toString('binary'))));
  return Buffer.from(forge.asn1.toDer(p7.toAsn1()).getBytes(), 'binary').toString('base64');
}
