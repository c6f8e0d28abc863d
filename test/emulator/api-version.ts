import { armError } from './error-bodies.js';
import type { Exchange, Reply } from './exchange.js';

/**
 * checkApiVersion rejects a request without an api-version, or with one the emulated service does
 * not support, as ARM does; it returns undefined when the version is supported.
 */
export function checkApiVersion(
  exchange: Exchange,
  supported: readonly string[],
): Reply | undefined {
  const version = exchange.url.searchParams.get('api-version');
  if (version === null || version === '') {
    return armError(
      400,
      'MissingApiVersionParameter',
      'The api-version query parameter (?api-version=) is required for all requests.',
    );
  }
  if (supported.includes(version)) {
    return undefined;
  }
  return armError(
    400,
    'InvalidApiVersionParameter',
    `The api-version '${version}' is invalid. The supported versions are '${supported.join(',')}'.`,
  );
}
