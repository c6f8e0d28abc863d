import { createHash, randomBytes } from 'node:crypto';

import type { EmulatorState } from '../state.js';
import { fetchObjects, pemBlocks, type MountedFile } from './azure-provider.js';
import { isRecord, kubeTimestamp, type KubeObject, type KubernetesCluster } from './cluster.js';
import { deleteObject, getObject, listObjects, writeAsController } from './object-store.js';
import { findResourceByKind } from './resources.js';

const DRIVER = 'secrets-store.csi.k8s.io';
const MANAGED_LABEL = 'secrets-store.csi.k8s.io/managed';
const SPC_API = 'secrets-store.csi.x-k8s.io/v1';
const pods = findResourceByKind('v1', 'Pod');
const deployments = findResourceByKind('apps/v1', 'Deployment');
const secrets = findResourceByKind('v1', 'Secret');
const events = findResourceByKind('v1', 'Event');
const providerClasses = findResourceByKind(SPC_API, 'SecretProviderClass');
const podStatuses = findResourceByKind(SPC_API, 'SecretProviderClassPodStatus');

/** RunningDriver is the started controllers; stop() clears their timer. */
export interface RunningDriver {
  stop(): void;
}

/**
 * startCsiDriver runs the cluster's controllers: the Deployment controller (one Pod per replica,
 * replaced when the template changes), the kubelet's CSI mounts through the Secrets Store driver
 * and its Azure provider (a pod runs only once every mount succeeds; failed mounts are retried
 * every poll), secret sync (`secretObjects`) and, while rotation is on, the rotation reconciler.
 */
export function startCsiDriver(state: EmulatorState, cluster: KubernetesCluster): RunningDriver {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      reconcile(state, cluster, cluster.driver.rotationEnabled);
      schedule();
    }, cluster.driver.rotationPollIntervalMs);
  };
  cluster.onChange = () => {
    setImmediate(() => {
      if (!stopped) reconcile(state, cluster, false);
    });
  };
  reconcile(state, cluster, false);
  schedule();
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}

/** reconcile runs every controller once; `rotate` also re-syncs pods that are already running. */
export function reconcile(state: EmulatorState, cluster: KubernetesCluster, rotate: boolean): void {
  reconcileDeployments(cluster);
  for (const pod of listObjects(cluster, pods)) {
    const volumes = csiVolumes(pod);
    const running = isRecord(pod['status']) && pod['status']['phase'] === 'Running';
    if (volumes.length === 0) {
      if (!running) setPodStatus(cluster, pod, undefined);
      continue;
    }
    if (running && !rotate) continue;
    mountAndSync(state, cluster, pod, volumes, running);
  }
  collectSecrets(cluster);
}

function reconcileDeployments(cluster: KubernetesCluster): void {
  const wanted = new Set<string>();
  for (const deployment of listObjects(cluster, deployments)) {
    const spec = isRecord(deployment['spec']) ? deployment['spec'] : {};
    const template = isRecord(spec['template']) ? spec['template'] : {};
    const hash = createHash('sha256').update(JSON.stringify(template)).digest('hex').slice(0, 10);
    const replicas = typeof spec['replicas'] === 'number' ? spec['replicas'] : 1;
    const namespace = deployment.metadata.namespace ?? '';
    const owned = listObjects(cluster, pods, namespace).filter(
      (p) => p.metadata.ownerReferences?.[0]?.['uid'] === deployment.metadata.uid,
    );
    const current = owned.filter((p) => p.metadata.labels?.['pod-template-hash'] === hash);
    for (const pod of current.slice(0, replicas)) wanted.add(`${namespace}/${pod.metadata.name}`);
    for (let i = current.length; i < replicas; i += 1) {
      const templateMeta = isRecord(template['metadata']) ? template['metadata'] : {};
      const labels = isRecord(templateMeta['labels'])
        ? (templateMeta['labels'] as Record<string, string>)
        : {};
      const name = `${deployment.metadata.name}-${hash}-${randomBytes(3).toString('hex').slice(0, 5)}`;
      writeAsController(
        cluster,
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            name,
            namespace,
            labels: { ...labels, 'pod-template-hash': hash },
            ownerReferences: [
              {
                apiVersion: 'apps/v1',
                kind: 'Deployment',
                name: deployment.metadata.name,
                uid: deployment.metadata.uid,
                controller: true,
              },
            ],
          },
          spec: isRecord(template['spec']) ? template['spec'] : {},
          status: { phase: 'Pending' },
        },
        'kube-controller-manager',
      );
      wanted.add(`${namespace}/${name}`);
    }
  }
  for (const pod of listObjects(cluster, pods)) {
    const key = `${pod.metadata.namespace ?? ''}/${pod.metadata.name}`;
    if (!wanted.has(key)) removePod(cluster, pod);
  }
}

