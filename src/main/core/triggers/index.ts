// Polling triggers over the local cache, shared by the REST connector (triggerState in Location)
// and the background poller (its own trigger_state rows).
export {
  changedContacts,
  changedEvents,
  CHANGE_LOG_RETENTION_MS,
  pruneChangeLog,
  currentSeq,
  MAX_BATCH,
  newEmails,
  occurrenceKey,
  startSeqTrigger,
  startUpcomingTrigger,
  upcomingEvents,
  type ItemChange,
  type ItemsQuery,
  type NewEmailQuery,
  type SeqWatermark,
  type TriggerStep,
  type UpcomingQuery,
  type UpcomingWatermark,
} from './evaluate';
export { CONTACT_DEFAULT_ORDER, CONTACT_FIELDS, EVENT_DEFAULT_ORDER, EVENT_FIELDS } from './fields';
export { canonicalJson, TriggerStateRepo, TRIGGER_STATE_TTL_MS, type TriggerState } from './state';
