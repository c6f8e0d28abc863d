import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
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
