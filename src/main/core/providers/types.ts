import type { Account, SyncResult } from '../../../shared/types';
import type { CoreEvents, Disposable } from '../events';
import type { ContactPhoto } from '../pim';
import type { Store, StoredOutboxEntry, StoredTask } from '../store';
import type { Logger } from '../util/log';

/** What a provider may use; everything it touches goes through here, so it can run in tests as is. */
export interface ProviderContext {
  readonly account: Account;
  readonly store: Store;
  readonly events: CoreEvents;
  readonly log: Logger;
  readonly now: () => number;
  /** Decrypted secret by name ("imap.password", "graph.tokenCache", ...). */
  secret(name: string): string | undefined;
  setSecret(name: string, value: string): void;
}

export type SyncCounts = Partial<Omit<SyncResult, 'accountId' | 'durationMs' | 'tasksApplied'>>;

/** The outcome of trying to send: the distinction decides whether a retry could duplicate the mail. */
export class SendError extends Error {
  constructor(
    message: string,
    /** 'before-accept': the server never took the message, safe to retry. 'after-accept': it may have been delivered. */
    readonly phase: 'before-accept' | 'after-accept',
    readonly permanent = false,
  ) {
    super(message);
    this.name = 'SendError';
  }
}

/** Thrown by applyTask when the failure is worth retrying later (network, throttling). */
export class RetryableError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'RetryableError';
  }
}

/** One per account kind. The Local account's does nothing remote; IMAP/DAV and Graph talk to servers. */
export interface AccountProvider {
  /** False for the Local account: its outbox waits until an account that can send exists. */
  readonly canSend: boolean;
  /** Brings the store up to date with the server (folders, messages, calendars, contacts). */
  sync(): Promise<SyncCounts>;
  /** Applies the remote side of a task whose local effect is already in the store. */
  applyTask(task: StoredTask): Promise<void>;
  /** Hands one outbox entry to the server; throws SendError. */
  send(entry: StoredOutboxEntry): Promise<void>;
  /** Fetches attachment bytes that were too large to cache during sync. */
  fetchAttachment?(messageId: string, attachmentId: string): Promise<Uint8Array>;
  /** A contact's photo kept by the server outside any vCard (Graph's profilePhoto); null when it has none. */
  fetchContactPhoto?(remoteId: string): Promise<ContactPhoto | null>;
  /** Push: calls onChange when the server reports something new (IMAP IDLE, Graph notifications). */
  watch?(onChange: () => void): Disposable;
  close(): Promise<void>;
}

export type ProviderFactory = (ctx: ProviderContext) => AccountProvider;
