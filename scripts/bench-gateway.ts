// Benchmark: K certificates onto one Application Gateway, with a gateway that takes a realistic
// (time-scaled) while to provision each update. Compares this step (one run, one PUT) with what a
// loop of `az network application-gateway ssl-cert create` does (per certificate: read the whole
// gateway, add one entry, PUT it, wait). Prints PUT counts and wall times side by side, as ratios
// from the same run. Usage: npm run bench [-- --provisioning-ms 2000 --sizes 1,5,20]
import { parseArgs } from 'node:util';

import { startEmulator } from '../test/emulator/index.js';
import type { Seed } from '../test/emulator/seed.js';
import { createEmulatorClients } from '../test/emulator/sdk-clients.js';
import { EmulatorControl } from '../test/support/emulator-control.js';
import { runAction } from '../test/support/github-runner.js';

const { values } = parseArgs({
  options: {
    'provisioning-ms': { type: 'string', default: '2000' },
    sizes: { type: 'string', default: '1,5,20' },
  },
});
const provisioningMs = Number(values['provisioning-ms']);
const sizes = (values.sizes ?? '').split(',').map(Number);
const largest = Math.max(...sizes);

const tenantId = '72f988bf-0000-4000-8000-00000000b001';
const subscriptionId = '11111111-0000-4000-8000-00000000b001';
const pipelineObject = '33333333-0000-4000-8000-00000000b0a3';
const identityPrincipal = '66666666-0000-4000-8000-00000000b006';
const identityId = `/subscriptions/${subscriptionId}/resourceGroups/rg-bench/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-bench`;
const names = Array.from({ length: largest }, (_, i) => `bench-${i + 1}`);
const gateways = sizes.flatMap((k) => [`agw-step-${k}`, `agw-loop-${k}`]);

const seed: Seed = {
  tenantId,
  subscriptions: [{ id: subscriptionId }],
  clients: [
    {
      clientId: '33333333-0000-4000-8000-00000000b003',
      clientSecret: 'bench-secret-value-0123456789',
      objectId: pipelineObject,
    },
  ],
  vaults: [
    {
      resourceGroup: 'rg-bench',
      name: 'kv-bench',
      location: 'westeurope',
      accessPolicies: [
        { objectId: pipelineObject, permissions: { certificates: ['get', 'list'] } },
        { objectId: identityPrincipal, permissions: { secrets: ['get'] } },
      ],
      certificates: names.map((name) => ({
        name,
        dnsNames: [`${name}.contoso.com`],
        validDays: 365,
      })),
    },
  ],
  userAssignedIdentities: [
    {
      resourceGroup: 'rg-bench',
      name: 'id-bench',
      location: 'westeurope',
      principalId: identityPrincipal,
    },
  ],
  applicationGateways: gateways.map((name) => ({
    resourceGroup: 'rg-bench',
    name,
    location: 'westeurope',
    subnet: `/subscriptions/${subscriptionId}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/agw`,
    identity: identityId,
  })),
  settings: { gatewayProvisioningMs: provisioningMs },
};

const emulator = await startEmulator({ seed });
const { info } = emulator;
const control = new EmulatorControl(info.controlUrl);
const network = createEmulatorClients(info).network;

async function gatewayPuts(mark: number): Promise<number> {
  const requests = await control.requestsSince(mark);
  return requests.filter((r) => r.method === 'PUT' && /applicationGateways\//.test(r.path)).length;
}

async function runStep(k: number): Promise<{ puts: number; ms: number }> {
  const mark = await control.mark();
  const started = performance.now();
  const result = await runAction(
    {
      target: 'application-gateway',
      'subscription-id': subscriptionId,
      'resource-group': 'rg-bench',
      'gateway-name': `agw-step-${k}`,
      'key-vault': 'kv-bench',
      certificate: names.slice(0, k).join('\n'),
      environment: 'custom',
      'resource-manager-endpoint': info.resourceManagerEndpoint,
      'authority-host': info.authorityHost,
    },
    {
      NODE_EXTRA_CA_CERTS: info.caCertificate,
      AZURE_CLIENT_ID: info.clientId,
      AZURE_TENANT_ID: info.tenantId,
      AZURE_CLIENT_SECRET: info.clientSecret,
    },
  );
  if (result.exitCode !== 0) throw new Error(`the step failed for K=${k}:\n${result.stdout}`);
  return { puts: await gatewayPuts(mark), ms: performance.now() - started };
}

async function runLoop(k: number): Promise<{ puts: number; ms: number }> {
  const mark = await control.mark();
  const started = performance.now();
  const vaultUri = info.vaults['kv-bench'] ?? '';
  for (const name of names.slice(0, k)) {
    const gateway = await network.applicationGateways.get('rg-bench', `agw-loop-${k}`);
    gateway.sslCertificates = [
      ...(gateway.sslCertificates ?? []),
      { name, keyVaultSecretId: `${vaultUri}secrets/${name}` },
    ];
    await network.applicationGateways.createOrUpdate('rg-bench', `agw-loop-${k}`, gateway, {
      updateIntervalInMs: 250,
    });
  }
  return { puts: await gatewayPuts(mark), ms: performance.now() - started };
}

try {
  console.log(
    `Gateway provisioning time per update: ${provisioningMs} ms (time-scaled; real updates take minutes)\n`,
  );
  const rows = [
    ['K', 'step PUTs', 'loop PUTs', 'PUT ratio', 'step time', 'loop time', 'time ratio'],
  ];
  for (const k of sizes) {
    const step = await runStep(k);
    const loop = await runLoop(k);
    rows.push([
      String(k),
      String(step.puts),
      String(loop.puts),
      `${(loop.puts / step.puts).toFixed(1)}x`,
      `${(step.ms / 1000).toFixed(1)} s`,
      `${(loop.ms / 1000).toFixed(1)} s`,
      `${(loop.ms / step.ms).toFixed(1)}x`,
    ]);
  }
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  '));
  console.log(
    '\nThe step time includes starting the bundled action (node, sign-in, reads and checks), which ' +
      'the loop, run in-process, does not pay.',
  );
} finally {
  await emulator.stop();
}
