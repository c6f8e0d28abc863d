import { getClient } from '@azure-rest/core-client';

import type { AzureContext } from '../core/azure-context.js';
import { scopeFor } from '../core/cloud.js';
import { PreconditionError } from '../core/errors.js';

interface GraphServicePrincipal {
  id?: string;
  appId?: string;
  displayName?: string;
}

interface GraphError {
  error?: { code?: string; message?: string };
}

/** appServicePrincipalHint says which input replaces the look-up of the App Service principal. */
export function appServicePrincipalHint(appId: string): string {
  return (
    'If the tenant has none, register the provider (az provider register --namespace ' +
    "Microsoft.Web). Or set the input 'app-service-principal-object-id' to the object id of the App Service " +
    `resource provider's service principal in your tenant; an administrator can read it with ` +
    `'az ad sp show --id ${appId} --query id -o tsv'.`
  );
}

/**
 * findServicePrincipalObjectId looks up, in Microsoft Graph, the object id of the service
 * principal of an application (the App Service resource provider, a managed identity): object ids
 * differ from application ids. When Graph is out of reach or denied, the error ends with
 * `howToGetIt`: what the user can give instead.
 */
export async function findServicePrincipalObjectId(
  context: AzureContext,
  appId: string,
  howToGetIt: (appId: string) => string,
): Promise<string> {
  const endpoint = context.cloud.microsoftGraphEndpoint;
  if (!endpoint) {
    throw new PreconditionError(
      `This cloud has no Microsoft Graph endpoint to look up service principal ${appId}. ` +
        howToGetIt(appId),
    );
  }

  const client = getClient(endpoint, context.credential, {
    credentials: { scopes: [scopeFor(endpoint)] },
  });
  let response;
  try {
    response = await client.path('/v1.0/servicePrincipals').get({
      queryParameters: { $filter: `appId eq '${appId}'`, $select: 'id,appId,displayName' },
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new PreconditionError(
      `Failed to look up service principal ${appId} in Microsoft Graph: ${reason}. ` +
        howToGetIt(appId),
      { cause: error },
    );
  }

  if (response.status !== '200') {
    const body = response.body as GraphError | undefined;
    const code = body?.error?.code ?? `HTTP ${response.status}`;
    const denied = response.status === '403' || response.status === '401';
    const why = denied
      ? `Microsoft Graph denied the look-up (${code}): the pipeline's identity may not read ` +
        'service principals (Application.Read.All or Directory.Read.All).'
      : `Microsoft Graph answered ${code}.`;
    throw new PreconditionError(
      `Failed to look up service principal ${appId}. ${why} ${howToGetIt(appId)}`,
    );
  }

  const found = ((response.body as { value?: GraphServicePrincipal[] }).value ?? []).find(
    (principal) => principal.appId?.toLowerCase() === appId.toLowerCase() && principal.id,
  );
  if (!found?.id) {
    throw new PreconditionError(
      `The tenant has no service principal for application ${appId}. ${howToGetIt(appId)}`,
    );
  }
  return found.id;
}
