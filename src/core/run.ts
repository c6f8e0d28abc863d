import { planAppServiceBinding } from '../targets/app-service/target.js';
import type { AzureContext } from './azure-context.js';
import { discoverCustomCloud, knownCloud, type Cloud } from './cloud.js';
import { createCredential } from './credential.js';
import type { Host } from './host.js';
import type { AuthOptions } from './auth-options.js';
import type { BindOptions } from './options.js';
import type { AppliedChange, TargetPlan } from './plan.js';
import { renderSummary } from './summary.js';

/** RunResult is what one run did: its plan, what became of each change, and its outputs. */
export interface RunResult {
  readonly plan: TargetPlan;
  readonly changes: readonly AppliedChange[];
  readonly outputs: Readonly<Record<string, string>>;
}

/** RunDependencies are the parts of a run that tests may replace: the clock. */
export interface RunDependencies {
  readonly now: () => Date;
}

async function resolveCloud(options: BindOptions): Promise<Cloud> {
  return options.cloud.name === 'custom'
    ? discoverCustomCloud(options.cloud.resourceManagerEndpoint, options.cloud.authorityHost)
    : knownCloud(options.cloud.name);
}

/** planTarget hands the run to the target the user chose. */
function planTarget(options: BindOptions, context: AzureContext, now: Date): Promise<TargetPlan> {
  switch (options.target) {
    case 'app-service':
      return planAppServiceBinding(options, context, now);
  }
}

async function applyChanges(plan: TargetPlan, host: Host): Promise<AppliedChange[]> {
  const results: AppliedChange[] = [];
  for (const [index, change] of plan.changes.entries()) {
    host.info(`[${index + 1}/${plan.changes.length}] ${change.action}`);
    const note = await change.apply();
    results.push({
      action: change.action,
      resource: change.resource,
      status: note ? 'kept' : 'applied',
      note: note || undefined,
    });
  }
  return results;
}

/**
 * runBind is the whole step: sign in, read the target's state, check it, plan the changes, apply
 * them (unless in plan mode), then publish outputs and the summary. It knows nothing of the
 * runner: the host does the logging, masking and publishing.
 */
export async function runBind(
  options: BindOptions,
  auth: AuthOptions,
  host: Host,
  dependencies: RunDependencies = { now: () => new Date() },
): Promise<RunResult> {
  const context: AzureContext = await host.group('Sign in', async () => {
    const cloud = await resolveCloud(options);
    host.info(`Cloud: ${cloud.name} (${cloud.resourceManagerEndpoint})`);
    return { cloud, host, credential: createCredential(auth, cloud, host) };
  });

  const plan = await planTarget(options, context, dependencies.now());

  let changes: AppliedChange[];
  if (plan.changes.length === 0) {
    host.info('Nothing to change: the certificate is imported and bound everywhere.');
    changes = [];
  } else if (options.mode === 'plan') {
    changes = await host.group(
      `Planned changes (${plan.changes.length}, not applied)`,
      async () => {
        for (const change of plan.changes)
          host.info(`would: ${change.action} — ${change.resource}`);
        return plan.changes.map(({ action, resource }) => ({
          action,
          resource,
          status: 'planned' as const,
          note: undefined,
        }));
      },
    );
  } else {
    changes = await host.group(`Apply ${plan.changes.length} change(s)`, () =>
      applyChanges(plan, host),
    );
  }

  const changed = changes.some((change) => change.status === 'applied');
  const outputs = { ...plan.outputs, changed: String(changed) };
  for (const [name, value] of Object.entries(outputs)) host.setOutput(name, value);
  await host.writeSummary(renderSummary(plan.title, options.mode, plan.checks, changes, outputs));
  return { plan, changes, outputs };
}