function removePod(cluster: KubernetesCluster, pod: KubeObject): void {
  const namespace = pod.metadata.namespace ?? '';
  deleteObject(cluster, pods, namespace, pod.metadata.name);
  for (const status of listObjects(cluster, podStatuses, namespace)) {
    const owner = status.metadata.ownerReferences?.[0];
    if (owner?.['uid'] === pod.metadata.uid) {
      deleteObject(cluster, podStatuses, namespace, status.metadata.name);
    }
  }
}

/** A Secret the driver made goes when no SecretProviderClassPodStatus owns it any more (GC). */
function collectSecrets(cluster: KubernetesCluster): void {
  for (const secret of listObjects(cluster, secrets)) {
    if (secret.metadata.labels?.[MANAGED_LABEL] !== 'true') continue;
    const owners = (secret.metadata.ownerReferences ?? []).filter(
      (o) => o['kind'] === 'SecretProviderClassPodStatus',
    );
    if (owners.length === 0) continue;
    const namespace = secret.metadata.namespace ?? '';
    const alive = owners.some((o) => getObject(cluster, podStatuses, namespace, String(o['name'])));
    if (!alive) deleteObject(cluster, secrets, namespace, secret.metadata.name);
  }
}

function csiVolumes(pod: KubeObject): { name: string; spc: string }[] {
  const spec = isRecord(pod['spec']) ? pod['spec'] : {};
  const volumes = Array.isArray(spec['volumes']) ? spec['volumes'] : [];
  return volumes.flatMap((v: unknown) => {
    if (!isRecord(v) || !isRecord(v['csi']) || v['csi']['driver'] !== DRIVER) return [];
    const attributes = isRecord(v['csi']['volumeAttributes']) ? v['csi']['volumeAttributes'] : {};
    return [{ name: String(v['name']), spc: String(attributes['secretProviderClass'] ?? '') }];
  });
}

function mountAndSync(
  state: EmulatorState,
  cluster: KubernetesCluster,
  pod: KubeObject,
  volumes: readonly { name: string; spc: string }[],
  running: boolean,
): void {
  const namespace = pod.metadata.namespace ?? '';
  const mounted: { spc: KubeObject; files: ReadonlyMap<string, MountedFile> }[] = [];
  for (const volume of volumes) {
    const spc = getObject(cluster, providerClasses, namespace, volume.spc);
    const result = spc
      ? fetchObjects(state, cluster, pod, spc)
      : {
          ok: false as const,
          error: `failed to get secretproviderclass ${namespace}/${volume.spc}, error: secretproviderclasses.secrets-store.csi.x-k8s.io "${volume.spc}" not found`,
        };
    if (!result.ok) {
      const message = `MountVolume.SetUp failed for volume "${volume.name}" : rpc error: code = Unknown desc = failed to mount secrets store objects for pod ${namespace}/${pod.metadata.name}, err: rpc error: code = Unknown desc = failed to mount objects, error: ${result.error}`;
      if (running) {
        recordEvent(
          cluster,
          pod,
          'SecretRotationFailed',
          `failed to rotate objects for pod ${namespace}/${pod.metadata.name}, err: ${result.error}`,
          'csi-secrets-store-rotation',
        );
      } else {
        recordEvent(cluster, pod, 'FailedMount', message, 'kubelet');
        setPodStatus(cluster, pod, 'ContainerCreating');
      }
      return;
    }
    if (spc) mounted.push({ spc, files: result.files });
  }
  if (!running) setPodStatus(cluster, pod, undefined);
  for (const { spc, files } of mounted) {
    const status = writePodStatus(cluster, pod, spc, files);
    syncSecrets(cluster, pod, spc, files, status, running);
  }
}

