import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  type CoreV1Event,
  type KubernetesObject as ClientObject,
  type V1Pod,
} from '@kubernetes/client-node';

import { BindError, PreconditionError } from '../../core/errors.js';
import type { KubernetesObject } from './manifests.js';

/** The field manager of every server-side apply this product sends. */
export const FIELD_MANAGER = 'keyvault-cert-bind';

interface StatusBody {
  message?: string;
  reason?: string;
  details?: { causes?: { field?: string; message?: string }[] };
}

function statusOf(error: unknown): { code: number | undefined; message: string } {
  const code = (error as { code?: unknown }).code;
  const raw = (error as { body?: unknown }).body;
  let body: StatusBody | undefined;
  try {
    body = typeof raw === 'string' ? (JSON.parse(raw) as StatusBody) : (raw as StatusBody);
  } catch {
    body = undefined;
  }
  const causes = (body?.details?.causes ?? [])
    .map((cause) => `${cause.field ?? ''} ${cause.message ?? ''}`.trim())
    .join('; ');
  const message = [body?.message, causes].filter(Boolean).join(': ');
  return {
    code: typeof code === 'number' ? code : undefined,
    message: message || (error instanceof Error ? error.message : String(error)),
  };
}

function describe(object: Pick<KubernetesObject, 'kind' | 'metadata'>): string {
  const { namespace, name } = object.metadata;
  return `${object.kind} ${namespace ? `${namespace}/` : ''}${name}`;
}

/**
 * ClusterClient talks to the cluster of the current kubeconfig (as azure/aks-set-context leaves
 * it) through `@kubernetes/client-node`: read, server-side apply with our field manager, patch,
 * delete, and the pods and events that explain a sync that does not happen.
 */
export class ClusterClient {
  private readonly objects: KubernetesObjectApi;
  private readonly core: CoreV1Api;

  constructor(readonly config: KubeConfig) {
    this.objects = KubernetesObjectApi.makeApiClient(config);
    this.core = config.makeApiClient(CoreV1Api);
  }

  /** fromEnvironment loads the kubeconfig from KUBECONFIG or ~/.kube/config. */
  static fromEnvironment(): ClusterClient {
    // Without a kubeconfig the client falls back to http://localhost:8080, which fails with a
    // message about TLS; say what is really missing instead.
    const files = (process.env['KUBECONFIG'] ?? '').split(path.delimiter).filter(Boolean);
    const home = path.join(os.homedir(), '.kube', 'config');
    const inCluster = !!process.env['KUBERNETES_SERVICE_HOST'];
    if (!inCluster && !files.some((file) => existsSync(file)) && !existsSync(home)) {
      throw new PreconditionError(
        'There is no kubeconfig (KUBECONFIG is unset or names no file, and ~/.kube/config does ' +
          "not exist). Run azure/aks-set-context (or az aks get-credentials) first, or set 'apply: " +
          "false' and 'output-dir' to only write the manifests.",
      );
    }
    const config = new KubeConfig();
    try {
      config.loadFromDefault();
    } catch (error) {
      throw new PreconditionError(
        `Failed to load a kubeconfig: ${error instanceof Error ? error.message : String(error)}. ` +
          "Run azure/aks-set-context (or az aks get-credentials) first, or set 'apply: false' " +
          "and 'output-dir' to only write the manifests.",
      );
    }
    if (!config.getCurrentCluster()) {
      throw new PreconditionError(
        "There is no current cluster in the kubeconfig. Run azure/aks-set-context first, or set 'apply: false' and 'output-dir'.",
      );
    }
    return new ClusterClient(config);
  }

  /** read returns an object, or undefined when it does not exist. */
  async read<T extends ClientObject>(
    object: Pick<KubernetesObject, 'apiVersion' | 'kind' | 'metadata'>,
  ): Promise<T | undefined> {
    try {
      return (await this.objects.read({
        apiVersion: object.apiVersion,
        kind: object.kind,
        metadata: { name: object.metadata.name, namespace: object.metadata.namespace ?? '' },
      })) as T;
    } catch (error) {
      const status = statusOf(error);
      if (status.code === 404) return undefined;
      throw new BindError(`Failed to read ${describe(object)}: ${status.message}`, {
        cause: error,
      });
    }
  }

  /** apply creates or updates an object by server-side apply, without taking others' fields. */
  async apply(object: KubernetesObject): Promise<void> {
    await this.patch(object, PatchStrategy.ServerSideApply, 'apply', (code) =>
      code === 409
        ? ' Another tool manages these fields; change them there, or remove them from its ' +
          'configuration so that this step can own them.'
        : '',
    );
  }

  /**
   * patchStrategic sends a strategic merge patch: for a Deployment's container args, which
   * server-side apply would take over whole from the tool that installed the controller. Put
   * `metadata.resourceVersion` in the patch to have the server refuse it if the object changed.
   */
  async patchStrategic(patch: KubernetesObject): Promise<void> {
    await this.patch(patch, PatchStrategy.StrategicMergePatch, 'patch', () => '');
  }

  private async patch(
    object: KubernetesObject,
    strategy: PatchStrategy,
    verb: string,
    hint: (code: number | undefined) => string,
  ): Promise<void> {
    try {
      await this.objects.patch(
        object as unknown as ClientObject,
        undefined,
        undefined,
        FIELD_MANAGER,
        // Never force: a field another manager owns is a conflict to report, not to take.
        strategy === PatchStrategy.ServerSideApply ? false : undefined,
        strategy,
      );
    } catch (error) {
      const status = statusOf(error);
      throw new BindError(
        `Failed to ${verb} ${describe(object)} (HTTP ${status.code}): ${status.message}.` +
          hint(status.code),
        { cause: error },
      );
    }
  }

  /** delete deletes an object. */
  async delete(object: Pick<KubernetesObject, 'apiVersion' | 'kind' | 'metadata'>): Promise<void> {
    try {
      await this.objects.delete({
        apiVersion: object.apiVersion,
        kind: object.kind,
        metadata: { name: object.metadata.name, namespace: object.metadata.namespace ?? '' },
      });
    } catch (error) {
      const status = statusOf(error);
      if (status.code === 404) return;
      throw new BindError(`Failed to delete ${describe(object)}: ${status.message}`, {
        cause: error,
      });
    }
  }

  /** list lists objects of a kind in a namespace, optionally by label selector. */
  async list<T extends ClientObject>(
    apiVersion: string,
    kind: string,
    namespace: string,
    labelSelector?: string,
  ): Promise<T[]> {
    try {
      const list = await this.objects.list<T>(
        apiVersion,
        kind,
        namespace,
        undefined,
        undefined,
        undefined,
        undefined,
        labelSelector,
      );
      return list.items;
    } catch (error) {
      const status = statusOf(error);
      throw new BindError(`Failed to list ${kind} in namespace '${namespace}': ${status.message}`, {
        cause: error,
      });
    }
  }

  /** podsAndEvents returns the pods matching a selector and the events about each. */
  async podsAndEvents(
    namespace: string,
    labelSelector: string,
  ): Promise<{ pod: V1Pod; events: CoreV1Event[] }[]> {
    const pods = await this.core.listNamespacedPod({ namespace, labelSelector });
    const result: { pod: V1Pod; events: CoreV1Event[] }[] = [];
    for (const pod of pods.items) {
      const events = await this.core.listNamespacedEvent({
        namespace,
        fieldSelector: `involvedObject.name=${pod.metadata?.name ?? ''}`,
      });
      result.push({ pod, events: events.items });
    }
    return result;
  }
}
