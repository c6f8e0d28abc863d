// The demo: start the local Azure emulator with the sample seed, run the bundled action against
// it as a GitHub runner would (OIDC sign-in), show the log, outputs and summary, then run it again
// to show that a second run finds nothing to change and sends no write.
import path from 'node:path';

import { startEmulator } from '../test/emulator/index.js';
import { repoRoot, runAction, type RunnerResult } from '../test/support/github-runner.js';

interface RecordedRequest {
  method: string;
  path: string;
  status: number;
  write: boolean;
}

async function writesSince(controlUrl: string, from: number): Promise<RecordedRequest[]> {
  const response = await fetch(`${controlUrl}/requests`);
  const requests = (await response.json()) as RecordedRequest[];
  return requests.slice(from).filter((request) => request.write);
}

async function requestCount(controlUrl: string): Promise<number> {
  const response = await fetch(`${controlUrl}/requests`);
  return ((await response.json()) as unknown[]).length;
}

/**
 * renderLog shows the step's stdout as the GitHub log viewer does: workflow commands that the
 * runner consumes (masks, debug lines unless debugging) disappear, groups become headings.
 */
function renderLog(stdout: string): string {
  const unescape = (text: string) =>
    text.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
  const lines: string[] = [];
  for (const line of stdout.split('\n')) {
    if (line.startsWith('::add-mask::') || line.startsWith('::debug::')) continue;
    const command = /^::(group|endgroup|warning|error|notice)(?: [^:]*)?::(.*)$/.exec(line);
    if (!command) lines.push(`  ${line}`);
    else if (command[1] === 'group') lines.push(`▶ ${command[2]}`);
    else if (command[1] !== 'endgroup')
      lines.push(`  ${command[1]}: ${unescape(command[2] ?? '')}`);
  }
  return lines.join('\n').trimEnd();
}

function show(title: string, result: RunnerResult, writes: RecordedRequest[]): void {
  console.log(`\n==================== ${title} ====================`);
  console.log(renderLog(result.stdout));
  if (result.stderr.trim()) console.log(result.stderr.trimEnd());
  console.log(`\n--- exit code ${result.exitCode}; outputs (GITHUB_OUTPUT):`);
  for (const [name, value] of Object.entries(result.outputs)) console.log(`  ${name} = ${value}`);
  console.log('\n--- job summary (GITHUB_STEP_SUMMARY):\n');
  console.log(result.summary.trimEnd());
  console.log(`\n--- writes the emulator received: ${writes.length}`);
  for (const write of writes) console.log(`  ${write.method} ${write.path} -> ${write.status}`);
}

const emulator = await startEmulator({
  seed: path.join(repoRoot, 'test/emulator/seeds/demo.json'),
});
try {
  const { info } = emulator;
  const inputs = {
    'subscription-id': info.subscriptionId,
    'resource-group': 'rg-app',
    'app-name': 'app-demo',
    'key-vault': 'kv-demo',
    certificate: 'www-contoso',
    'client-id': info.clientId,
    'tenant-id': info.tenantId,
    environment: 'custom',
    'resource-manager-endpoint': info.resourceManagerEndpoint,
    'authority-host': info.authorityHost,
  };
  const env = {
    NODE_EXTRA_CA_CERTS: info.caCertificate,
    ACTIONS_ID_TOKEN_REQUEST_URL: info.oidcRequestUrl,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: info.oidcRequestToken,
  };

  let from = await requestCount(info.controlUrl);
  const first = await runAction(inputs, env);
  show('First run: identity, grant, import, bind', first, await writesSince(info.controlUrl, from));

  from = await requestCount(info.controlUrl);
  const second = await runAction(inputs, env);
  show('Second run: nothing to change', second, await writesSince(info.controlUrl, from));

  process.exitCode = first.exitCode || second.exitCode;
} finally {
  await emulator.stop();
}
