import { copyFile, mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { repoRoot } from './github-runner.js';
import { runNodeScript } from './run-node.js';

/** TaskManifest is the part of task.json the agent reads to run a task. */
export interface TaskManifest {
  readonly name: string;
  readonly version: { readonly Major: number; readonly Minor: number; readonly Patch: number };
  readonly inputs: readonly { readonly name: string; readonly defaultValue?: string | boolean }[];
  readonly outputVariables: readonly { readonly name: string }[];
  readonly execution: Readonly<Record<string, { readonly target: string }>>;
}

/** readTaskManifest reads task/task.json. */
export async function readTaskManifest(): Promise<TaskManifest> {
  return JSON.parse(await readFile(path.join(repoRoot, 'task/task.json'), 'utf8')) as TaskManifest;
}

/** ServiceConnection is an Azure DevOps service connection as the agent hands it to a task. */
export interface ServiceConnection {
  readonly id: string;
  readonly url: string;
  readonly scheme: string;
  /** The authorization parameters (`ENDPOINT_AUTH_<id>` and `ENDPOINT_AUTH_PARAMETER_<id>_*`). */
  readonly parameters: Readonly<Record<string, string>>;
  /** The connection's data (`ENDPOINT_DATA_<id>_*`). */
  readonly data: Readonly<Record<string, string>>;
}

/** AgentJob is what one task run gets from the agent besides its inputs. */
export interface AgentJob {
  readonly connections: readonly ServiceConnection[];
  /** System.AccessToken, passed as the SystemVssConnection's AccessToken. */
  readonly systemAccessToken: string;
  /** Pipeline variables by name (`System.OidcRequestUri`); become `SYSTEM_OIDCREQUESTURI`. */
  readonly variables?: Readonly<Record<string, string>>;
  /** Environment of the agent process (e.g. NODE_EXTRA_CA_CERTS). */
  readonly env?: Readonly<Record<string, string>>;
  /** The execution handler to run: the agent picks the newest it has. */
  readonly handler?: 'Node20_1' | 'Node24';
  readonly node?: string;
}

/** VsoCommand is one `##vso[area.action key=value;…]message` logging command. */
export interface VsoCommand {
  readonly command: string;
  readonly properties: Readonly<Record<string, string>>;
  readonly message: string;
}

/** AgentResult is what a pipeline author sees of one task run. */
export interface AgentResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly commands: readonly VsoCommand[];
  /** Output variables (`task.setvariable` with `isOutput=true`) by name. */
  readonly outputs: Readonly<Record<string, string>>;
  /** The markdown of every `task.uploadsummary` file, concatenated. */
  readonly summary: string;
  /** The `task.complete` result: Succeeded, SucceededWithIssues or Failed. */
  readonly result: string | undefined;
  /** The errors the task reported (`task.issue type=error`). */
  readonly errors: readonly string[];
  /** Values the task asked the agent to mask (`task.setsecret`). */
  readonly masked: readonly string[];
}

const COMMAND = /^##vso\[([\w.]+)(?: ([^\]]*))?\](.*)$/;

function unescapeProperty(value: string): string {
  return value
    .replace(/%0D/g, '\r')
    .replace(/%0A/g, '\n')
    .replace(/%5D/g, ']')
    .replace(/%3B/g, ';')
    .replace(/%AZP25/g, '%');
}

function unescapeMessage(value: string): string {
  return value
    .replace(/%0D/g, '\r')
    .replace(/%0A/g, '\n')
    .replace(/%AZP25/g, '%');
}

/** parseVsoCommands reads the logging commands of a task's stdout, as the agent does. */
export function parseVsoCommands(stdout: string): VsoCommand[] {
  const commands: VsoCommand[] = [];
  for (const line of stdout.split(/\r?\n/)) {
    const match = COMMAND.exec(line);
    if (!match) continue;
    const [, command = '', props = '', message = ''] = match;
    const properties: Record<string, string> = {};
    for (const pair of props.split(';')) {
      const at = pair.indexOf('=');
      if (at > 0) properties[pair.slice(0, at).trim()] = unescapeProperty(pair.slice(at + 1));
    }
    commands.push({ command, properties, message: unescapeMessage(message) });
  }
  return commands;
}

/** variableKey is the environment name the agent gives a variable or input name. */
function variableKey(name: string): string {
  return name.replace(/[.\s]/g, '_').toUpperCase();
}

