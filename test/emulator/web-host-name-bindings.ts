import { appServiceError, armError } from './error-bodies.js';
import { jsonReply, type Exchange, type Reply } from './exchange.js';
import { coversHost } from './host-coverage.js';
import type { EmulatorState, HostNameBinding, WebApp } from './state.js';
import { hostNameBindingResource } from './web-resources.js';
import { findWebApp, isWebApp, methodNotAllowed, type WebTarget } from './web-sites.js';
import { certificatesInWebspace, webspaceOfFarm } from './webspace.js';

/** handleHostNameBindingList lists a site's or slot's hostname bindings. */
export function handleHostNameBindingList(
  state: EmulatorState,
  exchange: Exchange,
  target: WebTarget,
): Reply {
  const app = findWebApp(state, target);
  if (!isWebApp(app)) return app;
  if (exchange.method !== 'GET') return methodNotAllowed(exchange);
  const value = app.hostNames.map((host) =>
    hostNameBindingResource(
      app,
      app.bindings.get(host) ?? { hostName: host, sslState: 'Disabled', thumbprint: undefined },
    ),
  );
  return jsonReply(200, { value });
}

function hostNotFound(app: WebApp, hostName: string): Reply {
  return appServiceError(
    404,
    'NotFound',
    `Hostname '${hostName}' does not exist on '${app.slotName === undefined ? app.siteName : `${app.siteName}/${app.slotName}`}'. Add it to the app (with its domain verification) before binding a certificate.`,
    '04020',
    [hostName],
  );
}

/** handleHostNameBinding serves GET, PUT and DELETE of one hostname binding. */
export function handleHostNameBinding(
  state: EmulatorState,
  exchange: Exchange,
  target: WebTarget,
  hostName: string,
): Reply {
  const app = findWebApp(state, target);
  if (!isWebApp(app)) return app;
  const host = hostName.toLowerCase();
  const binding = app.hostNames.includes(host) ? app.bindings.get(host) : undefined;
  switch (exchange.method) {
    case 'GET':
      return binding
        ? jsonReply(200, hostNameBindingResource(app, binding))
        : hostNotFound(app, hostName);
    case 'PUT':
      return binding ? putBinding(state, exchange, app, binding) : hostNotFound(app, hostName);
    case 'DELETE':
      return deleteBinding(app, host);
    default:
      return methodNotAllowed(exchange);
  }
}

function putBinding(
  state: EmulatorState,
  exchange: Exchange,
  app: WebApp,
  binding: HostNameBinding,
): Reply {
  const body = exchange.json as
    { properties?: { sslState?: unknown; thumbprint?: unknown } } | undefined;
  if (typeof body !== 'object' || body === null) {
    return armError(
      400,
      'InvalidRequestContent',
      'The request content was invalid and could not be deserialized.',
    );
  }
  const sslState = body.properties?.sslState ?? 'Disabled';
  const thumbprint =
    typeof body.properties?.thumbprint === 'string'
      ? body.properties.thumbprint.toUpperCase()
      : undefined;
  if (sslState !== 'Disabled' && sslState !== 'SniEnabled' && sslState !== 'IpBasedEnabled') {
    return appServiceError(
      400,
      'BadRequest',
      `The parameter sslState has an invalid value '${String(sslState)}'.`,
      '51008',
      ['sslState'],
    );
  }
  if (sslState === 'Disabled') {
    binding.sslState = 'Disabled';
    binding.thumbprint = undefined;
    app.lastModified = new Date();
    return jsonReply(200, hostNameBindingResource(app, binding));
  }
  if (thumbprint === undefined || thumbprint.length === 0) {
    return appServiceError(
      400,
      'BadRequest',
      'The parameter thumbprint is required when sslState is SniEnabled.',
      '51008',
      ['thumbprint'],
    );
  }
  const farm = state.serverFarms.get(app.serverFarmId.toLowerCase());
  const certificate = farm
    ? certificatesInWebspace(state, webspaceOfFarm(farm)).find((c) => c.thumbprint === thumbprint)
    : undefined;
  if (!certificate) {
    return appServiceError(
      400,
      'BadRequest',
      `Certificate with thumbprint '${thumbprint}' was not found in the webspace of '${app.siteName}' (resource group '${farm?.resourceGroup ?? ''}', region '${farm?.location ?? ''}'). Import it there first.`,
      '04021',
      [thumbprint],
    );
  }
  if (!certificate.hostNames.some((name) => coversHost(name, binding.hostName))) {
    return appServiceError(
      400,
      'BadRequest',
      `The certificate with thumbprint '${thumbprint}' does not match the hostname '${binding.hostName}'; it covers ${certificate.hostNames.join(', ')}.`,
      '04022',
      [thumbprint, binding.hostName],
    );
  }
  binding.sslState = sslState;
  binding.thumbprint = thumbprint;
  app.lastModified = new Date();
  return jsonReply(200, hostNameBindingResource(app, binding));
}

function deleteBinding(app: WebApp, host: string): Reply {
  if (!app.hostNames.includes(host)) return { status: 204 };
  if (host === app.defaultHostName) {
    return appServiceError(
      400,
      'BadRequest',
      `Cannot delete the default hostname '${host}'.`,
      '04007',
      [host],
    );
  }
  // On the platform, deleting a hostname binding removes the custom domain from the app.
  app.hostNames.splice(app.hostNames.indexOf(host), 1);
  app.bindings.delete(host);
  app.lastModified = new Date();
  return { status: 200 };
}
