import type { Disposable } from '../events';
import type { StoredOutboxEntry, StoredTask } from '../store';
import type { AccountProvider, SyncCounts } from './types';

/** One protocol's share of an account: IMAP/SMTP for mail, CalDAV/CardDAV for events and contacts. */
export interface ProviderPart {
  readonly name: string;
  /** Task kinds whose remote side this part applies (e.g. "mail.move", "pim.putEvent"). */
  handles(taskKind: string): boolean;
  sync(): Promise<SyncCounts>;
  applyTask(task: StoredTask): Promise<void>;
  send?(entry: StoredOutboxEntry): Promise<void>;
  fetchAttachment?(messageId: string, attachmentId: string): Promise<Uint8Array>;
  watch?(onChange: () => void): Disposable;
  close(): Promise<void>;
}

function addCounts(a: SyncCounts, b: SyncCounts): SyncCounts {
  const out: SyncCounts = { ...a };
  for (const [k, v] of Object.entries(b) as [keyof SyncCounts, number | undefined][]) out[k] = (out[k] ?? 0) + (v ?? 0);
  return out;
}

/**
 * An account made of several protocol parts. A task kind no part handles has no remote side
 * (that is a programming error, reported as a failed task rather than silently dropped).
 */
export function composeProvider(parts: ProviderPart[]): AccountProvider {
  const sender = parts.find((p) => p.send);
  const fetcher = parts.find((p) => p.fetchAttachment);
  const watchers = parts.filter((p) => p.watch);
  return {
    canSend: sender !== undefined,
    async sync() {
      let total: SyncCounts = {};
      // Parts sync one after another: together they must stay within a server's connection limits.
      for (const part of parts) total = addCounts(total, await part.sync());
      return total;
    },
    async applyTask(task) {
      const part = parts.find((p) => p.handles(task.kind));
      if (!part) {
        // Kinds without a remote side for this account (e.g. events when no CalDAV is configured) stay local.
        if (task.kind.startsWith('pim.')) return;
        throw new Error(`No provider part handles task kind ${task.kind}`);
      }
      await part.applyTask(task);
    },
    send: async (entry) => {
      if (!sender?.send) throw new Error('This account cannot send mail');
      await sender.send(entry);
    },
    fetchAttachment: fetcher?.fetchAttachment ? (m, a) => fetcher.fetchAttachment!(m, a) : undefined,
    watch: watchers.length
      ? (onChange) => {
          const subs = watchers.map((p) => p.watch!(onChange));
          return { dispose: () => subs.forEach((s) => s.dispose()) };
        }
      : undefined,
    async close() {
      await Promise.allSettled(parts.map((p) => p.close()));
    },
  };
}
