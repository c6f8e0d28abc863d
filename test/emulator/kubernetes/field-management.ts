import {
  cloneJson,
  deepEqual,
  isRecord,
  kubeTimestamp,
  type KubeObject,
  type ManagedFieldsEntry,
} from './cluster.js';
import { MERGE_KEYS, mergeObjects } from './patches.js';

/** A field path: `f:spec`, `f:containers`, `k:{"name":"c"}`, `.` (a keyed item itself). */
type FieldPath = readonly string[];

/** Ownership is who owns which fields of an object: manager → operation and paths. */
export type Ownership = Map<string, { operation: 'Apply' | 'Update'; paths: Set<string> }>;

/** FieldConflict is a field another manager owns with a different value. */
export interface FieldConflict {
  readonly manager: string;
  readonly field: string;
}

const SERVER_METADATA = new Set([
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'managedFields',
  'deletionTimestamp',
  'selfLink',
]);

/**
 * collectFields lists the leaf fields an object sets, as server-side apply tracks them: maps are
 * walked, associative lists (built-in kinds only) give one `k:{…}` entry per item, everything else
 * (scalars, atomic lists) is a leaf. Server-owned metadata and `status` are not fields of anyone.
 */
export function collectFields(object: Record<string, unknown>, custom: boolean): Set<string> {
  const out = new Set<string>();
  const walk = (value: unknown, path: FieldPath, name: string): void => {
    const mergeKey = custom ? undefined : MERGE_KEYS[name];
    if (isRecord(value) && Object.keys(value).length > 0) {
      for (const [key, child] of Object.entries(value)) walk(child, [...path, `f:${key}`], key);
    } else if (
      Array.isArray(value) &&
      mergeKey !== undefined &&
      value.every((item) => isRecord(item) && item[mergeKey] !== undefined)
    ) {
      for (const item of value as Record<string, unknown>[]) {
        const itemPath = [...path, `k:${JSON.stringify({ [mergeKey]: item[mergeKey] })}`];
        out.add(JSON.stringify([...itemPath, '.']));
        for (const [key, child] of Object.entries(item))
          walk(child, [...itemPath, `f:${key}`], key);
      }
    } else {
      out.add(JSON.stringify(path));
    }
  };
  for (const [key, value] of Object.entries(object)) {
    if (key === 'apiVersion' || key === 'kind' || key === 'status') continue;
    if (key === 'metadata' && isRecord(value)) {
      for (const [metaKey, metaValue] of Object.entries(value)) {
        if (!SERVER_METADATA.has(metaKey)) {
          walk(metaValue, ['f:metadata', `f:${metaKey}`], metaKey);
        }
      }
      continue;
    }
    walk(value, [`f:${key}`], key);
  }
  return out;
}

/** valueAt reads the value at a field path (undefined when absent). */
export function valueAt(object: unknown, path: FieldPath): unknown {
  let node = object;
  for (const segment of path) {
    if (segment === '.') return node;
    if (segment.startsWith('f:') && isRecord(node)) node = node[segment.slice(2)];
    else if (segment.startsWith('k:') && Array.isArray(node)) {
      const key = JSON.parse(segment.slice(2)) as Record<string, unknown>;
      node = node.find(
        (item) => isRecord(item) && Object.entries(key).every(([k, v]) => item[k] === v),
      );
    } else return undefined;
  }
  return node;
}

/** removeAt deletes the field at a path (a `.` path removes the list item); empty maps go too. */
export function removeAt(object: Record<string, unknown>, path: FieldPath): void {
  const remove = (node: unknown, rest: FieldPath): boolean => {
    const [segment, ...tail] = rest;
    if (segment === undefined) return false;
    if (segment.startsWith('f:') && isRecord(node)) {
      const key = segment.slice(2);
      if (tail.length === 0) delete node[key];
      else if (remove(node[key], tail)) delete node[key];
      return Object.keys(node).length === 0;
    }
    if (segment.startsWith('k:') && Array.isArray(node)) {
      const key = JSON.parse(segment.slice(2)) as Record<string, unknown>;
      const at = node.findIndex(
        (item) => isRecord(item) && Object.entries(key).every(([k, v]) => item[k] === v),
      );
      if (at < 0) return false;
      if (tail.length === 1 && tail[0] === '.') node.splice(at, 1);
      else remove(node[at], tail);
      return node.length === 0;
    }
    return false;
  };
  remove(object, path);
}

/** readOwnership parses `metadata.managedFields` back into per-manager path sets. */
export function readOwnership(object: KubeObject): Ownership {
  const ownership: Ownership = new Map();
  for (const entry of object.metadata.managedFields ?? []) {
    const paths = new Set<string>();
    const walk = (node: unknown, path: FieldPath): void => {
      if (!isRecord(node) || Object.keys(node).length === 0) {
        paths.add(JSON.stringify(path));
        return;
      }
      for (const [key, child] of Object.entries(node)) {
        if (key === '.') paths.add(JSON.stringify([...path, '.']));
        else walk(child, [...path, key]);
      }
    };
    walk(entry.fieldsV1, []);
    ownership.set(`${entry.manager}\u0000${entry.operation}`, {
      operation: entry.operation,
      paths,
    });
  }
  return ownership;
}

