import { isRecord, type KubeObject } from './cluster.js';

/** SelectorError is a label or field selector the API server cannot parse (400). */
export class SelectorError extends Error {
  override readonly name = 'SelectorError';
}

/**
 * matchesLabelSelector evaluates a label selector (`a=b`, `a==b`, `a!=b`, `a`, `!a`,
 * `a in (x,y)`, `a notin (x)`, comma-separated, all must hold) against labels.
 */
export function matchesLabelSelector(
  selector: string,
  labels: Readonly<Record<string, string>>,
): boolean {
  const requirements = selector.match(/[^,(]+(\([^)]*\))?/g) ?? [];
  return requirements.every((raw) => {
    const text = raw.trim();
    if (text === '') return true;
    const set = /^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(text);
    if (set) {
      const values = (set[3] ?? '').split(',').map((v) => v.trim());
      const has = values.includes(labels[set[1] ?? ''] ?? '\u0000');
      return set[2] === 'in' ? has : !has;
    }
    const equality = /^([^\s!=]+)\s*(==|=|!=)\s*([^\s]*)$/.exec(text);
    if (equality) {
      const value = labels[equality[1] ?? ''];
      return equality[2] === '!=' ? value !== equality[3] : value === equality[3];
    }
    const exists = /^(!?)([^\s!=]+)$/.exec(text);
    if (exists) {
      const present = (exists[2] ?? '') in labels;
      return exists[1] === '!' ? !present : present;
    }
    throw new SelectorError(`unable to parse requirement: ${text}`);
  });
}

/**
 * matchesFieldSelector evaluates a field selector (`a.b=c`, `a.b==c`, `a.b!=c`, comma-separated)
 * against an object; the path is read from the object (`involvedObject.name`, `metadata.name`).
 */
export function matchesFieldSelector(selector: string, object: KubeObject): boolean {
  return selector
    .split(',')
    .filter((t) => t.trim() !== '')
    .every((raw) => {
      const match = /^\s*([A-Za-z0-9_.]+)\s*(==|=|!=)\s*(.*?)\s*$/.exec(raw);
      if (!match) throw new SelectorError(`invalid selector: '${raw}'; can't understand it`);
      let node: unknown = object;
      for (const part of (match[1] ?? '').split('.'))
        node = isRecord(node) ? node[part] : undefined;
      const value = node === undefined || node === null ? '' : String(node);
      return match[2] === '!=' ? value !== match[3] : value === match[3];
    });
}
