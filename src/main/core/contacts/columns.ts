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

const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * What Pimlico stores of a contact as vCard data, laid over `base` (the card it came from, when
 * there is one): what Pimlico does not model (middle name, photo, URLs, preferences) comes from
 * base. `revisedAt` stamps REV for a write; without it the original's REV stays.
 */
export function contactToData(c: StoredContact, base: ContactData | null = null, revisedAt?: number): ContactData {
  const emailPref = new Map((base?.emails ?? []).map((e) => [e.address.trim().toLowerCase(), e.pref]));
  const phonePref = new Map((base?.phones ?? []).map((p) => [p.number, p.pref]));
  return {
    uid: c.uid,
    kind: c.kind,
    displayName: c.displayName,
    givenName: c.givenName,
    surname: c.surname,
    middleName: base?.middleName ?? '',
    prefix: base?.prefix ?? '',
    suffix: base?.suffix ?? '',
    nickname: base?.nickname ?? '',
    emails: c.emails.map((e) => ({ type: e.type, address: e.address, pref: emailPref.get(e.address.trim().toLowerCase()) ?? false })),
    phones: c.phones.map((p) => ({ type: p.type, number: p.number, pref: phonePref.get(p.number) ?? false })),
    addresses: c.addresses.map((a) => ({ ...a })),
    company: c.company,
    department: base?.department ?? '',
    jobTitle: c.jobTitle,
    birthday: c.birthday,
    notes: c.notes,
    categories: c.categories,
    urls: base?.urls ?? [],
    photo: base?.photo ?? null,
    members: c.members,
    revision: revisedAt !== undefined ? isoSeconds(revisedAt) : (base?.revision ?? null),
  };
}
