import type { ContactData } from '../pim';
import type { StoredContact } from '../store';

/** The contact columns a parsed vCard fills, the same for a file import and a CardDAV resource. */
export function contactColumns(d: ContactData): Pick<
  StoredContact,
  | 'uid'
  | 'kind'
  | 'displayName'
  | 'givenName'
  | 'surname'
  | 'emails'
  | 'phones'
  | 'addresses'
  | 'company'
  | 'jobTitle'
  | 'birthday'
  | 'notes'
  | 'categories'
  | 'members'
> {
  return {
    uid: d.uid,
    kind: d.kind,
    displayName: d.displayName,
    givenName: d.givenName,
    surname: d.surname,
    emails: d.emails.map(({ type, address }) => ({ type, address })),
    phones: d.phones.map(({ type, number }) => ({ type, number })),
    addresses: d.addresses.map((a) => ({ ...a })),
    company: d.company,
    jobTitle: d.jobTitle,
    birthday: d.birthday,
    notes: d.notes,
    categories: d.categories,
    members: d.members,
  };
}
