import { randomUUID } from 'node:crypto';

import type { EmulatorContext } from './context.js';
import { bearerTokenOf, jsonReply, type Exchange, type Reply } from './exchange.js';
import { GUID_PATTERN } from './guid.js';
import { signJwt } from './jwt.js';

/** AZURE_DEVOPS_PATH is the root of the emulated Azure DevOps organization's API. */
export const AZURE_DEVOPS_PATH = '/_azuredevops';

/** SeedAzureDevOps is the Azure DevOps project whose pipelines use the emulator. */
export interface SeedAzureDevOps {
  /** The organization name (default `contoso`) and id (default derived). */
  readonly organization?: string;
  readonly organizationId?: string;
  /** The project name (default `app`). */
  readonly project?: string;
  /** The project's service connections that pipelines may ask OIDC tokens for. */
  readonly serviceConnections?: readonly { readonly id: string; readonly name: string }[];
}

/** AzureDevOpsProject is the emulated organization, project and pipeline job. */
export interface AzureDevOpsProject {
  readonly organization: string;
  readonly organizationId: string;
  readonly project: string;
  readonly serviceConnections: ReadonlyMap<string, string>;
  /** The job's System.AccessToken, the only bearer the OIDC endpoint accepts. */
  readonly systemAccessToken: string;
  /** The job's OIDC endpoint path (System.OidcRequestUri without the origin). */
  readonly oidcRequestPath: string;
}

/** azureDevOpsIssuer is the `iss` of service connection tokens: Azure DevOps' token service. */
export function azureDevOpsIssuer(organizationId: string): string {
  return `https://vstoken.dev.azure.com/${organizationId}`;
}

/** azureDevOpsSubject is the `sub` of a service connection's token. */
export function azureDevOpsSubject(project: AzureDevOpsProject, connectionName: string): string {
  return `sc://${project.organization}/${project.project}/${connectionName}`;
}

/** validateAzureDevOpsSeed checks the seed's `azureDevOps` section, naming the bad field. */
export function validateAzureDevOpsSeed(value: unknown, fail: (message: string) => never): void {
  if (value === undefined) return;
  if (typeof value !== 'object' || value === null) fail('azureDevOps: must be an object');
  const seed = value as Record<string, unknown>;
  for (const key of ['organization', 'project']) {
    if (seed[key] !== undefined && !/^[\w.-]+$/.test(String(seed[key]))) {
      fail(`azureDevOps.${key}: '${String(seed[key])}' is not a valid name`);
    }
  }
  if (seed['organizationId'] !== undefined && !GUID_PATTERN.test(String(seed['organizationId']))) {
    fail('azureDevOps.organizationId: must be a GUID');
  }
  const connections = seed['serviceConnections'] ?? [];
  if (!Array.isArray(connections)) fail('azureDevOps.serviceConnections: must be an array');
  (connections as unknown[]).forEach((c, i) => {
    const connection = (c ?? {}) as Record<string, unknown>;
    if (!GUID_PATTERN.test(String(connection['id']))) {
      fail(`azureDevOps.serviceConnections[${i}].id: must be a GUID`);
    }
    if (typeof connection['name'] !== 'string' || !connection['name']) {
      fail(`azureDevOps.serviceConnections[${i}].name: must be a non-empty string`);
    }
  });
}

/** createAzureDevOpsProject builds the emulated project from the seed, with a fresh job token. */
export function createAzureDevOpsProject(
  seed: SeedAzureDevOps | undefined,
  systemAccessToken: string,
): AzureDevOpsProject {
  const organization = seed?.organization ?? 'contoso';
  const project = seed?.project ?? 'app';
  const planId = randomUUID();
  const jobId = randomUUID();
  return {
    organization,
    organizationId: (seed?.organizationId ?? '0a0e1e5b-0000-4000-8000-0000000000de').toLowerCase(),
    project,
    serviceConnections: new Map(
      (seed?.serviceConnections ?? []).map((c) => [c.id.toLowerCase(), c.name]),
    ),
    systemAccessToken,
    oidcRequestPath:
      `${AZURE_DEVOPS_PATH}/${organization}/${project}/_apis/distributedtask/hubs/build/plans/` +
      `${planId}/jobs/${jobId}/oidctoken`,
  };
}

/** azureDevOpsError is the shape of an Azure DevOps REST error. */
function azureDevOpsError(status: number, typeKey: string, message: string): Reply {
  return jsonReply(status, {
    $id: '1',
    innerException: null,
    message,
    typeName: `Microsoft.TeamFoundation.DistributedTask.WebApi.${typeKey}, Microsoft.TeamFoundation.DistributedTask.WebApi`,
    typeKey,
    errorCode: 0,
    eventId: 3000,
  });
}

/**
 * handleAzureDevOpsOidc answers like a job's `System.OidcRequestUri`: `POST
 * {uri}?api-version=7.1&serviceConnectionId={id}` with System.AccessToken as bearer returns
 * `{ oidcToken }`, a JWT for that service connection (issuer `https://vstoken.dev.azure.com/<org
 * id>`, subject `sc://<org>/<project>/<connection name>`, audience `api://AzureADTokenExchange`)
 * signed by the emulator's Azure DevOps key.
 */
export function handleAzureDevOpsOidc(context: EmulatorContext, exchange: Exchange): Reply {
  const project = context.azureDevOps;
  if (exchange.url.pathname !== project.oidcRequestPath) {
    return azureDevOpsError(404, 'RouteNotFoundException', 'The requested resource was not found.');
  }
  if (bearerTokenOf(exchange) !== project.systemAccessToken) {
    return azureDevOpsError(
      401,
      'UnauthorizedRequestException',
      'TF400813: The user is not authorized to access this resource.',
    );
  }
  if (exchange.method !== 'POST') {
    return azureDevOpsError(405, 'MethodNotAllowedException', 'The request method is not POST.');
  }
  const apiVersion = exchange.url.searchParams.get('api-version');
  if (!apiVersion || !/^7\.1(-preview(\.\d+)?)?$/.test(apiVersion)) {
    return azureDevOpsError(
      400,
      'VssInvalidApiVersionException',
      `VS800071: The requested version '${apiVersion ?? ''}' of the resource is not supported.`,
    );
  }
  const connectionId = (exchange.url.searchParams.get('serviceConnectionId') ?? '').toLowerCase();
  const name = project.serviceConnections.get(connectionId);
  if (!name) {
    return azureDevOpsError(
      400,
      'InvalidRequestException',
      `Service connection '${connectionId}' was not found, or this pipeline is not authorized ` +
        'to use it.',
    );
  }
  const now = Math.floor(Date.now() / 1000);
  const oidcToken = signJwt(
    {
      jti: randomUUID(),
      sub: azureDevOpsSubject(project, name),
      aud: 'api://AzureADTokenExchange',
      iss: azureDevOpsIssuer(project.organizationId),
      nbf: now - 5,
      iat: now,
      exp: now + 600,
    },
    context.azureDevOpsKey,
  );
  return jsonReply(200, { oidcToken });
}
