/**
 * AuthOptions say how the step signs in. `federated` exchanges an OIDC token from the pipeline
 * (a GitHub runner's ID token, an Azure DevOps service connection's token), fetched anew by
 * `getAssertion` for each access token; `client-secret` and `client-certificate` use a service
 * principal's secret or certificate; `managed-identity` uses the machine's managed identity;
 * `azure-cli` reuses the session left by azure/login.
 */
export type AuthOptions =
  | {
      readonly kind: 'federated';
      readonly clientId: string;
      readonly tenantId: string;
      /** assertionSource names where the OIDC token comes from, for the sign-in log line. */
      readonly assertionSource: string;
      readonly getAssertion: (audience: string) => Promise<string>;
    }
  | {
      readonly kind: 'client-secret';
      readonly clientId: string;
      readonly tenantId: string;
      readonly clientSecret: string;
    }
  | {
      readonly kind: 'client-certificate';
      readonly clientId: string;
      readonly tenantId: string;
      /** certificatePem holds the certificate and its unencrypted private key, in PEM. */
      readonly certificatePem: string;
    }
  | {
      readonly kind: 'managed-identity';
      /** clientId selects a user-assigned identity; undefined means the system-assigned one. */
      readonly clientId: string | undefined;
    }
  | { readonly kind: 'azure-cli'; readonly tenantId: string | undefined };
