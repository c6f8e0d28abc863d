import { parse as parseYaml } from 'yaml';

import type { Exchange, Reply } from '../exchange.js';
import { bearerTokenOf, jsonReply } from '../exchange.js';
import { cloneJson, isRecord, type KubeObject, type KubernetesCluster } from './cluster.js';
import {
  managerId,
  readOwnership,
  recordUpdate,
  serverSideApply,
  type Ownership,
} from './field-management.js';
import { commitObject, deleteObject, getObject, listObjects } from './object-store.js';
import {
  applyJsonPatch,
  applyMergePatch,
  applyStrategicMergePatch,
  PatchError,
} from './patches.js';
import {
  apiGroupDocument,
  apiGroupListDocument,
  apiResourceListDocument,
  apiVersionOf,
  apiVersionsDocument,
  findResource,
  KUBE_RESOURCES,
  type KubeResource,
} from './resources.js';
import { matchesFieldSelector, matchesLabelSelector, SelectorError } from './selectors.js';
import {
  alreadyExistsStatus,
  invalidStatus,
  kubeStatus,
  notFoundStatus,
  qualifiedResource,
  unknownPathStatus,
} from './status.js';

const APPLY = 'application/apply-patch+yaml';
const JSON_PATCH = 'application/json-patch+json';
const MERGE_PATCH = 'application/merge-patch+json';
const STRATEGIC_PATCH = 'application/strategic-merge-patch+json';

/** ResourcePath is a request path resolved to a resource, a namespace and maybe a name. */
interface ResourcePath {
  readonly resource: KubeResource;
  readonly namespace: string | undefined;
  readonly name: string | undefined;
}

/**
 * handleKubernetes serves the emulated Kubernetes API server: bearer-token authentication,
 * discovery, and GET, list, POST, PUT, PATCH (server-side apply, JSON, merge and strategic merge
 * patches) and DELETE of the resources in resources.ts, with the API server's Status errors.
 */
export function handleKubernetes(
  cluster: KubernetesCluster,
  exchange: Exchange,
  serverAddress: string,
): Reply {
  if (bearerTokenOf(exchange) !== cluster.token) {
    return kubeStatus(401, 'Unauthorized', 'Unauthorized');
  }
  const segments = exchange.url.pathname
    .split('/')
    .filter((s) => s !== '')
    .map(decodeURIComponent);
  const traefik = cluster.traefikCrdsInstalled;
  const discovery = serveDiscovery(segments, traefik, serverAddress);
  if (discovery) {
    return exchange.method === 'GET'
      ? discovery
      : kubeStatus(
          405,
          'MethodNotAllowed',
          'the server does not allow this method on the requested resource',
        );
  }
  const target = resolvePath(segments, traefik);
  if (!target) return unknownPathStatus();
  const reply = serveResource(cluster, exchange, target);
  if (exchange.method !== 'GET' && reply.status < 300) cluster.onChange();
  return reply;
}

function serveDiscovery(
  segments: readonly string[],
  traefik: boolean,
  serverAddress: string,
): Reply | undefined {
  const [root, first, second] = segments;
  if (segments.length === 1 && root === 'version') {
    return jsonReply(200, {
      major: '1',
      minor: '30',
      gitVersion: 'v1.30.10',
      platform: 'linux/amd64',
    });
  }
  if (root === 'api' && segments.length === 1)
    return jsonReply(200, apiVersionsDocument(serverAddress));
  if (root === 'api' && segments.length === 2) {
    const list = apiResourceListDocument(traefik, '', first ?? '');
    return list ? jsonReply(200, list) : unknownPathStatus();
  }
  if (root === 'apis' && segments.length === 1)
    return jsonReply(200, apiGroupListDocument(traefik));
  if (root === 'apis' && segments.length === 2) {
    const group = apiGroupDocument(traefik, first ?? '');
    return group ? jsonReply(200, group) : unknownPathStatus();
  }
  if (root === 'apis' && segments.length === 3) {
    const list = apiResourceListDocument(traefik, first ?? '', second ?? '');
    return list ? jsonReply(200, list) : unknownPathStatus();
  }
  return undefined;
}

