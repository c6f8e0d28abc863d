/**
 * BindError is the base of every error this product raises on purpose. Its message is written
 * for the person who runs the pipeline: it says what failed and what to change.
 */
export class BindError extends Error {
  override readonly name: string = 'BindError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * InputError reports an input that is missing, malformed or in conflict with another. It names
 * the input as the user wrote it (kebab-case for the action) and the fix.
 */
export class InputError extends BindError {
  override readonly name = 'InputError';

  constructor(
    readonly input: string,
    detail: string,
  ) {
    super(`Input '${input}' ${detail}`);
  }
}

/**
 * PreconditionError reports a state of Azure that makes the binding unsafe or impossible, found
 * before any write: an expired certificate, a missing grant, a vault firewall in the way.
 */
export class PreconditionError extends BindError {
  override readonly name = 'PreconditionError';
}

/**
 * AzureRequestError reports a request that Azure refused. It carries the service's own error
 * code and message, read from whichever of Azure's error shapes the service used.
 */
export class AzureRequestError extends BindError {
  override readonly name = 'AzureRequestError';

  constructor(
    message: string,
    readonly statusCode: number | undefined,
    readonly code: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
