import type { AuthOptions } from '../../core/auth-options.js';
import { BindError } from '../../core/errors.js';
import { requestPipelineOidcToken } from './pipeline-oidc.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** EndpointAuthorization is a service connection's `ENDPOINT_AUTH_<id>`: scheme and parameters. */
export interface EndpointAuthorization {
  readonly scheme: string;
  readonly parameters: Readonly<Record<string, string>>;
}

/**
 * AgentEndpoints is what the agent tells a task about service connections and variables; the
 * task adapter answers it from azure-pipelines-task-lib, tests from plain objects.
 */
export interface AgentEndpoints {
  /** url returns `ENDPOINT_URL_<id>`. */
  url(id: string): string | undefined;
  /** data returns `ENDPOINT_DATA_<id>_<KEY>`. */
  data(id: string, key: string): string | undefined;
  /** authorization returns the parsed `ENDPOINT_AUTH_<id>`, without logging its secrets. */
  authorization(id: string): EndpointAuthorization | undefined;
  /** variable returns a pipeline variable such as `System.OidcRequestUri`. */
  variable(name: string): string | undefined;
}

/**
 * ConnectionCloud is the cloud of an AzureRM service connection, as the core's `environment`,
 * `resource-manager-endpoint` and `authority-host` options.
 */
export type ConnectionCloud =
  | { readonly environment: 'AzureCloud' | 'AzureUSGovernment' | 'AzureChinaCloud' }
  | {
      readonly environment: 'custom';
      readonly resourceManagerEndpoint: string;
      readonly authorityHost: string;
    };

/** ServiceConnection is what the step takes from an Azure Resource Manager service connection. */
export interface ServiceConnection {
  readonly id: string;
  readonly cloud: ConnectionCloud;
  /** subscriptionId is undefined for a connection scoped to a management group. */
  readonly subscriptionId: string | undefined;
  readonly auth: AuthOptions;
}

/**
 * ServiceConnectionError reports a service connection that is incomplete or of a kind the step
 * cannot use. It names the connection and the setting to fix.
 */
export class ServiceConnectionError extends BindError {
  override readonly name = 'ServiceConnectionError';
}

/** SYSTEM_CONNECTION is the agent's own connection; its `AccessToken` is System.AccessToken. */
const SYSTEM_CONNECTION = 'SystemVssConnection';

function problem(id: string, detail: string): ServiceConnectionError {
  return new ServiceConnectionError(
    `Failed to read the Azure Resource Manager service connection '${id}' (input ` +
      `'azureSubscription'): ${detail}`,
  );
}

/** parameterOf reads an authorization parameter; the agent keeps their original casing. */
function parameterOf(auth: EndpointAuthorization, key: string): string {
  const match = Object.entries(auth.parameters).find(
    ([name]) => name.toLowerCase() === key.toLowerCase(),
  );
  return (match?.[1] ?? '').trim();
}

function requireGuid(id: string, value: string, setting: string): string {
  if (!value) throw problem(id, `its ${setting} is missing. Edit the service connection.`);
  if (!GUID.test(value)) {
    throw problem(
      id,
      `its ${setting} is '${value}', which is not a GUID. Edit the service connection.`,
    );
  }
  return value.toLowerCase();
}

function requireHttpsUrl(id: string, value: string | undefined, setting: string): string {
  const trimmed = (value ?? '').trim();
  if (!trimmed) throw problem(id, `its ${setting} is missing. Edit the service connection.`);
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw problem(id, `its ${setting} '${trimmed}' is not a URL. Edit the service connection.`);
  }
  if (url.protocol !== 'https:') {
    throw problem(
      id,
      `its ${setting} '${trimmed}' must use https://. Edit the service connection.`,
    );
  }
  return trimmed.replace(/\/+$/, '');
}

function readCloud(id: string, endpoints: AgentEndpoints): ConnectionCloud {
  const environment = (endpoints.data(id, 'environment') ?? '').trim();
  switch (environment.toLowerCase()) {
    case 'azurecloud':
      return { environment: 'AzureCloud' };
    case 'azureusgovernment':
      return { environment: 'AzureUSGovernment' };
    case 'azurechinacloud':
      return { environment: 'AzureChinaCloud' };
    case 'azurestack':
      if ((endpoints.data(id, 'EnableAdfsAuthentication') ?? '').toLowerCase() === 'true') {
        throw problem(
          id,
          'it signs in with AD FS, which this task does not support. Use a connection whose ' +
            'Azure Stack Hub environment uses Microsoft Entra ID.',
        );
      }
      return {
        environment: 'custom',
        resourceManagerEndpoint: requireHttpsUrl(
          id,
          endpoints.url(id),
          'Environment URL (the Azure Stack Hub Resource Manager endpoint)',
        ),
        authorityHost: requireHttpsUrl(
          id,
          endpoints.data(id, 'environmentAuthorityUrl') ||
            endpoints.data(id, 'activeDirectoryAuthority'),
          'authority URL (environmentAuthorityUrl)',
        ),
      };
    case '':
      throw problem(id, 'its Environment is missing. Edit or recreate the service connection.');
    default:
      throw problem(
        id,
        `its Environment is '${environment}', which this task does not support; use AzureCloud, ` +
          'AzureUSGovernment, AzureChinaCloud or AzureStack.',
      );
  }
}