function resolvePath(segments: readonly string[], traefik: boolean): ResourcePath | undefined {
  let group: string;
  let version: string;
  let rest: string[];
  if (segments[0] === 'api') {
    group = '';
    version = segments[1] ?? '';
    rest = segments.slice(2);
  } else if (segments[0] === 'apis') {
    group = segments[1] ?? '';
    version = segments[2] ?? '';
    rest = segments.slice(3);
  } else {
    return undefined;
  }
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  if (rest.length === 0 || rest.length > 2) return undefined;
  const resource = findResource(traefik, group, version, rest[0] ?? '');
  if (!resource || (namespace !== undefined && !resource.namespaced)) return undefined;
  return { resource, namespace, name: rest[1] };
}

function serveResource(
  cluster: KubernetesCluster,
  exchange: Exchange,
  target: ResourcePath,
): Reply {
  const { resource, namespace, name } = target;
  if (name === undefined) {
    if (exchange.method === 'GET') return listReply(cluster, exchange, resource, namespace);
    if (exchange.method === 'POST') return createReply(cluster, exchange, resource, namespace);
    return kubeStatus(
      405,
      'MethodNotAllowed',
      'the server does not allow this method on the requested resource',
    );
  }
  if (resource.namespaced && namespace === undefined) return unknownPathStatus();
  const ns = namespace ?? '';
  const live = getObject(cluster, resource, ns, name);
  switch (exchange.method) {
    case 'GET':
      return live ? jsonReply(200, live) : notFoundStatus(resource, name);
    case 'DELETE': {
      const deleted = deleteObject(cluster, resource, ns, name);
      return deleted ? jsonReply(200, deleted) : notFoundStatus(resource, name);
    }
    case 'PUT':
      return replaceReply(cluster, exchange, resource, ns, name, live);
    case 'PATCH':
      return patchReply(cluster, exchange, resource, ns, name, live);
    default:
      return kubeStatus(
        405,
        'MethodNotAllowed',
        'the server does not allow this method on the requested resource',
      );
  }
}

function listReply(
  cluster: KubernetesCluster,
  exchange: Exchange,
  resource: KubeResource,
  namespace: string | undefined,
): Reply {
  const labelSelector = exchange.url.searchParams.get('labelSelector') ?? '';
  const fieldSelector = exchange.url.searchParams.get('fieldSelector') ?? '';
  let items: KubeObject[];
  try {
    items = listObjects(cluster, resource, namespace).filter(
      (o) =>
        matchesLabelSelector(labelSelector, o.metadata.labels ?? {}) &&
        matchesFieldSelector(fieldSelector, o),
    );
  } catch (error) {
    if (error instanceof SelectorError) return kubeStatus(400, 'BadRequest', error.message);
    throw error;
  }
  return jsonReply(200, {
    kind: `${resource.kind}List`,
    apiVersion: apiVersionOf(resource),
    metadata: { resourceVersion: String(cluster.resourceVersion) },
    // The API server leaves apiVersion and kind out of built-in list items.
    items: items.map((o) => {
      if (resource.custom) return o;
      const { apiVersion: _a, kind: _k, ...rest } = o;
      void _a;
      void _k;
      return rest;
    }),
  });
}

function checkBody(
  resource: KubeResource,
  body: unknown,
  namespace: string | undefined,
  name: string | undefined,
): { ok: true; object: KubeObject } | { ok: false; reply: Reply } {
  if (!isRecord(body)) {
    return {
      ok: false,
      reply: kubeStatus(400, 'BadRequest', 'the body of the request was in an unknown format'),
    };
  }
  const object = cloneJson(body) as KubeObject;
  if (object.apiVersion !== apiVersionOf(resource) || object.kind !== resource.kind) {
    return {
      ok: false,
      reply: kubeStatus(
        400,
        'BadRequest',
        `the API version in the data (${String(object.apiVersion)}) and kind (${String(object.kind)}) do not match the request (${apiVersionOf(resource)}, ${resource.kind})`,
      ),
    };
  }
  if (!isRecord(object.metadata)) object.metadata = { name: '' };
  const bodyName = object.metadata.name;
  if (name !== undefined && bodyName !== undefined && bodyName !== name) {
    return {
      ok: false,
      reply: kubeStatus(
        400,
        'BadRequest',
        `the name of the object (${String(bodyName)}) does not match the name on the URL (${name})`,
      ),
    };
  }
  if (name !== undefined) object.metadata.name = name;
  if (typeof object.metadata.name !== 'string' || object.metadata.name === '') {
    return {
      ok: false,
      reply: invalidStatus(resource, '', [
        {
          reason: 'FieldValueRequired',
          message: 'Required value: name or generateName is required',
          field: 'metadata.name',
        },
      ]),
    };
  }
  if (resource.namespaced) {
    const bodyNamespace = object.metadata.namespace;
    if (bodyNamespace !== undefined && bodyNamespace !== namespace) {
      return {
        ok: false,
        reply: kubeStatus(
          400,
          'BadRequest',
          'the namespace of the provided object does not match the namespace sent on the request',
        ),
      };
    }
    object.metadata.namespace = namespace ?? '';
  } else {
    delete object.metadata.namespace;
  }
  delete object.metadata.managedFields;
  return { ok: true, object };
}

