import { z } from 'zod';
import type { TaskKind } from './kinds';

/**
 * Files a locally saved draft in the server's Drafts folder, replacing the server copy of the
 * version it supersedes. The local effect (the draft row) is already done by MailService.saveDraft;
 * this task carries only the remote side, so it has no local effect and no undo.
 */
export const SaveDraftPayload = z.object({
  /** The local draft message. */
  id: z.string(),
  /** Where the previous version of this draft is on the server, to delete it once the new one is filed. */
  replaces: z.object({ remoteFolderId: z.string().nullable(), remoteId: z.string().nullable() }).nullable().default(null),
});
export type SaveDraftPayload = z.infer<typeof SaveDraftPayload>;

export const saveDraft: TaskKind<SaveDraftPayload> = {
  name: 'mail.saveDraft',
  entities: ['mail'],
  schema: SaveDraftPayload as z.ZodType<SaveDraftPayload>,
  applyLocal: () => [],
};

export const draftTaskKinds = [saveDraft];
