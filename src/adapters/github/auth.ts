import * as core from '@actions/core';

import { InputError } from '../../core/errors.js';
import type { AuthOptions } from '../../core/auth-options.js';
import { readGuid, type InputReader } from '../../core/parse-options.js';

/**
 * parseGitHubAuth picks how the action signs in: `client-id` + `tenant-id` exchange the runner's
 * OIDC token; otherwise the AZURE_CLIENT_ID / AZURE_TENANT_ID / AZURE_CLIENT_SECRET environment
 * variables; otherwise the Azure CLI session that azure/login leaves.
 */
export function parseGitHubAuth(read: InputReader, env: NodeJS.ProcessEnv): AuthOptions {
  const clientId = readGuid(read, 'client-id', 'the application (client) id to sign in as');
  const tenantId = readGuid(read, 'tenant-id', 'the directory (tenant) id');

  if (clientId || tenantId) {
    if (!clientId || !tenantId) {
      const missing = clientId ? 'tenant-id' : 'client-id';
      throw new InputError(
        missing,
        'is required when signing in with OIDC: set both client-id and tenant-id.',
      );
    }
    if (!env['ACTIONS_ID_TOKEN_REQUEST_URL'] || !env['ACTIONS_ID_TOKEN_REQUEST_TOKEN']) {
      throw new InputError(
        'client-id',
        'asks for OIDC sign-in, but the runner offers no OIDC token. Give the job ' +
          "'permissions: id-token: write' (and 'contents: read'); a pull request from a fork " +
          'never gets one.',
      );
    }
    return {
      kind: 'federated',
      clientId,
      tenantId,
      assertionSource: "the runner's OIDC token",
      getAssertion: (audience) => core.getIDToken(audience),
    };
  }

  // azure/login with OIDC leaves AZURE_CLIENT_ID and AZURE_TENANT_ID behind without a secret:
  // only a secret means "sign in with these variables"; otherwise use the CLI session.
  const secret = env['AZURE_CLIENT_SECRET'];
  if (secret) {
    core.setSecret(secret);
    const envClientId = env['AZURE_CLIENT_ID'];
    const envTenantId = env['AZURE_TENANT_ID'];
    if (!envClientId || !envTenantId) {
      const missing = [envClientId ? '' : 'AZURE_CLIENT_ID', envTenantId ? '' : 'AZURE_TENANT_ID'];
      throw new InputError(
        'client-id',
        `is not set and AZURE_CLIENT_SECRET is, but ${missing.filter(Boolean).join(' and ')} ` +
          'is not: set all three environment variables, or set client-id and tenant-id to ' +
          'use OIDC.',
      );
    }
    return {
      kind: 'client-secret',
      clientId: envClientId,
      tenantId: envTenantId,
      clientSecret: secret,
    };
  }

  return { kind: 'azure-cli', tenantId: undefined };
}
