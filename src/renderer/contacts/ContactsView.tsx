import './contacts.css';
import { useCallback, useEffect, useMemo, useState, type FormEvent } from 'react';
import { MAX_CONTACT_PHOTO_BYTES, type ContactGroup } from '../../shared/contract/pim';
import type { AddressBook, Contact, ContactInput } from '../../shared/types';
import { call, onEvent } from '../lib/client';
import { useApp } from '../app/store';
import { useCompose } from '../compose/store';
import { downloadText, pickTextFile } from '../calendar/files';

type Filter = { kind: 'all' } | { kind: 'book'; id: string } | { kind: 'group'; id: string };

interface DuplicatePrompt {
  text: string;
  addressBookId: string;
  duplicates: { index: number; incomingName: string; existingName: string; reason: string }[];
}

function letterOf(c: Contact): string {
  const first = (c.displayName || c.emails[0]?.address || '#').trim().charAt(0).toLocaleUpperCase();
  return /\p{L}/u.test(first) ? first : '#';
}

export function ContactsView() {
  const [books, setBooks] = useState<AddressBook[]>([]);
  const [groups, setGroups] = useState<ContactGroup[]>([]);
  const [contacts, setContacts] = useState<Contact[]>([]);
  const [query, setQuery] = useState('');
  const [filter, setFilter] = useState<Filter>({ kind: 'all' });
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [editing, setEditing] = useState<Contact | 'new' | null>(null);
  const [dupPrompt, setDupPrompt] = useState<DuplicatePrompt | null>(null);
  const { reportError, showToast } = useApp();

  const load = useCallback(async () => {
    const [b, g, c] = await Promise.all([
      call('addressBooks.list', {}),
      call('contacts.groups', {}),
      call('contacts.list', { query: query.trim() || undefined, addressBookId: filter.kind === 'book' ? filter.id : undefined, limit: 10_000 }),
    ]);
    setBooks(b);
    setGroups(g);
    setContacts(c);
  }, [query, filter]);

  useEffect(() => {
    void load().catch(reportError);
    return onEvent('store.changed', (p) => {
      if (p.entities.includes('contacts')) void load().catch(() => undefined);
    });
  }, [load, reportError]);

  const group = filter.kind === 'group' ? groups.find((g) => g.id === filter.id) : undefined;
  const shown = useMemo(() => {
    if (!group) return contacts;
    const ids = new Set(group.members.map((m) => m.contactId));
    return contacts.filter((c) => ids.has(c.id));
  }, [contacts, group]);
  const byLetter = useMemo(() => {
    const out = new Map<string, Contact[]>();
    for (const c of shown) out.set(letterOf(c), [...(out.get(letterOf(c)) ?? []), c]);
    return [...out];
  }, [shown]);
  const selected = shown.find((c) => c.id === selectedId) ?? contacts.find((c) => c.id === selectedId) ?? null;
  const writableBooks = books.filter((b) => !b.readOnly);

  const remove = async (c: Contact) => {
    try {
      const res = await call('contacts.delete', { id: c.id });
      showToast(`Deleted ${c.displayName || 'contact'}`, res.taskId ? { undoTaskId: res.taskId } : undefined);
      setSelectedId(null);
    } catch (err) {
      reportError(err);
    }
  };

  const composeTo = async (g: ContactGroup) => {
    const to = g.members.filter((m) => m.address).map((m) => ({ name: m.name, address: m.address! }));
    if (!to.length) return showToast(`Nobody in ${g.name} has an email address`);
    await useCompose.getState().start('new');
    useCompose.getState().update({ to });
  };

  const runImport = async (addressBookId: string, text: string, choices?: Record<string, 'merge' | 'skip' | 'keepBoth'>) => {
    const res = await call('contacts.importVcf', { addressBookId, text, onDuplicate: 'ask', ...(choices ? { choices } : {}) });
    if (!choices && res.duplicates.length) {
      setDupPrompt({ text, addressBookId, duplicates: res.duplicates });
      return;
    }
    setDupPrompt(null);
    showToast(`Imported ${res.created} new contact${res.created === 1 ? '' : 's'}${res.merged ? `, merged ${res.merged}` : ''}${res.skipped ? `, skipped ${res.skipped}` : ''}`);
  };

  const importVcf = async () => {
    const book = filter.kind === 'book' ? writableBooks.find((b) => b.id === filter.id) : writableBooks[0];
    if (!book) return reportError(new Error('There is no address book to import into'));
    const text = await pickTextFile('.vcf,text/vcard,text/x-vcard');
    if (!text) return;
    try {
      await runImport(book.id, text);
    } catch (err) {
      reportError(err);
    }
  };

  const exportVcf = async (q: { ids?: string[]; addressBookId?: string }) => {
    try {
      const { filename, text } = await call('contacts.exportVcf', q);
      downloadText(filename, text, 'text/vcard');
    } catch (err) {
      reportError(err);
    }
  };

  return (
    <div className="contacts-view contacts-layout">
      <aside className="contacts-sidebar" aria-label="Address books and groups">
        <ul>
          <li>
            <button type="button" aria-pressed={filter.kind === 'all'} onClick={() => setFilter({ kind: 'all' })}>
              All contacts
            </button>
          </li>
          {books.map((b) => (
            <li key={b.id}>
              <button type="button" aria-pressed={filter.kind === 'book' && filter.id === b.id} onClick={() => setFilter({ kind: 'book', id: b.id })}>
                {b.name}
              </button>
            </li>
          ))}
        </ul>
        <h3>Groups</h3>
        <ul aria-label="Groups">
          {groups.length === 0 && <li className="muted">No groups</li>}
          {groups.map((g) => (
            <li key={g.id} className="group-item">
              <button type="button" aria-pressed={filter.kind === 'group' && filter.id === g.id} onClick={() => setFilter({ kind: 'group', id: g.id })}>
                {g.name} <span className="muted">{g.members.length}</span>
              </button>
              <button type="button" className="icon" title={`Write to ${g.name}`} aria-label={`Write to ${g.name}`} onClick={() => void composeTo(g)}>
                ✉
              </button>
            </li>
          ))}
        </ul>
        <div className="sidebar-actions">
          <button type="button" onClick={() => void importVcf()}>
            Import .vcf
          </button>
          <button type="button" onClick={() => void exportVcf(filter.kind === 'book' ? { addressBookId: filter.id } : group ? { ids: group.members.map((m) => m.contactId) } : {})}>
            Export .vcf
          </button>
        </div>
      </aside>
      <div className="list-column">
        <div className="list-toolbar">
          <input type="search" placeholder="Search contacts" aria-label="Search contacts" value={query} onChange={(e) => setQuery(e.target.value)} />
          <button type="button" className="primary" onClick={() => setEditing('new')} disabled={!writableBooks.length}>
            New contact
          </button>
        </div>
        <div className="contact-list" role="listbox" aria-label="Contacts">
          {byLetter.map(([letter, list]) => (
            <section key={letter} aria-label={letter}>
              <h4 className="letter">{letter}</h4>
              {list.map((c) => (
                <div
                  key={c.id}
                  role="option"
                  tabIndex={0}
                  aria-selected={selected?.id === c.id}
                  className={`contact-row${selected?.id === c.id ? ' selected' : ''}`}
                  onClick={() => {
                    setSelectedId(c.id);
                    setEditing(null);
                  }}
                  onKeyDown={(e) => {
                    if (e.key === 'Enter') setSelectedId(c.id);
                    if (e.key === 'Delete') void remove(c);
                  }}
                >
                  <span className="name">{c.displayName || '(no name)'}</span>
                  <span className="muted">{c.kind === 'group' ? 'group' : (c.emails[0]?.address ?? c.company)}</span>
                </div>
              ))}
            </section>
          ))}
          {shown.length === 0 && <p className="muted empty">{query ? 'No contact matches' : 'No contacts'}</p>}
        </div>
      </div>
      <section className="detail" aria-label="Contact details">
        {editing ? (
          <ContactForm
            key={editing === 'new' ? 'new' : editing.id}
            books={writableBooks}
            contact={editing === 'new' ? null : editing}
            onDone={(c) => {
              setEditing(null);
              if (c) setSelectedId(c.id);
            }}
          />
        ) : selected ? (
          <ContactDetail contact={selected} writable={writableBooks.some((b) => b.id === selected.addressBookId)} onEdit={() => setEditing(selected)} onDelete={() => void remove(selected)} onExport={() => void exportVcf({ ids: [selected.id] })} />
        ) : (
          <p className="muted">Select a contact</p>
        )}
      </section>
      {dupPrompt && <DuplicateDialog prompt={dupPrompt} onCancel={() => setDupPrompt(null)} onChoose={(choices) => void runImport(dupPrompt.addressBookId, dupPrompt.text, choices).catch(reportError)} />}
    </div>
  );
}

