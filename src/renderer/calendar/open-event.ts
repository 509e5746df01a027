import { create } from 'zustand';

/** A request to show one event (occurrence) in the calendar view, made from outside it (a notification click). */
export interface OpenEventRequest {
  eventId: string;
  /** The occurrence's start; null opens the occurrence nearest the event's own start. */
  startUtc: number | null;
  /** Distinguishes two requests for the same event, so the second click opens it again. */
  seq: number;
}

export const useCalendarOpen = create<{ request: OpenEventRequest | null; clear(seq: number): void }>((set, get) => ({
  request: null,
  clear: (seq) => {
    if (get().request?.seq === seq) set({ request: null });
  },
}));

let nextSeq = 1;

/**
 * Opens an event in the calendar view: the view moves to its day and shows its editor. Works whether or not
 * the calendar view is mounted yet (it picks the request up when it mounts). The caller switches the view.
 */
export function openEvent(eventId: string, startUtc?: number | null): void {
  useCalendarOpen.setState({ request: { eventId, startUtc: startUtc ?? null, seq: nextSeq++ } });
}
