import type { EmulatorContext } from './context.js';
import { handleGatewayControl } from './control-gateways.js';
import { jsonReply, type Exchange, type Reply } from './exchange.js';
import { handleKubernetesControl } from './kubernetes/control.js';
import type { RequestLog } from './request-log.js';
import { buildVaultCertificate } from './state-from-seed.js';
import type { SeedCertificate } from './seed.js';
import { snapshotState } from './state-snapshot.js';
import { createCertificateVersion, renewalValidity } from './vault-certificates.js';

/**
 * handleControl serves the plain-HTTP control API that tests and the demo use to read state and
 * requests and to change the world behind the product's back (renewals, firewall, principals).
 */
export function handleControl(
  context: EmulatorContext,
  log: RequestLog,
  exchange: Exchange,
): Reply {
  const { state } = context;
  const path = exchange.url.pathname.replace(/\/+$/, '');
  const body = (
    typeof exchange.json === 'object' && exchange.json !== null ? exchange.json : {}
  ) as Record<string, unknown>;
  if (path === '/state' && exchange.method === 'GET') return jsonReply(200, snapshotState(state));
  if (path === '/requests') {
    if (exchange.method === 'GET') return jsonReply(200, log.list());
    if (exchange.method === 'DELETE') {
      log.clear();
      return { status: 204 };
    }
  }
  if (path === '/principals' && exchange.method === 'POST') {
    const objectId = typeof body['objectId'] === 'string' ? body['objectId'] : crypto.randomUUID();
    const principal = {
      objectId,
      ...(typeof body['appId'] === 'string' ? { appId: body['appId'] } : {}),
      displayName: typeof body['displayName'] === 'string' ? body['displayName'] : objectId,
      principalType: 'ServicePrincipal' as const,
    };
    state.principals.set(objectId.toLowerCase(), principal);
    return jsonReply(201, principal);
  }
  const kubernetesReply = handleKubernetesControl(state.kubernetes, exchange, path, body);
  if (kubernetesReply) return kubernetesReply;
  const gatewayReply = handleGatewayControl(context, exchange, path, body);
  if (gatewayReply) return gatewayReply;
  const vaultMatch = /^\/vaults\/([^/]+)(?:\/certificates\/([^/]+)(\/renew)?)?$/.exec(path);
  const vault = vaultMatch ? state.vaults.get((vaultMatch[1] ?? '').toLowerCase()) : undefined;
  if (!vaultMatch || !vault)
    return jsonReply(404, { error: `no control route for ${exchange.method} ${path}` });
  const [, , certificateName, renew] = vaultMatch;

  if (certificateName === undefined) {
    if (exchange.method !== 'PATCH') return jsonReply(405, { error: 'use PATCH on a vault' });
    if (typeof body['enableRbacAuthorization'] === 'boolean')
      vault.enableRbacAuthorization = body['enableRbacAuthorization'];
    if (body['publicNetworkAccess'] === 'Enabled' || body['publicNetworkAccess'] === 'Disabled') {
      vault.publicNetworkAccess = body['publicNetworkAccess'];
    }
    if (body['networkAcls'] === null) vault.networkAcls = undefined;
    if (typeof body['networkAcls'] === 'object' && body['networkAcls'] !== null) {
      const acls = body['networkAcls'] as Record<string, unknown>;
      vault.networkAcls = {
        defaultAction: acls['defaultAction'] === 'Deny' ? 'Deny' : 'Allow',
        bypass: acls['bypass'] === 'None' ? 'None' : 'AzureServices',
        ipRules: Array.isArray(acls['ipRules']) ? acls['ipRules'].map(String) : [],
        virtualNetworkRules: Array.isArray(acls['virtualNetworkRules'])
          ? acls['virtualNetworkRules'].map(String)
          : [],
      };
    }
    return jsonReply(200, { name: vault.name });
  }
  const certificate = vault.certificates.get(certificateName.toLowerCase());
  if (exchange.method === 'PUT' && renew === undefined) {
    const created = buildVaultCertificate(
      {
        ...(body as Partial<SeedCertificate>),
        name: certificateName,
        dnsNames: Array.isArray(body['dnsNames']) ? body['dnsNames'].map(String) : [],
      },
      state.issuingCa,
      new Date(),
    );
    vault.certificates.set(certificateName.toLowerCase(), created);
    const current = created.versions.at(-1);
    return jsonReply(201, { version: current?.version, thumbprint: current?.thumbprint });
  }
  if (!certificate)
    return jsonReply(404, {
      error: `certificate '${certificateName}' not in vault '${vault.name}'`,
    });
  if (renew !== undefined && exchange.method === 'POST') {
    const validDays = typeof body['validDays'] === 'number' ? body['validDays'] : undefined;
    const policy =
      validDays === undefined ? certificate.policy : { ...certificate.policy, validDays };
    const version = createCertificateVersion(policy, renewalValidity(policy), state.issuingCa);
    certificate.versions.push(version);
    return jsonReply(200, { version: version.version, thumbprint: version.thumbprint });
  }
  if (exchange.method === 'POST') {
    const current = certificate.versions.at(-1);
    if (current && typeof body['enabled'] === 'boolean') {
      current.enabled = body['enabled'];
      current.updated = new Date();
    }
    return jsonReply(200, {
      version: current?.version,
      thumbprint: current?.thumbprint,
      enabled: current?.enabled,
    });
  }
  return jsonReply(405, { error: `no control route for ${exchange.method} ${path}` });
}
