import { spawn } from 'node:child_process';
import type { AccountInfo, ICachePlugin, PublicClientApplication, TokenCacheContext } from '@azure/msal-node';
import type * as Msal from '@azure/msal-node';
import { lazyRequire } from '../../../util/lazy-require';
import { PimlicoError, errorMessage } from '../../../util/errors';
import { SignInRequiredError, type TokenSource } from '../http';

/** What Pimlico asks Microsoft for (issue 8): mail, calendars, contacts, and a refresh token. */
export const GRAPH_SCOPES = ['Mail.ReadWrite', 'Mail.Send', 'Calendars.ReadWrite', 'Contacts.ReadWrite', 'offline_access', 'User.Read'];
/** The secret name the encrypted MSAL token cache is kept under (ctx.secret / accounts.setSecret). */
export const TOKEN_CACHE_SECRET = 'graph.tokenCache';
export const DEFAULT_AUTHORITY = 'https://login.microsoftonline.com/common';

export type GraphAuthSettings = { type: 'tokenCommand'; command: string } | { type: 'interactive' } | { type: 'deviceCode' };

/** Encrypted storage for the token cache: the account's secrets (safeStorage or the key file). */
export interface SecretSlot {
  get(): string | undefined;
  set(value: string): void;
}

// ------------------------------------------------------------------ token command

/** Seconds until a JWT's exp claim, or null when the token is opaque. */
function jwtExpiresAt(token: string): number | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof claims.exp === 'number' ? claims.exp * 1000 : null;
  } catch {
    return null;
  }
}

/** Runs the user's command through the shell (they configured a shell command line) and returns stdout. */
function runCommand(command: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, { shell: true, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
      // stderr, not stdout: stdout may hold part of a token.
      else reject(new Error(`the token command exited with ${signal ?? code}${err.length ? `: ${Buffer.concat(err).toString('utf8').trim().slice(0, 300)}` : ''}`));
    });
  });
}

/**
 * A token from a command (the approach of aerc and himalaya). The token is cached until its JWT
 * expiry (a minute early) or until Graph answers 401; then the command runs again.
 */
export class TokenCommandSource implements TokenSource {
  private cached: { token: string; expiresAt: number } | null = null;
  private running: Promise<string> | null = null;

  constructor(
    private readonly command: string,
    private readonly now: () => number = Date.now,
    private readonly timeoutMs = 60_000,
  ) {}

  async token(): Promise<string> {
    if (this.cached && this.cached.expiresAt > this.now()) return this.cached.token;
    this.running ??= this.fetch().finally(() => (this.running = null));
    return this.running;
  }

  private async fetch(): Promise<string> {
    let output: string;
    try {
      output = await runCommand(this.command, this.timeoutMs);
    } catch (err) {
      throw new SignInRequiredError(`The account's token command failed (${errorMessage(err)}); fix it or sign in again`);
    }
    const token = output.trim();
    if (!token || /\s/.test(token)) throw new SignInRequiredError('The token command printed no access token (expected one token on standard output)');
    const exp = jwtExpiresAt(token);
    this.cached = { token, expiresAt: exp !== null ? exp - 60_000 : Number.MAX_SAFE_INTEGER };
    return token;
  }

  invalidate(): void {
    this.cached = null;
  }
}

// ------------------------------------------------------------------ MSAL

/** The sign-in authority of the cloud the Graph URL belongs to (national clouds sign in elsewhere). */
export function authorityFor(graphBaseUrl: string, configured: string | undefined): string | undefined {
  if (configured) return configured;
  const host = new URL(graphBaseUrl).hostname;
  if (host.endsWith('.microsoft.us')) return 'https://login.microsoftonline.us/common';
  if (host.endsWith('.chinacloudapi.cn')) return 'https://login.chinacloudapi.cn/common';
  return undefined; // the public cloud: DEFAULT_AUTHORITY
}

/** MSAL's cache serialised into the account's encrypted secrets. */
export function secretCachePlugin(slot: SecretSlot): ICachePlugin {
  return {
    beforeCacheAccess: async (c: TokenCacheContext) => {
      const data = slot.get();
      if (data) c.tokenCache.deserialize(data);
    },
    afterCacheAccess: async (c: TokenCacheContext) => {
      if (c.cacheHasChanged) slot.set(c.tokenCache.serialize());
    },
  };
}