/** renderOwnership writes per-manager path sets as `metadata.managedFields` (FieldsV1). */
export function renderOwnership(
  ownership: Ownership,
  apiVersion: string,
  previous: readonly ManagedFieldsEntry[],
  changed: ReadonlySet<string>,
): ManagedFieldsEntry[] {
  const entries: ManagedFieldsEntry[] = [];
  for (const [id, owned] of ownership) {
    if (owned.paths.size === 0) continue;
    const manager = id.split('\u0000')[0] ?? '';
    const fieldsV1: Record<string, unknown> = {};
    for (const text of [...owned.paths].sort()) {
      let node = fieldsV1;
      for (const segment of JSON.parse(text) as string[]) {
        const next = node[segment];
        node[segment] = isRecord(next) ? next : {};
        node = node[segment] as Record<string, unknown>;
      }
    }
    const before = previous.find((p) => p.manager === manager && p.operation === owned.operation);
    entries.push({
      manager,
      operation: owned.operation,
      apiVersion,
      time: before && !changed.has(id) ? before.time : kubeTimestamp(),
      fieldsType: 'FieldsV1',
      fieldsV1,
    });
  }
  return entries;
}

/** managerId is the key of a manager's entry in an Ownership map. */
export function managerId(manager: string, operation: 'Apply' | 'Update'): string {
  return `${manager}\u0000${operation}`;
}

/** displayField renders a field path as the API server does in conflict messages. */
export function displayField(path: FieldPath): string {
  return path
    .filter((s) => s !== '.')
    .map((s) => {
      if (s.startsWith('f:')) return `.${s.slice(2)}`;
      const key = JSON.parse(s.slice(2)) as Record<string, unknown>;
      return `[${Object.entries(key)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(',')}]`;
    })
    .join('');
}

/** ApplyResult is the outcome of a server-side apply on an existing object. */
export type ApplyResult =
  | { readonly ok: true; readonly object: KubeObject; readonly ownership: Ownership }
  | { readonly ok: false; readonly conflicts: readonly FieldConflict[] };

/**
 * serverSideApply merges an applied configuration into the live object for one field manager:
 * fields another manager owns with a different value conflict (unless `force`, which takes them
 * over); fields this manager applied before and no longer sends are removed unless someone else
 * owns them; the manager then owns exactly what it sent.
 */
export function serverSideApply(
  live: KubeObject,
  applied: Record<string, unknown>,
  manager: string,
  force: boolean,
  custom: boolean,
): ApplyResult {
  const ownership = readOwnership(live);
  const me = managerId(manager, 'Apply');
  const sent = collectFields(applied, custom);
  const conflicts: FieldConflict[] = [];
  for (const text of sent) {
    const path = JSON.parse(text) as string[];
    if (path.at(-1) === '.') continue;
    for (const [id, owned] of ownership) {
      if (id === me || !owned.paths.has(text)) continue;
      if (deepEqual(valueAt(live, path), valueAt(applied, path))) continue;
      if (force) owned.paths.delete(text);
      else conflicts.push({ manager: id.split('\u0000')[0] ?? '', field: displayField(path) });
    }
  }
  if (conflicts.length > 0) return { ok: false, conflicts };

  const result = cloneJson(live);
  const before = ownership.get(me)?.paths ?? new Set<string>();
  for (const text of before) {
    if (sent.has(text)) continue;
    const ownedElsewhere = [...ownership].some(([id, o]) => id !== me && o.paths.has(text));
    if (!ownedElsewhere) removeAt(result, JSON.parse(text) as string[]);
  }
  const merged = mergeObjects(result, applied, !custom, false) as KubeObject;
  ownership.set(me, { operation: 'Apply', paths: sent });
  return { ok: true, object: merged, ownership };
}

/**
 * recordUpdate gives an Update-operation manager (a PUT, POST or a non-apply PATCH) the fields
 * whose value it changed, taking them from their former owners, as the API server does.
 */
export function recordUpdate(
  before: Record<string, unknown> | undefined,
  after: KubeObject,
  ownership: Ownership,
  manager: string,
  custom: boolean,
): Ownership {
  const oldFields = before ? collectFields(before, custom) : new Set<string>();
  const newFields = collectFields(after, custom);
  const me = managerId(manager, 'Update');
  const mine = ownership.get(me)?.paths ?? new Set<string>();
  for (const text of newFields) {
    const path = JSON.parse(text) as string[];
    const changed =
      !oldFields.has(text) ||
      (path.at(-1) !== '.' && !deepEqual(valueAt(before, path), valueAt(after, path)));
    if (!changed) continue;
    for (const [id, owned] of ownership) if (id !== me) owned.paths.delete(text);
    mine.add(text);
  }
  for (const owned of [...ownership.values(), { paths: mine }]) {
    for (const text of [...owned.paths]) if (!newFields.has(text)) owned.paths.delete(text);
  }
  ownership.set(me, { operation: 'Update', paths: mine });
  return ownership;
}
