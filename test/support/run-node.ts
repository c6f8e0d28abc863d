import { spawn } from 'node:child_process';

/** NodeRun is what a script run printed and how it ended. */
export interface NodeRun {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** runNodeScript runs one script with a Node binary, in a folder, with exactly `env`. */
export async function runNodeScript(
  node: string,
  script: string,
  cwd: string,
  env: Record<string, string>,
): Promise<NodeRun> {
  const child = spawn(node, [script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exitCode = await new Promise<number>((resolve) =>
    child.on('close', (code) => resolve(code ?? -1)),
  );
  return { exitCode, stdout, stderr };
}