function writePodStatus(
  cluster: KubernetesCluster,
  pod: KubeObject,
  spc: KubeObject,
  files: ReadonlyMap<string, MountedFile>,
): KubeObject {
  const namespace = pod.metadata.namespace ?? '';
  return writeAsController(
    cluster,
    {
      apiVersion: SPC_API,
      kind: 'SecretProviderClassPodStatus',
      metadata: {
        name: `${pod.metadata.name}-${namespace}-${spc.metadata.name}`,
        namespace,
        labels: { 'internal.secrets-store.csi.k8s.io/node-name': 'aks-nodepool1-0' },
        ownerReferences: [
          { apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name, uid: pod.metadata.uid },
        ],
      },
      status: {
        podName: pod.metadata.name,
        secretProviderClassName: spc.metadata.name,
        mounted: true,
        targetPath: `/var/lib/kubelet/pods/${pod.metadata.uid ?? ''}/volumes/kubernetes.io~csi/secrets-store-inline/mount`,
        objects: [...files.values()].map((f) => ({ id: `${f.objectName}`, version: f.version })),
      },
    },
    'secrets-store-csi-driver',
  );
}

function syncSecrets(
  cluster: KubernetesCluster,
  pod: KubeObject,
  spc: KubeObject,
  files: ReadonlyMap<string, MountedFile>,
  status: KubeObject,
  rotating: boolean,
): void {
  const namespace = pod.metadata.namespace ?? '';
  const spec = isRecord(spc['spec']) ? spc['spec'] : {};
  const secretObjects = Array.isArray(spec['secretObjects']) ? spec['secretObjects'] : [];
  for (const secretObject of secretObjects) {
    if (!isRecord(secretObject)) continue;
    const name = String(secretObject['secretName'] ?? '').trim();
    const type = String(secretObject['type'] ?? '').trim() || 'Opaque';
    const data = secretData(secretObject, type, files);
    if (typeof data === 'string') {
      recordEvent(
        cluster,
        pod,
        'FailedToCreateSecret',
        `failed to get data in spc ${namespace}/${spc.metadata.name} for secret ${name}, err: ${data}`,
        'csi-secrets-store-controller',
      );
      continue;
    }
    const existing = getObject(cluster, secrets, namespace, name);
    // The driver watches only Secrets labelled managed=true: an unlabelled one is invisible to
    // it, so creating fails with AlreadyExists (ignored) and every rotation patch times out.
    if (existing && existing.metadata.labels?.[MANAGED_LABEL] !== 'true') {
      if (rotating) {
        recordEvent(
          cluster,
          pod,
          'SecretRotationFailed',
          `failed to patch secret ${name} with new data, err: timed out waiting for the condition (emulator: the Secret exists without the label ${MANAGED_LABEL}=true, so the driver cannot see it)`,
          'csi-secrets-store-rotation',
        );
      }
      continue;
    }
    if (existing && !rotating) continue; // the sync controller only creates; rotation updates
    const owners = (existing?.metadata.ownerReferences ?? []).filter(
      (o) => o['uid'] !== status.metadata.uid,
    );
    writeAsController(
      cluster,
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: {
          name,
          namespace,
          labels: {
            ...(isRecord(secretObject['labels'])
              ? (secretObject['labels'] as Record<string, string>)
              : {}),
            [MANAGED_LABEL]: 'true',
          },
          ownerReferences: [
            ...owners,
            {
              apiVersion: SPC_API,
              kind: 'SecretProviderClassPodStatus',
              name: status.metadata.name,
              uid: status.metadata.uid,
            },
          ],
        },
        type,
        data,
      },
      'secrets-store-csi-driver',
    );
  }
}

