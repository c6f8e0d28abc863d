import {
  cloneJson,
  deepEqual,
  isRecord,
  nextResourceVersion,
  objectKey,
  stampNewObject,
  type KubeObject,
  type KubernetesCluster,
} from './cluster.js';
import {
  managerId,
  readOwnership,
  recordUpdate,
  renderOwnership,
  type Ownership,
} from './field-management.js';
import { apiVersionOf, findResourceByKind, type KubeResource } from './resources.js';
import { pruneUnknownFields, validateObject } from './schemas.js';
import type { StatusCause } from './status.js';

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** CommitResult is a stored object, or the validation causes that refused it. */
export type CommitResult =
  | { readonly ok: true; readonly object: KubeObject; readonly created: boolean }
  | { readonly ok: false; readonly causes: readonly StatusCause[] };

/** getObject reads a stored object. */
export function getObject(
  cluster: KubernetesCluster,
  resource: KubeResource,
  namespace: string,
  name: string,
): KubeObject | undefined {
  return cluster.objects.get(objectKey(resource, namespace, name));
}

/** listObjects lists the stored objects of a resource (in one namespace when given). */
export function listObjects(
  cluster: KubernetesCluster,
  resource: KubeResource,
  namespace?: string,
): KubeObject[] {
  const prefix = `${resource.plural}.${resource.group}|`;
  return [...cluster.objects]
    .filter(([key]) => key.startsWith(prefix))
    .map(([, object]) => object)
    .filter((o) => namespace === undefined || o.metadata.namespace === namespace)
    .sort((a, b) =>
      `${a.metadata.namespace ?? ''}/${a.metadata.name}`.localeCompare(
        `${b.metadata.namespace ?? ''}/${b.metadata.name}`,
      ),
    );
}

/** deleteObject removes an object (and, for a namespace, everything in it). */
export function deleteObject(
  cluster: KubernetesCluster,
  resource: KubeResource,
  namespace: string,
  name: string,
): KubeObject | undefined {
  const key = objectKey(resource, namespace, name);
  const object = cluster.objects.get(key);
  if (!object) return undefined;
  cluster.objects.delete(key);
  if (resource.kind === 'Namespace') {
    for (const [k, o] of cluster.objects)
      if (o.metadata.namespace === name) cluster.objects.delete(k);
  }
  nextResourceVersion(cluster);
  return object;
}

/** validateName checks `metadata.name` as the API server does for the resource. */
export function validateName(resource: KubeResource, name: string): StatusCause[] {
  const label = resource.kind === 'Namespace';
  const pattern = label ? DNS1123_LABEL : DNS1123_SUBDOMAIN;
  if (name.length > 0 && name.length <= (label ? 63 : 253) && pattern.test(name)) return [];
  const what = label ? 'RFC 1123 label' : 'RFC 1123 subdomain';
  return [
    {
      reason: 'FieldValueInvalid',
      message: `Invalid value: "${name}": a lowercase ${what} must consist of lower case alphanumeric characters, '-'${label ? '' : " or '.'"}, and must start and end with an alphanumeric character`,
      field: 'metadata.name',
    },
  ];
}

/**
 * commitObject stores a candidate object after the API server's checks: unknown CRD fields
 * pruned, `stringData` folded into `data`, name and schema and kind rules validated. An
 * unchanged object keeps its resourceVersion (and managedFields times); a change bumps it, and
 * `generation` for spec changes of Deployments and custom resources.
 */
