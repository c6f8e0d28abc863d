import type { TokenCredential } from '@azure/core-auth';

import { scopeFor, type Cloud } from './cloud.js';
import { errorBodyPolicies } from './error-bodies.js';
import type { Host } from './host.js';

/** AzureContext is what every Azure client of a run is built from. */
export interface AzureContext {
  readonly cloud: Cloud;
  readonly credential: TokenCredential;
  readonly host: Host;
}

/**
 * armClientOptions returns the options that point a new-style ARM client at the run's cloud.
 * New-style clients ask for management.azure.com tokens unless told the scope.
 */
export function armClientOptions(context: AzureContext) {
  return {
    endpoint: context.cloud.resourceManagerEndpoint,
    credentials: { scopes: [scopeFor(context.cloud.resourceManagerAudience)] },
    additionalPolicies: errorBodyPolicies,
  };
}

/**
 * classicArmClientOptions does the same for classic ARM clients (`@azure/arm-authorization`,
 * `@azure/arm-resources-subscriptions`), which take the endpoint and scopes under other names.
 */
export function classicArmClientOptions(context: AzureContext) {
  return {
    endpoint: context.cloud.resourceManagerEndpoint,
    credentialScopes: [scopeFor(context.cloud.resourceManagerAudience)],
    additionalPolicies: errorBodyPolicies,
  };
}
