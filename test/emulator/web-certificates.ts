import { hasResourceGroup, resourceGroupNotFound } from './arm-lookup.js';
import { appServiceError, armError } from './error-bodies.js';
import { jsonReply, type Exchange, type Reply } from './exchange.js';
import { normalizeLocation } from './location.js';
import { inspectPfx, PFX_CONTENT_TYPE } from './pkcs12.js';
import { buildResourceId, parseResourceId } from './resource-id.js';
import { checkWebCertificateName } from './resource-names.js';
import { APP_SERVICE_RP_APP_ID } from './state-from-seed.js';
import type { EmulatorState, WebCertificate } from './state.js';
import { canRead, checkTrustedServiceFirewall } from './vault-access.js';
import { describeVersionForWeb } from './web-certificate-fields.js';
import { certificateResource } from './web-resources.js';
import { methodNotAllowed } from './web-sites.js';
import {
  appsInWebspace,
  certificatesInWebspace,
  webspaceKey,
  webspaceOfCertificate,
  webspaceOfFarm,
} from './webspace.js';

/** handleCertificateList serves the list of certificates in a resource group. */
export function handleCertificateList(
  state: EmulatorState,
  subscriptionId: string,
  resourceGroup: string,
): Reply {
  const value = [...state.webCertificates.values()]
    .filter(
      (c) =>
        c.subscriptionId.toLowerCase() === subscriptionId.toLowerCase() &&
        c.resourceGroup.toLowerCase() === resourceGroup.toLowerCase(),
    )
    .map((c) => certificateResource(c));
  return jsonReply(200, { value });
}

/** handleCertificate serves GET, PUT and DELETE of a Microsoft.Web/certificates resource. */
export function handleCertificate(
  state: EmulatorState,
  exchange: Exchange,
  subscriptionId: string,
  resourceGroup: string,
  name: string,
): Reply {
  const invalidName = checkWebCertificateName(name);
  if (invalidName) return invalidName;
  const id = buildResourceId(subscriptionId, resourceGroup, 'Microsoft.Web/certificates', name);
  const existing = state.webCertificates.get(id.toLowerCase());
  switch (exchange.method) {
    case 'GET':
      return existing
        ? jsonReply(200, certificateResource(existing))
        : appServiceError(404, 'NotFound', `Cannot find Certificate with name ${name}.`, '51004', [
            'Certificate',
            name,
          ]);
    case 'DELETE':
      return deleteCertificate(state, existing);
    case 'PUT':
      if (!hasResourceGroup(state, subscriptionId, resourceGroup))
        return resourceGroupNotFound(resourceGroup);
      return putCertificate(state, exchange, { id, subscriptionId, resourceGroup, name });
    default:
      return methodNotAllowed(exchange);
  }
}

function deleteCertificate(state: EmulatorState, certificate: WebCertificate | undefined): Reply {
  if (!certificate) return { status: 204 };
  const webspace = webspaceOfCertificate(certificate);
  const users = appsInWebspace(state, webspace).flatMap((app) =>
    [...app.bindings.values()]
      .filter(
        (b) => b.sslState !== 'Disabled' && b.thumbprint?.toUpperCase() === certificate.thumbprint,
      )
      .map((b) => b.hostName),
  );
  if (users.length > 0) {
    return appServiceError(
      409,
      'Conflict',
      `Certificate '${certificate.name}' with thumbprint '${certificate.thumbprint}' cannot be deleted because it is used by the SSL binding(s) of: ${users.join(', ')}.`,
      '04059',
      [certificate.name, users.join(',')],
    );
  }
  state.webCertificates.delete(certificate.id.toLowerCase());
  return { status: 200 };
}

interface CertificateTarget {
  readonly id: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly name: string;
}

function invalidParameter(parameter: string, value: string): Reply {
  return appServiceError(
    400,
    'BadRequest',
    `The parameter ${parameter} has an invalid value '${value}'.`,
    '51008',
    [parameter],
  );
}

