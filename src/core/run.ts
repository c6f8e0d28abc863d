import { planAppServiceBinding } from '../targets/app-service/target.js';
import { planGatewayBinding } from '../targets/application-gateway/target.js';
import { planKubernetesBinding } from '../targets/kubernetes/target.js';
import type { AzureContext } from './azure-context.js';
import { discoverCustomCloud, knownCloud, type Cloud } from './cloud.js';
import { createCredential } from './credential.js';
import { BindError } from './errors.js';
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
    case 'application-gateway':
      return planGatewayBinding(options, context, now);
    case 'kubernetes':
      return planKubernetesBinding(options, context, now);
  }
}

/**
 * applyChanges makes the changes in order. When one fails, the ones before it stay made (each is
 * safe alone: make before break), and the error says which were applied before it is rethrown
 * to the caller together with the record of every change.
 */
async function applyChanges(
  plan: TargetPlan,
  host: Host,
): Promise<{ results: AppliedChange[]; failure: unknown }> {
  const results: AppliedChange[] = [];
  let failure: unknown;
  for (const [index, change] of plan.changes.entries()) {
    const { action, resource } = change;
    if (failure !== undefined) {
      results.push({ action, resource, status: 'not run', note: undefined });
      continue;
    }
    host.info(`[${index + 1}/${plan.changes.length}] ${action}`);
    try {
      const note = await change.apply();
      const status = change.write === false ? 'checked' : note ? 'kept' : 'applied';
      results.push({ action, resource, status, note: note || undefined });
    } catch (error) {
      failure = error;
      const reason = error instanceof Error ? error.message : String(error);
      results.push({ action, resource, status: 'failed', note: reason });
    }
  }
  return { results, failure };
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
  let failure: unknown;
  if (plan.changes.length === 0) {
    host.info('Nothing to change: everything is already in place.');
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
    ({ results: changes, failure } = await host.group(
      `Apply ${plan.changes.length} change(s)`,
      () => applyChanges(plan, host),
    ));
  }

  const changed = changes.some((change) => change.status === 'applied');
  const outputs = { ...plan.outputs(), changed: String(changed) };
  for (const [name, value] of Object.entries(outputs)) host.setOutput(name, value);
  // The summary is written on failure too: it is the record of what was already changed.
  await host.writeSummary(renderSummary(plan.title, options.mode, plan.checks, changes, outputs));
  if (failure !== undefined) {
    const applied = changes.filter((change) => change.status === 'applied').length;
    if (applied === 0 || !(failure instanceof BindError)) throw failure;
    throw new BindError(
      `${failure.message} (${applied} earlier change(s) of this run were applied and stay; ` +
        'a rerun continues from there.)',
      { cause: failure },
    );
  }
  return { plan, changes, outputs };
}
