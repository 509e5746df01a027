import type { ApiServerOptions } from './server';
import { approvalsRoutes } from './approvals-routes';
import { connectorRoutes } from './connector';
import { notificationsRoutes } from './notifications-routes';

/** Every REST route group, in one list: headless mode and the desktop app serve the same API. */
export const apiRoutes: NonNullable<ApiServerOptions['routes']> = [connectorRoutes, approvalsRoutes, notificationsRoutes];
