import { useState } from 'react';
import { useApp } from '../app/store';
import { call } from '../lib/client';

/**
 * "Add sender to contacts" for a message, for the mail UI's reading pane: adds the sender to the first
 * writable address book, or says which contact already has the address.
 */
export function AddSenderButton({ messageId }: { messageId: string }) {
  const [busy, setBusy] = useState(false);
  const showToast = useApp((s) => s.showToast);
  const reportError = useApp((s) => s.reportError);
  const add = async () => {
    setBusy(true);
    try {
      const { contact, created } = await call('contacts.addSender', { messageId });
      showToast(
        created
          ? `Added ${contact.displayName || contact.emails[0]?.address || 'the sender'} to contacts`
          : `${contact.displayName || 'The sender'} is already in your contacts`,
      );
    } catch (err) {
      reportError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <button type="button" disabled={busy} onClick={() => void add()}>
      Add sender to contacts
    </button>
  );
}
