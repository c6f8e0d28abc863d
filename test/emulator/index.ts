import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { notFound } from './arm-router.js';
import { handleArm } from './arm-router.js';
import type { EmulatorContext, Endpoints } from './context.js';
import { handleControl } from './control.js';
import {
  AZURE_DEVOPS_PATH,
  azureDevOpsIssuer,
  createAzureDevOpsProject,
  handleAzureDevOpsOidc,
} from './azure-devops-oidc.js';
import { armError } from './error-bodies.js';
import { readExchange, writeReply, type Exchange, type Reply } from './exchange.js';
import { handleEntra } from './entra.js';
import { GITHUB_OIDC_PATH, handleGithubOidc } from './github-oidc.js';
import { GRAPH_PATH, handleGraph } from './graph.js';
import { resolveSeededSecretIds } from './gateway-seed.js';
import { createSigningKey } from './jwt.js';
import { handleKubernetes } from './kubernetes/api-server.js';
import { startCsiDriver, type RunningDriver } from './kubernetes/csi-driver.js';
import { writeKubeconfig } from './kubernetes/kubeconfig.js';
import { handleKeyVault, type KeyVaultReply } from './key-vault-data-plane.js';
import { cloudMetadata } from './metadata.js';
import { isNetworkOperationPath } from './network-gateways.js';
import { RequestLog, type EmulatedService } from './request-log.js';
import { loadSeed, type Seed } from './seed.js';
import { buildState } from './state-from-seed.js';
import type { EmulatorState, Vault } from './state.js';
import { takeThrottle } from './throttle.js';
import { TrafficRecorder } from './traffic-recorder.js';
import { issueCertificate } from './x509.js';

/** EmulatorOptions configures startEmulator. */
export interface EmulatorOptions {
  /** A seed object, or the path of a seed JSON file. */
  readonly seed: Seed | string;
  /** Port of the main HTTPS listener; a free port when absent. */
  readonly port?: number;
  /** When set, every ARM and Key Vault exchange is written there in oav's traffic format. */
  readonly trafficDir?: string;
}

/** EmulatorInfo is what a client needs to talk to the emulator (the CLI's first stdout line). */
export interface EmulatorInfo {
  readonly resourceManagerEndpoint: string;
  readonly authorityHost: string;
  /** Path of the PEM file of the emulator's CA. */
  readonly caCertificate: string;
  readonly controlUrl: string;
  readonly tenantId: string;
  readonly subscriptionId: string;
  readonly subscriptions: readonly string[];
  /** The pipeline identity: the first seeded client. */
  readonly clientId: string;
  readonly clientSecret: string;
  readonly oidcRequestUrl: string;
  readonly oidcRequestToken: string;
  readonly graphEndpoint: string;
  readonly graphAudience: string;
  /** Vault name → vault URI (`https://127.0.0.1:PORT/`). */
  readonly vaults: Readonly<Record<string, string>>;
  readonly armAudience: string;
  readonly keyVaultAudience: string;
  readonly metadataUrl: string;
  readonly githubIssuer: string;
  /** Azure DevOps-style `System.OidcRequestUri` of the emulated pipeline job. */
  readonly azureDevOpsOidcRequestUri: string;
  /** The job's System.AccessToken, the bearer that OIDC endpoint accepts. */
  readonly systemAccessToken: string;
  /** `https://vstoken.dev.azure.com/<organization id>`, the issuer of its tokens. */
  readonly azureDevOpsIssuer: string;
  /** Path of a kubeconfig for the emulated cluster (only with a `kubernetes` seed section). */
  readonly kubeconfig?: string;
  /** `https://127.0.0.1:KPORT`, the emulated Kubernetes API server (same condition). */
  readonly kubernetesApiUrl?: string;
}

/** RunningEmulator is a started emulator. */
export interface RunningEmulator {
  readonly info: EmulatorInfo;
  /** The live state, for in-process tests that want to look without the control API. */
  readonly state: EmulatorState;
  stop(): Promise<void>;
}

const ARM_AUDIENCE = 'https://management.emulator.local/';
const KEY_VAULT_AUDIENCE = 'https://vault.emulator.local';
const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';

/**
 * startEmulator loads a seed, generates the CA, server certificate and signing keys, and starts
 * the HTTPS listeners (one for ARM/Entra/Graph/OIDC, one per vault) and the control listener.
 */
