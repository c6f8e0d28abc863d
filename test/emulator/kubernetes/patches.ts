import { cloneJson, isRecord } from './cluster.js';

/**
 * MERGE_KEYS are the associative lists of the built-in kinds (their `x-kubernetes-patch-merge-key`):
 * server-side apply and strategic merge patch merge their items by that key. Every other list is
 * atomic, as are all lists of the CRDs here (they declare no list type).
 */
export const MERGE_KEYS: Readonly<Record<string, string>> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  volumes: 'name',
  env: 'name',
  imagePullSecrets: 'name',
  volumeMounts: 'mountPath',
  ports: 'containerPort',
  ownerReferences: 'uid',
};

/** PatchError is a patch body the server cannot apply (answered 422 or 400). */
export class PatchError extends Error {
  override readonly name = 'PatchError';
}

/** mergeObjects merges `patch` into `base` (maps recursively, associative lists by key). */
export function mergeObjects(
  base: unknown,
  patch: unknown,
  associative: boolean,
  nullDeletes: boolean,
  field = '',
): unknown {
  if (isRecord(patch)) {
    const out: Record<string, unknown> = isRecord(base) ? { ...base } : {};
    for (const [key, value] of Object.entries(patch)) {
      if (key.startsWith('$')) continue; // strategic-merge directives: not modelled
      if (value === null && nullDeletes) delete out[key];
      else out[key] = mergeObjects(out[key], value, associative, nullDeletes, key);
    }
    return out;
  }
  const mergeKey = associative ? MERGE_KEYS[field] : undefined;
  if (Array.isArray(patch) && Array.isArray(base) && mergeKey !== undefined) {
    const out = base.map((item) => cloneJson(item));
    for (const item of patch) {
      const at = isRecord(item)
        ? out.findIndex((existing) => isRecord(existing) && existing[mergeKey] === item[mergeKey])
        : -1;
      if (at >= 0) out[at] = mergeObjects(out[at], item, associative, nullDeletes);
      else out.push(cloneJson(item));
    }
    return out;
  }
  return cloneJson(patch);
}

/** applyMergePatch applies an RFC 7386 JSON merge patch (lists replaced whole). */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  return mergeObjects(target, patch, false, true);
}

/** applyStrategicMergePatch merges like kubectl's strategic merge (lists by their merge key). */
export function applyStrategicMergePatch(target: unknown, patch: unknown): unknown {
  return mergeObjects(target, patch, true, true);
}

/** applyJsonPatch applies an RFC 6902 JSON patch (add, remove, replace, move, copy, test). */
export function applyJsonPatch(target: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations)) throw new PatchError('a JSON patch must be an array');
  let document = cloneJson(target);
  for (const operation of operations) {
    if (!isRecord(operation)) throw new PatchError('a JSON patch operation must be an object');
    const op = operation['op'];
    const pointer = parsePointer(operation['path']);
    if (op === 'test') {
      if (JSON.stringify(read(document, pointer)) !== JSON.stringify(operation['value'])) {
        throw new PatchError(`testing value ${String(operation['path'])} failed`);
      }
    } else if (op === 'remove') {
      document = write(document, pointer, undefined, 'remove');
    } else if (op === 'add' || op === 'replace') {
      document = write(document, pointer, cloneJson(operation['value']), op);
    } else if (op === 'move' || op === 'copy') {
      const from = parsePointer(operation['from']);
      const value = cloneJson(read(document, from));
      if (op === 'move') document = write(document, from, undefined, 'remove');
      document = write(document, pointer, value, 'add');
    } else {
      throw new PatchError(`unexpected kind of JSON patch operation: ${String(op)}`);
    }
  }
  return document;
}

function parsePointer(value: unknown): string[] {
  if (typeof value !== 'string' || (value !== '' && !value.startsWith('/'))) {
    throw new PatchError(`invalid JSON pointer: ${String(value)}`);
  }
  return value === ''
    ? []
    : value
        .slice(1)
        .split('/')
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function read(document: unknown, pointer: readonly string[]): unknown {
  let node = document;
  for (const segment of pointer) {
    if (Array.isArray(node)) node = node[Number(segment)];
    else if (isRecord(node)) node = node[segment];
    else node = undefined;
    if (node === undefined) throw new PatchError(`path /${pointer.join('/')} does not exist`);
  }
  return node;
}

function write(
  document: unknown,
  pointer: readonly string[],
  value: unknown,
  op: 'add' | 'replace' | 'remove',
): unknown {
  if (pointer.length === 0) return value;
  const parent = read(document, pointer.slice(0, -1));
  const last = pointer[pointer.length - 1] ?? '';
  if (Array.isArray(parent)) {
    const index = last === '-' ? parent.length : Number(last);
    if (!Number.isInteger(index) || index < 0 || index > parent.length) {
      throw new PatchError(`array index ${last} is out of bounds`);
    }
    if (op === 'add') parent.splice(index, 0, value);
    else if (index >= parent.length) throw new PatchError(`array index ${last} is out of bounds`);
    else if (op === 'replace') parent[index] = value;
    else parent.splice(index, 1);
  } else if (isRecord(parent)) {
    if (op !== 'add' && !(last in parent)) {
      throw new PatchError(`path /${pointer.join('/')} does not exist`);
    }
    if (op === 'remove') delete parent[last];
    else parent[last] = value;
  } else {
    throw new PatchError(`path /${pointer.slice(0, -1).join('/')} is not a container`);
  }
  return document;
}
