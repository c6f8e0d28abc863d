import { createHash } from 'node:crypto';

/** GUID_PATTERN matches a GUID in its canonical 8-4-4-4-12 hexadecimal form. */
export const GUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * deterministicGuid derives a stable, version-4-shaped GUID from a text, so that ids the seed
 * leaves out are the same on every run.
 */
export function deterministicGuid(text: string): string {
  const hex = createHash('sha256').update(text).digest('hex');
  const variant = ((parseInt(hex.charAt(16), 16) & 3) | 8).toString(16);
  return [
    hex.slice(0, 8),
    hex.slice(8, 12),
    `4${hex.slice(13, 16)}`,
    `${variant}${hex.slice(17, 20)}`,
    hex.slice(20, 32),
  ].join('-');
}
