import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { expect } from 'vitest';

import { startEmulator } from '../emulator/index.js';
import { checkConformance, passedOperationIds } from '../emulator/oav.js';
import type { Seed } from '../emulator/seed.js';
import { EmulatorControl } from '../support/emulator-control.js';
import { runAction, type RunnerResult } from '../support/github-runner.js';
import { expectNoSecretLeak as expectNoLeak } from '../support/secret-leaks.js';
import { ids, pipelineSecret } from './scenario-seed.js';

type Running = Awaited<ReturnType<typeof startEmulator>>;

/** Harness is one emulator and the means to run the bundled action against it. */
export interface Harness {
  readonly emulator: Running;
  readonly control: EmulatorControl;
  readonly trafficDir: string;
  /** inputs returns the workflow inputs of a custom-cloud run against the emulator. */
  inputs(overrides?: Record<string, string>): Record<string, string>;
  /** runWithOidc runs the bundle with the runner's OIDC token (client-id + tenant-id). */
  runWithOidc(inputs: Record<string, string>, node?: string): Promise<RunnerResult>;
  /** runWithSecret runs the bundle with AZURE_CLIENT_ID/_TENANT_ID/_CLIENT_SECRET. */
  runWithSecret(inputs: Record<string, string>, clientId?: string): Promise<RunnerResult>;
  /** secrets lists every credential the runs were given, for leak checks. */
  readonly secrets: readonly string[];
}

/** startHarness starts an emulator with the seed, recording traffic for oav. */
export async function startHarness(seed: Seed): Promise<Harness> {
  const trafficDir = await mkdtemp(path.join(tmpdir(), 'kvcb-traffic-'));
  const emulator = await startEmulator({ seed, trafficDir });
  const { info } = emulator;
  const control = new EmulatorControl(info.controlUrl);
  const base: Record<string, string> = {
    NODE_EXTRA_CA_CERTS: info.caCertificate,
    // As azure/aks-set-context leaves it, for the Kubernetes target.
    ...(info.kubeconfig ? { KUBECONFIG: info.kubeconfig } : {}),
  };

  return {
    emulator,
    control,
    trafficDir,
    secrets: [pipelineSecret, info.clientSecret, info.oidcRequestToken],
    inputs: (overrides = {}) => ({
      'subscription-id': ids.subscription,
      'resource-group': 'rg-app',
      'app-name': 'app1',
      'key-vault': 'kv-policy',
      certificate: 'www-contoso',
      environment: 'custom',
      'resource-manager-endpoint': info.resourceManagerEndpoint,
      'authority-host': info.authorityHost,
      ...overrides,
    }),
    runWithOidc: (inputs, node) =>
      runAction(
        { 'client-id': ids.pipelineClient, 'tenant-id': ids.tenant, ...inputs },
        {
          ...base,
          ACTIONS_ID_TOKEN_REQUEST_URL: info.oidcRequestUrl,
          ACTIONS_ID_TOKEN_REQUEST_TOKEN: info.oidcRequestToken,
        },
        node,
      ),
    runWithSecret: (inputs, clientId = ids.pipelineClient) =>
      runAction(inputs, {
        ...base,
        AZURE_CLIENT_ID: clientId,
        AZURE_TENANT_ID: ids.tenant,
        AZURE_CLIENT_SECRET: pipelineSecret,
      }),
  };
}

const ADD_MASK = '::add-mask::';

/** maskedValues lists what the step asked the runner to mask, in order. */
export function maskedValues(result: RunnerResult): string[] {
  return result.stdout
    .split('\n')
    .filter((line) => line.startsWith(ADD_MASK))
    .map((line) => line.slice(ADD_MASK.length));
}

/** expectNoSecretLeak asserts that a GitHub run shows no credential or token (see secret-leaks). */
export function expectNoSecretLeak(result: RunnerResult, secrets: readonly string[]): void {
  expectNoLeak(result, secrets, ADD_MASK);
}

/**
 * expectConformantTraffic asserts that a recording passes oav (App Service's PascalCase error
 * bodies apart) and that each expected operation was matched and passed.
 */
export async function expectConformantTraffic(
  trafficDir: string,
  operations: readonly string[],
): Promise<void> {
  const { main, unexpectedAppServiceErrors } = await checkConformance(trafficDir);
  expect(main.report.errors ?? [], main.stderr.slice(-2000)).toEqual([]);
  expect(unexpectedAppServiceErrors).toEqual([]);
  expect(main.exitCode).toBe(0);
  expect(passedOperationIds(main.report)).toEqual(expect.arrayContaining([...operations]));
}

/** failureMessage returns the `::error::` line the runner shows as the step's failure. */
export function failureMessage(result: RunnerResult): string {
  const line = result.stdout.split('\n').find((l) => l.startsWith('::error::'));
  return line ? line.slice('::error::'.length) : '';
}
