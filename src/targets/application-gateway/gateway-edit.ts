import type { ApplicationGateway, ApplicationGatewayHttpListener } from '@azure/arm-network';

import { InputError, PreconditionError } from '../../core/errors.js';
import { sameResourceId } from '../../core/resource-id.js';
import { coveringName } from '../../keyvault/hostname-coverage.js';
import { parseKeyVaultObjectUrl, sameSecret } from './secret-reference.js';

/** DesiredCertificate is one `sslCertificates[]` entry the step owns. */
export interface DesiredCertificate {
  readonly name: string;
  /** secretId is the versionless secret URL the entry must reference. */
  readonly secretId: string;
}

/** DesiredState is everything the step wants on the gateway; nothing else is touched. */
export interface DesiredState {
  readonly gatewayId: string;
  readonly identityId: string;
  readonly certificates: readonly DesiredCertificate[];
  /** listeners are attached to the first certificate (only one is allowed with listeners). */
  readonly listeners: readonly string[];
  /** listenerCoverage are the first certificate's DNS names: a listener's hostnames must match. */
  readonly listenerCoverage: readonly string[];
}

/** GatewayEdit is a gateway with our change applied, and what the change consisted of. */
export interface GatewayEdit {
  readonly gateway: ApplicationGateway;
  readonly changes: readonly string[];
  readonly warnings: readonly string[];
}

function same(a: string | undefined, b: string | undefined): boolean {
  return (a ?? '').toLowerCase() === (b ?? '').toLowerCase();
}

/** certificateId is the id of a gateway's `sslCertificates[]` entry. */
export function certificateId(gatewayId: string, name: string): string {
  return `${gatewayId}/sslCertificates/${name}`;
}

/** assignedIdentities lists the user-assigned identity ids on a gateway. */
export function assignedIdentities(gateway: ApplicationGateway): string[] {
  return Object.keys(gateway.identity?.userAssignedIdentities ?? {});
}

function findListener(gateway: ApplicationGateway, name: string): ApplicationGatewayHttpListener {
  const listeners = gateway.httpListeners ?? [];
  const listener = listeners.find((l) => same(l.name, name));
  if (!listener) {
    const names = listeners.map((l) => `${l.name} (${l.protocol})`).join(', ') || 'none';
    throw new InputError(
      'listeners',
      `names '${name}', which gateway '${gateway.name}' does not have (it has: ${names}).`,
    );
  }
  if (!same(listener.protocol, 'Https')) {
    throw new InputError(
      'listeners',
      `names '${name}', an ${listener.protocol ?? 'unknown'} listener; only HTTPS listeners take a ` +
        'certificate. Change it to HTTPS first, or leave it out.',
    );
  }
  return listener;
}

/**
 * applyDesired returns a copy of the gateway with our change applied: the identity assigned
 * when the gateway has none, each certificate entry added or pointed at its versionless secret,
 * and the named listeners attached. Every other part of the gateway is left exactly as read.
 */