const PHOTO_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'];
const PHOTO_MAX_SIDE = 256;

/** The chosen image drawn at most 256×256 (aspect kept) and encoded as JPEG: a few KB in the vCard instead of the camera's megabytes. */
async function downscalePhoto(file: File): Promise<string> {
  const bitmap = await createImageBitmap(file).catch(() => {
    throw new Error(`${file.name} could not be read as an image`);
  });
  const scale = Math.min(1, PHOTO_MAX_SIDE / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(bitmap.width * scale));
  canvas.height = Math.max(1, Math.round(bitmap.height * scale));
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('This window cannot draw images');
  // JPEG has no transparency: transparent parts become white, not black.
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  return canvas.toDataURL('image/jpeg', 0.85);
}

function ContactDetail({ contact: c, writable, onEdit, onDelete, onExport }: { contact: Contact; writable: boolean; onEdit(): void; onDelete(): void; onExport(): void }) {
  const [photo, setPhoto] = useState<string | null>(null);
  const [photoBusy, setPhotoBusy] = useState(false);
  const { reportError, showToast } = useApp();
  useEffect(() => setPhoto(null), [c.id]);
  // Fetched again whenever the contact is reloaded: an undo can bring back an older card with the same updatedAt.
  useEffect(() => {
    let live = true;
    call('contacts.photo', { id: c.id })
      .then((r) => live && setPhoto(r.url))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [c]);
  const writeTo = async (address: string) => {
    await useCompose.getState().start('new');
    useCompose.getState().update({ to: [{ name: c.displayName, address }] });
  };
  const savePhoto = async (image: string | null) => {
    setPhotoBusy(true);
    try {
      const res = await call('contacts.setPhoto', { id: c.id, image });
      if (image) setPhoto(image);
      else setPhoto(null);
      showToast(image ? 'Photo changed' : 'Photo removed', { undoTaskId: res.taskId });
    } catch (err) {
      reportError(err);
    } finally {
      setPhotoBusy(false);
    }
  };
  const choosePhoto = async (file: File | undefined) => {
    if (!file) return;
    // The browser's type is only a first filter (it can be empty); the core checks the bytes.
    if (file.type && !PHOTO_TYPES.includes(file.type)) return reportError(new Error(`${file.name} is not a PNG, JPEG, GIF or WebP image`));
    if (file.size > MAX_CONTACT_PHOTO_BYTES) {
      return reportError(new Error(`${file.name} is ${(file.size / 1024 / 1024).toFixed(1)} MB; choose a photo of at most ${MAX_CONTACT_PHOTO_BYTES / 1024 / 1024} MB`));
    }
    try {
      await savePhoto(await downscalePhoto(file));
    } catch (err) {
      reportError(err);
    }
  };
  const initials = (c.displayName || '?')
    .split(/\s+/)
    .map((w) => w.charAt(0))
    .slice(0, 2)
    .join('')
    .toUpperCase();
  return (
    <div className="card contact-detail">
      <div className="contact-head">
        {photo ? <img className="avatar" src={photo} alt={`Photo of ${c.displayName}`} /> : <div className="avatar initials">{initials}</div>}
        <div>
          <h2>{c.displayName || '(no name)'}</h2>
          {(c.jobTitle || c.company) && <p className="muted">{[c.jobTitle, c.company].filter(Boolean).join(', ')}</p>}
          {writable && (
            <div className="photo-actions">
              <label className="button-like">
                {photo ? 'Change photo' : 'Add photo'}
                <input
                  type="file"
                  className="visually-hidden"
                  aria-label="Choose contact photo"
                  accept={PHOTO_TYPES.join(',')}
                  disabled={photoBusy}
                  onChange={(e) => {
                    const file = e.target.files?.[0];
                    e.target.value = '';
                    void choosePhoto(file);
                  }}
                />
              </label>
              {photo && (
                <button type="button" disabled={photoBusy} onClick={() => void savePhoto(null)}>
                  Remove photo
                </button>
              )}
            </div>
          )}
        </div>
      </div>
      <dl>
        {(c.givenName || c.surname) && (
          <>
            <dt>Name</dt>
            <dd>{[c.givenName, c.surname].filter(Boolean).join(' ')}</dd>
          </>
        )}
        {c.emails.map((e) => (
          <div key={e.address} className="dl-row">
            <dt>{e.type || 'email'}</dt>
            <dd>
              <a
                href={`mailto:${e.address}`}
                onClick={(ev) => {
                  ev.preventDefault();
                  void writeTo(e.address);
                }}
              >
                {e.address}
              </a>
            </dd>
          </div>
        ))}
        {c.phones.map((p, i) => (
          <div key={`${p.number}-${i}`} className="dl-row">
            <dt>{p.type}</dt>
            <dd>
              <a href={`tel:${p.number.replace(/[^\d+]/g, '')}`}>{p.number}</a>
            </dd>
          </div>
        ))}
        {c.addresses.map((a, i) => (
          <div key={i} className="dl-row">
            <dt>{a.type} address</dt>
            <dd className="address">{[a.street, [a.postalCode, a.locality].filter(Boolean).join(' '), a.region, a.country].filter(Boolean).join('\n')}</dd>
          </div>
        ))}
        {c.birthday && (
          <>
            <dt>Birthday</dt>
            <dd>{c.birthday.startsWith('--') ? c.birthday.slice(2) : c.birthday}</dd>
          </>
        )}
        {c.categories.length > 0 && (
          <>
            <dt>Groups</dt>
            <dd>{c.categories.join(', ')}</dd>
          </>
        )}
        {c.kind === 'group' && (
          <>
            <dt>Members</dt>
            <dd>{c.members.length}</dd>
          </>
        )}
      </dl>
      {c.notes && <p className="notes">{c.notes}</p>}
      <div className="actions">
        <button type="button" onClick={onExport}>
          Export .vcf
        </button>
        <button type="button" className="danger" onClick={onDelete}>
          Delete
        </button>
        <button type="button" className="primary" onClick={onEdit}>
          Edit
        </button>
      </div>
    </div>
  );
}

type Row<T> = T & { key: number };
let rowSeq = 0;
const withKeys = <T,>(list: T[]): Row<T>[] => list.map((x) => ({ ...x, key: ++rowSeq }));

function ContactForm({ books, contact, onDone }: { books: AddressBook[]; contact: Contact | null; onDone: (c: Contact | null) => void }) {
  const [displayName, setDisplayName] = useState(contact?.displayName ?? '');
  const [givenName, setGivenName] = useState(contact?.givenName ?? '');
  const [surname, setSurname] = useState(contact?.surname ?? '');
  const [emails, setEmails] = useState(() => withKeys(contact?.emails.length ? contact.emails : [{ type: 'home', address: '' }]));
  const [phones, setPhones] = useState(() => withKeys(contact?.phones ?? []));
  const [addresses, setAddresses] = useState(() => withKeys(contact?.addresses ?? []));
  const [company, setCompany] = useState(contact?.company ?? '');
  const [jobTitle, setJobTitle] = useState(contact?.jobTitle ?? '');
  const [birthday, setBirthday] = useState(contact?.birthday ?? '');
  const [notes, setNotes] = useState(contact?.notes ?? '');
  const [categories, setCategories] = useState((contact?.categories ?? []).join(', '));
  const [bookId, setBookId] = useState(contact?.addressBookId ?? books[0]?.id ?? '');
  const { reportError, showToast } = useApp();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const fields: ContactInput = {
      displayName: displayName.trim() || [givenName, surname].filter(Boolean).join(' '),
      givenName,
      surname,
      emails: emails.filter((x) => x.address.trim()).map(({ type, address }) => ({ type, address: address.trim() })),
      phones: phones.filter((x) => x.number.trim()).map(({ type, number }) => ({ type, number: number.trim() })),
      addresses: addresses.map(({ key: _k, ...a }) => a).filter((a) => Object.values(a).some((v) => v && v !== a.type)),
      company,
      jobTitle,
      birthday: birthday.trim() || null,
      notes,
      categories: categories
        .split(',')
        .map((c) => c.trim())
        .filter(Boolean),
    };
    try {
      const saved = contact ? await call('contacts.update', { id: contact.id, patch: fields }) : await call('contacts.create', { addressBookId: bookId, contact: fields });
      showToast(contact ? 'Contact saved' : 'Contact created');
      onDone(saved);
    } catch (err) {
      reportError(err);
    }
  };

  return (
    <form className="card form contact-form" onSubmit={(e) => void submit(e)} aria-label={contact ? 'Edit contact' : 'New contact'}>
      <div className="row">
        <label>
          First name
          <input name="givenName" value={givenName} onChange={(e) => setGivenName(e.target.value)} autoFocus />
        </label>
        <label>
          Last name
          <input name="surname" value={surname} onChange={(e) => setSurname(e.target.value)} />
        </label>
      </div>
      <label>
        Display name
        <input name="displayName" value={displayName} placeholder={[givenName, surname].filter(Boolean).join(' ')} onChange={(e) => setDisplayName(e.target.value)} />
      </label>
      <fieldset>
        <legend>Email</legend>
        {emails.map((x, i) => (
          <div className="row" key={x.key}>
            <select aria-label="Email type" value={x.type} onChange={(e) => setEmails(emails.map((y) => (y === x ? { ...y, type: e.target.value } : y)))}>
              {['home', 'work', 'other'].map((t) => (
                <option key={t}>{t}</option>
              ))}
            </select>
            <input name={`email-${i}`} type="email" aria-label="Email" value={x.address} onChange={(e) => setEmails(emails.map((y) => (y === x ? { ...y, address: e.target.value } : y)))} />
            <button type="button" aria-label="Remove email" onClick={() => setEmails(emails.filter((y) => y !== x))}>
              ×
            </button>
          </div>
        ))}
        <button type="button" onClick={() => setEmails([...emails, ...withKeys([{ type: 'home', address: '' }])])}>
          Add email
        </button>
      </fieldset>
      <fieldset>
        <legend>Phone</legend>
        {phones.map((x, i) => (
          <div className="row" key={x.key}>
            <select aria-label="Phone type" value={x.type} onChange={(e) => setPhones(phones.map((y) => (y === x ? { ...y, type: e.target.value as typeof x.type } : y)))}>
              {(['mobile', 'home', 'work', 'fax', 'other'] as const).map((t) => (
                <option key={t}>{t}</option>
              ))}
            </select>
            <input name={`phone-${i}`} aria-label="Phone" value={x.number} onChange={(e) => setPhones(phones.map((y) => (y === x ? { ...y, number: e.target.value } : y)))} />
            <button type="button" aria-label="Remove phone" onClick={() => setPhones(phones.filter((y) => y !== x))}>
              ×
            </button>
          </div>
        ))}
        <button type="button" onClick={() => setPhones([...phones, ...withKeys([{ type: 'mobile' as const, number: '' }])])}>
          Add phone
        </button>
      </fieldset>
      <fieldset>
        <legend>Address</legend>
        {addresses.map((x) => {
          const set = (patch: Partial<typeof x>) => setAddresses(addresses.map((y) => (y === x ? { ...y, ...patch } : y)));
          return (
            <div className="address-edit" key={x.key}>
              <select aria-label="Address type" value={x.type} onChange={(e) => set({ type: e.target.value as typeof x.type })}>
                {(['home', 'work', 'other'] as const).map((t) => (
                  <option key={t}>{t}</option>
                ))}
              </select>
              <input aria-label="Street" placeholder="Street" value={x.street} onChange={(e) => set({ street: e.target.value })} />
              <div className="row">
                <input aria-label="Postal code" placeholder="Postal code" value={x.postalCode} onChange={(e) => set({ postalCode: e.target.value })} />
                <input aria-label="City" placeholder="City" value={x.locality} onChange={(e) => set({ locality: e.target.value })} />
              </div>
              <div className="row">
                <input aria-label="Region" placeholder="Region" value={x.region} onChange={(e) => set({ region: e.target.value })} />
                <input aria-label="Country" placeholder="Country" value={x.country} onChange={(e) => set({ country: e.target.value })} />
              </div>
              <button type="button" onClick={() => setAddresses(addresses.filter((y) => y !== x))}>
                Remove address
              </button>
            </div>
          );
        })}
        <button type="button" onClick={() => setAddresses([...addresses, ...withKeys([{ type: 'home' as const, street: '', locality: '', region: '', postalCode: '', country: '' }])])}>
          Add address
        </button>
      </fieldset>
      <div className="row">
        <label>
          Company
          <input name="company" value={company} onChange={(e) => setCompany(e.target.value)} />
        </label>
        <label>
          Title
          <input name="jobTitle" value={jobTitle} onChange={(e) => setJobTitle(e.target.value)} />
        </label>
      </div>
      <div className="row">
        <label>
          Birthday
          <input name="birthday" type="date" value={birthday.startsWith('--') ? '' : birthday} onChange={(e) => setBirthday(e.target.value)} />
        </label>
        <label>
          Groups
          <input name="categories" value={categories} placeholder="Comma separated" onChange={(e) => setCategories(e.target.value)} />
        </label>
      </div>
      <label>
        Notes
        <textarea name="notes" rows={3} value={notes} onChange={(e) => setNotes(e.target.value)} />
      </label>
      {!contact && (
        <label>
          Address book
          <select name="addressBook" value={bookId} onChange={(e) => setBookId(e.target.value)}>
            {books.map((b) => (
              <option key={b.id} value={b.id}>
                {b.name}
              </option>
            ))}
          </select>
        </label>
      )}
      <div className="actions">
        <button type="button" onClick={() => onDone(null)}>
          Cancel
        </button>
        <button type="submit" className="primary">
          Save contact
        </button>
      </div>
    </form>
  );
}