function putCertificate(
  state: EmulatorState,
  exchange: Exchange,
  target: CertificateTarget,
): Reply {
  const body = exchange.json as
    { location?: unknown; tags?: unknown; properties?: Record<string, unknown> } | undefined;
  if (
    typeof body !== 'object' ||
    body === null ||
    typeof body.properties !== 'object' ||
    body.properties === null
  ) {
    return armError(
      400,
      'InvalidRequestContent',
      'The request content was invalid and could not be deserialized.',
    );
  }
  if (typeof body.location !== 'string' || body.location.length === 0) {
    return armError(
      400,
      'LocationRequired',
      'The location property is required for this definition.',
    );
  }
  const location = body.location;
  const props = body.properties;
  if (props['pfxBlob'] !== undefined) {
    return appServiceError(
      400,
      'BadRequest',
      'The emulator imports certificates from Key Vault only; pfxBlob uploads are not modelled.',
      '51008',
      ['pfxBlob'],
    );
  }
  const serverFarmId = typeof props['serverFarmId'] === 'string' ? props['serverFarmId'] : '';
  const keyVaultId = typeof props['keyVaultId'] === 'string' ? props['keyVaultId'] : '';
  const secretName =
    typeof props['keyVaultSecretName'] === 'string' ? props['keyVaultSecretName'] : '';
  const farmRef = parseResourceId(serverFarmId, { provider: 'Microsoft.Web', type: 'serverfarms' });
  if (!farmRef) return invalidParameter('ServerFarmId', serverFarmId);
  const vaultRef = parseResourceId(keyVaultId, { provider: 'Microsoft.KeyVault', type: 'vaults' });
  if (!vaultRef) return invalidParameter('KeyVaultId', keyVaultId);
  if (secretName.length === 0) return invalidParameter('KeyVaultSecretName', secretName);

  const farm = state.serverFarms.get(serverFarmId.toLowerCase());
  if (!farm) {
    return appServiceError(
      404,
      'NotFound',
      `Cannot find ServerFarm with name ${farmRef.name}.`,
      '51004',
      ['ServerFarm', farmRef.name],
    );
  }
  const webspace = webspaceOfFarm(farm);
  if (webspaceKey(target.subscriptionId, target.resourceGroup, location) !== webspace) {
    return appServiceError(
      400,
      'BadRequest',
      `The certificate must be created in the webspace of its App Service plan: resource group '${farm.resourceGroup}' in subscription '${farm.subscriptionId}', region '${farm.location}'. It was requested in resource group '${target.resourceGroup}', region '${location}'.`,
      '51024',
      [farm.resourceGroup, farm.location],
    );
  }

  const vault = state.vaults.get(vaultRef.name.toLowerCase());
  if (!vault || vault.id.toLowerCase() !== keyVaultId.toLowerCase()) {
    return appServiceError(
      400,
      'BadRequest',
      `Key Vault '${keyVaultId}' does not exist.`,
      '59715',
      [keyVaultId],
    );
  }
  const firewall = checkTrustedServiceFirewall(vault);
  if (!firewall.allowed) {
    return appServiceError(
      400,
      'BadRequest',
      `The service does not have access to '${vault.id}' Key Vault: its firewall blocks trusted Microsoft services (${firewall.reason}). Allow trusted Microsoft services to bypass the firewall (networkAcls.bypass = AzureServices).`,
      '59716',
      [vault.id],
    );
  }
  const rp = [...state.principals.values()].find(
    (p) => p.appId?.toLowerCase() === APP_SERVICE_RP_APP_ID,
  );
  if (!rp || !canRead(state, vault, rp.objectId, 'secrets', secretName)) {
    return appServiceError(
      400,
      'BadRequest',
      `The service does not have access to '${vault.id}' Key Vault. Please make sure that you have granted necessary permissions to the service to perform the request operation.`,
      '59716',
      [vault.id],
    );
  }
  const vaultCertificate = vault.certificates.get(secretName.toLowerCase());
  const current = vaultCertificate?.versions.at(-1);
  if (!current || !current.enabled) {
    return appServiceError(
      400,
      'BadRequest',
      `Key Vault Secret '${secretName}' does not exist or is disabled in '${vault.id}'.`,
      '59717',
      [secretName, vault.id],
    );
  }
  if (current.contentType !== PFX_CONTENT_TYPE) {
    return appServiceError(
      400,
      'BadRequest',
      `The parameter KeyVaultSecretName has an invalid value: secret '${secretName}' has content type '${current.contentType}'; App Service imports only '${PFX_CONTENT_TYPE}' (a passwordless PFX). Re-import the certificate as a passwordless PFX.`,
      '51008',
      ['KeyVaultSecretName'],
    );
  }
  const pfx = inspectPfx(current.secretValue);
  if (!pfx.ok || !pfx.hasPrivateKey) {
    const reason = pfx.ok ? 'it holds no private key (the key is not exportable)' : pfx.reason;
    return appServiceError(
      400,
      'BadRequest',
      `The parameter KeyVaultSecretName has an invalid value: secret '${secretName}' cannot be imported because ${reason}.`,
      '51008',
      ['KeyVaultSecretName'],
    );
  }
  const duplicate = certificatesInWebspace(state, webspace).find(
    (c) => c.thumbprint === pfx.thumbprint && c.id.toLowerCase() !== target.id.toLowerCase(),
  );
  if (duplicate) {
    return appServiceError(
      409,
      'Conflict',
      `Another certificate exists with same thumbprint ${pfx.thumbprint} at location ${duplicate.location} in the Resource Group ${duplicate.resourceGroup}.`,
      '04046',
      [pfx.thumbprint, duplicate.location, duplicate.resourceGroup],
    );
  }

  const previous = state.webCertificates.get(target.id.toLowerCase());
  const certificate: WebCertificate = {
    id: previous?.id ?? target.id,
    subscriptionId: target.subscriptionId,
    resourceGroup: target.resourceGroup,
    name: target.name,
    location:
      previous && normalizeLocation(previous.location) === normalizeLocation(location)
        ? previous.location
        : location,
    tags: isStringMap(body.tags) ? body.tags : {},
    keyVaultId: vault.id,
    keyVaultSecretName: secretName,
    serverFarmId: farm.id,
    ...describeVersionForWeb(current),
  };
  state.webCertificates.set(target.id.toLowerCase(), certificate);
  return jsonReply(200, certificateResource(certificate));
}

function isStringMap(value: unknown): value is Record<string, string> {
  return (
    typeof value === 'object' &&
    value !== null &&
    Object.values(value).every((v) => typeof v === 'string')
  );
}
