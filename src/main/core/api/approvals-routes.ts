import type { Core } from '../core';
import type { Router } from './http';

/**
 * State of SendApprovalMail / SendMailWithOptions subscriptions (the POST routes that send them live
 * with the connector): waiting, or answered with the SelectedOption and who chose it.
 */
export function approvalsRoutes(router: Router, core: Core): void {
  router
    .add('GET', '/approvalmail/$subscriptions/{id}', (req) => ({ status: 200, body: core.poller.approvals.state(req.params.id!, 'approval') }))
    .add('GET', '/mailwithoptions/$subscriptions/{id}', (req) => ({ status: 200, body: core.poller.approvals.state(req.params.id!, 'options') }));
}
