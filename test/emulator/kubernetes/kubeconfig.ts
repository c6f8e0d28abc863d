import { writeFile } from 'node:fs/promises';

import { stringify } from 'yaml';

/** KUBE_CONTEXT is the name of the kubeconfig's cluster, user and context. */
export const KUBE_CONTEXT = 'emulator';

/**
 * writeKubeconfig writes a kubeconfig for the emulated cluster: the server URL with the
 * emulator's CA as `certificate-authority-data`, a user with the bearer token the API server
 * checks, and a current context with the `default` namespace.
 */
export async function writeKubeconfig(
  file: string,
  server: string,
  caCertificatePem: string,
  token: string,
): Promise<void> {
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: KUBE_CONTEXT,
        cluster: {
          server,
          'certificate-authority-data': Buffer.from(caCertificatePem).toString('base64'),
        },
      },
    ],
    users: [{ name: `${KUBE_CONTEXT}-admin`, user: { token } }],
    contexts: [
      {
        name: KUBE_CONTEXT,
        context: { cluster: KUBE_CONTEXT, user: `${KUBE_CONTEXT}-admin`, namespace: 'default' },
      },
    ],
    'current-context': KUBE_CONTEXT,
    preferences: {},
  };
  await writeFile(file, stringify(config), { mode: 0o600 });
}
