/** normalizeLocation turns `West Europe` and `westeurope` into the same comparable key. */
export function normalizeLocation(location: string): string {
  return location.replace(/\s+/g, '').toLowerCase();
}