export interface MsalOptions {
  clientId: string | undefined;
  /** The account's address: picks its entry from the cache. */
  email: string;
  cache: SecretSlot;
  authority?: string;
  scopes?: string[];
}

function requireClientId(clientId: string | undefined): string {
  if (!clientId) {
    throw new PimlicoError(
      'Unsupported',
      'No Microsoft application (client) id is configured. Register an app in Microsoft Entra (see the README, "Outlook.com and Microsoft 365") and set its client id on the account.',
    );
  }
  return clientId;
}

/** Microsoft's own sign-in hosts: MSAL knows them. Any other configured authority must be declared known. */
const MICROSOFT_LOGIN_HOSTS = new Set(['login.microsoftonline.com', 'login.microsoftonline.us', 'login.chinacloudapi.cn', 'login.microsoft.com', 'login.windows.net', 'login.live.com']);

const loadMsal = lazyRequire<typeof Msal>('@azure/msal-node');

function msalApp(opts: MsalOptions): PublicClientApplication {
  const authority = opts.authority ?? DEFAULT_AUTHORITY;
  const host = new URL(authority).host;
  return new (loadMsal().PublicClientApplication)({
    auth: {
      clientId: requireClientId(opts.clientId),
      authority,
      // Otherwise MSAL asks Microsoft's instance discovery about a host it does not know (and fails offline).
      ...(MICROSOFT_LOGIN_HOSTS.has(host) ? {} : { knownAuthorities: [host] }),
    },
    cache: { cachePlugin: secretCachePlugin(opts.cache) },
  });
}

function pickAccount(accounts: AccountInfo[], email: string): AccountInfo | undefined {
  const lower = email.toLowerCase();
  return accounts.find((a) => a.username.toLowerCase() === lower) ?? (accounts.length === 1 ? accounts[0] : undefined);
}

/**
 * Tokens from the MSAL cache, refreshed silently. A refresh that fails (revoked consent, expired
 * refresh token, password change) becomes SignInRequiredError, which the provider turns into the
 * account status 'needs-sign-in' with this message.
 */
export class MsalTokenSource implements TokenSource {
  private app: PublicClientApplication | null = null;
  private cached: { token: string; expiresAt: number } | null = null;

  constructor(
    private readonly opts: MsalOptions,
    private readonly now: () => number = Date.now,
  ) {}

  async token(): Promise<string> {
    if (this.cached && this.cached.expiresAt > this.now()) return this.cached.token;
    // Created on first use: an account without a client id still opens, and says why it cannot sign in.
    this.app ??= msalApp(this.opts);
    const account = pickAccount(await this.app.getTokenCache().getAllAccounts(), this.opts.email);
    if (!account) throw new SignInRequiredError(`Sign in to ${this.opts.email} to use this account`);
    try {
      const res = await this.app.acquireTokenSilent({ account, scopes: this.opts.scopes ?? GRAPH_SCOPES, forceRefresh: this.cached !== null && this.cached.expiresAt === 0 });
      this.cached = { token: res.accessToken, expiresAt: (res.expiresOn?.getTime() ?? this.now() + 3_000_000) - 60_000 };
      return res.accessToken;
    } catch (err) {
      throw new SignInRequiredError(`Microsoft could not renew the sign-in of ${this.opts.email} (${errorMessage(err)}); sign in again`);
    }
  }

  invalidate(): void {
    // Forces a refresh on the next call rather than reusing the access token Graph just refused.
    this.cached = this.cached ? { token: this.cached.token, expiresAt: 0 } : null;
  }
}

export function tokenSourceFor(auth: GraphAuthSettings, msal: MsalOptions, now: () => number): TokenSource {
  if (auth.type === 'tokenCommand') return new TokenCommandSource(auth.command, now);
  return new MsalTokenSource(msal, now);
}

// ------------------------------------------------------------------ sign-in (called by the shell)

