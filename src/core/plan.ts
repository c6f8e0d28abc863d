/** Check is one thing the step verified before changing anything, for the log and summary. */
export interface Check {
  readonly subject: string;
  readonly outcome: 'ok' | 'warning';
  readonly detail: string;
}

/**
 * Change is one write the step will make. `apply` performs it and may return a note when the
 * platform declined a change that is safe to leave (for example an old certificate still in use).
 */
export interface Change {
  readonly action: string;
  readonly resource: string;
  /** write is false for a step that only waits or checks (it does not count as a change made). */
  readonly write?: boolean;
  readonly apply: () => Promise<string | void>;
}

/** AppliedChange is a change with what became of it. */
export interface AppliedChange {
  readonly action: string;
  readonly resource: string;
  readonly status: 'planned' | 'applied' | 'checked' | 'kept' | 'failed' | 'not run';
  readonly note: string | undefined;
}

/** TargetPlan is what a target computes from the current state: checks, changes and outputs. */
export interface TargetPlan {
  readonly title: string;
  readonly checks: readonly Check[];
  readonly changes: readonly Change[];
  /** outputs are read after the changes are applied: some are known only then. */
  readonly outputs: () => Readonly<Record<string, string>>;
}
