import { useEffect, useMemo, useState } from 'react';
import { useApp } from '../app/store';
import { useCompose } from '../compose/store';
import { call } from '../lib/client';
import { usePrefs } from '../mail/prefs';
import { useMail } from '../mail/store';
import { mailActions } from './actions';
import { Chooser } from './Chooser';
import { chordOf, displayBinding } from './keys';
import { usePicker, type PickerItem } from './picker';
import { type Action, resolveSequence, useShortcuts } from './registry';

const SEQUENCE_TIMEOUT_MS = 1500;
const ROLE_LABEL: Record<string, string> = { inbox: 'Inbox', drafts: 'Drafts', sent: 'Sent', archive: 'Archive', trash: 'Trash', junk: 'Junk', outbox: 'Outbox' };

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || !el.tagName) return false;
  return el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable;
}

/**
 * Owns the keyboard: one listener turns key presses (and two-key sequences like "g i") into actions
 * from the registry, honouring the user's rebinding; also mounts the `?` overlay, the Ctrl/Cmd+K
 * palette and the folder picker.
 */
export function KeyboardLayer() {
  const { overlayOpen, paletteOpen, setPalette, setOverlay } = useShortcuts();
  const picker = usePicker();

  useEffect(() => useShortcuts.getState().register(mailActions()), []);

  useEffect(() => {
    void call('settings.get', {})
      .then((s) => {
        useShortcuts.getState().loadOverrides(s);
        const threadsBefore = usePrefs.getState().threads;
        usePrefs.getState().load(s);
        if (usePrefs.getState().threads !== threadsBefore) void useMail.getState().refresh();
      })
      .catch(() => undefined);
  }, []);

  useEffect(() => {
    let sequence: string[] = [];
    let timer: ReturnType<typeof setTimeout> | null = null;
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.isComposing) return;
      const chord = chordOf(e);
      if (!chord) return;
      const typing = isTyping(e.target);
      const shortcuts = useShortcuts.getState();
      const modalOpen = shortcuts.paletteOpen || shortcuts.overlayOpen || usePicker.getState().open;
      const composeOpen = useCompose.getState().open;
      const view = useApp.getState().view;
      const inScope = (a: Action) => {
        if (typing && !a.inInputs) return false;
        if (modalOpen && a.id !== 'app.escape' && a.id !== 'app.palette' && a.id !== 'app.help') return false;
        if (a.scope === 'compose') return composeOpen;
        if (composeOpen && a.id !== 'app.escape' && a.id !== 'app.palette') return false;
        if (a.scope === 'mail') return view === 'mail';
        return true;
      };
      sequence = [...sequence, chord];
      let { action, partial } = resolveSequence(shortcuts.actions, shortcuts.bindingsOf, sequence, inScope);
      if (!action && !partial && sequence.length > 1) {
        // A broken sequence: start over from this key alone.
        sequence = [chord];
        ({ action, partial } = resolveSequence(shortcuts.actions, shortcuts.bindingsOf, sequence, inScope));
      }
      if (timer) clearTimeout(timer);
      if (action) {
        sequence = [];
        e.preventDefault();
        action.run();
      } else if (partial) {
        e.preventDefault();
        timer = setTimeout(() => (sequence = []), SEQUENCE_TIMEOUT_MS);
      } else sequence = [];
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  return (
    <>
      {overlayOpen && <ShortcutOverlay onClose={() => setOverlay(false)} />}
      {paletteOpen && <CommandPalette onClose={() => setPalette(false)} />}
      {picker.open && <Chooser title={picker.title} placeholder={picker.placeholder} items={picker.items} onPick={picker.onPick} onClose={picker.hide} />}
    </>
  );
}

function CommandPalette({ onClose }: { onClose: () => void }) {
  const { actions, bindingsOf } = useShortcuts();
  const { folders, accounts } = useApp();
  const items = useMemo<PickerItem[]>(() => {
    const acts = actions
      .filter((a) => a.id !== 'app.palette' && a.id !== 'app.escape')
      .map((a) => ({ id: `action:${a.id}`, label: a.label, hint: bindingsOf(a.id).map((b) => displayBinding(b)).join(', ') || a.group }));
    const multi = accounts.length > 1;
    const fold = folders.map((f) => {
      const account = accounts.find((a) => a.id === f.accountId);
      return { id: `folder:${f.id}`, label: `Go to ${ROLE_LABEL[f.role] ?? f.name}`, hint: multi ? `${account?.displayName ?? ''} · ${f.path}` : f.path };
    });
    return [...acts, ...fold];
  }, [actions, bindingsOf, folders, accounts]);
  return (
    <Chooser
      title="Command palette"
      placeholder="Type an action or a folder"
      items={items}
      onClose={onClose}
      onPick={(id) => {
        if (id.startsWith('action:')) {
          const action = useShortcuts.getState().actions.find((a) => a.id === id.slice(7));
          // Let the palette close (and give focus back) before the action moves focus itself.
          if (action) requestAnimationFrame(() => action.run());
        } else if (id.startsWith('folder:')) {
          useApp.getState().setView('mail');
          void useMail.getState().selectSource({ folderId: id.slice(7) });
        }
      }}
    />
  );
}

function ShortcutOverlay({ onClose }: { onClose: () => void }) {
  const { actions, bindingsOf, rebind, resetBindings } = useShortcuts();
  const [editing, setEditing] = useState<string | null>(null);
  const [text, setText] = useState('');
  const groups = useMemo(() => {
    const out = new Map<string, Action[]>();
    for (const a of actions) out.set(a.group, [...(out.get(a.group) ?? []), a]);
    return [...out.entries()];
  }, [actions]);
  return (
    <div className="modal-backdrop" onMouseDown={onClose}>
      <div className="shortcut-overlay" role="dialog" aria-modal="true" aria-label="Keyboard shortcuts" onMouseDown={(e) => e.stopPropagation()}>
        <header className="overlay-head">
          <h2>Keyboard shortcuts</h2>
          <button type="button" onClick={() => void resetBindings()}>
            Reset all
          </button>
          <button type="button" aria-label="Close" onClick={onClose}>
            ×
          </button>
        </header>
        <div className="shortcut-groups">
          {groups.map(([group, list]) => (
            <section key={group} aria-label={group}>
              <h3>{group}</h3>
              <table>
                <tbody>
                  {list.map((a) => (
                    <tr key={a.id} data-action={a.id}>
                      <td>{a.label}</td>
                      <td>
                        {editing === a.id ? (
                          <form
                            onSubmit={(e) => {
                              e.preventDefault();
                              void rebind(
                                a.id,
                                text.split(',').map((s) => s.trim()),
                              );
                              setEditing(null);
                            }}
                          >
                            <input
                              autoFocus
                              aria-label={`Keys for ${a.label}`}
                              value={text}
                              placeholder="e.g. shift+a, g x"
                              onChange={(e) => setText(e.target.value)}
                              onKeyDown={(e) => {
                                if (e.key === 'Escape') {
                                  e.stopPropagation();
                                  e.preventDefault();
                                  setEditing(null);
                                }
                              }}
                            />
                          </form>
                        ) : (
                          bindingsOf(a.id).map((b) => (
                            <kbd key={b}>{displayBinding(b)}</kbd>
                          ))
                        )}
                      </td>
                      <td>
                        {editing !== a.id && (
                          <button
                            type="button"
                            aria-label={`Change keys for ${a.label}`}
                            onClick={() => {
                              setEditing(a.id);
                              setText(bindingsOf(a.id).join(', '));
                            }}
                          >
                            Change
                          </button>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          ))}
        </div>
      </div>
    </div>
  );
}
