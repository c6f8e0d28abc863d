/**
 * coversHost tells whether a certificate DNS name covers a host: an exact match, or a wildcard
 * `*.example.com` that stands for exactly one label (never the apex, never two labels).
 */
export function coversHost(dnsName: string, host: string): boolean {
  const name = dnsName.toLowerCase();
  const target = host.toLowerCase();
  if (name === target) return true;
  if (!name.startsWith('*.')) return false;
  const dot = target.indexOf('.');
  if (dot <= 0) return false;
  const label = target.slice(0, dot);
  return !label.includes('*') && target.slice(dot + 1) === name.slice(2);
}
