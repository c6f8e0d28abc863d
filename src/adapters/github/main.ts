import * as core from '@actions/core';

import { BindError } from '../../core/errors.js';
import { parseBindOptions, type InputReader } from '../../core/parse-options.js';
import { runBind } from '../../core/run.js';
import { parseGitHubAuth } from './auth.js';
import { createGitHubHost } from './host.js';

/**
 * run is the GitHub Action: it reads the inputs, runs the core with the runner as its host, and
 * turns a failure into the step's failed status with one clear message.
 */
export async function run(): Promise<void> {
  const host = createGitHubHost();
  try {
    const read: InputReader = (name) => core.getInput(name);
    const options = parseBindOptions(read);
    const auth = parseGitHubAuth(read, process.env);
    host.debug(`Inputs: ${JSON.stringify({ ...options, auth: auth.kind })}`);

    await runBind(options, auth, host);
  } catch (error) {
    const message =
      error instanceof BindError
        ? error.message
        : `Unexpected error: ${error instanceof Error ? error.message : String(error)}`;
    core.setFailed(`keyvault-cert-bind: ${message}`);
  }
}
