import type { ApplicationGateway } from '@azure/arm-network';

import type { AzureContext } from '../../core/azure-context.js';
import { backoffDelay, formatDuration, sleep } from '../../core/backoff.js';
import { BindError, PreconditionError } from '../../core/errors.js';
import type { GatewayClient, PutOutcome } from './gateway-client.js';
import { applyDesired, missingParts, revertEdit, type DesiredState } from './gateway-edit.js';
import { sameSecret } from './secret-reference.js';

/** How many times a write may lose to another writer before the step gives up. */
const MAX_CONFLICTS = 12;

function isKeyVaultAccessFailure(code: string): boolean {
  return /KeyVault|SecretAccess|Forbidden/i.test(code);
}

/**
 * GatewayWriter makes the one PUT per gateway safely next to other writers: If-Match with the
 * etag it read, re-read and re-apply on 412, on another operation in progress and on a
 * superseded operation, check after the write that the change survived (some writers ignore
 * If-Match), and wait out Key Vault access that has not propagated yet, up to a deadline.
 */
export class GatewayWriter {
  constructor(
    private readonly client: GatewayClient,
    private readonly context: AzureContext,
    private readonly resourceGroup: string,
    private readonly name: string,
  ) {}

  async write(desired: DesiredState, deadline: number, describeAccess: () => string) {
    const { host } = this.context;
    let conflicts = 0;
    let waits = 0;
    // What our entries, listeners and identity were before this step wrote anything: the state
    // a rollback returns them to (later reads may already hold our failed attempt).
    let original: ApplicationGateway | undefined;
    for (;;) {
      const current = await this.client.get(this.resourceGroup, this.name);
      original ??= current;
      const edit = applyDesired(current, desired);
      if (edit.changes.length === 0 && current.provisioningState !== 'Failed') {
        host.info('The gateway already has the change.');
        return;
      }

      const started = Date.now();
      const outcome = await this.client.put(
        this.resourceGroup,
        this.name,
        edit.gateway,
        current.etag,
      );
      const next = await this.handle(outcome, original, desired, deadline, describeAccess, {
        conflicts,
        waits,
        took: Date.now() - started,
      });
      if (next === 'done') return;
      if (next === 'conflict') conflicts++;
      else waits++;
      if (conflicts > MAX_CONFLICTS) {
        throw new BindError(
          `Failed to update Application Gateway '${this.name}': other writers changed it ` +
            `${conflicts} times while this step tried to. Run again when it is quieter.`,
        );
      }
    }
  }

  private async handle(
    outcome: PutOutcome,
    before: ApplicationGateway,
    desired: DesiredState,
    deadline: number,
    describeAccess: () => string,
    counts: { conflicts: number; waits: number; took: number },
  ): Promise<'done' | 'conflict' | 'wait'> {
    const { host } = this.context;
    switch (outcome.kind) {
      case 'succeeded': {
        // Let a writer that read before us and ignores If-Match land its PUT, then look.
        await sleep(Math.min(5000, Math.max(1000, counts.took)));
        const after = await this.client.get(this.resourceGroup, this.name);
        const missing = missingParts(after, desired);
        if (missing.length === 0) return 'done';
        host.warning(
          `Another writer replaced the gateway after this step's update and dropped ${missing.join(', ')}; applying again.`,
        );
        return 'conflict';
      }
      case 'stale':
        host.info('The gateway changed since it was read (412 Precondition Failed); re-reading.');
        return 'conflict';
      case 'canceled':
        host.info('Another update superseded this one (Canceled); re-reading and applying again.');
        return 'conflict';
      case 'busy': {
        const delay = outcome.retryAfterMs ?? backoffDelay(counts.conflicts + 1, 2000, 60_000);
        host.info(
          `The gateway is busy or throttled (${outcome.code}); re-reading it and retrying in ${formatDuration(delay)}.`,
        );
        await sleep(delay);
        return 'conflict';
      }
      case 'failed': {
        const { code, message } = outcome.error;
        // The platform names the secret it could not read; one that is not ours will not be
        // fixed by waiting for our grant to propagate.
        const named = [...message.matchAll(/https:\/\/[^\s'"]+\/secrets\/[^\s'"/]+/g)].map(
          (m) => m[0],
        );
        const foreign = named.filter(
          (secret) => !desired.certificates.some((c) => sameSecret(secret, c.secretId)),
        );
        const delay = backoffDelay(counts.waits + 1, 5000, 60_000);
        if (
          isKeyVaultAccessFailure(code) &&
          foreign.length === 0 &&
          Date.now() + delay < deadline
        ) {
          host.info(
            `The gateway cannot read Key Vault yet (${code}); new grants take minutes to apply. ` +
              `Waiting ${formatDuration(delay)} (${formatDuration(deadline - Date.now())} left of 'propagation-timeout').`,
          );
          await sleep(delay);
          return 'wait';
        }
        await this.revert(before, desired);
        const fix =
          foreign.length > 0
            ? `The gateway cannot read ${foreign.join(', ')}, which another entry of the gateway ` +
              'references (not one this step manages): fix that entry or its access first. The ' +
              "step's own additions were taken back out."
            : isKeyVaultAccessFailure(code)
              ? "The identity still could not read the secret when 'propagation-timeout' ran " +
                'out. A new grant can take up to 10 minutes to apply: run the step again later, ' +
                `or raise 'propagation-timeout'. If it persists, check the grant (${describeAccess()}), ` +
                'the vault firewall, and that the key is exportable.'
              : "The step's additions were taken back out.";
        throw new PreconditionError(
          `Failed to update Application Gateway '${this.name}' (${code}): ${message} ${fix}`,
        );
      }
    }
  }

  /** revert takes our additions back out after a failed write, so the gateway can recover. */
  private async revert(before: ApplicationGateway, desired: DesiredState): Promise<void> {
    const { host } = this.context;
    try {
      const current = await this.client.get(this.resourceGroup, this.name);
      const reverted = revertEdit(current, before, desired);
      if (JSON.stringify(reverted) === JSON.stringify(current)) return;
      const outcome = await this.client.put(this.resourceGroup, this.name, reverted, current.etag);
      if (outcome.kind === 'succeeded') {
        host.info("Rolled back this step's additions: the gateway has its previous configuration.");
      } else {
        const detail =
          outcome.kind === 'failed' ? ` (${outcome.error.code}: ${outcome.error.message})` : '';
        host.warning(
          `Could not roll back this step's additions to gateway '${this.name}': ${outcome.kind}${detail}. ` +
            'Remove them by hand if the gateway stays Failed.',
        );
      }
    } catch (error) {
      host.warning(
        `Could not roll back this step's additions to gateway '${this.name}': ` +
          `${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}
