/** SchemaRef says which upstream schema validates a resource (see schemas.ts). */
export type SchemaRef =
  | { readonly type: 'core'; readonly file: string }
  | { readonly type: 'crd'; readonly file: string; readonly version: string }
  | { readonly type: 'none' };

/** KubeResource is one resource type the emulated API server serves. */
export interface KubeResource {
  /** '' for the core group. */
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly plural: string;
  readonly singular: string;
  readonly namespaced: boolean;
  readonly shortNames?: readonly string[];
  readonly schema: SchemaRef;
  /** True for custom resources (their lists carry apiVersion and kind on each item). */
  readonly custom: boolean;
  /** Served only while Traefik's CRDs are installed. */
  readonly traefik?: boolean;
}

const VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update'];

/** KUBE_RESOURCES is every resource the emulated API server knows. */
export const KUBE_RESOURCES: readonly KubeResource[] = [
  {
    group: '',
    version: 'v1',
    kind: 'Namespace',
    plural: 'namespaces',
    singular: 'namespace',
    namespaced: false,
    shortNames: ['ns'],
    schema: { type: 'core', file: 'namespace-v1.json' },
    custom: false,
  },
  {
    group: '',
    version: 'v1',
    kind: 'Secret',
    plural: 'secrets',
    singular: 'secret',
    namespaced: true,
    schema: { type: 'core', file: 'secret-v1.json' },
    custom: false,
  },
  {
    group: '',
    version: 'v1',
    kind: 'ServiceAccount',
    plural: 'serviceaccounts',
    singular: 'serviceaccount',
    namespaced: true,
    shortNames: ['sa'],
    schema: { type: 'core', file: 'serviceaccount-v1.json' },
    custom: false,
  },
  {
    group: '',
    version: 'v1',
    kind: 'Pod',
    plural: 'pods',
    singular: 'pod',
    namespaced: true,
    shortNames: ['po'],
    schema: { type: 'none' },
    custom: false,
  },
  {
    group: '',
    version: 'v1',
    kind: 'Event',
    plural: 'events',
    singular: 'event',
    namespaced: true,
    shortNames: ['ev'],
    schema: { type: 'none' },
    custom: false,
  },
  {
    group: 'apps',
    version: 'v1',
    kind: 'Deployment',
    plural: 'deployments',
    singular: 'deployment',
    namespaced: true,
    shortNames: ['deploy'],
    schema: { type: 'core', file: 'deployment-apps-v1.json' },
    custom: false,
  },
  {
    group: 'secrets-store.csi.x-k8s.io',
    version: 'v1',
    kind: 'SecretProviderClass',
    plural: 'secretproviderclasses',
    singular: 'secretproviderclass',
    namespaced: true,
    schema: {
      type: 'crd',
      file: 'secrets-store.csi.x-k8s.io_secretproviderclasses.yaml',
      version: 'v1',
    },
    custom: true,
  },
  {
    group: 'secrets-store.csi.x-k8s.io',
    version: 'v1',
    kind: 'SecretProviderClassPodStatus',
    plural: 'secretproviderclasspodstatuses',
    singular: 'secretproviderclasspodstatus',
    namespaced: true,
    schema: {
      type: 'crd',
      file: 'secrets-store.csi.x-k8s.io_secretproviderclasspodstatuses.yaml',
      version: 'v1',
    },
    custom: true,
  },
  {
    group: 'traefik.io',
    version: 'v1alpha1',
    kind: 'TLSStore',
    plural: 'tlsstores',
    singular: 'tlsstore',
    namespaced: true,
    schema: { type: 'crd', file: 'traefik.io_tlsstores.yaml', version: 'v1alpha1' },
    custom: true,
    traefik: true,
  },
];

/** apiVersionOf renders a resource's `apiVersion` (`v1`, `apps/v1`). */
export function apiVersionOf(resource: KubeResource): string {
  return resource.group === '' ? resource.version : `${resource.group}/${resource.version}`;
}

/** servedResources lists the resources served now (Traefik's only while its CRDs are installed). */
export function servedResources(traefikInstalled: boolean): KubeResource[] {
  return KUBE_RESOURCES.filter((r) => traefikInstalled || r.traefik !== true);
}

/** findResource finds a served resource by group, version and plural. */
export function findResource(
  traefikInstalled: boolean,
  group: string,
  version: string,
  plural: string,
): KubeResource | undefined {
  return servedResources(traefikInstalled).find(
    (r) => r.group === group && r.version === version && r.plural === plural,
  );
}

/** findResourceByKind finds a resource by apiVersion and kind (for the emulator's own writes). */
export function findResourceByKind(apiVersion: string, kind: string): KubeResource {
  const resource = KUBE_RESOURCES.find((r) => apiVersionOf(r) === apiVersion && r.kind === kind);
  if (!resource) throw new Error(`no resource ${apiVersion} ${kind}`);
  return resource;
}

/** apiVersionsDocument is `GET /api` (APIVersions). */
export function apiVersionsDocument(serverAddress: string): Record<string, unknown> {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

/** apiGroupListDocument is `GET /apis` (APIGroupList). */
export function apiGroupListDocument(traefikInstalled: boolean): Record<string, unknown> {
  const groups = new Map<string, string>();
  for (const r of servedResources(traefikInstalled)) {
    if (r.group !== '') groups.set(r.group, r.version);
  }
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [...groups].map(([name, version]) => {
      const groupVersion = { groupVersion: `${name}/${version}`, version };
      return { name, versions: [groupVersion], preferredVersion: groupVersion };
    }),
  };
}

/** apiGroupDocument is `GET /apis/{group}` (APIGroup), or undefined for an unknown group. */
export function apiGroupDocument(
  traefikInstalled: boolean,
  group: string,
): Record<string, unknown> | undefined {
  const resource = servedResources(traefikInstalled).find((r) => r.group === group);
  if (!resource) return undefined;
  const groupVersion = { groupVersion: apiVersionOf(resource), version: resource.version };
  return {
    kind: 'APIGroup',
    apiVersion: 'v1',
    name: group,
    versions: [groupVersion],
    preferredVersion: groupVersion,
  };
}

/** apiResourceListDocument is `GET /api/v1` or `/apis/{group}/{version}`, or undefined. */
export function apiResourceListDocument(
  traefikInstalled: boolean,
  group: string,
  version: string,
): Record<string, unknown> | undefined {
  const resources = servedResources(traefikInstalled).filter(
    (r) => r.group === group && r.version === version,
  );
  if (resources.length === 0) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group === '' ? version : `${group}/${version}`,
    resources: resources.map((r) => ({
      name: r.plural,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: VERBS.concat(r.namespaced ? ['deletecollection', 'watch'] : ['watch']),
      ...(r.shortNames ? { shortNames: r.shortNames } : {}),
      storageVersionHash: Buffer.from(`${r.group}/${r.version}/${r.plural}`)
        .toString('base64')
        .slice(0, 11),
    })),
  };
}
