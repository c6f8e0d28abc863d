import {
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineFromOptions,
  createPipelineRequest,
} from '@azure/core-rest-pipeline';

import { BindError } from '../../core/errors.js';

// The api-version Azure Pipelines' OIDC endpoint answers for service connection tokens.
const OIDC_API_VERSION = '7.1';

/**
 * requestPipelineOidcToken asks the pipeline's OIDC endpoint (System.OidcRequestUri) for a token
 * that identifies the service connection, with System.AccessToken as bearer. The token is
 * short-lived: the credential asks again for every new access token.
 */
export async function requestPipelineOidcToken(
  oidcRequestUri: string,
  serviceConnectionId: string,
  systemAccessToken: string,
): Promise<string> {
  const url = new URL(oidcRequestUri);
  url.searchParams.set('api-version', OIDC_API_VERSION);
  url.searchParams.set('serviceConnectionId', serviceConnectionId);
  const request = createPipelineRequest({
    url: url.toString(),
    method: 'POST',
    headers: createHttpHeaders({
      authorization: `Bearer ${systemAccessToken}`,
      'content-type': 'application/json',
      // Ask for a 401 rather than a redirect to a sign-in page when the token is refused.
      'x-tfs-fedauthredirect': 'Suppress',
    }),
  });

  let status: number;
  let body: string;
  try {
    const response = await createPipelineFromOptions({}).sendRequest(
      createDefaultHttpClient(),
      request,
    );
    status = response.status;
    body = response.bodyAsText ?? '';
  } catch (error) {
    throw new BindError(
      `Failed to request an OIDC token for service connection ${serviceConnectionId} from ` +
        `${url.origin}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }

  let token: unknown;
  try {
    token = (JSON.parse(body) as { oidcToken?: unknown }).oidcToken;
  } catch {
    token = undefined;
  }
  if (status !== 200 || typeof token !== 'string' || !token) {
    // The body is not repeated: on success it would hold the token itself.
    throw new BindError(
      `Failed to request an OIDC token for service connection ${serviceConnectionId}: the ` +
        `pipeline answered HTTP ${status}${status === 200 ? ' without an oidcToken' : ''}. Check ` +
        'that the service connection uses workload identity federation and that this pipeline ' +
        'is allowed to use it.',
    );
  }
  return token;
}
