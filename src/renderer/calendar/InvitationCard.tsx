import './calendar.css';
import { useCallback, useEffect, useState } from 'react';
import type { InvitationPreview } from '../../shared/contract/pim';
import { useApp } from '../app/store';
import { call } from '../lib/client';
import { timeLabel } from './dates';

type Answer = 'accepted' | 'tentative' | 'declined';

const ANSWERS: [Answer, string][] = [
  ['accepted', 'Accept'],
  ['tentative', 'Tentative'],
  ['declined', 'Decline'],
];

function whenOf(p: InvitationPreview): string {
  if (p.allDay) {
    const d = new Date(`${p.start}T12:00:00Z`);
    return `${d.toLocaleDateString([], { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' })}, all day`;
  }
  const start = new Date(p.startUtc);
  return `${start.toLocaleDateString([], { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' })}, ${timeLabel(p.startUtc)} – ${timeLabel(p.endUtc)}`;
}

/**
 * The iMIP part of a message in the reading pane: Accept / Tentative / Decline with that day's other events
 * (conflicts marked) for an invitation; replies are applied to the organiser's event as they are shown;
 * cancellations offer to remove the event. Renders nothing for other mail.
 */
export function InvitationCard({ messageId }: { messageId: string }) {
  const [preview, setPreview] = useState<InvitationPreview | null>(null);
  const [busy, setBusy] = useState(false);
  const { reportError, showToast } = useApp();

  const load = useCallback(async () => {
    const p = await call('invitations.preview', { messageId });
    setPreview(p);
    return p;
  }, [messageId]);

  useEffect(() => {
    let live = true;
    setPreview(null);
    call('invitations.preview', { messageId })
      .then(async (p) => {
        if (!live) return;
        setPreview(p);
        // An attendee's answer updates the organiser's event as soon as it is read.
        if (p && p.method === 'REPLY' && !p.applied && p.existingEventId) {
          await call('invitations.apply', { messageId });
          if (live) setPreview(await call('invitations.preview', { messageId }));
        }
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [messageId]);

  if (!preview) return null;

  const respond = async (status: Answer) => {
    setBusy(true);
    try {
      const res = await call('invitations.respond', { messageId, status });
      showToast(res.outboxId ? `Answer sent to ${preview.organizer?.name || preview.organizer?.address || 'the organiser'}` : 'Saved in your calendar', { undoTaskId: res.taskId });
      await load();
    } catch (err) {
      reportError(err);
    } finally {
      setBusy(false);
    }
  };

  const applyChange = async () => {
    setBusy(true);
    try {
      await call('invitations.apply', { messageId });
      await load();
    } catch (err) {
      reportError(err);
    } finally {
      setBusy(false);
    }
  };

  const conflicts = preview.dayEvents.filter((e) => e.overlaps);
  const sameDay = preview.dayEvents.filter((e) => new Date(e.startUtc).toDateString() === new Date(preview.startUtc).toDateString() || e.overlaps);

  return (
    <section className="invitation-card" aria-label="Invitation" data-method={preview.method}>
      <h3>{preview.summary || '(no title)'}</h3>
      <div>{whenOf(preview)}</div>
      {preview.location && <div className="muted">{preview.location}</div>}
      {preview.rrule && <div className="muted">Repeats ({preview.rrule})</div>}
      {preview.organizer && (
        <div className="muted">
          Organiser: {preview.organizer.name || preview.organizer.address}
          {preview.attendees.length > 0 && ` · ${preview.attendees.length} invited`}
        </div>
      )}
      {(preview.method === 'REQUEST' || preview.method === 'PUBLISH') && (
        <>
          <div className="rsvp" role="group" aria-label="Answer the invitation">
            {ANSWERS.map(([status, text]) => (
              <button key={status} type="button" disabled={busy} aria-pressed={preview.myStatus === status} onClick={() => void respond(status)}>
                {text}
              </button>
            ))}
          </div>
          {preview.existingEventId && preview.myStatus && preview.myStatus !== 'needs-action' && (
            <div className="muted" data-testid="my-answer">
              You answered: {preview.myStatus}
            </div>
          )}
          <div className={conflicts.length ? 'conflicts' : 'muted'}>{conflicts.length ? `Conflicts with ${conflicts.length} event${conflicts.length === 1 ? '' : 's'}` : 'No conflicts'}</div>
          {sameDay.length > 0 && (
            <ul className="day-preview" aria-label="That day">
              {sameDay.map((e, i) => (
                <li key={i} className={e.overlaps ? 'conflict' : undefined}>
                  {e.allDay ? 'All day' : `${timeLabel(e.startUtc)} – ${timeLabel(e.endUtc)}`} {e.summary || '(no title)'}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
      {preview.method === 'REPLY' && (
        <div data-testid="reply-status">
          {preview.replies.map((r) => `${r.address} ${r.status}`).join(', ')}
          {preview.applied ? ' · your calendar is up to date' : preview.existingEventId ? '' : ' · the event is not in your calendar'}
        </div>
      )}
      {preview.method === 'CANCEL' && (
        <div>
          This event was cancelled.{' '}
          {!preview.applied && (
            <button type="button" disabled={busy} onClick={() => void applyChange()}>
              Remove from calendar
            </button>
          )}
        </div>
      )}
    </section>
  );
}
