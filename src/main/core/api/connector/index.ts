import type { Core } from '../../core';
import type { Router } from '../http';
import { calendarOperations } from './calendars';
import { contactOperations } from './contacts';
import { mailOperations } from './mail';
import { mailTriggerOperations } from './mail-triggers';
import { openApiDocument } from './openapi';
import { registerOperations, type OperationSpec } from './operation';

/** Every operation of the connector, in the spec's order of areas. */
export const connectorOperations: readonly OperationSpec[] = [...mailOperations, ...mailTriggerOperations, ...calendarOperations, ...contactOperations];

/** The Outlook.com connector's routes (see shared/spec/outlook-connector.md), served from the local cache. */
export function connectorRoutes(router: Router, core: Core): void {
  registerOperations(router, core, connectorOperations);
  const doc = openApiDocument(connectorOperations, core.options.version ?? '0.0.0');
  router.add('GET', '/openapi.json', (req) => (req.wantsXml ? { status: 200, body: doc } : { status: 200, raw: { data: JSON.stringify(doc), contentType: 'application/json; charset=utf-8' } }));
}

export { openApiDocument } from './openapi';
export type { OperationSpec, ParamSpec } from './operation';
