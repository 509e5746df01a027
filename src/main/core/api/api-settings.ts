import type { Core } from '../core';

export const API_ENABLED_SETTING = 'api.enabled';
export const API_PORT_SETTING = 'api.port';
export const DEFAULT_API_PORT = 4871;

/** What the settings ask for: off unless switched on, always loopback. */
export function wantedApi(core: Pick<Core, 'store'>): { enabled: boolean; port: number } {
  const enabled = core.store.settings.get<unknown>(API_ENABLED_SETTING, false) === true;
  const raw = core.store.settings.get<unknown>(API_PORT_SETTING, DEFAULT_API_PORT);
  const port = typeof raw === 'number' && Number.isInteger(raw) && raw >= 1 && raw <= 65535 ? raw : DEFAULT_API_PORT;
  return { enabled, port };
}
