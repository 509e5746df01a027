import type { Core } from '../core';
import type { Router } from './http';

/** Account management over REST (headless mode and the local API). Secrets are accepted, never returned. */
export function registerAccountRoutes(router: Router, core: Core): void {
  router
    .add('GET', '/accounts', async () => ({ status: 200, body: await core.handle('accounts.list', {}) }))
    .add('POST', '/accounts', async (req) => ({ status: 201, body: await core.handle('accounts.create', req.body) }))
    .add('PUT', '/accounts/default', async (req) => {
      const id = (req.body as { id?: unknown } | undefined)?.id;
      return { status: 200, body: await core.handle('accounts.setDefault', { id }) };
    })
    .add('DELETE', '/accounts/{id}', async (req) => ({ status: 200, body: await core.handle('accounts.remove', { id: req.params.id }) }))
    .add('POST', '/accounts/{id}/sync', async (req) => ({ status: 200, body: await core.handle('accounts.sync', { id: req.params.id }) }));
}
