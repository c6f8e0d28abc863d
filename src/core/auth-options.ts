/**
 * AuthOptions say how the step signs in. `federated` exchanges the runner's OIDC token, fetched
 * anew by `getAssertion` for each access token; `client-secret` uses a service principal secret;
 * `azure-cli` reuses the session left by azure/login.
 */
export type AuthOptions =
  | {
      readonly kind: 'federated';
      readonly clientId: string;
      readonly tenantId: string;
      readonly getAssertion: (audience: string) => Promise<string>;
    }
  | {
      readonly kind: 'client-secret';
      readonly clientId: string;
      readonly tenantId: string;
      readonly clientSecret: string;
    }
  | { readonly kind: 'azure-cli'; readonly tenantId: string | undefined };
