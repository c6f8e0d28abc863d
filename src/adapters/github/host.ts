import * as core from '@actions/core';

import type { Host } from '../../core/host.js';

/** createGitHubHost gives the core the runner's logging, masking, outputs and job summary. */
export function createGitHubHost(): Host {
  return {
    debug: (message) => core.debug(message),
    info: (message) => core.info(message),
    warning: (message) => core.warning(message),
    group: (name, work) => core.group(name, work),
    setSecret: (value) => core.setSecret(value),
    setOutput: (name, value) => core.setOutput(name, value),
    writeSummary: async (markdown) => {
      // Outside a runner (or on an old one) there is no summary file; the log has it all.
      if (!process.env['GITHUB_STEP_SUMMARY']) return;
      await core.summary.addRaw(markdown, true).write();
    },
  };
}
