import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { parseAllDocuments } from 'yaml';

import { isRecord } from './cluster.js';
import type { KubeResource } from './resources.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * K8S_SCHEMA_ROOT holds the upstream schemas (CRDs' openAPIV3Schema and the core kinds' strict
 * JSON schemas), beside the Azure specs; provenance in its SOURCES.md.
 */
export const K8S_SCHEMA_ROOT = path.resolve(repoRoot, '../shared/k8s-schemas');

/** SchemaCause is one field problem, as a Status' `details.causes` entry. */
export interface SchemaCause {
  readonly reason: string;
  readonly message: string;
  readonly field: string;
}

const ANNOTATIONS = [
  'x-kubernetes-group-version-kind',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
  'x-kubernetes-patch-strategy',
  'x-kubernetes-patch-merge-key',
  'x-kubernetes-unions',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-int-or-string',
  'x-kubernetes-embedded-resource',
  'x-kubernetes-validations',
];

let ajv: Ajv | undefined;
const compiled = new Map<string, { validate: ValidateFunction; crdSchema?: unknown }>();

function compiler(): Ajv {
  if (ajv) return ajv;
  ajv = new Ajv({ strict: true, allErrors: true });
  ajv.addVocabulary(ANNOTATIONS);
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
  ajv.addFormat('double', { type: 'number', validate: () => true });
  ajv.addFormat('byte', /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/);
  ajv.addFormat('date-time', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)$/i);
  return ajv;
}

function load(
  resource: KubeResource,
): { validate: ValidateFunction; crdSchema?: unknown } | undefined {
  const ref = resource.schema;
  if (ref.type === 'none') return undefined;
  const cached = compiled.get(ref.file);
  if (cached) return cached;
  let entry: { validate: ValidateFunction; crdSchema?: unknown };
  if (ref.type === 'core') {
    const file = path.join(K8S_SCHEMA_ROOT, 'core', 'v1.30.10-standalone-strict', ref.file);
    const schema = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    entry = { validate: compiler().compile(schema) };
  } else {
    const text = readFileSync(path.join(K8S_SCHEMA_ROOT, 'crds', ref.file), 'utf8');
    const crd = parseAllDocuments(text)
      .map((d) => d.toJS() as unknown)
      .find((d) => isRecord(d) && d['kind'] === 'CustomResourceDefinition');
    const versions = isRecord(crd) && isRecord(crd['spec']) ? crd['spec']['versions'] : undefined;
    const version = Array.isArray(versions)
      ? versions.find((v) => isRecord(v) && v['name'] === ref.version)
      : undefined;
    const schema =
      isRecord(version) && isRecord(version['schema'])
        ? version['schema']['openAPIV3Schema']
        : undefined;
    if (!isRecord(schema)) throw new Error(`no openAPIV3Schema for ${ref.version} in ${ref.file}`);
    entry = { validate: compiler().compile(schema), crdSchema: schema };
  }
  compiled.set(ref.file, entry);
  return entry;
}

/**
 * pruneUnknownFields drops the fields a CRD's structural schema does not declare, as the API
 * server does for custom resources (a misspelt `secretObject` silently disappears). metadata is
 * left alone: ObjectMeta is validated on its own.
 */
export function pruneUnknownFields(resource: KubeResource, object: Record<string, unknown>): void {
  const schema = load(resource)?.crdSchema;
  if (!isRecord(schema)) return;
  const walk = (value: unknown, node: unknown, top: boolean): void => {
    if (!isRecord(node)) return;
    if (Array.isArray(value)) {
      for (const item of value) walk(item, node['items'], false);
      return;
    }
    if (!isRecord(value) || node['x-kubernetes-preserve-unknown-fields'] === true) return;
    const properties = isRecord(node['properties']) ? node['properties'] : undefined;
    const additional = node['additionalProperties'];
    for (const key of Object.keys(value)) {
      if (top && key === 'metadata') continue;
      const child = properties?.[key];
      if (child !== undefined) walk(value[key], child, false);
      else if (isRecord(additional)) walk(value[key], additional, false);
      else if (additional !== true && properties !== undefined) delete value[key];
    }
  };
  walk(object, schema, true);
}

/** validateObject checks an object against its resource's upstream schema; [] when valid. */
export function validateObject(
  resource: KubeResource,
  object: Record<string, unknown>,
): SchemaCause[] {
  const entry = load(resource);
  if (!entry) return [];
  // Server-set bookkeeping is valid by construction; leave it out of the check.
  const { managedFields: _managedFields, ...metadata } = isRecord(object['metadata'])
    ? object['metadata']
    : {};
  void _managedFields;
  if (entry.validate({ ...object, metadata })) return [];
  return (entry.validate.errors ?? []).map(toCause);
}

function toCause(error: ErrorObject): SchemaCause {
  const segments = error.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const params = error.params as Record<string, unknown>;
  let field = segments.reduce(
    (acc, s) => (/^\d+$/.test(s) ? `${acc}[${s}]` : acc === '' ? s : `${acc}.${s}`),
    '',
  );
  switch (error.keyword) {
    case 'required': {
      const missing = String(params['missingProperty']);
      field = field === '' ? missing : `${field}.${missing}`;
      return { reason: 'FieldValueRequired', message: 'Required value', field };
    }
    case 'additionalProperties': {
      const extra = String(params['additionalProperty']);
      field = field === '' ? extra : `${field}.${extra}`;
      return { reason: 'FieldValueInvalid', message: `field not declared in schema`, field };
    }
    case 'enum':
      return {
        reason: 'FieldValueNotSupported',
        message: `Unsupported value: supported values: ${JSON.stringify(params['allowedValues'])}`,
        field,
      };
    case 'type':
      return {
        reason: 'FieldValueTypeInvalid',
        message: `Invalid value: ${field} in body must be of type ${String(params['type'])}`,
        field,
      };
    default:
      return {
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${error.message ?? ''}`,
        field,
      };
  }
}
