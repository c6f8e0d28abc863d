import { readFileSync } from 'node:fs';
import https from 'node:https';

import { WebSiteManagementClient } from '@azure/arm-appservice';
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { KeyVaultManagementClient } from '@azure/arm-keyvault';
import { ManagedServiceIdentityClient } from '@azure/arm-msi';
import { NetworkManagementClient } from '@azure/arm-network';
import { ClientSecretCredential, type TokenCredential } from '@azure/identity';
import { CertificateClient } from '@azure/keyvault-certificates';

import type { EmulatorInfo } from './index.js';

/**
 * emulatorAgent is an https agent that trusts the emulator's CA and nothing is turned off:
 * NODE_EXTRA_CA_CERTS is read only at process start, so in-process tests pass this agent to the
 * SDK clients through their `agent` pipeline option instead.
 */
export function emulatorAgent(info: EmulatorInfo): https.Agent {
  return new https.Agent({ ca: readFileSync(info.caCertificate, 'utf8'), keepAlive: false });
}

/** EmulatorClients are the real Azure SDK clients, pointed at the emulator. */
export interface EmulatorClients {
  readonly credential: TokenCredential;
  readonly web: WebSiteManagementClient;
  readonly keyVault: KeyVaultManagementClient;
  readonly authorization: AuthorizationManagementClient;
  readonly network: NetworkManagementClient;
  readonly msi: ManagedServiceIdentityClient;
  certificates(vaultName: string): CertificateClient;
}

/** createEmulatorClients builds the SDK clients with a client-secret credential for `info`. */
export function createEmulatorClients(
  info: EmulatorInfo,
  credential: TokenCredential = emulatorSecretCredential(info),
  subscriptionId: string = info.subscriptionId,
): EmulatorClients {
  const agent = emulatorAgent(info);
  const scopes = [`${info.armAudience}.default`];
  const arm = { endpoint: info.resourceManagerEndpoint, agent };
  return {
    credential,
    web: new WebSiteManagementClient(credential, subscriptionId, {
      ...arm,
      credentials: { scopes },
    }),
    keyVault: new KeyVaultManagementClient(credential, subscriptionId, {
      ...arm,
      credentials: { scopes },
    }),
    authorization: new AuthorizationManagementClient(credential, subscriptionId, {
      ...arm,
      credentialScopes: scopes,
    }),
    network: new NetworkManagementClient(credential, subscriptionId, {
      ...arm,
      credentials: { scopes },
    }),
    msi: new ManagedServiceIdentityClient(credential, subscriptionId, {
      ...arm,
      credentialScopes: scopes,
    }),
    certificates: (vaultName) => {
      const uri = info.vaults[vaultName];
      if (uri === undefined) throw new Error(`Vault '${vaultName}' is not seeded`);
      return new CertificateClient(uri, credential, {
        agent,
        disableChallengeResourceVerification: true,
      });
    },
  };
}

/** emulatorSecretCredential is a ClientSecretCredential for the seeded pipeline client. */
export function emulatorSecretCredential(
  info: EmulatorInfo,
  clientId = info.clientId,
  secret = info.clientSecret,
): TokenCredential {
  return new ClientSecretCredential(info.tenantId, clientId, secret, {
    authorityHost: info.authorityHost,
    disableInstanceDiscovery: true,
    agent: emulatorAgent(info),
  });
}
