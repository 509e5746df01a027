import './calendar.css';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
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

function whenOf(p: Pick<InvitationPreview, 'allDay' | 'start' | 'startUtc' | 'endUtc'>): string {
  if (p.allDay) {
    const d = new Date(`${p.start.slice(0, 10)}T12:00:00Z`);
    return `${d.toLocaleDateString([], { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' })}, all day`;
  }
  const start = new Date(p.startUtc);
  return `${start.toLocaleDateString([], { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' })}, ${timeLabel(p.startUtc)} – ${timeLabel(p.endUtc)}`;
}

const nameOf = (a: { name: string; address: string } | null | undefined) => a?.name || a?.address || 'Someone';

/** A UTC instant as the value of a datetime-local input (this machine's zone). */
function localInputValue(ms: number): string {
  const d = new Date(ms);
  return new Date(ms - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

const shiftDate = (date: string, days: number) => new Date(Date.parse(`${date}T12:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/** "Propose new time" for an invitation: the times go to the organiser as a COUNTER; the calendar stays as it is. */
function ProposeTimeForm({ messageId, preview, onDone }: { messageId: string; preview: InvitationPreview; onDone(sent: boolean): void }) {
  // Timed events are proposed in this machine's zone; all-day ones as first and last day (iCalendar's end is the day after).
  const [start, setStart] = useState(preview.allDay ? preview.start.slice(0, 10) : localInputValue(preview.startUtc));
  const [end, setEnd] = useState(preview.allDay ? shiftDate(preview.end.slice(0, 10), -1) : localInputValue(preview.endUtc));
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const { reportError, showToast } = useApp();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      await call('invitations.proposeTime', {
        messageId,
        start,
        end: preview.allDay ? shiftDate(end, 1) : end,
        ...(preview.allDay ? {} : { timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone }),
        ...(comment.trim() ? { comment: comment.trim() } : {}),
      });
      showToast(`Proposal sent to ${nameOf(preview.organizer)}`);
      onDone(true);
    } catch (err) {
      reportError(err);
    } finally {
      setBusy(false);
    }
  };
  const type = preview.allDay ? 'date' : 'datetime-local';
  return (
    <form className="propose-time" aria-label="Propose new time" onSubmit={(e) => void submit(e)}>
      <label>
        {preview.allDay ? 'First day' : 'Start'}
        <input type={type} name="proposedStart" value={start} required onChange={(e) => setStart(e.target.value)} />
      </label>
      <label>
        {preview.allDay ? 'Last day' : 'End'}
        <input type={type} name="proposedEnd" value={end} required onChange={(e) => setEnd(e.target.value)} />
      </label>
      <label>
        Note to the organiser
        <input name="proposalComment" value={comment} onChange={(e) => setComment(e.target.value)} />
      </label>
      <div className="actions">
        <button type="button" onClick={() => onDone(false)}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={busy}>
          Send proposal
        </button>
      </div>
    </form>
  );
}

/**
 * The iMIP part of a message in the reading pane: Accept / Tentative / Decline with that day's other events
 * (conflicts marked) for an invitation; replies are applied to the organiser's event as they are shown;
 * cancellations offer to remove the event. Renders nothing for other mail.
 */
export function InvitationCard({ messageId }: { messageId: string }) {
  const [preview, setPreview] = useState<InvitationPreview | null>(null);
  const [proposing, setProposing] = useState(false);
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

  const decideCounter = async (accept: boolean) => {
    setBusy(true);
    try {
      if (accept) {
        const res = await call('invitations.acceptCounter', { messageId });
        showToast(res.outboxId ? 'Event moved; the updated invitation was sent to everyone' : 'Event moved', { undoTaskId: res.taskId });
      } else {
        await call('invitations.declineCounter', { messageId });
        showToast(`Told ${nameOf(preview.counter?.from)} the time stays`);
      }
      await load();
    } catch (err) {
      reportError(err);
    } finally {
      setBusy(false);
    }
  };

  const answerRefresh = async () => {
    setBusy(true);
    try {
      await call('invitations.answerRefresh', { messageId });
      showToast(`Sent the current invitation to ${nameOf(preview.refresh?.from)}`);
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
      {preview.method === 'REQUEST' && preview.organizer && preview.me && preview.organizer.address.toLowerCase() !== preview.me.toLowerCase() && (
        <div>
          {proposing ? (
            <ProposeTimeForm messageId={messageId} preview={preview} onDone={() => setProposing(false)} />
          ) : (
            <button type="button" disabled={busy} onClick={() => setProposing(true)}>
              Propose new time
            </button>
          )}
        </div>
      )}
      {preview.method === 'COUNTER' && preview.counter && (
        <div className="counter" data-testid="counter">
          <p>
            <strong>{nameOf(preview.counter.from)}</strong> proposes a new time: {whenOf(preview)}
          </p>
          {preview.counter.currentStartUtc !== null && preview.counter.currentEndUtc !== null && (
            <div className="muted">Now: {whenOf({ allDay: preview.allDay, start: preview.start, startUtc: preview.counter.currentStartUtc, endUtc: preview.counter.currentEndUtc })}</div>
          )}
          {preview.counter.comment && <blockquote>{preview.counter.comment}</blockquote>}
          {preview.counter.state === 'open' && (
            <>
              <div className={conflicts.length ? 'conflicts' : 'muted'}>{conflicts.length ? `The new time conflicts with ${conflicts.length} event${conflicts.length === 1 ? '' : 's'}` : 'No conflicts at the new time'}</div>
              <div className="rsvp" role="group" aria-label="Answer the proposal">
                <button type="button" className="primary" disabled={busy} onClick={() => void decideCounter(true)}>
                  Accept proposal
                </button>
                <button type="button" disabled={busy} onClick={() => void decideCounter(false)}>
                  Decline proposal
                </button>
              </div>
            </>
          )}
          {preview.counter.state === 'accepted' && <div className="muted">Accepted: the event is at this time.</div>}
          {preview.counter.state === 'declined' && <div className="muted">Declined: the event stays at its time.</div>}
          {preview.counter.state === 'unknown' && <div className="muted">This event is not one you organise in this account.</div>}
        </div>
      )}
      {preview.method === 'DECLINECOUNTER' && <div>{nameOf(preview.organizer)} declined your proposed time; the event stays as planned.</div>}
      {preview.method === 'REFRESH' && preview.refresh && (
        <div data-testid="refresh">
          {nameOf(preview.refresh.from)} asked for the current version of this event.{' '}
          {preview.refresh.state === 'sent' && <span className="muted">It was sent to them.</span>}
          {preview.refresh.state === 'open' && (
            <button type="button" disabled={busy} onClick={() => void answerRefresh()}>
              Send the current invitation
            </button>
          )}
          {preview.refresh.state === 'unknown' && <span className="muted">The event is not one you organise, or they are not invited to it.</span>}
        </div>
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