function namespaceMissing(
  cluster: KubernetesCluster,
  resource: KubeResource,
  namespace: string,
): Reply | undefined {
  if (!resource.namespaced) return undefined;
  const namespaces = KUBE_RESOURCES.find((r) => r.kind === 'Namespace');
  if (namespaces && getObject(cluster, namespaces, '', namespace)) return undefined;
  return notFoundStatus(namespaces ?? resource, namespace);
}

function fieldManagerOf(exchange: Exchange): string {
  const manager = exchange.url.searchParams.get('fieldManager');
  if (manager) return manager;
  const agent = exchange.headers['user-agent'] ?? 'unknown';
  return agent.split('/')[0] ?? 'unknown';
}

/** commitUpdate stores an update (PUT or non-apply PATCH) and its field ownership. */
function commitUpdate(
  cluster: KubernetesCluster,
  resource: KubeResource,
  exchange: Exchange,
  live: KubeObject,
  object: KubeObject,
): Reply {
  const manager = fieldManagerOf(exchange);
  const ownership = recordUpdate(live, object, readOwnership(live), manager, resource.custom);
  return commitReply(cluster, resource, live, object, ownership, managerId(manager, 'Update'));
}

function commitReply(
  cluster: KubernetesCluster,
  resource: KubeResource,
  before: KubeObject | undefined,
  candidate: KubeObject,
  ownership: Ownership,
  changed: string,
): Reply {
  const result = commitObject(cluster, resource, before, candidate, ownership, new Set([changed]));
  if (!result.ok) return invalidStatus(resource, candidate.metadata.name, result.causes);
  return jsonReply(result.created ? 201 : 200, result.object);
}

function createReply(
  cluster: KubernetesCluster,
  exchange: Exchange,
  resource: KubeResource,
  namespace: string | undefined,
): Reply {
  if (resource.namespaced && namespace === undefined) return unknownPathStatus();
  const checked = checkBody(resource, exchange.json, namespace, undefined);
  if (!checked.ok) return checked.reply;
  const missing = namespaceMissing(cluster, resource, namespace ?? '');
  if (missing) return missing;
  const name = checked.object.metadata.name;
  if (getObject(cluster, resource, namespace ?? '', name))
    return alreadyExistsStatus(resource, name);
  const manager = fieldManagerOf(exchange);
  const ownership = recordUpdate(undefined, checked.object, new Map(), manager, resource.custom);
  return commitReply(
    cluster,
    resource,
    undefined,
    checked.object,
    ownership,
    managerId(manager, 'Update'),
  );
}

function replaceReply(
  cluster: KubernetesCluster,
  exchange: Exchange,
  resource: KubeResource,
  namespace: string,
  name: string,
  live: KubeObject | undefined,
): Reply {
  const checked = checkBody(
    resource,
    exchange.json,
    resource.namespaced ? namespace : undefined,
    name,
  );
  if (!checked.ok) return checked.reply;
  if (!live) return notFoundStatus(resource, name);
  const sentVersion = checked.object.metadata.resourceVersion;
  if (sentVersion !== undefined && sentVersion !== live.metadata.resourceVersion) {
    return conflictStatus(resource, name);
  }
  return commitUpdate(cluster, resource, exchange, live, checked.object);
}

