import type { Reply } from '../exchange.js';
import type { KubeResource } from './resources.js';

/** StatusCause is one entry of a Status' `details.causes`. */
export interface StatusCause {
  readonly reason: string;
  readonly message: string;
  readonly field?: string;
}

/** kubeStatus builds a Kubernetes `Status` failure reply, the API server's error body. */
export function kubeStatus(
  code: number,
  reason: string,
  message: string,
  details?: Record<string, unknown>,
): Reply {
  return {
    status: code,
    body: {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message,
      reason,
      ...(details ? { details } : {}),
      code,
    },
  };
}

/** qualifiedResource names a resource as messages do: `secrets`, `deployments.apps`. */
export function qualifiedResource(resource: KubeResource): string {
  return resource.group === '' ? resource.plural : `${resource.plural}.${resource.group}`;
}

/** qualifiedKind names a kind as validation messages do: `Secret`, `Deployment.apps`. */
export function qualifiedKind(resource: KubeResource): string {
  return resource.group === '' ? resource.kind : `${resource.kind}.${resource.group}`;
}

function resourceDetails(resource: KubeResource, name: string): Record<string, unknown> {
  return {
    name,
    ...(resource.group === '' ? {} : { group: resource.group }),
    kind: resource.plural,
  };
}

/** notFoundStatus is `404 NotFound`: `secrets "x" not found`. */
export function notFoundStatus(resource: KubeResource, name: string): Reply {
  return kubeStatus(
    404,
    'NotFound',
    `${qualifiedResource(resource)} "${name}" not found`,
    resourceDetails(resource, name),
  );
}

/** alreadyExistsStatus is `409 AlreadyExists`. */
export function alreadyExistsStatus(resource: KubeResource, name: string): Reply {
  return kubeStatus(
    409,
    'AlreadyExists',
    `${qualifiedResource(resource)} "${name}" already exists`,
    resourceDetails(resource, name),
  );
}

/** invalidStatus is `422 Invalid` with one cause per field problem. */
export function invalidStatus(
  resource: KubeResource,
  name: string,
  causes: readonly StatusCause[],
): Reply {
  const listed = causes.map((c) => `${c.field ?? ''}: ${c.message}`);
  const text = listed.length === 1 ? (listed[0] ?? '') : `[${listed.join(', ')}]`;
  return kubeStatus(422, 'Invalid', `${qualifiedKind(resource)} "${name}" is invalid: ${text}`, {
    ...resourceDetails(resource, name),
    kind: resource.kind,
    causes,
  });
}

/** unknownPathStatus is the API server's 404 for a path it does not serve. */
export function unknownPathStatus(): Reply {
  return kubeStatus(404, 'NotFound', 'the server could not find the requested resource', {});
}
