import type { Recipient } from '../../../shared/contract/compose';
import type { Core } from '../core';
import type { HandlerGroup } from './types';

/** setTimeout cannot wait longer than ~24.8 days; later sends are picked up by the sync cycle. */
const MAX_TIMER_MS = 2_147_000_000;

/**
 * Suggestions for a recipient field: address-book entries first, then people the user exchanged mail
 * with (senders of received mail and recipients of sent mail), most frequent first.
 */
export function suggestRecipients(core: Core, query: string, limit: number): Recipient[] {
  const q = query.trim().toLowerCase();
  if (!q) return [];
  const out: Recipient[] = [];
  const seen = new Set<string>();
  const add = (r: Recipient) => {
    const key = r.address.toLowerCase();
    if (!key || seen.has(key) || out.length >= limit) return;
    seen.add(key);
    out.push(r);
  };
  for (const c of core.contacts.list({ query: q, limit })) {
    for (const e of c.emails) add({ name: c.displayName || `${c.givenName} ${c.surname}`.trim(), address: e.address, source: 'contact' });
  }
  if (out.length < limit) {
    // LIKE with an escaped pattern: the user's text is data, never a pattern.
    const pattern = `%${q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
    const rows = core.store.db
      .prepare(
        `SELECT name, address, sum(n) AS n FROM (
           SELECT from_name AS name, lower(from_address) AS address, count(*) AS n FROM messages
           WHERE from_address != '' AND (lower(from_address) LIKE ? ESCAPE '\\' OR lower(from_name) LIKE ? ESCAPE '\\')
           GROUP BY lower(from_address)
           UNION ALL
           SELECT coalesce(j.value ->> 'name', '') AS name, lower(j.value ->> 'address') AS address, count(*) AS n
           FROM messages m, json_each(m.to_json) j
           WHERE m.folder_id IN (SELECT id FROM folders WHERE role = 'sent')
             AND (lower(j.value ->> 'address') LIKE ? ESCAPE '\\' OR lower(j.value ->> 'name') LIKE ? ESCAPE '\\')
           GROUP BY lower(j.value ->> 'address')
         ) GROUP BY address ORDER BY n DESC LIMIT ?`,
      )
      .all(pattern, pattern, pattern, pattern, limit) as { name: string; address: string; n: number }[];
    for (const r of rows) add({ name: r.name ?? '', address: r.address, source: 'correspondent' });
  }
  return out;
}

export function composeHandlers(core: Core): HandlerGroup<'compose.recipients' | 'compose.send'> {
  return {
    'compose.recipients': ({ query, limit }) => suggestRecipients(core, query, limit),
    'compose.send': async ({ draft, undoSeconds }) => {
      const now = core.now();
      const sendAt = Math.max(draft.sendAt ?? 0, now + undoSeconds * 1000);
      const { outboxId } = await core.mail.send({ ...draft, sendAt: sendAt > now ? sendAt : null });
      const wait = sendAt - now;
      if (wait <= 0) void core.outbox.run(draft.accountId);
      else if (wait < MAX_TIMER_MS) {
        // The outbox only sends what is due; wake it when the hold ends instead of waiting for the next sync.
        const timer = setTimeout(() => void core.outbox.run(draft.accountId).catch(() => undefined), wait + 50);
        timer.unref?.();
      }
      return { outboxId, sendAt };
    },
  };
}
