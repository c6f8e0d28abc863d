import { armError, keyVaultError } from './error-bodies.js';
import type { Exchange, Reply } from './exchange.js';
import type { EmulatorState } from './state.js';

/** ThrottleRule makes the next `remaining` matching requests answer 429. */
export interface ThrottleRule {
  /** `arm` or `keyvault`: which listener's requests it throttles. */
  readonly service: 'arm' | 'keyvault';
  /** A method to match (any when absent). */
  readonly method: string | undefined;
  /** A case-insensitive regular expression tested against the path. */
  readonly path: RegExp;
  remaining: number;
  /** Seconds for `Retry-After`; null sends no header. */
  readonly retryAfterSeconds: number | null;
}

/**
 * takeThrottle answers the platform's 429 when a throttle rule matches the request, counting it
 * down: ARM's `TooManyRequests` or Key Vault's `Throttled`.
 */
export function takeThrottle(
  state: EmulatorState,
  exchange: Exchange,
  service: 'arm' | 'keyvault',
): Reply | undefined {
  const rule = state.throttles.find(
    (r) =>
      r.remaining > 0 &&
      r.service === service &&
      (r.method === undefined || r.method === exchange.method) &&
      r.path.test(exchange.url.pathname),
  );
  if (!rule) return undefined;
  rule.remaining -= 1;
  const headers: Record<string, string> =
    rule.retryAfterSeconds === null ? {} : { 'retry-after': String(rule.retryAfterSeconds) };
  const reply =
    service === 'arm'
      ? armError(
          429,
          'TooManyRequests',
          'The request is being throttled as the limit has been reached for operation type - Write_ObservationWindow_00:05:00. For more information, see - https://aka.ms/srpthrottlinglimits',
        )
      : keyVaultError(
          429,
          'Throttled',
          'Request was not processed because too many requests were received. Reason: A1',
        );
  return { ...reply, headers: { ...(reply.headers ?? {}), ...headers } };
}

/** parseThrottleRule reads the control API's `POST /throttle` body; a string is an error. */
export function parseThrottleRule(body: Record<string, unknown>): ThrottleRule | string {
  const service = body['service'] ?? 'arm';
  if (service !== 'arm' && service !== 'keyvault') return 'service must be arm or keyvault';
  if (typeof body['path'] !== 'string') return 'path (a regular expression) is required';
  const count = body['count'] ?? 1;
  if (typeof count !== 'number' || count < 1) return 'count must be a number >= 1';
  const retryAfter = body['retryAfterSeconds'] ?? null;
  if (retryAfter !== null && typeof retryAfter !== 'number') {
    return 'retryAfterSeconds must be a number or null';
  }
  return {
    service,
    method: typeof body['method'] === 'string' ? body['method'].toUpperCase() : undefined,
    path: new RegExp(body['path'], 'i'),
    remaining: count,
    retryAfterSeconds: retryAfter,
  };
}