function connectionEnv(connection: ServiceConnection): Record<string, string> {
  const { id } = connection;
  const env: Record<string, string> = {
    [`ENDPOINT_URL_${id}`]: connection.url,
    [`ENDPOINT_AUTH_${id}`]: JSON.stringify({
      parameters: connection.parameters,
      scheme: connection.scheme,
    }),
    [`ENDPOINT_AUTH_SCHEME_${id}`]: connection.scheme,
  };
  for (const [key, value] of Object.entries(connection.parameters)) {
    env[`ENDPOINT_AUTH_PARAMETER_${id}_${key.toUpperCase()}`] = value;
  }
  for (const [key, value] of Object.entries(connection.data)) {
    env[`ENDPOINT_DATA_${id}_${key.replace(/ /g, '_').toUpperCase()}`] = value;
  }
  return env;
}

/**
 * runTask runs the task as the Azure Pipelines agent does: task.json and the bundle are copied to
 * a fresh task directory (no node_modules anywhere above it), every input declared in task.json
 * becomes `INPUT_<NAME>` with the pipeline's value or the default, each service connection
 * becomes `ENDPOINT_*` variables, System.AccessToken arrives as the SystemVssConnection, pipeline
 * variables as `SYSTEM_*`/`AGENT_*`, and the handler's target is run with node. Nothing from this
 * process's environment leaks in except PATH and HOME.
 */
export async function runTask(inputs: Record<string, string>, job: AgentJob): Promise<AgentResult> {
  const manifest = await readTaskManifest();
  const declared = new Set(manifest.inputs.map((input) => input.name));
  for (const name of Object.keys(inputs)) {
    if (!declared.has(name)) throw new Error(`task.json declares no input '${name}'`);
  }
  const handler = manifest.execution[job.handler ?? 'Node24'];
  if (!handler) throw new Error(`task.json has no ${job.handler ?? 'Node24'} handler`);

  const root = await mkdtemp(path.join(tmpdir(), 'kvcb-agent-'));
  const { Major, Minor, Patch } = manifest.version;
  const taskDir = path.join(root, '_tasks', `${manifest.name}_0`, `${Major}.${Minor}.${Patch}`);
  const workDir = path.join(root, 's');
  const tempDir = path.join(root, '_temp');
  await Promise.all([mkdir(taskDir, { recursive: true }), mkdir(workDir), mkdir(tempDir)]);
  for (const file of ['task.json', handler.target]) {
    await copyFile(path.join(repoRoot, 'task', file), path.join(taskDir, file));
  }

  const variables: Record<string, string> = {
    'Agent.TempDirectory': tempDir,
    'Agent.WorkFolder': root,
    'Agent.Version': '4.265.1',
    'System.Culture': 'en-US',
    'System.DefaultWorkingDirectory': workDir,
    'System.TeamFoundationCollectionUri': 'https://dev.azure.com/contoso/',
    'System.TeamProject': 'app',
    'System.HostType': 'build',
    ...job.variables,
  };
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '',
    HOME: process.env['HOME'] ?? root,
    TF_BUILD: 'True',
    VSTS_PUBLIC_VARIABLES: JSON.stringify(Object.keys(variables)),
    ...job.env,
  };
  for (const [name, value] of Object.entries(variables)) env[variableKey(name)] = value;
  for (const input of manifest.inputs) {
    const value = inputs[input.name] ?? input.defaultValue;
    if (value !== undefined) env[`INPUT_${variableKey(input.name)}`] = String(value);
  }
  for (const connection of job.connections) Object.assign(env, connectionEnv(connection));
  Object.assign(
    env,
    connectionEnv({
      id: 'SYSTEMVSSCONNECTION',
      url: 'https://dev.azure.com/contoso/',
      scheme: 'OAuth',
      parameters: { AccessToken: job.systemAccessToken },
      data: {},
    }),
  );

  const { exitCode, stdout, stderr } = await runNodeScript(
    job.node ?? process.execPath,
    path.join(taskDir, handler.target),
    workDir,
    env,
  );

  const commands = parseVsoCommands(stdout);
  const outputs: Record<string, string> = {};
  const summaries: string[] = [];
  const errors: string[] = [];
  const masked: string[] = [];
  let result: string | undefined;
  for (const { command, properties, message } of commands) {
    if (command === 'task.setvariable' && properties['isOutput'] === 'true') {
      outputs[properties['variable'] ?? ''] = message;
    } else if (command === 'task.uploadsummary') {
      summaries.push(await readFile(message, 'utf8'));
    } else if (command === 'task.complete') {
      result = properties['result'];
    } else if (command === 'task.issue' && properties['type'] === 'error') {
      errors.push(message);
    } else if (command === 'task.setsecret') {
      masked.push(message);
    }
  }
  return {
    exitCode,
    stdout,
    stderr,
    commands,
    outputs,
    summary: summaries.join('\n'),
    result,
    errors,
    masked,
  };
}