export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const seed = await loadSeed(options.seed);
  const now = new Date();
  const tenYears = new Date(now.getTime() + 10 * 365 * 24 * 3600 * 1000);
  const yesterday = new Date(now.getTime() - 24 * 3600 * 1000);
  const ca = issueCertificate({
    subject: 'CN=Azure Emulator Root CA, O=keyvault-cert-bind',
    dnsNames: [],
    notBefore: yesterday,
    notAfter: tenYears,
    isCertificateAuthority: true,
  });
  const server = issueCertificate({
    subject: 'CN=localhost',
    dnsNames: ['localhost'],
    ipAddresses: ['127.0.0.1'],
    notBefore: yesterday,
    notAfter: tenYears,
    issuer: ca,
  });
  const tempDir = await mkdtemp(path.join(os.tmpdir(), 'azure-emulator-'));
  const caCertificate = path.join(tempDir, 'ca.pem');
  await writeFile(caCertificate, ca.certificatePem);

  const state = buildState(seed, ca, now);
  const log = new RequestLog();
  const recorder = options.trafficDir ? new TrafficRecorder(options.trafficDir) : undefined;
  const tls = { key: server.privateKeyPem, cert: server.certificatePem + ca.certificatePem };
  const servers: (http.Server | https.Server)[] = [];

  const mainServer = https.createServer(tls);
  servers.push(mainServer);
  const port = await listen(mainServer, options.port ?? 0);
  const origin = `https://127.0.0.1:${port}`;
  const endpoints: Endpoints = {
    origin,
    armAudience: ARM_AUDIENCE,
    keyVaultAudience: KEY_VAULT_AUDIENCE,
    graphAudience: `${origin}${GRAPH_PATH}`,
    githubIssuer: GITHUB_ISSUER,
  };
  const context: EmulatorContext = {
    state,
    endpoints,
    entraKey: createSigningKey('emulator-entra-1', newRsaKey()),
    githubKey: createSigningKey('emulator-github-1', newRsaKey()),
    oidcRequestToken: randomBytes(24).toString('base64url'),
    azureDevOpsKey: createSigningKey('emulator-azure-devops-1', newRsaKey()),
    azureDevOps: createAzureDevOpsProject(seed.azureDevOps, randomBytes(32).toString('base64url')),
  };

  const serve = (
    exchange: Exchange,
    response: http.ServerResponse,
    route: () => { service: EmulatedService; reply: Reply | KeyVaultReply; vault?: Vault },
  ): void => {
    let routed: { service: EmulatedService; reply: Reply | KeyVaultReply; vault?: Vault };
    try {
      routed = route();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      routed = {
        service: 'unknown',
        reply: armError(500, 'InternalServerError', `Emulator failure: ${message}`),
      };
    }
    const requestId = crypto.randomUUID();
    writeReply(response, routed.reply, requestId);
    const pathAndQuery = exchange.url.pathname + exchange.url.search;
    const record = log.add({
      method: exchange.method,
      host: exchange.headers.host ?? '',
      path: pathAndQuery,
      status: routed.reply.status,
      service: routed.service,
      ...(routed.vault ? { vault: routed.vault.name } : {}),
    });
    if (!recorder) return;
    const responseHeaders = {
      'content-type': 'application/json; charset=utf-8',
      'x-ms-request-id': requestId,
      ...(routed.reply.headers ?? {}),
    };
    if (
      routed.service === 'arm' &&
      exchange.url.pathname.replace(/\/+$/, '').toLowerCase() !== '/subscriptions' &&
      // No spec describes an Azure-AsyncOperation status URL.
      !isNetworkOperationPath(exchange.url.pathname)
    ) {
      recorder.record(
        record.seq,
        exchange,
        `https://management.azure.com${pathAndQuery}`,
        routed.reply.status,
        responseHeaders,
        routed.reply.body,
      );
    } else if (routed.service === 'keyvault' && routed.vault) {
      const recordPath =
        'recordPath' in routed.reply && routed.reply.recordPath
          ? routed.reply.recordPath
          : exchange.url.pathname;
      recorder.record(
        record.seq,
        exchange,
        `https://${routed.vault.name}.vault.azure.net${recordPath}${exchange.url.search}`,
        routed.reply.status,
        responseHeaders,
        routed.reply.body,
      );
    }
  };

  mainServer.on('request', (request: http.IncomingMessage, response: http.ServerResponse) => {
    void readExchange(request, origin).then((exchange) =>
      serve(exchange, response, () => {
        const throttled = /^\/(subscriptions|providers)(\/|$)/i.test(exchange.url.pathname)
          ? takeThrottle(state, exchange, 'arm')
          : undefined;
        return throttled ? { service: 'arm', reply: throttled } : routeMain(context, exchange);
      }),
    );
  });

  for (const vault of state.vaults.values()) {
    const vaultServer = https.createServer(tls);
    servers.push(vaultServer);
    const vaultPort = await listen(vaultServer, 0);
    vault.uri = `https://127.0.0.1:${vaultPort}/`;
    const vaultOrigin = `https://127.0.0.1:${vaultPort}`;
    vaultServer.on('request', (request: http.IncomingMessage, response: http.ServerResponse) => {
      void readExchange(request, vaultOrigin).then((exchange) =>
        serve(exchange, response, () => ({
          service: 'keyvault',
          reply:
            takeThrottle(state, exchange, 'keyvault') ?? handleKeyVault(context, vault, exchange),
          vault,
        })),
      );
    });
  }

  resolveSeededSecretIds(state);

  const cluster = state.kubernetes;
  let kubernetesInfo: { kubeconfig: string; kubernetesApiUrl: string } | undefined;
  let driver: RunningDriver | undefined;
  if (cluster) {
    const kubeServer = https.createServer(tls);
    servers.push(kubeServer);
    const kubePort = await listen(kubeServer, 0);
    const kubernetesApiUrl = `https://127.0.0.1:${kubePort}`;
    kubeServer.on('request', (request: http.IncomingMessage, response: http.ServerResponse) => {
      void readExchange(request, kubernetesApiUrl).then((exchange) =>
        serve(exchange, response, () => ({
          service: 'kubernetes',
          reply: handleKubernetes(cluster, exchange, `127.0.0.1:${kubePort}`),
        })),
      );
    });
    const kubeconfig = path.join(tempDir, 'kubeconfig');
    await writeKubeconfig(kubeconfig, kubernetesApiUrl, ca.certificatePem, cluster.token);
    kubernetesInfo = { kubeconfig, kubernetesApiUrl };
    driver = startCsiDriver(state, cluster);
  }

  const controlServer = http.createServer((request, response) => {
    void readExchange(request, 'http://127.0.0.1').then((exchange) => {
      let reply: Reply;
      try {
        reply = handleControl(context, log, exchange);
      } catch (error) {
        reply = {
          status: 500,
          body: { error: error instanceof Error ? error.message : String(error) },
        };
      }
      writeReply(response, reply, crypto.randomUUID());
    });
  });
  servers.push(controlServer);
  const controlPort = await listen(controlServer, 0);

  const firstClient = state.clients[0];
  const info: EmulatorInfo = {
    resourceManagerEndpoint: origin,
    authorityHost: origin,
    caCertificate,
    controlUrl: `http://127.0.0.1:${controlPort}`,
    tenantId: state.tenantId,
    subscriptionId: state.subscriptions[0]?.id ?? '',
    subscriptions: state.subscriptions.map((s) => s.id),
    clientId: firstClient?.clientId ?? '',
    clientSecret: firstClient?.clientSecret ?? '',
    oidcRequestUrl: `${origin}${GITHUB_OIDC_PATH}?api-version=2.0`,
    oidcRequestToken: context.oidcRequestToken,
    graphEndpoint: `${origin}${GRAPH_PATH}`,
    graphAudience: endpoints.graphAudience,
    vaults: Object.fromEntries([...state.vaults.values()].map((v) => [v.name, v.uri])),
    armAudience: ARM_AUDIENCE,
    keyVaultAudience: KEY_VAULT_AUDIENCE,
    metadataUrl: `${origin}/metadata/endpoints?api-version=2022-09-01`,
    githubIssuer: GITHUB_ISSUER,
    azureDevOpsOidcRequestUri: `${origin}${context.azureDevOps.oidcRequestPath}`,
    systemAccessToken: context.azureDevOps.systemAccessToken,
    azureDevOpsIssuer: azureDevOpsIssuer(context.azureDevOps.organizationId),
    ...kubernetesInfo,
  };

  return {
    info,
    state,
    async stop() {
      driver?.stop();
      await Promise.all(servers.map((s) => close(s)));
      await rm(tempDir, { recursive: true, force: true });
    },
  };
}

