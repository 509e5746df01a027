/**
 * GET /me and /users/{id|upn}: the directory user (not the mailbox).
 */
import { project } from '../odata';
import { renderUser } from '../render';
import { json } from '../response';
import type { Route } from '../router';
import { unknownProperty } from '../response';

const USER_PROPS = [
  'id',
  'displayName',
  'givenName',
  'surname',
  'mail',
  'userPrincipalName',
  'businessPhones',
  'jobTitle',
  'mobilePhone',
  'officeLocation',
  'preferredLanguage',
];

export function userRoutes(): Route[] {
  return [
    {
      method: 'GET',
      path: '',
      query: ['$select'],
      // Directory endpoints report unsupported query options as Request_UnsupportedQuery.
      unsupportedCode: 'Request_UnsupportedQuery',
      handler: (ctx) => {
        const select =
          ctx.q.select?.map((s) => {
            const hit = USER_PROPS.find((p) => p.toLowerCase() === s.toLowerCase());
            if (!hit) throw unknownProperty(s, 'user');
            return hit;
          }) ?? null;
        const context = `${ctx.svc.baseUrl}/$metadata#users${select ? `(${select.join(',')})` : ''}/$entity`;
        return json(200, { '@odata.context': context, ...project({ ...renderUser(ctx.mb) }, select) });
      },
    },
  ];
}
