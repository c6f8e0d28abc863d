import type { AppliedChange, Check } from './plan.js';
import type { Mode } from './options.js';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/**
 * renderSummary writes the job summary: what was checked, what changed (or would change, in
 * plan mode) and the outputs, as markdown tables.
 */
export function renderSummary(
  title: string,
  mode: Mode,
  checks: readonly Check[],
  changes: readonly AppliedChange[],
  outputs: Readonly<Record<string, string>>,
): string {
  const lines = [`### keyvault-cert-bind: ${cell(title)}`, ''];
  lines.push('| Checked | Result | Detail |', '| --- | --- | --- |');
  for (const check of checks) {
    const result = check.outcome === 'ok' ? '✅ ok' : '⚠️ warning';
    lines.push(`| ${cell(check.subject)} | ${result} | ${cell(check.detail)} |`);
  }
  lines.push('');

  if (changes.length === 0) {
    lines.push('No changes: everything was already in place.');
  } else {
    const heading = mode === 'plan' ? 'Planned change (not applied)' : 'Change';
    lines.push(`| ${heading} | Resource | Status |`, '| --- | --- | --- |');
    for (const change of changes) {
      const status = change.note ? `${change.status}: ${change.note}` : change.status;
      lines.push(`| ${cell(change.action)} | ${cell(change.resource)} | ${cell(status)} |`);
    }
  }
  lines.push('', '| Output | Value |', '| --- | --- |');
  for (const [name, value] of Object.entries(outputs)) {
    lines.push(`| ${name} | ${cell(value) || '(empty)'} |`);
  }
  return `${lines.join('\n')}\n`;
}
