import { randomUUID } from 'node:crypto';

import type { KubeResource } from './resources.js';

/** KubeObject is a stored Kubernetes object as JSON (apiVersion, kind, metadata, spec, …). */
export type KubeObject = Record<string, unknown> & {
  apiVersion: string;
  kind: string;
  metadata: KubeMetadata;
};

/** KubeMetadata is the part of ObjectMeta the emulator reads and writes itself. */
export type KubeMetadata = Record<string, unknown> & {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  managedFields?: ManagedFieldsEntry[];
  ownerReferences?: Record<string, unknown>[];
};

/** ManagedFieldsEntry is one `metadata.managedFields` entry. */
export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Record<string, unknown>;
}

/** NodeIdentity is a user-assigned identity attached to the cluster's nodes (kubelet identity). */
export interface NodeIdentity {
  readonly clientId: string;
  readonly principalId: string;
}

/** WorkloadIdentity is an identity federated with one ServiceAccount of the cluster. */
export interface WorkloadIdentity {
  readonly clientId: string;
  readonly principalId: string;
  readonly namespace: string;
  readonly serviceAccount: string;
}

/** DriverSettings are the simulated Secrets Store CSI driver's knobs. */
export interface DriverSettings {
  /** When false, a mounted pod is never re-synced (the Helm chart's default upstream). */
  rotationEnabled: boolean;
  /** How often mounted pods are re-synced and failed mounts retried, in ms. */
  rotationPollIntervalMs: number;
}

/** KubernetesCluster is the emulated cluster: its objects, identities and CSI driver settings. */
export interface KubernetesCluster {
  /** The bearer token the API server accepts (the kubeconfig user's). */
  readonly token: string;
  /** By objectKey(resource, namespace, name). */
  readonly objects: Map<string, KubeObject>;
  /** The last resourceVersion handed out (one counter for the whole cluster, as etcd's). */
  resourceVersion: number;
  readonly nodeIdentities: NodeIdentity[];
  readonly workloadIdentities: WorkloadIdentity[];
  /** The issuer of the cluster's service-account tokens (workload identity). */
  readonly oidcIssuer: string;
  /** Whether Traefik's CRDs (traefik.io TLSStore) are installed. */
  traefikCrdsInstalled: boolean;
  readonly driver: DriverSettings;
  /** Called after every write through the API server (the controllers react to it). */
  onChange: () => void;
}

/** objectKey is the store key of an object: resource, namespace ('' when cluster-scoped), name. */
export function objectKey(resource: KubeResource, namespace: string, name: string): string {
  return `${resource.plural}.${resource.group}|${resource.namespaced ? namespace : ''}|${name}`;
}

/** nextResourceVersion hands out the cluster's next resourceVersion. */
export function nextResourceVersion(cluster: KubernetesCluster): string {
  cluster.resourceVersion += 1;
  return String(cluster.resourceVersion);
}

/** kubeTimestamp formats a time as Kubernetes does (RFC 3339, seconds, `Z`). */
export function kubeTimestamp(date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** stampNewObject sets the server-owned metadata of an object being created. */
export function stampNewObject(cluster: KubernetesCluster, object: KubeObject): void {
  object.metadata.uid = randomUUID();
  object.metadata.creationTimestamp = kubeTimestamp();
  object.metadata.resourceVersion = nextResourceVersion(cluster);
}

/** isRecord tells plain JSON objects apart from arrays, null and scalars. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** deepEqual compares two JSON values. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length &&
      keys.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]))
    );
  }
  return false;
}

/** cloneJson deep-copies a JSON value. */
export function cloneJson<T>(value: T): T {
  return structuredClone(value);
}
