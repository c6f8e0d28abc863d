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

/**
 * createTaskInputReader answers the core's options by their kebab-case names: from the service
 * connection for the cloud (and the subscription, when the `subscriptionId` input is empty), and
 * from the task's camelCase inputs for everything else. Defaults come from task.json, through the
 * agent.
 */
export function createTaskInputReader(
  getInput: (name: string) => string | undefined,
  connection: ServiceConnection,
): InputReader {
  return (option) => {
    const answer = answerFromConnection(option, connection);
    if (answer !== undefined) return answer;
    const value = (getInput(taskInputName(option)) ?? '').trim();
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
