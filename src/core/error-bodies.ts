import type { PipelinePolicy, PipelineRequest } from '@azure/core-rest-pipeline';

// Keyed by the request object, which the SDK's RestError carries back to us. Weak, so nothing
// outlives the request.
const bodies = new WeakMap<PipelineRequest, string>();

/**
 * errorBodyPolicy keeps the body of every failed response. New-style SDK clients build their
 * RestError from a camelCase `error` object only, so App Service's PascalCase body and Key
 * Vault's `innererror` (which holds the reason, such as ForbiddenByFirewall) would be lost.
 */
export const errorBodyPolicy: PipelinePolicy = {
  name: 'keyvault-cert-bind-error-body',
  async sendRequest(request, next) {
    const response = await next(request);
    if (response.status >= 400 && response.bodyAsText) bodies.set(request, response.bodyAsText);
    return response;
  },
};

/** errorBodyOf returns the failed response body kept for a request, if any. */
export function errorBodyOf(request: PipelineRequest | undefined): string | undefined {
  return request ? bodies.get(request) : undefined;
}

/** errorBodyPolicies is the client option that installs errorBodyPolicy. */
export const errorBodyPolicies = [{ policy: errorBodyPolicy, position: 'perCall' as const }];
