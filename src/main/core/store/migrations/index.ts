import { initial } from './0001-initial';
import { contactSearch } from './0002-contact-search';
import { triggerWatermarks } from './0003-trigger-watermarks';
import { graphLookups } from './0004-graph-lookups';
import { automation } from './0005-automation';
import { mailLookups } from './0006-mail-lookups';
import { conversationList } from './0007-conversation-list';
import { unreadFlaggedByDate } from './0008-unread-flagged-by-date';
import { unplacedMessages } from './0009-unplaced-messages';
import type { Migration } from './types';

export type { Migration } from './types';

/** Numbered and append-only: a released migration is never edited, only followed by a new one. */
export const migrations: readonly Migration[] = [initial, contactSearch, triggerWatermarks, graphLookups, automation, mailLookups, conversationList, unreadFlaggedByDate, unplacedMessages];