function routeMain(
  context: EmulatorContext,
  exchange: Exchange,
): { service: EmulatedService; reply: Reply } {
  const pathname = exchange.url.pathname;
  if (pathname === '/metadata/endpoints') {
    return { service: 'metadata', reply: cloudMetadata(context) };
  }
  if (pathname === GITHUB_OIDC_PATH) {
    return { service: 'github-oidc', reply: handleGithubOidc(context, exchange) };
  }
  if (pathname.startsWith(`${AZURE_DEVOPS_PATH}/`)) {
    return { service: 'azure-devops-oidc', reply: handleAzureDevOpsOidc(context, exchange) };
  }
  if (pathname === GRAPH_PATH || pathname.startsWith(`${GRAPH_PATH}/`)) {
    return { service: 'graph', reply: handleGraph(context, exchange) };
  }
  const entra = handleEntra(context, exchange);
  if (entra) return { service: 'entra', reply: entra };
  if (/^\/(subscriptions|providers)(\/|$)/i.test(pathname)) {
    return { service: 'arm', reply: handleArm(context, exchange) };
  }
  return { service: 'unknown', reply: notFound(exchange) };
}

function newRsaKey(): string {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  }).privateKey;
}

function listen(server: http.Server | https.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function close(server: http.Server | https.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
