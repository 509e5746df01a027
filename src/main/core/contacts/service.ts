import { ContactInput, type TaskInfo } from '../../../shared/types';
import type { Store, StoredContact } from '../store';
import type { TaskQueue } from '../tasks/queue';
import { stripUndefined } from '../calendar/service';
import { notFound, PimlicoError } from '../util/errors';
import { newId } from '../util/ids';

function displayNameOf(c: { displayName: string; givenName: string; surname: string; emails: { address: string }[]; company: string }): string {
  return c.displayName.trim() || [c.givenName, c.surname].filter(Boolean).join(' ').trim() || c.company || c.emails[0]?.address || '';
}

/** Contact operations shared by the UI contract and the REST API. Writes go through the task queue. */
export class ContactsService {
  constructor(
    private readonly store: Store,
    private readonly tasks: TaskQueue,
    private readonly now: () => number,
  ) {}

  addressBooks(accountId?: string) {
    return this.store.pim.addressBooks(accountId).map(({ id, accountId: a, name, readOnly }) => ({ id, accountId: a, name, readOnly }));
  }

  list(q: { addressBookId?: string; query?: string; limit: number }): StoredContact[] {
    return this.store.pim.contacts(q);
  }

  get(id: string): StoredContact {
    const c = this.store.pim.contact(id);
    if (!c) throw notFound('Contact', id);
    return c;
  }

  private writableBook(addressBookId: string) {
    const book = this.store.pim.addressBooks().find((b) => b.id === addressBookId);
    if (!book) throw notFound('Address book', addressBookId);
    if (book.readOnly) throw new PimlicoError('Forbidden', `Address book '${book.name}' is read-only`);
    return book;
  }

  create(addressBookId: string, input: ContactInput): { contact: StoredContact; task: TaskInfo } {
    const book = this.writableBook(addressBookId);
    const data = ContactInput.parse(input);
    const now = this.now();
    const contact: StoredContact = {
      ...data,
      displayName: displayNameOf(data),
      id: newId('con'),
      addressBookId,
      accountId: book.accountId,
      uid: `urn:uuid:${newId('c').slice(2)}`,
      createdAt: now,
      updatedAt: now,
      remoteId: null,
      etag: null,
      vcard: null,
    };
    const task = this.tasks.enqueue(book.accountId, 'pim.putContact', { contact, previous: null });
    return { contact, task };
  }

  update(id: string, patch: Partial<ContactInput>): { contact: StoredContact; task: TaskInfo } {
    const previous = this.get(id);
    this.writableBook(previous.addressBookId);
    const merged = ContactInput.parse({ ...previous, ...stripUndefined(patch) });
    const contact: StoredContact = {
      ...previous,
      ...merged,
      displayName: patch.displayName !== undefined ? displayNameOf(merged) : previous.displayName || displayNameOf(merged),
      updatedAt: Math.max(this.now(), previous.updatedAt + 1),
    };
    const task = this.tasks.enqueue(previous.accountId, 'pim.putContact', { contact, previous });
    return { contact, task };
  }

  delete(id: string): TaskInfo {
    const contact = this.get(id);
    this.writableBook(contact.addressBookId);
    return this.tasks.enqueue(contact.accountId, 'pim.deleteContact', { contact });
  }
}
