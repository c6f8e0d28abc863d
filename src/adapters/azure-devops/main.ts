import * as tl from 'azure-pipelines-task-lib';

import manifest from '../../../task/task.json' with { type: 'json' };

import { BindError } from '../../core/errors.js';
import { parseBindOptions, type InputReader } from '../../core/parse-options.js';
import { runBind } from '../../core/run.js';
import { createAzureDevOpsHost } from './host.js';
import { createTaskInputReader, toTaskWording } from './inputs.js';
import {
  readServiceConnection,
  ServiceConnectionError,
  type AgentEndpoints,
} from './service-connection.js';

/** agentEndpoints reads service connections and variables through azure-pipelines-task-lib. */
function agentEndpoints(): AgentEndpoints {
  return {
    url: (id) => tl.getEndpointUrl(id, true),
    data: (id, key) => tl.getEndpointDataParameter(id, key, true),
    // getEndpointAuthorization logs only whether the connection exists, never its parameters.
    authorization: (id) => tl.getEndpointAuthorization(id, true),
    variable: (name) => tl.getVariable(name),
  };
}

/**
 * useAgentProxy routes the Azure SDK through the proxy the agent was configured with
 * (`--proxyurl`): the SDK reads HTTPS_PROXY, the agent passes its proxy as task variables
 * instead. The proxy password, if any, is masked first. The agent's bypass list holds regular
 * expressions, which NO_PROXY cannot express, so it is not carried over.
 */
function useAgentProxy(host: { setSecret(value: string): void; debug(message: string): void }) {
  const proxy = tl.getHttpProxyConfiguration();
  if (!proxy?.proxyUrl) return;
  if (proxy.proxyPassword) host.setSecret(proxy.proxyPassword);
  if (proxy.proxyFormattedUrl) host.setSecret(proxy.proxyFormattedUrl);
  process.env['HTTPS_PROXY'] = proxy.proxyFormattedUrl || proxy.proxyUrl;
  process.env['HTTP_PROXY'] = proxy.proxyFormattedUrl || proxy.proxyUrl;
  host.debug(`Using the agent's proxy ${proxy.proxyUrl}.`);
}

/**
 * run is the Azure DevOps task: it reads the service connection and the inputs, runs the core
 * with the agent as its host, and turns a failure into the task's Failed result with one clear
 * message in the task's own words.
 */
export async function run(): Promise<void> {
  const host = createAzureDevOpsHost();
  const optionsRead = new Set<string>();
  try {
    useAgentProxy(host);
    const connectionId = tl.getInput('azureSubscription', false) ?? '';
    if (!connectionId) {
      throw new BindError(
        "Input 'azureSubscription' is required: an Azure Resource Manager service connection.",
      );
    }
    const connection = readServiceConnection(connectionId, agentEndpoints(), (value) =>
      host.setSecret(value),
    );
    if (!connection.subscriptionId && !tl.getInput('subscriptionId', false)) {
      throw new ServiceConnectionError(
        `Failed to read the Azure Resource Manager service connection '${connectionId}' (input ` +
          "'azureSubscription'): its scope has no subscription (a management group connection). " +
          "Set the task's subscriptionId input to the subscription of the app or gateway.",
      );
    }
    const taskRead = createTaskInputReader(
      (name) => tl.getInput(name, false),
      connection,
      manifest.inputs,
    );
    const read: InputReader = (option) => {
      optionsRead.add(option);
      return taskRead(option);
    };
    const options = parseBindOptions(read);
    host.debug(`Inputs: ${JSON.stringify({ ...options, auth: connection.auth.kind })}`);

    await runBind(options, connection.auth, host);
    tl.setResult(tl.TaskResult.Succeeded, '');
  } catch (error) {
    const message =
      error instanceof BindError
        ? error.message
        : `Unexpected error: ${error instanceof Error ? error.message : String(error)}`;
    tl.setResult(
      tl.TaskResult.Failed,
      `keyvault-cert-bind: ${toTaskWording(message, optionsRead)}`,
    );
  }
}
