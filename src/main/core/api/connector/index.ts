import type { Core } from '../../core';
import type { Router } from '../http';

/** The Outlook.com connector's routes (see shared/spec/outlook-connector.md), served from the local cache. */
export function connectorRoutes(_router: Router, _core: Core): void {
  // Filled in by the connector API work: every route of the spec.
}