export function commitObject(
  cluster: KubernetesCluster,
  resource: KubeResource,
  before: KubeObject | undefined,
  candidate: KubeObject,
  ownership: Ownership,
  changedManagers: ReadonlySet<string>,
): CommitResult {
  const object = cloneJson(candidate);
  object.apiVersion = apiVersionOf(resource);
  object.kind = resource.kind;
  if (resource.custom) pruneUnknownFields(resource, object);
  if (resource.kind === 'Secret') foldStringData(object);

  const causes = [
    ...validateName(resource, object.metadata.name),
    ...validateObject(resource, object),
    ...validateKindRules(resource, object),
  ];
  if (causes.length > 0) return { ok: false, causes };

  if (before) {
    for (const key of ['uid', 'creationTimestamp', 'resourceVersion', 'generation'] as const) {
      const metadata: Record<string, unknown> = object.metadata;
      if (before.metadata[key] !== undefined) metadata[key] = before.metadata[key];
      else delete metadata[key];
    }
  }
  object.metadata.managedFields = renderOwnership(
    ownership,
    apiVersionOf(resource),
    before?.metadata.managedFields ?? [],
    changedManagers,
  );
  if (before && deepEqual(comparable(before), comparable(object))) {
    return { ok: true, object: before, created: false };
  }
  if (object.metadata.managedFields.length === 0) delete object.metadata.managedFields;
  if (before) {
    object.metadata.resourceVersion = nextResourceVersion(cluster);
    const specChanged = !deepEqual(specOf(before), specOf(object));
    if (hasGeneration(resource) && specChanged) {
      object.metadata.generation = (before.metadata.generation ?? 1) + 1;
    }
  } else {
    stampNewObject(cluster, object);
    if (hasGeneration(resource)) object.metadata.generation = 1;
  }
  const namespace = object.metadata.namespace ?? '';
  cluster.objects.set(objectKey(resource, namespace, object.metadata.name), object);
  return { ok: true, object, created: before === undefined };
}

/**
 * writeAsController creates or updates an object as one of the cluster's own controllers (the
 * CSI driver, the Deployment controller, the seed): an Update by `manager`. It throws on an
 * invalid object, which would be an emulator bug.
 */
export function writeAsController(
  cluster: KubernetesCluster,
  candidate: KubeObject,
  manager: string,
): KubeObject {
  const resource = findResourceByKind(candidate.apiVersion, candidate.kind);
  const namespace = candidate.metadata.namespace ?? '';
  const before = getObject(cluster, resource, namespace, candidate.metadata.name);
  const merged = before
    ? { ...candidate, metadata: { ...before.metadata, ...candidate.metadata } }
    : candidate;
  const ownership = recordUpdate(
    before,
    merged,
    before ? readOwnership(before) : new Map(),
    manager,
    resource.custom,
  );
  const result = commitObject(
    cluster,
    resource,
    before,
    merged,
    ownership,
    new Set([managerId(manager, 'Update')]),
  );
  if (!result.ok) {
    throw new Error(
      `emulator wrote an invalid ${candidate.kind}: ${result.causes.map((c) => `${c.field ?? ''}: ${c.message}`).join('; ')}`,
    );
  }
  return result.object;
}

function foldStringData(object: KubeObject): void {
  const stringData = object['stringData'];
  if (!isRecord(stringData)) return;
  const data = isRecord(object['data']) ? object['data'] : {};
  for (const [key, value] of Object.entries(stringData)) {
    data[key] = Buffer.from(String(value), 'utf8').toString('base64');
  }
  object['data'] = data;
  delete object['stringData'];
}

function validateKindRules(resource: KubeResource, object: KubeObject): StatusCause[] {
  if (resource.kind === 'Secret' && object['type'] === 'kubernetes.io/tls') {
    const data = isRecord(object['data']) ? object['data'] : {};
    return ['tls.crt', 'tls.key']
      .filter((key) => data[key] === undefined)
      .map((key) => ({
        reason: 'FieldValueRequired',
        message: 'Required value',
        field: `data[${key}]`,
      }));
  }
  if (resource.kind === 'Deployment') {
    const spec = isRecord(object['spec']) ? object['spec'] : {};
    const selector = isRecord(spec['selector']) ? spec['selector']['matchLabels'] : undefined;
    const template = isRecord(spec['template']) ? spec['template']['metadata'] : undefined;
    const labels = isRecord(template) && isRecord(template['labels']) ? template['labels'] : {};
    if (
      isRecord(selector) &&
      !Object.entries(selector).every(([key, value]) => labels[key] === value)
    ) {
      return [
        {
          reason: 'FieldValueInvalid',
          message: `Invalid value: ${JSON.stringify(labels)}: \`selector\` does not match template \`labels\``,
          field: 'spec.template.metadata.labels',
        },
      ];
    }
  }
  return [];
}

function hasGeneration(resource: KubeResource): boolean {
  return resource.custom || resource.kind === 'Deployment';
}

function specOf(object: KubeObject): unknown {
  const { metadata: _metadata, status: _status, ...rest } = object;
  void _metadata;
  void _status;
  return rest;
}

function comparable(object: KubeObject): unknown {
  const managedFields = (object.metadata.managedFields ?? []).map((entry) => ({
    ...entry,
    time: '',
  }));
  return { ...object, metadata: { ...object.metadata, managedFields, resourceVersion: '' } };
}