export interface SignInResult {
  username: string;
}

/**
 * Interactive sign-in: authorisation code with PKCE and a loopback redirect. `openBrowser` opens
 * the system browser (Electron: shell.openExternal). The token cache lands in `cache`.
 */
export async function signInInteractive(opts: MsalOptions, openBrowser: (url: string) => Promise<void>): Promise<SignInResult> {
  const app = msalApp(opts);
  const res = await app.acquireTokenInteractive({
    scopes: opts.scopes ?? GRAPH_SCOPES,
    openBrowser,
    loginHint: opts.email || undefined,
    successTemplate: '<p>Signed in. You can close this tab and return to Pimlico.</p>',
    errorTemplate: '<p>Sign-in failed: {{error}}. Return to Pimlico and try again.</p>',
  });
  if (!res.account) throw new PimlicoError('Unauthorized', 'Microsoft returned no account');
  return { username: res.account.username };
}

/** Device-code sign-in for headless mode: `onCode` shows the URL and code the user enters elsewhere. */
export interface DeviceCodeInfo {
  verificationUri: string;
  userCode: string;
  message: string;
  /** Seconds the code stays valid. */
  expiresIn: number;
}

export async function signInDeviceCode(opts: MsalOptions, onCode: (info: DeviceCodeInfo) => void): Promise<SignInResult> {
  const app = msalApp(opts);
  const res = await app.acquireTokenByDeviceCode({
    scopes: opts.scopes ?? GRAPH_SCOPES,
    deviceCodeCallback: (r) => onCode({ verificationUri: r.verificationUri, userCode: r.userCode, message: r.message, expiresIn: r.expiresIn }),
  });
  if (!res?.account) throw new PimlicoError('Unauthorized', 'Microsoft returned no account');
  return { username: res.account.username };
}

/** The authority a graph account signs in at: its own setting, its national cloud's, or the public one. */
export function signInAuthority(settings: Record<string, unknown>): string {
  const graphBaseUrl = typeof settings['graphBaseUrl'] === 'string' ? settings['graphBaseUrl'] : 'https://graph.microsoft.com/v1.0';
  const configured = typeof settings['authority'] === 'string' && settings['authority'] ? settings['authority'] : undefined;
  return authorityFor(graphBaseUrl, configured) ?? DEFAULT_AUTHORITY;
}

/** What signInGraphAccount needs from the core (Core.accounts and Core.store satisfy it). */
export interface SignInHost {
  accounts: {
    get(id: string): { kind: string; email: string; settings: Record<string, unknown> };
    secret(accountId: string, name: string): string | undefined;
    setSecret(accountId: string, name: string, value: string): void;
  };
  store: { accounts: { setStatus(id: string, status: 'ok' | 'needs-sign-in', lastError: string | null): void } };
}

/**
 * The hook for the shell: signs a 'graph' account in (browser, or device code in headless mode),
 * stores the encrypted token cache, and clears 'needs-sign-in'. Fails clearly without a client id.
 */
export async function signInGraphAccount(
  host: SignInHost,
  accountId: string,
  how: { mode: 'interactive'; openBrowser: (url: string) => Promise<void> } | { mode: 'deviceCode'; onCode: (info: DeviceCodeInfo) => void },
): Promise<SignInResult> {
  const account = host.accounts.get(accountId);
  if (account.kind !== 'graph') throw new PimlicoError('BadRequest', 'Only Microsoft (Graph) accounts sign in this way');
  const authority = signInAuthority(account.settings);
  const clientId = typeof account.settings['clientId'] === 'string' && account.settings['clientId'] ? account.settings['clientId'] : undefined;
  const opts: MsalOptions = {
    clientId,
    email: account.email,
    authority,
    cache: { get: () => host.accounts.secret(accountId, TOKEN_CACHE_SECRET), set: (v) => host.accounts.setSecret(accountId, TOKEN_CACHE_SECRET, v) },
  };
  const res = how.mode === 'interactive' ? await signInInteractive(opts, how.openBrowser) : await signInDeviceCode(opts, how.onCode);
  host.store.accounts.setStatus(accountId, 'ok', null);
  return res;
}
