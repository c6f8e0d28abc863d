import { jsonReply, type Exchange, type Reply } from '../exchange.js';
import type { KubernetesCluster } from './cluster.js';

/**
 * handleKubernetesControl serves the control routes of the emulated cluster:
 * `GET /kubernetes` (objects, identities, driver settings), `PATCH /kubernetes`
 * (`{ traefikCrdsInstalled }`) and `PATCH /kubernetes/driver` (`{ rotationEnabled,
 * rotationPollIntervalMs }`). Undefined when the path is not one of them.
 */
export function handleKubernetesControl(
  cluster: KubernetesCluster | undefined,
  exchange: Exchange,
  path: string,
  body: Record<string, unknown>,
): Reply | undefined {
  if (path !== '/kubernetes' && !path.startsWith('/kubernetes/')) return undefined;
  if (!cluster) return jsonReply(404, { error: 'the seed has no kubernetes section' });
  if (path === '/kubernetes' && exchange.method === 'GET') {
    return jsonReply(200, {
      traefikCrdsInstalled: cluster.traefikCrdsInstalled,
      nodeIdentities: cluster.nodeIdentities,
      workloadIdentities: cluster.workloadIdentities,
      oidcIssuer: cluster.oidcIssuer,
      driver: cluster.driver,
      resourceVersion: cluster.resourceVersion,
      objects: [...cluster.objects.values()],
    });
  }
  if (path === '/kubernetes' && exchange.method === 'PATCH') {
    if (typeof body['traefikCrdsInstalled'] === 'boolean') {
      cluster.traefikCrdsInstalled = body['traefikCrdsInstalled'];
    }
    return jsonReply(200, { traefikCrdsInstalled: cluster.traefikCrdsInstalled });
  }
  if (path === '/kubernetes/driver' && (exchange.method === 'PATCH' || exchange.method === 'GET')) {
    if (typeof body['rotationEnabled'] === 'boolean') {
      cluster.driver.rotationEnabled = body['rotationEnabled'];
    }
    const interval = body['rotationPollIntervalMs'];
    if (interval !== undefined) {
      if (typeof interval !== 'number' || !Number.isFinite(interval) || interval < 10) {
        return jsonReply(400, { error: 'rotationPollIntervalMs: a number of ms, at least 10' });
      }
      cluster.driver.rotationPollIntervalMs = interval;
    }
    return jsonReply(200, cluster.driver);
  }
  return jsonReply(404, { error: `no control route for ${exchange.method} ${path}` });
}
