import type { Core } from '../core';
import { loadApiToken } from '../config';
import type { Disposable } from '../events';
import { errorMessage } from '../util/errors';
import { apiRoutes } from './routes';
import { ApiServer } from './server';
import { wantedApi } from './api-settings';

export { API_ENABLED_SETTING, API_PORT_SETTING, DEFAULT_API_PORT, wantedApi } from './api-settings';

/**
 * The desktop app's REST API: started on 127.0.0.1 when the user switches `api.enabled` on, moved
 * when `api.port` changes, stopped when switched off. Changes are applied one at a time, in order,
 * so a quick on/off/on never leaves two servers or a stale one.
 */
export class ApiSwitch implements Disposable {
  private server: ApiServer | null = null;
  /** The settings last acted on ('off' or the port), so a failed start is not retried until they change. */
  private appliedKey: string | null = null;
  private chain: Promise<void> = Promise.resolve();
  private readonly subscription: Disposable;
  private disposed = false;

  constructor(
    private readonly core: Core,
    private readonly host = '127.0.0.1',
  ) {
    this.subscription = core.events.on((name, payload) => {
      if (name === 'store.changed' && (payload as { entities: string[] }).entities.includes('settings')) void this.apply();
    });
  }

  /** Brings the server in line with the settings; resolves when done (errors land in core.apiState). */
  apply(): Promise<void> {
    this.chain = this.chain.then(() => this.reconcile());
    return this.chain;
  }

  private async reconcile(): Promise<void> {
    const want = this.disposed ? { enabled: false, port: 0 } : wantedApi(this.core);
    const key = want.enabled ? String(want.port) : 'off';
    if (key === this.appliedKey) return;
    this.appliedKey = key;
    if (this.server) {
      const old = this.server;
      this.server = null;
      await old.close();
      this.core.log.info('REST API stopped');
    }
    this.core.apiState = { running: false, url: null, error: null };
    if (!want.enabled) {
      if (!this.disposed) this.core.events.emit('store.changed', { entities: ['settings'] });
      return;
    }
    const server = new ApiServer({ core: this.core, host: this.host, port: want.port, token: loadApiToken(this.core.options.dataDir), routes: apiRoutes });
    try {
      const { port } = await server.listen();
      this.server = server;
      this.core.apiState = { running: true, url: `http://${this.host}:${port}/`, error: null };
      this.core.log.info('REST API listening', { host: this.host, port });
    } catch (err) {
      await server.close().catch(() => undefined);
      const message = `The REST API could not listen on ${this.host}:${want.port}: ${errorMessage(err)}`;
      this.core.apiState = { running: false, url: null, error: message };
      this.core.log.warn('REST API could not start', { port: want.port, error: errorMessage(err) });
    }
    // Tells the settings screen the API's new state (this change is applied already, so no loop).
    this.core.events.emit('store.changed', { entities: ['settings'] });
  }

  /** Stops the server (if any); the core stays open. */
  async close(): Promise<void> {
    this.disposed = true;
    this.subscription.dispose();
    await this.apply();
  }

  dispose(): void {
    void this.close();
  }
}
