import { PimlicoError } from '../../util/errors';
import { composeProvider } from '../compose';
import { RetryableError, type AccountProvider, type ProviderContext } from '../types';
import { TOKEN_CACHE_SECRET, authorityFor, tokenSourceFor, type GraphAuthSettings } from './auth';
import { GraphCalendarPart, type InvitationResponse } from './calendar';
import { GraphContactsPart } from './contacts';
import { GraphClient, SignInRequiredError } from './http';
import { GraphMailPart } from './mail';

export { GraphClient, Semaphore, GraphHttpError, SignInRequiredError } from './http';
export { signInGraphAccount, signInInteractive, signInDeviceCode, authorityFor, GRAPH_SCOPES, TOKEN_CACHE_SECRET } from './auth';
export { recurrenceToRRule, rruleToRecurrence } from './recurrence';

export const DEFAULT_GRAPH_BASE_URL = 'https://graph.microsoft.com/v1.0';
/** How long a task waits for the user to sign in again before the queue tries it once more. */
export const SIGN_IN_RETRY_MS = 30 * 60_000;

export interface GraphAccountSettings {
  graphBaseUrl: string;
  clientId: string | undefined;
  authority: string | undefined;
  auth: GraphAuthSettings;
}

export function readGraphSettings(settings: Record<string, unknown>): GraphAccountSettings {
  const base = typeof settings['graphBaseUrl'] === 'string' ? settings['graphBaseUrl'] : DEFAULT_GRAPH_BASE_URL;
  const clientId = typeof settings['clientId'] === 'string' && settings['clientId'] ? settings['clientId'] : undefined;
  const raw = settings['auth'] as { type?: unknown; command?: unknown } | undefined;
  let auth: GraphAuthSettings = { type: 'interactive' };
  if (raw?.type === 'tokenCommand') {
    if (typeof raw.command !== 'string' || !raw.command) throw new PimlicoError('BadRequest', 'A tokenCommand account needs a command');
    auth = { type: 'tokenCommand', command: raw.command };
  } else if (raw?.type === 'deviceCode') auth = { type: 'deviceCode' };
  const authority = authorityFor(base, typeof settings['authority'] === 'string' && settings['authority'] ? settings['authority'] : undefined);
  return { graphBaseUrl: base, clientId, authority, auth };
}

/** A 'graph' account as one provider: mail, calendars and contacts share one client, so one 4-request budget. */
export interface GraphProvider extends AccountProvider {
  readonly client: GraphClient;
  /** Accept, tentatively accept or decline an invitation (the organizer is told). */
  respondToInvitation(eventId: string, response: InvitationResponse, comment?: string): Promise<void>;
}

export function createGraphProvider(ctx: ProviderContext): GraphProvider {
  const settings = readGraphSettings(ctx.account.settings);
  const tokens = tokenSourceFor(
    settings.auth,
    {
      clientId: settings.clientId,
      email: ctx.account.email,
      ...(settings.authority ? { authority: settings.authority } : {}),
      cache: { get: () => ctx.secret(TOKEN_CACHE_SECRET), set: (v) => ctx.setSecret(TOKEN_CACHE_SECRET, v) },
    },
    ctx.now,
  );
  const client = new GraphClient({
    baseUrl: settings.graphBaseUrl,
    tokens,
    log: ctx.log.child('graph'),
    // Not silent: the account shows 'needs-sign-in' with the reason, and the UI offers to sign in again.
    onAuthFailure: (message) => {
      ctx.store.accounts.setStatus(ctx.account.id, 'needs-sign-in', message);
      ctx.events.emit('store.changed', { entities: ['accounts'], accountId: ctx.account.id });
    },
  });
  const mail = new GraphMailPart(ctx, client);
  const calendar = new GraphCalendarPart(ctx, client);
  const contacts = new GraphContactsPart(ctx, client);
  const composed = composeProvider([mail, calendar, contacts]);
  return {
    ...composed,
    applyTask: async (task) => {
      try {
        await composed.applyTask(task);
      } catch (err) {
        // The user's action must survive until they sign in again: wait instead of failing for good.
        if (err instanceof SignInRequiredError) throw new RetryableError(err.message, SIGN_IN_RETRY_MS);
        throw err;
      }
    },
    client,
    respondToInvitation: (eventId, response, comment) => calendar.respond(eventId, response, comment),
    fetchContactPhoto: (remoteId) => contacts.fetchPhoto(remoteId),
  };
}
