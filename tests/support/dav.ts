import type { TestServers, TestUser } from '../servers';

/**
 * A user's resources in one of their Radicale collections, read with plain HTTP requests apart from the
 * app (what another client would see), each with its line folding undone so a property is one line.
 */
export async function davResources(servers: TestServers, user: TestUser, collection: 'calendar' | 'contacts'): Promise<string[]> {
  const auth = `Basic ${Buffer.from(`${user.email}:${user.password}`).toString('base64')}`;
  const url = new URL(`${encodeURIComponent(user.email)}/${collection}/`, servers.dav.url);
  const listing = await fetch(url, { method: 'PROPFIND', headers: { authorization: auth, depth: '1' } });
  const extension = collection === 'calendar' ? 'ics' : 'vcf';
  const hrefs = [...(await listing.text()).matchAll(new RegExp(`<[^>]*href>([^<]+\\.${extension})</`, 'g'))].map((m) => m[1]!);
  const texts = await Promise.all(hrefs.map(async (h) => (await fetch(new URL(h, url), { headers: { authorization: auth } })).text()));
  return texts.map((t) => t.replace(/\r\n[ \t]/g, ''));
}
