import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';
import {
  AzureCliCredential,
  ClientAssertionCredential,
  ClientCertificateCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
} from '@azure/identity';

import type { Cloud } from './cloud.js';
import { BindError } from './errors.js';
import type { Host } from './host.js';
import type { AuthOptions } from './auth-options.js';

// Tokens are reused until five minutes before they expire, as the SDK's own policies do.
const REFRESH_MARGIN_MS = 5 * 60 * 1000;

/**
 * MaskingCredential masks every access token in the log the moment it is issued, before any
 * request can carry it, and shares tokens between the run's many SDK clients so that each scope
 * costs one sign-in (and, with OIDC, one runner token) rather than one per client.
 */
class MaskingCredential implements TokenCredential {
  private readonly tokens = new Map<string, Promise<AccessToken | null>>();

  constructor(
    private readonly inner: TokenCredential,
    private readonly host: Host,
    private readonly describe: string,
  ) {}

  async getToken(
    scopes: string | string[],
    options?: GetTokenOptions,
  ): Promise<AccessToken | null> {
    const key = `${[scopes].flat().join(' ')}|${options?.tenantId ?? ''}`;
    const cached = await this.tokens.get(key)?.catch(() => null);
    if (cached && cached.expiresOnTimestamp - REFRESH_MARGIN_MS > Date.now()) return cached;

    const pending = this.fetch(scopes, options);
    this.tokens.set(key, pending);
    return pending;
  }

  private async fetch(
    scopes: string | string[],
    options: GetTokenOptions | undefined,
  ): Promise<AccessToken | null> {
    let token: AccessToken | null;
    try {
      token = await this.inner.getToken(scopes, options);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      // MSAL reports an unknown tenant as a failure to resolve the authority's endpoints.
      const hint = /endpoints_resolution_error|AADSTS90002|AADSTS900023/.test(reason)
        ? ' Check the tenant id (tenant-id, AZURE_TENANT_ID or the service connection): the ' +
          'authority does not know it.'
        : '';
      throw new BindError(
        `Failed to get an access token for ${[scopes].flat().join(' ')} with ${this.describe}: ` +
          `${reason}${hint}`,
        { cause: error },
      );
    }
    if (token) this.host.setSecret(token.token);
    return token;
  }
}

/**
 * createCredential builds the credential the Azure clients use, from parsed auth options. Secrets
 * are masked by the caller when parsed; assertions and tokens are masked here as they appear.
 */
export function createCredential(auth: AuthOptions, cloud: Cloud, host: Host): TokenCredential {
  // Instance discovery asks login.microsoftonline.com about the authority, which a custom cloud
  // (Azure Stack, the emulator) does not have.
  const common = {
    authorityHost: cloud.authorityHost,
    disableInstanceDiscovery: cloud.name === 'custom',
  };

  switch (auth.kind) {
    case 'federated': {
      const getAssertion = async (): Promise<string> => {
        const assertion = await auth.getAssertion(cloud.federatedTokenAudience);
        host.setSecret(assertion);
        return assertion;
      };
      host.info(
        `Signing in as client ${auth.clientId} in tenant ${auth.tenantId} with ` +
          `${auth.assertionSource} (federated credential).`,
      );
      return new MaskingCredential(
        new ClientAssertionCredential(auth.tenantId, auth.clientId, getAssertion, common),
        host,
        `federated credential of client ${auth.clientId}`,
      );
    }
    case 'client-secret':
      host.info(`Signing in as client ${auth.clientId} in tenant ${auth.tenantId} with a secret.`);
      return new MaskingCredential(
        new ClientSecretCredential(auth.tenantId, auth.clientId, auth.clientSecret, common),
        host,
        `client secret of client ${auth.clientId}`,
      );
    case 'client-certificate':
      host.info(
        `Signing in as client ${auth.clientId} in tenant ${auth.tenantId} with a certificate.`,
      );
      return new MaskingCredential(
        new ClientCertificateCredential(
          auth.tenantId,
          auth.clientId,
          { certificate: auth.certificatePem },
          common,
        ),
        host,
        `certificate of client ${auth.clientId}`,
      );
    case 'managed-identity': {
      const which = auth.clientId
        ? `the user-assigned managed identity ${auth.clientId}`
        : 'the system-assigned managed identity';
      host.info(`Signing in with ${which} of this machine.`);
      return new MaskingCredential(
        new ManagedIdentityCredential(auth.clientId ? { clientId: auth.clientId } : {}),
        host,
        which,
      );
    }
    case 'azure-cli':
      host.info('Signing in with the Azure CLI session (as left by azure/login).');
      return new MaskingCredential(
        new AzureCliCredential(auth.tenantId ? { tenantId: auth.tenantId } : {}),
        host,
        'the Azure CLI session',
      );
  }
}
