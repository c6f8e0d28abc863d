import { randomUUID } from 'node:crypto';

import { issuerOf } from './access-token.js';
import { armAudiences, sameAudience, type EmulatorContext } from './context.js';
import { azureDevOpsIssuer } from './azure-devops-oidc.js';
import { checkCertificateAssertion } from './entra-client-certificate.js';
import { entraError } from './error-bodies.js';
import { jsonReply, type Exchange, type Reply } from './exchange.js';
import { decodeJwtClaims, signJwt, verifyJwt } from './jwt.js';
import type { Client } from './state.js';

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const TOKEN_LIFETIME_SECONDS = 3599;

/**
 * handleEntra serves the Entra ID endpoints of the tenant: OpenID configuration, signing keys and
 * the v2.0 token endpoint (client credentials with a secret or a federated client assertion).
 * It returns undefined for paths that are not Entra's.
 */
export function handleEntra(context: EmulatorContext, exchange: Exchange): Reply | undefined {
  const match =
    /^\/([^/]+)\/(v2\.0\/\.well-known\/openid-configuration|discovery\/v2\.0\/keys|oauth2\/v2\.0\/token)$/.exec(
      exchange.url.pathname,
    );
  if (!match) return undefined;
  const [, tenant = '', endpoint] = match;
  const known = tenant.toLowerCase() === context.state.tenantId.toLowerCase();
  if (!known) {
    return entraError(
      400,
      endpoint === 'oauth2/v2.0/token' ? 'invalid_request' : 'invalid_tenant',
      90002,
      `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
    );
  }
  if (endpoint === 'discovery/v2.0/keys') {
    const jwk = context.entraKey.publicKey.export({ format: 'jwk' });
    return jsonReply(200, {
      keys: [{ kty: 'RSA', use: 'sig', kid: context.entraKey.kid, n: jwk.n, e: jwk.e }],
    });
  }
  if (endpoint === 'v2.0/.well-known/openid-configuration') {
    return jsonReply(200, openIdConfiguration(context, context.state.tenantId));
  }
  if (exchange.method !== 'POST') {
    return entraError(405, 'invalid_request', 900561, 'The endpoint only accepts POST requests.');
  }
  return issueToken(context, new URLSearchParams(exchange.rawBody));
}

function openIdConfiguration(context: EmulatorContext, tenantId: string): Record<string, unknown> {
  const base = `${context.endpoints.origin}/${tenantId}`;
  return {
    token_endpoint: `${base}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: [
      'client_secret_post',
      'private_key_jwt',
      'client_secret_basic',
    ],
    jwks_uri: `${base}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: issuerOf(context, tenantId),
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${context.endpoints.origin}/graph/oidc/userinfo`,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'tid', 'oid'],
    kerberos_endpoint: `${base}/kerberos`,
    tenant_region_scope: 'EU',
    cloud_instance_name: 'emulator.local',
    cloud_graph_host_name: '127.0.0.1',
    msgraph_host: '127.0.0.1',
  };
}

