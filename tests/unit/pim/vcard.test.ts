import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { buildVCard, type ContactData, parseVCards } from '../../../src/main/core/pim';
import { fixture, logicalLines } from './helpers';

const crlf = (t: string): string => t.replace(/\r\n|\r|\n/g, '\r\n');

function blank(over: Partial<ContactData> = {}): ContactData {
  return {
    uid: 'urn:uuid:11111111-2222-4333-8444-555555555555',
    kind: 'individual',
    displayName: '',
    givenName: '',
    surname: '',
    middleName: '',
    prefix: '',
    suffix: '',
    nickname: '',
    emails: [],
    phones: [],
    addresses: [],
    company: '',
    department: '',
    jobTitle: '',
    birthday: null,
    notes: '',
    categories: [],
    urls: [],
    photo: null,
    members: [],
    revision: null,
    ...over,
  };
}

describe.each(['apple-icloud-v3.vcf', 'google-contacts-v3.vcf', 'nextcloud-v4.vcf'])(
  'round trip of %s',
  (name) => {
    const text = fixture(`vcf/${name}`);
    const cards = parseVCards(text);

    it('rebuilds every card unchanged, byte for byte', () => {
      expect(cards.length).toBeGreaterThan(1);
      expect(cards.map((c) => buildVCard(c.data, { original: c.original })).join('')).toBe(crlf(text));
    });

    it('keeps every unmodelled line when the name and an email change', () => {
      for (const c of cards) {
        const edited = {
          ...c.data,
          displayName: `${c.data.displayName} (edited)`,
          emails: [...c.data.emails, { type: 'work', address: 'added@example.net', pref: false }],
        };
        const out = buildVCard(edited, { original: c.original });
        const before = logicalLines(c.original).filter((l) => !/^FN[:;]/.test(l));
        const after = logicalLines(out);
        for (const l of before) expect(after).toContain(l);
        expect(parseVCards(out)[0]?.data).toEqual(edited);
      }
    });

    it('survives conversion to the other vCard version with the same data', () => {
      for (const c of cards) {
        const other = c.version === '3.0' ? '4.0' : '3.0';
        const out = buildVCard(c.data, { original: c.original, version: other });
        const back = parseVCards(out)[0]!;
        expect(back.version).toBe(other);
        expect(back.data).toEqual(c.data);
        // An independent parser accepts the output.
        expect(() => ICAL.parse(out)).not.toThrow();
      }
    });
  },
);

