/** ParsedResourceId is a top-level ARM resource id split into its parts. */
export interface ParsedResourceId {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly provider: string;
  readonly type: string;
  readonly name: string;
}

const RESOURCE_ID =
  /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/([^/]+)\/([^/]+)\/([^/]+)$/i;

/**
 * parseResourceId parses `/subscriptions/{s}/resourceGroups/{g}/providers/{ns}/{type}/{name}`,
 * optionally requiring a provider and type (compared case-insensitively, as ARM does).
 */
export function parseResourceId(
  id: string,
  expected?: { readonly provider: string; readonly type: string },
): ParsedResourceId | undefined {
  const match = RESOURCE_ID.exec(id);
  if (!match) return undefined;
  const [, subscriptionId, resourceGroup, provider, type, name] = match;
  if (!subscriptionId || !resourceGroup || !provider || !type || !name) return undefined;
  if (
    expected &&
    (provider.toLowerCase() !== expected.provider.toLowerCase() ||
      type.toLowerCase() !== expected.type.toLowerCase())
  ) {
    return undefined;
  }
  return { subscriptionId, resourceGroup, provider, type, name };
}

/** buildResourceId builds a top-level ARM resource id. */
export function buildResourceId(
  subscriptionId: string,
  resourceGroup: string,
  providerAndType: string,
  name: string,
): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/${providerAndType}/${name}`;
}