function readSubscription(id: string, endpoints: AgentEndpoints): string | undefined {
  const subscriptionId = (endpoints.data(id, 'subscriptionId') ?? '').trim();
  if (!subscriptionId) return undefined;
  return requireGuid(id, subscriptionId, 'Subscription Id');
}

function readServicePrincipal(
  id: string,
  auth: EndpointAuthorization,
  setSecret: (value: string) => void,
): AuthOptions {
  const clientId = requireGuid(id, parameterOf(auth, 'serviceprincipalid'), 'Service Principal Id');
  const tenantId = requireGuid(id, parameterOf(auth, 'tenantid'), 'Tenant ID');
  // Connections made before certificates were offered carry no authenticationType; the
  // platform treats them as secret-based, and so does the task.
  const type = parameterOf(auth, 'authenticationType') || 'spnKey';

  if (type === 'spnKey') {
    const clientSecret = parameterOf(auth, 'serviceprincipalkey');
    if (!clientSecret) {
      throw problem(id, 'its Service principal key is empty. Edit the service connection.');
    }
    setSecret(clientSecret);
    return { kind: 'client-secret', clientId, tenantId, clientSecret };
  }
  if (type === 'spnCertificate') {
    const certificatePem = parameterOf(auth, 'servicePrincipalCertificate');
    if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(certificatePem)) {
      throw problem(
        id,
        'its Certificate is empty or has no private key. Paste the certificate and its ' +
          'unencrypted private key, in PEM, into the service connection.',
      );
    }
    if (!/-----BEGIN CERTIFICATE-----/.test(certificatePem)) {
      throw problem(
        id,
        'its Certificate holds a private key but no certificate. Paste both, in PEM, into the ' +
          'service connection.',
      );
    }
    setSecret(certificatePem);
    return { kind: 'client-certificate', clientId, tenantId, certificatePem };
  }
  throw problem(
    id,
    `its authenticationType is '${type}'; use a service principal key (spnKey) or a ` +
      'certificate (spnCertificate).',
  );
}

function readWorkloadIdentity(
  id: string,
  auth: EndpointAuthorization,
  endpoints: AgentEndpoints,
  setSecret: (value: string) => void,
): AuthOptions {
  const clientId = requireGuid(id, parameterOf(auth, 'serviceprincipalid'), 'Service Principal Id');
  const tenantId = requireGuid(id, parameterOf(auth, 'tenantid'), 'Tenant ID');
  const oidcRequestUri = endpoints.variable('System.OidcRequestUri') ?? '';
  if (!oidcRequestUri) {
    throw problem(
      id,
      'it uses workload identity federation, but the agent offers no OIDC endpoint ' +
        '(System.OidcRequestUri). Run the task on Azure Pipelines or Azure DevOps Server 2022.1 ' +
        'or later, in a job that may use this service connection.',
    );
  }
  const systemAuth = endpoints.authorization(SYSTEM_CONNECTION);
  const accessToken = systemAuth ? parameterOf(systemAuth, 'AccessToken') : '';
  if (!accessToken) {
    throw problem(
      id,
      'it uses workload identity federation, but the job has no System.AccessToken to ask for an ' +
        'OIDC token with. Allow scripts to access the OAuth token on the job.',
    );
  }
  setSecret(accessToken);
  return {
    kind: 'federated',
    clientId,
    tenantId,
    assertionSource: `an OIDC token for service connection ${id}`,
    getAssertion: () => requestPipelineOidcToken(oidcRequestUri, id, accessToken),
  };
}

/**
 * readServiceConnection reads an Azure Resource Manager service connection as the agent passes it
 * to the task: its cloud, subscription and credential. Every secret it finds is handed to
 * `setSecret` before anything can use it. A missing or unknown field is an error that names the
 * setting to fix, raised before any request.
 */
export function readServiceConnection(
  id: string,
  endpoints: AgentEndpoints,
  setSecret: (value: string) => void,
): ServiceConnection {
  const auth = endpoints.authorization(id);
  if (!auth) {
    throw problem(
      id,
      'the agent passed no authorization for it. Check that the input names an Azure Resource ' +
        'Manager service connection this pipeline is allowed to use.',
    );
  }
  const cloud = readCloud(id, endpoints);
  const subscriptionId = readSubscription(id, endpoints);

  switch (auth.scheme.toLowerCase()) {
    case 'serviceprincipal':
      return { id, cloud, subscriptionId, auth: readServicePrincipal(id, auth, setSecret) };
    case 'workloadidentityfederation':
      return {
        id,
        cloud,
        subscriptionId,
        auth: readWorkloadIdentity(id, auth, endpoints, setSecret),
      };
    case 'managedserviceidentity': {
      const msiClientId = (endpoints.data(id, 'msiclientId') ?? '').trim();
      return {
        id,
        cloud,
        subscriptionId,
        auth: {
          kind: 'managed-identity',
          clientId: msiClientId
            ? requireGuid(id, msiClientId, 'managed identity client id')
            : undefined,
        },
      };
    }
    default:
      throw problem(
        id,
        `its authentication scheme is '${auth.scheme || '(none)'}'; use workload identity ` +
          'federation, a service principal (secret or certificate) or a managed identity.',
      );
  }
}