export function applyDesired(current: ApplicationGateway, desired: DesiredState): GatewayEdit {
  const gateway = structuredClone(current);
  const changes: string[] = [];
  const warnings: string[] = [];

  const identities = assignedIdentities(gateway);
  if (identities.length === 0) {
    gateway.identity = {
      type: 'UserAssigned',
      userAssignedIdentities: { [desired.identityId]: {} },
    };
    changes.push(`assign identity ${desired.identityId.split('/').pop()}`);
  } else if (!identities.some((id) => sameResourceId(id, desired.identityId))) {
    throw new PreconditionError(
      `Gateway '${gateway.name}' now uses identity ${identities.join(', ')}, not ` +
        `${desired.identityId}; another writer changed it during this run. Run again.`,
    );
  }

  const entries = (gateway.sslCertificates ??= []);
  for (const certificate of desired.certificates) {
    const entry = entries.find((e) => same(e.name, certificate.name));
    if (!entry) {
      entries.push({ name: certificate.name, keyVaultSecretId: certificate.secretId });
      changes.push(`add certificate ${certificate.name}`);
      continue;
    }
    if (entry.keyVaultSecretId === certificate.secretId) continue;

    const previous = parseKeyVaultObjectUrl(entry.keyVaultSecretId);
    if (previous && !sameSecret(entry.keyVaultSecretId, certificate.secretId)) {
      const users = (gateway.httpListeners ?? [])
        .filter((l) => sameResourceId(l.sslCertificate?.id, entry.id ?? ''))
        .map((l) => l.name);
      throw new PreconditionError(
        `Gateway '${gateway.name}' already has a certificate entry '${entry.name}' that serves ` +
          `${entry.keyVaultSecretId}${users.length ? ` to listener(s) ${users.join(', ')}` : ''}. ` +
          `Taking it over for ${certificate.secretId} would change what those listeners serve. ` +
          "Set 'ssl-certificate-name' to another name, or change that entry by hand.",
      );
    }
    if (!previous) {
      warnings.push(
        `Certificate '${entry.name}' held an uploaded certificate; it now references Key Vault ` +
          'so that renewals reach the gateway.',
      );
    } else if (previous.collection === 'certificates') {
      warnings.push(
        `Certificate '${entry.name}' referenced a /certificates/ URL, which gateways reject; it ` +
          'now references the versionless secret.',
      );
    } else if (previous.version) {
      warnings.push(
        `Certificate '${entry.name}' referenced version ${previous.version}, which never ` +
          'rotates; it now references the versionless secret so that renewals reach the gateway.',
      );
    }
    entry.keyVaultSecretId = certificate.secretId;
    delete entry.data;
    delete entry.password;
    changes.push(`point certificate ${entry.name} at ${certificate.secretId}`);
  }

  const first = desired.certificates[0];
  const firstName = entries.find((e) => same(e.name, first?.name))?.name ?? first?.name ?? '';
  for (const name of first ? desired.listeners : []) {
    const listener = findListener(gateway, name);
    const hosts = [listener.hostName, ...(listener.hostNames ?? [])].filter(
      (host): host is string => !!host,
    );
    const uncovered = hosts.filter((host) => !coveringName(desired.listenerCoverage, host));
    if (uncovered.length > 0) {
      throw new InputError(
        'listeners',
        `names '${listener.name}', which serves ${uncovered.join(', ')}; the certificate covers ` +
          `${desired.listenerCoverage.join(', ')}. Attach it to a listener whose hostnames it covers.`,
      );
    }
    const id = certificateId(desired.gatewayId, firstName);
    if (!sameResourceId(listener.sslCertificate?.id, id)) {
      const was = listener.sslCertificate?.id?.split('/').pop();
      listener.sslCertificate = { id };
      changes.push(`attach listener ${listener.name}${was ? ` (was ${was})` : ''}`);
    }
  }
  return { gateway, changes, warnings };
}

/** missingParts lists what of our change a gateway lacks, to check a write survived. */
export function missingParts(gateway: ApplicationGateway, desired: DesiredState): string[] {
  const missing: string[] = [];
  if (!assignedIdentities(gateway).some((id) => sameResourceId(id, desired.identityId))) {
    missing.push('identity');
  }
  for (const certificate of desired.certificates) {
    const entry = gateway.sslCertificates?.find((e) => same(e.name, certificate.name));
    if (entry?.keyVaultSecretId !== certificate.secretId)
      missing.push(`certificate ${certificate.name}`);
  }
  const first = desired.certificates[0];
  const firstName =
    gateway.sslCertificates?.find((e) => same(e.name, first?.name))?.name ?? first?.name ?? '';
  for (const name of first ? desired.listeners : []) {
    const listener = gateway.httpListeners?.find((l) => same(l.name, name));
    if (
      !sameResourceId(listener?.sslCertificate?.id, certificateId(desired.gatewayId, firstName))
    ) {
      missing.push(`listener ${name}`);
    }
  }
  return missing;
}

/**
 * revertEdit returns the gateway with our additions taken back to what `before` had: entries we
 * added removed, entries we changed restored, listeners re-pointed, and the identity unassigned
 * if we assigned it. It is used after a failed write, so the gateway can return to Succeeded.
 */
export function revertEdit(
  current: ApplicationGateway,
  before: ApplicationGateway,
  desired: DesiredState,
): ApplicationGateway {
  const gateway = structuredClone(current);
  if (assignedIdentities(before).length === 0) delete gateway.identity;

  for (const certificate of desired.certificates) {
    const original = before.sslCertificates?.find((e) => same(e.name, certificate.name));
    const entries = gateway.sslCertificates ?? [];
    const index = entries.findIndex((e) => same(e.name, certificate.name));
    if (index < 0) continue;
    if (original) entries[index] = structuredClone(original);
    else entries.splice(index, 1);
  }
  for (const name of desired.listeners) {
    const original = before.httpListeners?.find((l) => same(l.name, name));
    const listener = gateway.httpListeners?.find((l) => same(l.name, name));
    if (listener && original) listener.sslCertificate = structuredClone(original.sslCertificate);
  }
  return gateway;
}
