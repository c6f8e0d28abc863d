import type { InputReader } from '../../core/parse-options.js';
import type { ServiceConnection } from './service-connection.js';

/**
 * taskInputName maps one of the core's kebab-case option names to the task's camelCase input
 * name: `subscription-id` → `subscriptionId`. Every input of task.json is named this way.
 */
export function taskInputName(option: string): string {
  return option.replace(/-([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}

/**
 * Options the service connection answers rather than an input: the cloud, and the subscription
 * unless the `subscriptionId` input overrides it. `client-id` and `tenant-id` are not options of
 * the task at all: the connection signs in.
 */
function answerFromConnection(option: string, connection: ServiceConnection): string | undefined {
  const { cloud } = connection;
  switch (option) {
    case 'environment':
      return cloud.environment;
    case 'resource-manager-endpoint':
      return cloud.environment === 'custom' ? cloud.resourceManagerEndpoint : '';
    case 'authority-host':
      return cloud.environment === 'custom' ? cloud.authorityHost : '';
    case 'client-id':
    case 'tenant-id':
      return '';
    default:
      return undefined;
  }
}

/** TaskInputDeclaration is the part of a task.json input the reader needs. */
export interface TaskInputDeclaration {
  readonly name: string;
  readonly visibleRule?: string;
}

/**
 * visibilityConditions returns, for each input shown only when another input has a value
 * (`visibleRule: target = app-service`), that condition. Only this simple form is used.
 */
function visibilityConditions(
  inputs: readonly TaskInputDeclaration[],
): Map<string, { input: string; value: string }> {
  const conditions = new Map<string, { input: string; value: string }>();
  for (const { name, visibleRule } of inputs) {
    const match = visibleRule ? /^\s*(\w+)\s*=\s*([\w.-]+)\s*$/.exec(visibleRule) : null;
    if (match?.[1] && match[2]) conditions.set(name, { input: match[1], value: match[2] });
  }
  return conditions;
}

/**
 * createTaskInputReader answers the core's options by their kebab-case names: from the service
 * connection for the cloud (and the subscription, when the `subscriptionId` input is empty), and
 * from the task's camelCase inputs for everything else. Defaults come from task.json, through the
 * agent. An input the editor hides (its `visibleRule` is false, e.g. `appName` when the target is
 * Application Gateway) reads as empty, as Azure DevOps users expect of a hidden field.
 */
export function createTaskInputReader(
  getInput: (name: string) => string | undefined,
  connection: ServiceConnection,
  declarations: readonly TaskInputDeclaration[],
): InputReader {
  const conditions = visibilityConditions(declarations);
  return (option) => {
    const answer = answerFromConnection(option, connection);
    if (answer !== undefined) return answer;
    const name = taskInputName(option);
    const condition = conditions.get(name);
    // The core reads pick-list values without regard to case, so the editor's rule does too.
    if (
      condition &&
      (getInput(condition.input) ?? '').trim().toLowerCase() !== condition.value.toLowerCase()
    ) {
      return '';
    }
    const value = (getInput(name) ?? '').trim();
    if (option === 'subscription-id' && !value) return connection.subscriptionId ?? '';
    return value;
  };
}

/**
 * toTaskWording rewrites the core's kebab-case option names in a message to the task's input
 * names (`'app-name'` → `'appName'`), so that a pipeline author reads the names they wrote.
 */
export function toTaskWording(message: string, options: Iterable<string>): string {
  let text = message;
  for (const option of options) {
    if (!option.includes('-')) continue;
    const pattern = new RegExp(`(?<![\\w-])${option.replace(/[-]/g, '\\-')}(?![\\w-])`, 'g');
    text = text.replace(pattern, taskInputName(option));
  }
  return text;
}
