import { getClient } from '@azure-rest/core-client';

import { BindError } from './errors.js';

/** CloudName is one of the Azure environments the `environment` input accepts. */
export type CloudName = 'AzureCloud' | 'AzureUSGovernment' | 'AzureChinaCloud' | 'custom';

/** Cloud holds the endpoints and audiences of one Azure environment. */
export interface Cloud {
  readonly name: CloudName;
  readonly resourceManagerEndpoint: string;
  /** resourceManagerAudience is the token audience ARM accepts (its `.default` scope root). */
  readonly resourceManagerAudience: string;
  readonly authorityHost: string;
  /** microsoftGraphEndpoint is undefined where the cloud has no Graph the step can use. */
  readonly microsoftGraphEndpoint: string | undefined;
  /** federatedTokenAudience is the audience of the OIDC token exchanged with Entra. */
  readonly federatedTokenAudience: string;
  /** appServicePrincipalAppId is the application id of the App Service resource provider. */
  readonly appServicePrincipalAppId: string;
  /** custom clouds answer Key Vault challenges with resources that do not match the vault host. */
  readonly verifyKeyVaultChallengeResource: boolean;
}

const APP_SERVICE_APP_ID = 'abfa0a7c-a6b6-4736-8310-5855508787cd';
const APP_SERVICE_APP_ID_GOVERNMENT = '6a02c803-dafd-4136-b4c3-5a6f318b4714';

const KNOWN_CLOUDS: Record<Exclude<CloudName, 'custom'>, Cloud> = {
  AzureCloud: {
    name: 'AzureCloud',
    resourceManagerEndpoint: 'https://management.azure.com',
    resourceManagerAudience: 'https://management.azure.com/',
    authorityHost: 'https://login.microsoftonline.com',
    microsoftGraphEndpoint: 'https://graph.microsoft.com',
    federatedTokenAudience: 'api://AzureADTokenExchange',
    appServicePrincipalAppId: APP_SERVICE_APP_ID,
    verifyKeyVaultChallengeResource: true,
  },
  AzureUSGovernment: {
    name: 'AzureUSGovernment',
    resourceManagerEndpoint: 'https://management.usgovcloudapi.net',
    resourceManagerAudience: 'https://management.core.usgovcloudapi.net/',
    authorityHost: 'https://login.microsoftonline.us',
    microsoftGraphEndpoint: 'https://graph.microsoft.us',
    federatedTokenAudience: 'api://AzureADTokenExchangeUSGov',
    appServicePrincipalAppId: APP_SERVICE_APP_ID_GOVERNMENT,
    verifyKeyVaultChallengeResource: true,
  },
  AzureChinaCloud: {
    name: 'AzureChinaCloud',
    resourceManagerEndpoint: 'https://management.chinacloudapi.cn',
    resourceManagerAudience: 'https://management.core.chinacloudapi.cn/',
    authorityHost: 'https://login.chinacloudapi.cn',
    microsoftGraphEndpoint: 'https://microsoftgraph.chinacloudapi.cn',
    federatedTokenAudience: 'api://AzureADTokenExchangeChina',
    appServicePrincipalAppId: APP_SERVICE_APP_ID,
    verifyKeyVaultChallengeResource: true,
  },
};

/** knownCloud returns the fixed endpoints of a public or sovereign cloud. */
export function knownCloud(name: Exclude<CloudName, 'custom'>): Cloud {
  return KNOWN_CLOUDS[name];
}

interface CloudMetadata {
  resourceManager?: string;
  authentication?: { loginEndpoint?: string; audiences?: string[] };
  microsoftGraphResourceId?: string;
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/**
 * discoverCustomCloud reads a custom cloud's metadata (`/metadata/endpoints`, the document Azure
 * Stack Hub and `az cloud register` use) to learn its ARM token audience and Graph endpoint. The
 * request is anonymous: the metadata endpoint needs no token.
 */
export async function discoverCustomCloud(
  resourceManagerEndpoint: string,
  authorityHost: string,
): Promise<Cloud> {
  const endpoint = trimSlash(resourceManagerEndpoint);
  let entries: CloudMetadata[];
  try {
    const client = getClient(endpoint, { allowInsecureConnection: false });
    const response = await client
      .path('/metadata/endpoints')
      .get({ queryParameters: { 'api-version': '2022-09-01' } });
    if (response.status !== '200') throw new Error(`HTTP ${response.status}`);
    const body = response.body as CloudMetadata | CloudMetadata[];
    entries = Array.isArray(body) ? body : [body];
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new BindError(
      `Failed to read the cloud metadata of resource-manager-endpoint '${endpoint}' ` +
        `(${endpoint}/metadata/endpoints): ${reason}. Check the endpoint, and that this ` +
        'machine trusts its TLS certificate (NODE_EXTRA_CA_CERTS).',
      { cause: error },
    );
  }

  const entry =
    entries.find((e) => e.resourceManager && trimSlash(e.resourceManager) === endpoint) ??
    entries[0];
  const audience = entry?.authentication?.audiences?.[0] ?? `${endpoint}/`;
  return {
    name: 'custom',
    resourceManagerEndpoint: endpoint,
    resourceManagerAudience: audience,
    authorityHost: trimSlash(authorityHost),
    microsoftGraphEndpoint: entry?.microsoftGraphResourceId
      ? trimSlash(entry.microsoftGraphResourceId)
      : undefined,
    federatedTokenAudience: 'api://AzureADTokenExchange',
    appServicePrincipalAppId: APP_SERVICE_APP_ID,
    verifyKeyVaultChallengeResource: false,
  };
}

/** scopeFor returns the `.default` scope of a token audience. */
export function scopeFor(audience: string): string {
  return `${trimSlash(audience)}/.default`;
}
