import './automation.css';
import { useEffect, useState } from 'react';
import { useApp } from '../app/store';
import { call } from '../lib/client';

/**
 * Real buttons for an options/approval mail received in Pimlico: one per option; choosing one sends
 * the same tokenised reply the mail's mailto: links would. Renders nothing for other mail.
 */
export function OptionButtons({ messageId }: { messageId: string }) {
  const [offered, setOffered] = useState<{ options: string[]; replyTo: string } | null>(null);
  const [sent, setSent] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    setOffered(null);
    setSent(null);
    call('approvals.offered', { messageId })
      .then((o) => live && setOffered(o))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [messageId]);
  if (!offered) return null;
  const choose = async (option: string) => {
    try {
      await call('approvals.respond', { messageId, option });
      setSent(option);
      useApp.getState().showToast(`Answered "${option}" to ${offered.replyTo}`);
    } catch (err) {
      useApp.getState().reportError(err);
    }
  };
  return (
    <div className="option-buttons" role="group" aria-label="Answer options">
      <span className="muted">{sent ? `You answered "${sent}".` : `${offered.replyTo} asks you to choose:`}</span>
      {offered.options.map((o) => (
        <button key={o} type="button" className={sent === o ? 'primary' : undefined} disabled={sent !== null} onClick={() => void choose(o)}>
          {o}
        </button>
      ))}
    </div>
  );
}