function conflictStatus(resource: KubeResource, name: string): Reply {
  return kubeStatus(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedResource(resource)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    { name, ...(resource.group === '' ? {} : { group: resource.group }), kind: resource.plural },
  );
}

function patchReply(
  cluster: KubernetesCluster,
  exchange: Exchange,
  resource: KubeResource,
  namespace: string,
  name: string,
  live: KubeObject | undefined,
): Reply {
  const contentType = (exchange.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
  const force = exchange.url.searchParams.get('force');
  if (contentType === APPLY) {
    return applyReply(cluster, exchange, resource, namespace, name, live, force === 'true');
  }
  if (![JSON_PATCH, MERGE_PATCH, STRATEGIC_PATCH].includes(contentType)) {
    return kubeStatus(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: ${[JSON_PATCH, MERGE_PATCH, APPLY, STRATEGIC_PATCH].join(', ')}`,
    );
  }
  if (force !== null) {
    return invalidPatchOptions('force: Forbidden: may not be specified for non-apply patch');
  }
  if (contentType === STRATEGIC_PATCH && resource.custom) {
    return kubeStatus(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: ${[JSON_PATCH, MERGE_PATCH, APPLY].join(', ')}`,
    );
  }
  if (!live) return notFoundStatus(resource, name);
  let patched: unknown;
  try {
    patched =
      contentType === JSON_PATCH
        ? applyJsonPatch(live, exchange.json)
        : contentType === MERGE_PATCH
          ? applyMergePatch(live, exchange.json)
          : applyStrategicMergePatch(live, exchange.json);
  } catch (error) {
    if (error instanceof PatchError) return kubeStatus(422, 'Invalid', error.message);
    throw error;
  }
  const checked = checkBody(resource, patched, resource.namespaced ? namespace : undefined, name);
  if (!checked.ok) return checked.reply;
  return commitUpdate(cluster, resource, exchange, live, checked.object);
}

function invalidPatchOptions(message: string): Reply {
  return kubeStatus(422, 'Invalid', `PatchOptions.meta.k8s.io "" is invalid: ${message}`, {
    group: 'meta.k8s.io',
    kind: 'PatchOptions',
  });
}

function applyReply(
  cluster: KubernetesCluster,
  exchange: Exchange,
  resource: KubeResource,
  namespace: string,
  name: string,
  live: KubeObject | undefined,
  force: boolean,
): Reply {
  const manager = exchange.url.searchParams.get('fieldManager');
  if (!manager) {
    return invalidPatchOptions('fieldManager: Required value: is required for apply patch');
  }
  let body: unknown = exchange.json;
  if (body === undefined) {
    try {
      body = parseYaml(exchange.rawBody);
    } catch (error) {
      return kubeStatus(
        400,
        'BadRequest',
        `error decoding YAML: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  const checked = checkBody(resource, body, resource.namespaced ? namespace : undefined, name);
  if (!checked.ok) return checked.reply;
  const applied = checked.object;
  delete applied.metadata.resourceVersion;
  const changed = managerId(manager, 'Apply');
  if (!live) {
    const missing = namespaceMissing(cluster, resource, namespace);
    if (missing) return missing;
    const ownership = serverSideApply(
      { apiVersion: applied.apiVersion, kind: applied.kind, metadata: { name } },
      applied,
      manager,
      force,
      resource.custom,
    );
    if (!ownership.ok) throw new Error('a new object cannot conflict');
    return commitReply(
      cluster,
      resource,
      undefined,
      ownership.object,
      ownership.ownership,
      changed,
    );
  }
  const result = serverSideApply(live, applied, manager, force, resource.custom);
  if (!result.ok) {
    const plural = result.conflicts.length === 1 ? 'conflict' : 'conflicts';
    const lines = result.conflicts.map((c) => `conflict with "${c.manager}": ${c.field}`);
    return kubeStatus(
      409,
      'Conflict',
      `Apply failed with ${result.conflicts.length} ${plural}: ${lines.join('\n')}`,
      {
        causes: result.conflicts.map((c) => ({
          reason: 'FieldManagerConflict',
          message: `conflict with "${c.manager}"`,
          field: c.field,
        })),
      },
    );
  }
  return commitReply(cluster, resource, live, result.object, result.ownership, changed);
}