function issueToken(context: EmulatorContext, form: URLSearchParams): Reply {
  const grantType = form.get('grant_type');
  if (grantType !== 'client_credentials') {
    return entraError(
      400,
      'unsupported_grant_type',
      70003,
      `The app requested an unsupported grant type '${grantType ?? ''}'.`,
    );
  }
  const clientId = form.get('client_id') ?? '';
  const client = context.state.clients.find(
    (c) => c.clientId.toLowerCase() === clientId.toLowerCase(),
  );
  if (!client) {
    return entraError(
      400,
      'unauthorized_client',
      700016,
      `Application with identifier '${clientId}' was not found in the directory '${context.state.tenantId}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
    );
  }
  const refused = authenticateClient(context, client, form);
  if (refused) return refused;

  const scope = (form.get('scope') ?? '').split(' ').find((s) => s.endsWith('/.default'));
  if (scope === undefined) {
    return entraError(
      400,
      'invalid_scope',
      1002012,
      'The provided value for scope is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).',
    );
  }
  const resource = scope.slice(0, -'/.default'.length);
  const known = [
    ...armAudiences(context.endpoints),
    context.endpoints.keyVaultAudience,
    context.endpoints.graphAudience,
  ];
  if (!known.some((a) => sameAudience(a, resource))) {
    return entraError(
      400,
      'invalid_resource',
      500011,
      `The resource principal named ${resource} was not found in the tenant named ${context.state.tenantId}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
    );
  }
  const now = Math.floor(Date.now() / 1000);
  const accessToken = signJwt(
    {
      aud: resource,
      iss: issuerOf(context, context.state.tenantId),
      iat: now,
      nbf: now,
      exp: now + TOKEN_LIFETIME_SECONDS,
      appid: client.clientId,
      azp: client.clientId,
      idtyp: 'app',
      oid: client.objectId,
      sub: client.objectId,
      tid: context.state.tenantId,
      uti: randomUUID(),
      ver: '2.0',
    },
    context.entraKey,
  );
  return jsonReply(200, {
    token_type: 'Bearer',
    expires_in: TOKEN_LIFETIME_SECONDS,
    ext_expires_in: TOKEN_LIFETIME_SECONDS,
    access_token: accessToken,
  });
}

function authenticateClient(
  context: EmulatorContext,
  client: Client,
  form: URLSearchParams,
): Reply | undefined {
  const secret = form.get('client_secret');
  if (secret !== null) {
    if (client.clientSecret !== undefined && secret === client.clientSecret) return undefined;
    return entraError(
      401,
      'invalid_client',
      7000215,
      `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${client.clientId}'.`,
    );
  }
  const assertion = form.get('client_assertion');
  if (assertion === null || form.get('client_assertion_type') !== JWT_BEARER) {
    return entraError(
      401,
      'invalid_client',
      7000218,
      "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
    );
  }
  // A client signs its own assertion with a certificate (iss = client id); anything else is a
  // federated token from an external issuer.
  if (decodeJwtClaims(assertion)?.['iss'] === client.clientId) {
    return checkCertificateAssertion(context, client, assertion);
  }
  return checkFederatedAssertion(context, client, assertion);
}

function checkFederatedAssertion(
  context: EmulatorContext,
  client: Client,
  assertion: string,
): Reply | undefined {
  const claims = decodeJwtClaims(assertion);
  if (!claims) {
    return entraError(400, 'invalid_client', 50027, 'JWT token is invalid or malformed.');
  }
  const issuer = String(claims['iss'] ?? '');
  const subject = String(claims['sub'] ?? '');
  const audiences = Array.isArray(claims['aud'])
    ? claims['aud'].map(String)
    : [String(claims['aud'] ?? '')];
  const record = client.federatedCredentials.find(
    (f) =>
      f.issuer === issuer &&
      f.subject === subject &&
      f.audiences.some((a) => audiences.includes(a)),
  );
  if (!record) {
    return entraError(
      400,
      'invalid_client',
      70021,
      `No matching federated identity record found for presented assertion. Assertion Issuer: '${issuer}'. Assertion Subject: '${subject}'. Assertion Audience: '${audiences.join(',')}'. https://learn.microsoft.com/entra/workload-id/workload-identity-federation`,
    );
  }
  const issuerKeys = new Map([
    [context.endpoints.githubIssuer, context.githubKey],
    [azureDevOpsIssuer(context.azureDevOps.organizationId), context.azureDevOpsKey],
  ]);
  const issuerKey = issuerKeys.get(issuer);
  if (!issuerKey) {
    return entraError(
      400,
      'invalid_client',
      700211,
      `No matching federated identity record found for presented assertion issuer '${issuer}'.`,
    );
  }
  const verified = verifyJwt(assertion, [issuerKey]);
  if (!verified.ok) {
    return verified.reason === 'expired' || verified.reason === 'not-yet-valid'
      ? entraError(
          400,
          'invalid_client',
          700024,
          'Client assertion is not within its valid time range.',
        )
      : entraError(
          400,
          'invalid_client',
          5002738,
          `Invalid JWT token. Signature validation failed for the client assertion issued by '${issuer}'.`,
        );
  }
  return undefined;
}
