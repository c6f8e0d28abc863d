import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** OavReport is the part of oav's `--jsonReport` output the tests read. */
export interface OavReport {
  readonly coveredSpecFiles?: readonly string[];
  readonly allOperations?: number;
  readonly coveredOperations?: number;
  readonly failedOperations?: number;
  readonly passedOperationsList?: readonly {
    readonly spec: string;
    readonly operationIds: readonly string[];
  }[];
  readonly errors?: readonly {
    readonly spec: string;
    readonly operationId: string;
    readonly issueSource: string;
    readonly errorCode: string;
    readonly errorMessage: string;
  }[];
}

/** OavResult is oav's exit code, its JSON report and its stderr (the per-pair detail). */
export interface OavResult {
  readonly exitCode: number;
  readonly report: OavReport;
  readonly stderr: string;
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** SPEC_ROOT is Microsoft's specs folder the traffic is validated against. */
export const SPEC_ROOT = path.resolve(repoRoot, '../shared/azure-specs/specification');

/**
 * validateTraffic runs `oav validate-traffic` on a folder of recorded pairs against the shared
 * specs. Check `passedOperationsList` as well as the exit code: oav skips pairs it cannot match.
 */
export async function validateTraffic(dir: string): Promise<OavResult> {
  const outDir = await mkdtemp(path.join(os.tmpdir(), 'oav-report-'));
  const reportFile = path.join(outDir, 'report.json');
  const oav = path.join(repoRoot, 'node_modules', '.bin', 'oav');
  try {
    const { exitCode, stderr } = await new Promise<{ exitCode: number; stderr: string }>(
      (resolve) => {
        execFile(
          oav,
          [
            'validate-traffic',
            dir,
            SPEC_ROOT,
            '--report',
            '',
            '--jsonReport',
            reportFile,
            '-l',
            'warn',
          ],
          { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 },
          (error, _stdout, stderrText) => {
            const code = error && typeof error.code === 'number' ? error.code : error ? 1 : 0;
            resolve({ exitCode: code, stderr: stderrText });
          },
        );
      },
    );
    let report: OavReport = {};
    try {
      report = JSON.parse(await readFile(reportFile, 'utf8')) as OavReport;
    } catch {
      report = {};
    }
    return { exitCode, report, stderr };
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}

/** passedOperationIds flattens a report's `passedOperationsList`. */
export function passedOperationIds(report: OavReport): string[] {
  return (report.passedOperationsList ?? []).flatMap((entry) => entry.operationIds);
}

/** ConformanceResult is oav's verdict on a recording, with App Service's known divergence apart. */
export interface ConformanceResult {
  /** The verdict on every pair except App Service error responses. */
  readonly main: OavResult;
  /** Violations in App Service error responses other than its PascalCase error body. */
  readonly unexpectedAppServiceErrors: readonly string[];
  /** How many App Service error responses were validated apart. */
  readonly appServiceErrorPairs: number;
}

const APP_SERVICE_PASCAL_CASE = new Set(['Code', 'Message', 'Target', 'Details', 'Innererror']);

/**
 * checkConformance validates a whole recording. App Service answers errors in a PascalCase body
 * that its own spec does not describe (DefaultErrorResponse is camelCase); the emulator stays
 * faithful to the platform, so those pairs are validated apart and may fail only on that known
 * divergence. Everything else must pass oav outright.
 */
export async function checkConformance(dir: string): Promise<ConformanceResult> {
  const apart = `${dir}-app-service-errors`;
  await mkdir(apart, { recursive: true });
  let appServiceErrorPairs = 0;
  for (const file of await readdir(dir)) {
    if (!file.endsWith('.json')) continue;
    const pair = JSON.parse(await readFile(path.join(dir, file), 'utf8')) as {
      liveRequest: { url: string };
      liveResponse: { statusCode: string; body: unknown };
    };
    const body = pair.liveResponse.body;
    const pascalCase = typeof body === 'object' && body !== null && 'Code' in body;
    if (pair.liveRequest.url.includes('/Microsoft.Web/') && pascalCase) {
      await rename(path.join(dir, file), path.join(apart, file));
      appServiceErrorPairs++;
    }
  }

  const unexpectedAppServiceErrors: string[] = [];
  if (appServiceErrorPairs > 0) {
    const divergence = await validateTraffic(apart);
    for (const error of divergence.report.errors ?? []) {
      const property = error.errorMessage.replace('Additional properties not allowed: ', '');
      if (
        error.errorCode !== 'OBJECT_ADDITIONAL_PROPERTIES' ||
        !APP_SERVICE_PASCAL_CASE.has(property)
      ) {
        unexpectedAppServiceErrors.push(
          `${error.operationId}: ${error.errorCode} ${error.errorMessage}`,
        );
      }
    }
  }
  return { main: await validateTraffic(dir), unexpectedAppServiceErrors, appServiceErrorPairs };
}