function DuplicateDialog({ prompt, onCancel, onChoose }: { prompt: DuplicatePrompt; onCancel(): void; onChoose(choices: Record<string, 'merge' | 'skip' | 'keepBoth'>): void }) {
  const [choices, setChoices] = useState<Record<string, 'merge' | 'skip' | 'keepBoth'>>(() => Object.fromEntries(prompt.duplicates.map((d) => [String(d.index), 'merge' as const])));
  return (
    <div className="cal-dialog-backdrop" role="presentation">
      <div className="card dup-dialog" role="dialog" aria-modal="true" aria-label="Possible duplicates">
        <h2>Possible duplicates</h2>
        <p className="muted">These contacts look like ones you already have. The others are imported as new.</p>
        <ul>
          {prompt.duplicates.map((d) => (
            <li key={d.index}>
              <span>
                <strong>{d.incomingName || '(no name)'}</strong> matches <strong>{d.existingName || '(no name)'}</strong> <span className="muted">(same {d.reason})</span>
              </span>
              <select aria-label={`What to do with ${d.incomingName}`} value={choices[String(d.index)]} onChange={(e) => setChoices({ ...choices, [String(d.index)]: e.target.value as 'merge' })}>
                <option value="merge">Merge into existing</option>
                <option value="keepBoth">Keep both</option>
                <option value="skip">Skip</option>
              </select>
            </li>
          ))}
        </ul>
        <div className="actions">
          <button type="button" onClick={onCancel}>
            Cancel import
          </button>
          <button type="button" className="primary" onClick={() => onChoose(choices)}>
            Import
          </button>
        </div>
      </div>
    </div>
  );
}
