/** normalizeScope lower-cases a scope and drops trailing slashes, for comparisons only. */
export function normalizeScope(scope: string): string {
  return scope.replace(/\/+$/, '').toLowerCase();
}

/** scopeContains tells whether `outer` is `inner` or one of its ancestors. */
export function scopeContains(outer: string, inner: string): boolean {
  const a = normalizeScope(outer);
  const b = normalizeScope(inner);
  return a === b || b.startsWith(`${a}/`);
}
