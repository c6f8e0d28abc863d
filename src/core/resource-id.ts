/** ResourceId is an Azure Resource Manager id split into its parts. */
export interface ResourceId {
  /** id is the id as given, without a trailing slash. */
  readonly id: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  /** provider is the namespace and top-level type, lower-cased: `microsoft.web/serverfarms`. */
  readonly provider: string;
  readonly name: string;
  /** childPath holds the segments after the top-level resource name (type/name pairs). */
  readonly childPath: readonly string[];
}

const ID_PATTERN =
  /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/([^/]+)\/([^/]+)\/([^/]+)((?:\/[^/]+\/[^/]+)*)$/i;

/**
 * parseResourceId splits an ARM resource id, or returns undefined when the text is not one
 * (for example an unevaluated template expression passed as an id).
 */
export function parseResourceId(text: string): ResourceId | undefined {
  const id = text.trim().replace(/\/+$/, '');
  const match = ID_PATTERN.exec(id);
  if (!match) return undefined;
  const [, subscriptionId, resourceGroup, namespace, type, name, rest] = match;
  if (!subscriptionId || !resourceGroup || !namespace || !type || !name) return undefined;
  return {
    id,
    subscriptionId,
    resourceGroup,
    provider: `${namespace}/${type}`.toLowerCase(),
    name,
    childPath: rest ? rest.split('/').filter(Boolean) : [],
  };
}

/** sameResourceId compares two ids the way ARM does: without regard to case. */
export function sameResourceId(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  return a.replace(/\/+$/, '').toLowerCase() === b.replace(/\/+$/, '').toLowerCase();
}

/** isScopeWithin tells whether `outer` equals `inner` or is one of its ancestors in ARM's tree. */
export function isScopeWithin(outer: string, inner: string): boolean {
  const a = outer.replace(/\/+$/, '').toLowerCase();
  const b = inner.replace(/\/+$/, '').toLowerCase();
  return a === b || b.startsWith(`${a}/`) || a === '';
}
