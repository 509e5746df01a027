import { describe, expect, it } from 'vitest';
import { formatAddressList, parseAddressList, type Address } from '../../../src/main/core/mime';

describe('parseAddressList', () => {
  it('accepts both ; and , as separators and quoted names with commas', () => {
    expect(parseAddressList('A <a@x.com>; b@y.com, "Last, First" <c@z.com>')).toEqual([
      { name: 'A', address: 'a@x.com' },
      { name: '', address: 'b@y.com' },
      { name: 'Last, First', address: 'c@z.com' },
    ]);
  });

  it('keeps an unquoted "Last, First <addr>" together', () => {
    expect(parseAddressList('Doe, Jane <jane@example.com>; bob@example.org')).toEqual([
      { name: 'Doe, Jane', address: 'jane@example.com' },
      { name: '', address: 'bob@example.org' },
    ]);
  });

  it('flattens groups and drops entries without an address', () => {
    expect(parseAddressList('Team: a@x.com, B <b@x.com>;, undisclosed-recipients:;, c@x.com')).toEqual([
      { name: '', address: 'a@x.com' },
      { name: 'B', address: 'b@x.com' },
      { name: '', address: 'c@x.com' },
    ]);
    expect(parseAddressList('')).toEqual([]);
    expect(parseAddressList('just some words')).toEqual([]);
    expect(parseAddressList(' ; , ;')).toEqual([]);
  });

  it('decodes encoded words, strips mailto: and a name equal to the address', () => {
    expect(parseAddressList('=?utf-8?Q?J=C3=BCrgen?= <mailto:j@example.de>, "x@y.com" <x@y.com>')).toEqual([
      { name: 'Jürgen', address: 'j@example.de' },
      { name: '', address: 'x@y.com' },
    ]);
  });
});

describe('formatAddressList', () => {
  it('quotes names that hold list punctuation and uses the chosen separator', () => {
    const list: Address[] = [
      { name: 'Doe, Jane', address: 'jane@example.com' },
      { name: 'Bob', address: 'bob@example.org' },
      { name: '', address: 'carol@example.net' },
      { name: 'Team "A"; Ops', address: 'ops@example.com' },
    ];
    expect(formatAddressList(list)).toBe(
      '"Doe, Jane" <jane@example.com>, Bob <bob@example.org>, carol@example.net, "Team \\"A\\"; Ops" <ops@example.com>',
    );
    expect(formatAddressList(list.slice(1, 3), '; ')).toBe('Bob <bob@example.org>; carol@example.net');
    expect(formatAddressList([])).toBe('');
  });

  it('round-trips through parseAddressList with either separator', () => {
    const list: Address[] = [
      { name: 'Doe, Jane', address: 'jane@example.com' },
      { name: '山田太郎', address: 'taro@example.jp' },
      { name: 'Back\\slash "quoted"', address: 'q@example.com' },
      { name: "O'Brien; Pat", address: 'pat@example.ie' },
      { name: '', address: 'plain@example.org' },
    ];
    expect(parseAddressList(formatAddressList(list))).toEqual(list);
    expect(parseAddressList(formatAddressList(list, '; '))).toEqual(list);
  });
});
