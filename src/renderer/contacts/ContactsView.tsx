import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { AddressBook, Contact } from '../../shared/types';
import { call, onEvent } from '../lib/client';
import { useApp } from '../app/store';

export function ContactsView() {
  const [books, setBooks] = useState<AddressBook[]>([]);
  const [contacts, setContacts] = useState<Contact[]>([]);
  const [query, setQuery] = useState('');
  const [selected, setSelected] = useState<Contact | null>(null);
  const [creating, setCreating] = useState(false);
  const reportError = useApp((s) => s.reportError);

  const load = useCallback(async () => {
    try {
      setBooks(await call('addressBooks.list', {}));
      setContacts(await call('contacts.list', { query: query || undefined }));
    } catch (err) {
      reportError(err);
    }
  }, [query, reportError]);

  useEffect(() => {
    void load();
    return onEvent('store.changed', (p) => {
      if (p.entities.includes('contacts')) void load();
    });
  }, [load]);

  return (
    <div className="contacts-view">
      <div className="list-column">
        <div className="list-toolbar">
          <input type="search" placeholder="Search contacts" aria-label="Search contacts" value={query} onChange={(e) => setQuery(e.target.value)} />
          <button type="button" className="primary" onClick={() => setCreating(true)}>
            New contact
          </button>
        </div>
        <ul className="contact-list" role="listbox" aria-label="Contacts">
          {contacts.map((c) => (
            <li key={c.id} role="option" aria-selected={selected?.id === c.id} onClick={() => setSelected(c)} className={selected?.id === c.id ? 'selected' : ''}>
              <span className="name">{c.displayName || '(no name)'}</span>
              <span className="muted">{c.emails[0]?.address ?? ''}</span>
            </li>
          ))}
        </ul>
      </div>
      <section className="detail" aria-label="Contact details">
        {creating && books.length > 0 ? (
          <ContactForm
            books={books.filter((b) => !b.readOnly)}
            onDone={(c) => {
              setCreating(false);
              if (c) setSelected(c);
              void load();
            }}
          />
        ) : selected ? (
          <div className="card">
            <h2>{selected.displayName}</h2>
            {selected.company && <p>{[selected.jobTitle, selected.company].filter(Boolean).join(', ')}</p>}
            {selected.emails.map((e) => (
              <p key={e.address}>
                <a href={`mailto:${e.address}`}>{e.address}</a>
              </p>
            ))}
            {selected.phones.map((p) => (
              <p key={p.number}>
                {p.type}: {p.number}
              </p>
            ))}
            {selected.notes && <p className="notes">{selected.notes}</p>}
          </div>
        ) : (
          <p className="muted">Select a contact</p>
        )}
      </section>
    </div>
  );
}

function ContactForm({ books, onDone }: { books: AddressBook[]; onDone: (c: Contact | null) => void }) {
  const [givenName, setGivenName] = useState('');
  const [surname, setSurname] = useState('');
  const [email, setEmail] = useState('');
  const [phone, setPhone] = useState('');
  const [company, setCompany] = useState('');
  const [bookId, setBookId] = useState(books[0]?.id ?? '');
  const reportError = useApp((s) => s.reportError);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      const contact = await call('contacts.create', {
        addressBookId: bookId,
        contact: {
          givenName,
          surname,
          company,
          emails: email ? [{ type: 'home', address: email }] : [],
          phones: phone ? [{ type: 'mobile', number: phone }] : [],
        },
      });
      onDone(contact);
    } catch (err) {
      reportError(err);
    }
  };

  return (
    <form className="card form" onSubmit={(e) => void submit(e)} aria-label="New contact">
      <label>
        First name
        <input name="givenName" value={givenName} onChange={(e) => setGivenName(e.target.value)} autoFocus />
      </label>
      <label>
        Last name
        <input name="surname" value={surname} onChange={(e) => setSurname(e.target.value)} />
      </label>
      <label>
        Email
        <input name="email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} />
      </label>
      <label>
        Phone
        <input name="phone" value={phone} onChange={(e) => setPhone(e.target.value)} />
      </label>
      <label>
        Company
        <input name="company" value={company} onChange={(e) => setCompany(e.target.value)} />
      </label>
      <label>
        Address book
        <select value={bookId} onChange={(e) => setBookId(e.target.value)}>
          {books.map((b) => (
            <option key={b.id} value={b.id}>
              {b.name}
            </option>
          ))}
        </select>
      </label>
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