describe('parsed vCard contents', () => {
  it('Apple: labels, grouped properties, omitted birth year, photo, group card', () => {
    const [johnny, team] = parseVCards(fixture('vcf/apple-icloud-v3.vcf'));
    expect(johnny?.version).toBe('3.0');
    expect(johnny?.data).toMatchObject({
      uid: '8E2B7D96-1C5A-4F3E-9D0B-7A6C5E4F3D2B',
      kind: 'individual',
      displayName: 'Dr. Johnny Q. Appleseed Jr.',
      givenName: 'Johnny',
      surname: 'Appleseed',
      middleName: 'Q.',
      prefix: 'Dr.',
      suffix: 'Jr.',
      nickname: 'Jay',
      company: 'Apple Inc.',
      department: 'Design',
      jobTitle: 'Lead Designer',
      birthday: '--05-12',
      notes: 'Met at WWDC 2019.\nLikes apples, pears and long walks.',
      categories: ['Friends', 'Work'],
      urls: ['https://johnny.example.com'],
      revision: '2026-03-01T10:20:30Z',
    });
    expect(johnny?.data.emails).toEqual([
      { type: 'home', address: 'johnny@example.com', pref: true },
      { type: 'work', address: 'j.appleseed@apple.example', pref: false },
      { type: 'school', address: 'johnny@school.example', pref: false },
    ]);
    expect(johnny?.data.phones).toEqual([
      { type: 'mobile', number: '+1 (408) 555-0199', pref: true },
      { type: 'home', number: '+1 408 555 0123', pref: false },
      { type: 'other', number: '+1 408 555 0000', pref: false },
    ]);
    expect(johnny?.data.addresses).toEqual([
      {
        type: 'home',
        street: '1 Infinite Loop',
        locality: 'Cupertino',
        region: 'CA',
        postalCode: '95014',
        country: 'United States',
      },
      {
        type: 'work',
        street: '1 Apple Park Way',
        locality: 'Cupertino',
        region: 'CA',
        postalCode: '95014',
        country: 'United States',
      },
    ]);
    const photo = johnny?.data.photo;
    expect(
      photo && 'base64' in photo ? [photo.mediaType, Buffer.from(photo.base64, 'base64')[0]] : null,
    ).toEqual(['image/jpeg', 0xff]);
    expect(team?.data).toMatchObject({
      kind: 'group',
      displayName: 'Design Team',
      members: [
        'urn:uuid:8E2B7D96-1C5A-4F3E-9D0B-7A6C5E4F3D2B',
        'urn:uuid:0B1C2D3E-4F5A-6B7C-8D9E-0F1A2B3C4D5E',
      ],
    });
  });

  it('Google: escaped URL, no-year birthday, photo URI, generated stable uid', () => {
    const [maria, wei] = parseVCards(fixture('vcf/google-contacts-v3.vcf'));
    expect(maria?.data).toMatchObject({
      displayName: 'María José García',
      urls: ['http://majo.example.es'],
      photo: {
        uri: 'https://lh3.googleusercontent.com/contacts/AG6tE8FzQ0n3-kR5Xb7Zc9Yd1We2Vf3Ug4Th5Si6Rj7=s100',
      },
      addresses: [
        {
          type: 'home',
          street: 'Calle Mayor 10, 3º B',
          locality: 'Madrid',
          region: '',
          postalCode: '28013',
          country: 'España',
        },
      ],
    });
    expect(maria?.data.notes).toContain('Su hermana se llama Lucía.');
    expect(wei?.data.birthday).toBe('--11-03');
    expect(wei?.data.uid).toMatch(/^pimlico-[0-9a-f]{32}$/);
    expect(parseVCards(fixture('vcf/google-contacts-v3.vcf'))[1]?.data.uid).toBe(wei?.data.uid);
  });

  it('vCard 4: PREF=1, tel: URIs, data: URI photo, KIND:group and MEMBER', () => {
    const [ada, society] = parseVCards(fixture('vcf/nextcloud-v4.vcf'));
    expect(ada?.version).toBe('4.0');
    expect(ada?.data).toMatchObject({
      uid: 'urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1',
      birthday: '1815-12-10',
      emails: [
        { type: 'work', address: 'ada@analytical.example', pref: true },
        { type: 'home', address: 'ada.home@example.org', pref: false },
      ],
      phones: [{ type: 'mobile', number: '+44-20-7946-0958', pref: true }],
      revision: '2026-03-01T10:10:10Z',
    });
    expect(ada?.data.photo).toMatchObject({ mediaType: 'image/png' });
    expect(society?.data).toMatchObject({
      kind: 'group',
      members: [
        'urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1',
        'urn:uuid:03a0e51f-d1aa-4385-8a53-e29025acd8af',
      ],
    });
  });

  it('vCard 2.1 (Outlook): bare types, QUOTED-PRINTABLE with soft breaks, CHARSET, base64 photo', () => {
    const [john, juergen] = parseVCards(fixture('vcf/outlook-v21.vcf'));
    expect(john?.version).toBe('3.0');
    expect(john?.data).toMatchObject({
      displayName: 'John Smith',
      surname: 'Smith',
      givenName: 'John',
      company: 'Contoso Ltd.',
      department: 'Sales',
      notes: 'Prefers calls before noon.\nAssistant: Käthe Müller',
      emails: [{ type: 'other', address: 'john.smith@contoso.example', pref: true }],
      phones: [
        { type: 'work', number: '(425) 555-0100', pref: false },
        { type: 'mobile', number: '(425) 555-0199', pref: false },
        { type: 'fax', number: '(425) 555-0101', pref: false },
      ],
      addresses: [
        {
          type: 'work',
          street: 'One Microsoft Way',
          locality: 'Redmond',
          region: 'WA',
          postalCode: '98052',
          country: 'United States of America',
        },
      ],
      urls: ['https://www.contoso.example'],
      revision: '2026-01-15T09:30:00Z',
    });
    expect(john?.data.photo).toMatchObject({ mediaType: 'image/jpeg' });
    expect(juergen?.data).toMatchObject({
      displayName: 'Jürgen Müller',
      surname: 'Müller',
      givenName: 'Jürgen',
      birthday: '1978-03-02',
    });
  });

  it('vCard 2.1 is rebuilt as valid 3.0 that keeps the unmodelled properties', () => {
    const [john] = parseVCards(fixture('vcf/outlook-v21.vcf'));
    const out = buildVCard(john!.data, { original: john!.original });
    expect(out).toContain('VERSION:3.0');
    expect(out).not.toMatch(/QUOTED-PRINTABLE|CHARSET|VERSION:2\.1/);
    const lines = logicalLines(out);
    expect(lines).toContain('TEL;TYPE=WORK,VOICE:(425) 555-0100');
    expect(lines).toContain(
      'LABEL;TYPE=WORK,PREF:One Microsoft Way\\nRedmond\\, WA 98052\\nUnited States of America',
    );
    expect(lines).toContain('X-MS-OL-DEFAULT-POSTAL-ADDRESS:2');
    expect(lines.some((l) => /^PHOTO;TYPE=JPEG;ENCODING=b:\/9j\//.test(l))).toBe(true);
    expect(parseVCards(out)[0]?.data).toEqual(john?.data);
    expect(() => ICAL.parse(out)).not.toThrow();
  });
});

describe('buildVCard', () => {
  const full = blank({
    displayName: 'Grace Hopper',
    givenName: 'Grace',
    surname: 'Hopper',
    middleName: 'Brewster Murray',
    prefix: 'Rear Admiral',
    nickname: 'Amazing Grace',
    emails: [
      { type: 'work', address: 'grace@navy.example', pref: true },
      { type: 'other', address: 'g.hopper@example.org', pref: false },
    ],
    phones: [
      { type: 'mobile', number: '+1 202 555 0143', pref: true },
      { type: 'fax', number: '+1 202 555 0199', pref: false },
    ],
    addresses: [
      {
        type: 'work',
        street: '1000 Navy Pentagon',
        locality: 'Washington',
        region: 'DC',
        postalCode: '20350',
        country: 'USA',
      },
    ],
    company: 'US Navy',
    department: 'Naval Data Automation Command',
    jobTitle: 'Director; "Computers"',
    birthday: '1906-12-09',
    notes: 'COBOL, compilers,\nand nanoseconds.',
    categories: ['Pioneers', 'Navy'],
    urls: ['https://example.org/grace'],
    photo: {
      mediaType: 'image/png',
      base64:
        'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
    },
    revision: '2026-03-08T14:00:00Z',
  });

  it.each(['3.0', '4.0'] as const)('writes a complete vCard %s that parses back identically', (version) => {
    const out = buildVCard(full, { version });
    expect(out.startsWith(`BEGIN:VCARD\r\nVERSION:${version}\r\n`)).toBe(true);
    expect(out.split('\r\n').every((l) => Buffer.byteLength(l) <= 75)).toBe(true);
    const back = parseVCards(out)[0]!;
    expect(back.version).toBe(version);
    expect(back.data).toEqual(full);
    expect(() => ICAL.parse(out)).not.toThrow();
  });

  it('writes groups the way each version expects', () => {
    const group = blank({ kind: 'group', displayName: 'Team', members: ['urn:uuid:a', 'urn:uuid:b'] });
    const v3 = buildVCard(group, { version: '3.0' });
    expect(v3).toContain('X-ADDRESSBOOKSERVER-KIND:group');
    expect(v3).toContain('X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:a');
    const v4 = buildVCard(group, { version: '4.0' });
    expect(v4).toContain('KIND:group');
    expect(v4).toContain('MEMBER:urn:uuid:b');
    expect(v4).not.toContain('X-ADDRESSBOOKSERVER');
    expect(parseVCards(v3)[0]?.data).toEqual(group);
    expect(parseVCards(v4)[0]?.data).toEqual(group);
  });

  it('edits Apple labelled entries without losing their group companions', () => {
    const [johnny] = parseVCards(fixture('vcf/apple-icloud-v3.vcf'));
    const data = {
      ...johnny!.data,
      phones: johnny!.data.phones.map((p) =>
        p.number === '+1 408 555 0000' ? { ...p, type: 'work' as const } : p,
      ),
      emails: johnny!.data.emails.filter((e) => e.type !== 'school'),
      addresses: johnny!.data.addresses.map((a) =>
        a.type === 'work' ? { ...a, street: '2 Apple Park Way' } : a,
      ),
    };
    const out = buildVCard(data, { original: johnny!.original });
    const lines = logicalLines(out);
    expect(lines).toContain('item2.X-ABLabel:_$!<Work>!$_');
    expect(lines).not.toContain('item1.X-ABLabel:School');
    expect(lines).toContain(
      'item4.ADR;type=WORK:;Building 4;2 Apple Park Way;Cupertino;CA;95014;United States',
    );
    expect(lines).toContain('item4.X-ABADR:us');
    expect(parseVCards(out)[0]?.data).toEqual(data);
  });

  it('never writes an empty FN when a name is known', () => {
    const out = buildVCard(blank({ givenName: 'Ada', surname: 'Lovelace' }));
    expect(out).toContain('FN:Ada Lovelace');
    expect(out).toContain('N:Lovelace;Ada;;;');
  });

  it('rejects invalid contact data', () => {
    expect(() => buildVCard({ ...full, birthday: 'December 9th' })).toThrow(/birthday/);
    expect(() => buildVCard({ ...full, uid: '' })).toThrow(/uid/);
  });
});
