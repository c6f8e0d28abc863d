import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import * as tl from 'azure-pipelines-task-lib';

import type { Host } from '../../core/host.js';
import { taskInputName } from './inputs.js';

/**
 * maskLines masks a value in the agent's log. The agent refuses multi-line secrets (a PEM), so
 * each line of one is masked on its own; PEM armour lines are not secret.
 */
function maskLines(value: string): void {
  for (const line of value.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed && !/^-----(BEGIN|END) /.test(trimmed)) tl.setSecret(trimmed);
  }
}

/**
 * createAzureDevOpsHost gives the core the agent's logging (`##[group]`, `##vso[task.debug]`,
 * warnings as issues), secret masking (`##vso[task.setsecret]`), output variables
 * (`isOutput=true`, camelCase names) and the build summary (`##vso[task.uploadsummary]`).
 */
export function createAzureDevOpsHost(): Host {
  return {
    debug: (message) => tl.debug(message),
    info: (message) => console.log(message),
    warning: (message) => tl.warning(message),
    group: async (name, work) => {
      console.log(`##[group]${name}`);
      try {
        return await work();
      } finally {
        console.log('##[endgroup]');
      }
    },
    setSecret: maskLines,
    setOutput: (name, value) => tl.setVariable(taskInputName(name), value, false, true),
    writeSummary: async (markdown) => {
      const directory = tl.getVariable('Agent.TempDirectory') || tmpdir();
      const file = path.join(directory, `keyvault-cert-bind-${randomUUID()}.md`);
      await writeFile(file, markdown, 'utf8');
      tl.uploadSummary(file);
    },
  };
}