function secretData(
  secretObject: Record<string, unknown>,
  type: string,
  files: ReadonlyMap<string, MountedFile>,
): Record<string, string> | string {
  const entries = Array.isArray(secretObject['data']) ? secretObject['data'] : [];
  const data: Record<string, string> = {};
  for (const entry of entries) {
    if (!isRecord(entry)) continue;
    const key = String(entry['key'] ?? '');
    const objectName = String(entry['objectName'] ?? '');
    const file = files.get(objectName);
    if (!file) return `file matching objectName ${objectName} not found in the pod`;
    let value = file.content;
    if (type === 'kubernetes.io/tls') {
      // B22: a kubernetes.io/tls Secret holds exactly tls.crt and tls.key.
      if (key !== 'tls.crt' && key !== 'tls.key') {
        return `key ${key} is not allowed in a kubernetes.io/tls secret (only tls.crt and tls.key)`;
      }
      const blocks = pemBlocks(file.content, key === 'tls.key' ? /PRIVATE KEY$/ : /^CERTIFICATE$/);
      if (blocks.length === 0) {
        return `failed to get ${key === 'tls.key' ? 'private key' : 'certificate'} from file ${objectName}: no PEM block found`;
      }
      value = key === 'tls.key' ? (blocks[0] ?? '') : blocks.join('');
    }
    data[key] = Buffer.from(value, 'utf8').toString('base64');
  }
  if (
    type === 'kubernetes.io/tls' &&
    (data['tls.crt'] === undefined || data['tls.key'] === undefined)
  ) {
    return 'a kubernetes.io/tls secret needs both tls.crt and tls.key';
  }
  return data;
}

function setPodStatus(
  cluster: KubernetesCluster,
  pod: KubeObject,
  waiting: string | undefined,
): void {
  const spec = isRecord(pod['spec']) ? pod['spec'] : {};
  const containers = Array.isArray(spec['containers']) ? spec['containers'] : [];
  const now = kubeTimestamp();
  const status = {
    phase: waiting ? 'Pending' : 'Running',
    conditions: [{ type: 'Ready', status: waiting ? 'False' : 'True', lastTransitionTime: now }],
    containerStatuses: containers.map((c: unknown) => ({
      name: isRecord(c) ? String(c['name']) : '',
      ready: waiting === undefined,
      restartCount: 0,
      state: waiting ? { waiting: { reason: waiting } } : { running: { startedAt: now } },
    })),
  };
  const current = isRecord(pod['status']) ? pod['status'] : {};
  if (current['phase'] === status.phase && Array.isArray(current['containerStatuses'])) return;
  writeAsController(cluster, { ...pod, status }, 'kubelet');
}

/** recordEvent records a core/v1 Event about a pod; a repeat bumps `count`, as the recorder does. */
export function recordEvent(
  cluster: KubernetesCluster,
  pod: KubeObject,
  reason: string,
  message: string,
  component: string,
): void {
  const namespace = pod.metadata.namespace ?? '';
  const now = kubeTimestamp();
  const same = listObjects(cluster, events, namespace).find((e) => {
    const involved = isRecord(e['involvedObject']) ? e['involvedObject'] : {};
    return (
      involved['uid'] === pod.metadata.uid && e['reason'] === reason && e['message'] === message
    );
  });
  const count = typeof same?.['count'] === 'number' ? same['count'] + 1 : 1;
  writeAsController(
    cluster,
    {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: same
        ? { ...same.metadata }
        : { name: `${pod.metadata.name}.${randomBytes(8).toString('hex')}`, namespace },
      involvedObject: {
        apiVersion: 'v1',
        kind: 'Pod',
        namespace,
        name: pod.metadata.name,
        uid: pod.metadata.uid,
      },
      reason,
      message,
      type: 'Warning',
      source: { component },
      firstTimestamp: typeof same?.['firstTimestamp'] === 'string' ? same['firstTimestamp'] : now,
      lastTimestamp: now,
      count,
      reportingComponent: component,
      reportingInstance: '',
    },
    component,
  );
}
