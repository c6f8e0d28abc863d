/**
 * certificateCovers tells whether a certificate name (a SAN or the subject's CN) covers a
 * hostname: an exact match, or a wildcard that stands for exactly one left-most label. A wildcard
 * never covers the apex (`*.contoso.com` does not cover `contoso.com`) nor two labels.
 */
export function certificateCovers(certificateName: string, hostname: string): boolean {
  const name = certificateName.toLowerCase().replace(/\.$/, '');
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (!name.startsWith('*.')) return name === host;

  const dot = host.indexOf('.');
  if (dot <= 0) return false;
  return host.slice(dot + 1) === name.slice(2);
}

/** coveringName returns the first name of the certificate that covers the hostname, if any. */
export function coveringName(names: readonly string[], hostname: string): string | undefined {
  return names.find((name) => certificateCovers(name, hostname));
}
