import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ALICE, BOB, folderId, graphFixture, subjects, type GraphFixture } from './support';

describe('Graph provider: mail', () => {
  let fx: GraphFixture;
  beforeEach(async () => {
    fx = await graphFixture();
  });
  afterEach(async () => {
    await fx.close();
  });

  it('syncs the folder tree and the messages of every folder, then only what changed', async () => {
    const { emu, core, accountId } = fx;
    const projects = emu.addMailFolder(ALICE, 'Projects');
    emu.addMailFolder(ALICE, 'Pimlico', { parent: projects.id });
    for (let i = 0; i < 25; i++) emu.seedMessage(ALICE, 'inbox', { subject: `Inbox ${String(i).padStart(2, '0')}`, from: 'Bob <bob@example.com>', body: `Hello ${i}` });
    emu.seedMessage(ALICE, projects.id, { subject: 'Plan', body: { contentType: 'html', content: '<p>The <b>plan</b></p>' } });

    const first = await core.sync.syncNow(accountId);
    expect(first.messagesAdded).toBe(26);
    const folders = core.store.mail.listFolders(accountId);
    expect(folders.map((f) => f.path)).toEqual(expect.arrayContaining(['Inbox', 'Drafts', 'Sent Items', 'Deleted Items', 'Projects', 'Projects/Pimlico']));
    expect(folders.find((f) => f.path === 'Projects/Pimlico')?.parentId).toBe(folders.find((f) => f.path === 'Projects')?.id);
    expect(folders.find((f) => f.path === 'Deleted Items')?.role).toBe('trash');
    const inbox = folderId(core, accountId, 'inbox');
    expect(subjects(core, inbox)).toHaveLength(25);
    const plan = core.store.mail.list({ folderId: folders.find((f) => f.path === 'Projects')!.id, offset: 0, limit: 10 }).items[0]!;
    const detail = core.mail.get(plan.id);
    expect(detail.bodyHtml).toContain('<b>plan</b>');
    expect(detail.bodyText).toContain('The plan');
    // Every request asked for stable ids.
    expect(emu.requests.filter((r) => r.via === 'http' && !(r.prefer ?? '').includes('IdType="ImmutableId"'))).toEqual([]);

    // Server-side changes: one new, one read elsewhere, one deleted, one moved to Projects.
    const inboxMsgs = emu.getMessages(ALICE, 'inbox');
    emu.seedMessage(ALICE, 'inbox', { subject: 'Brand new' });
    emu.updateMessage(ALICE, inboxMsgs[0]!.id, { isRead: true, flagStatus: 'flagged' });
    emu.deleteMessage(ALICE, inboxMsgs[1]!.id);
    emu.moveMessage(ALICE, inboxMsgs[2]!.id, projects.id);
    emu.clearRequests();
    const second = await core.sync.syncNow(accountId);
    expect(second.messagesAdded).toBeGreaterThanOrEqual(1);
    const inboxNow = core.store.mail.list({ folderId: inbox, offset: 0, limit: 100 }).items;
    expect(inboxNow.map((m) => m.subject)).toContain('Brand new');
    expect(inboxNow.map((m) => m.subject)).not.toContain(inboxMsgs[1]!.subject);
    expect(inboxNow.map((m) => m.subject)).not.toContain(inboxMsgs[2]!.subject);
    const changed = inboxNow.find((m) => m.subject === inboxMsgs[0]!.subject)!;
    expect(changed.isRead).toBe(true);
    expect(changed.isFlagged).toBe(true);
    expect(subjects(core, folders.find((f) => f.path === 'Projects')!.id)).toEqual([inboxMsgs[2]!.subject, 'Plan'].sort());
    // The incremental round went through delta links, not full listings.
    expect(emu.requests.some((r) => r.path.endsWith('/messages/delta') && '$deltatoken' in r.query)).toBe(true);
    // Nothing duplicated: the server and the cache agree message for message.
    expect(core.store.mail.list({ folderId: inbox, offset: 0, limit: 100 }).total).toBe(emu.getMessages(ALICE, 'inbox').length);
  });

  it('applies every mail action on the server: read, flag, move, delete, permanent delete, many read via $batch', async () => {
    const { emu, core, accountId } = fx;
    const archive = emu.getMailFolders(ALICE).find((f) => f.displayName === 'Archive')!;
    for (let i = 0; i < 30; i++) emu.seedMessage(ALICE, 'inbox', { subject: `M${String(i).padStart(2, '0')}` });
    await core.sync.syncNow(accountId);
    const inbox = folderId(core, accountId, 'inbox');
    const list = core.store.mail.list({ folderId: inbox, offset: 0, limit: 100 }).items;
    const bySubject = (s: string) => list.find((m) => m.subject === s)!.id;
    const remote = (s: string) => emu.getMessages(ALICE, 'inbox').find((m) => m.subject === s);

    core.mail.setFlags([bySubject('M00')], { read: true });
    core.mail.setFlags([bySubject('M01')], { flagged: true });
    await core.tasks.run(accountId);
    expect(remote('M00')?.isRead).toBe(true);
    expect(remote('M01')?.flag.flagStatus).toBe('flagged');

    // Mark 25 read at once: batched, never more than 4 at a time against the mailbox.
    emu.clearRequests();
    emu.resetStats();
    const many = list.filter((m) => m.subject >= 'M05').map((m) => m.id);
    core.mail.setFlags(many, { read: true });
    await core.tasks.run(accountId);
    expect(emu.getMessages(ALICE, 'inbox').filter((m) => m.subject >= 'M05').every((m) => m.isRead)).toBe(true);
    expect(emu.requests.filter((r) => r.via === 'batch').length).toBe(25);
    expect(emu.requests.filter((r) => r.via === 'http' && r.path.endsWith('$batch')).length).toBe(2);
    expect(emu.stats.maxConcurrentSeen).toBeLessThanOrEqual(4);

    core.mail.move([bySubject('M02')], folderId(core, accountId, 'archive'));
    await core.tasks.run(accountId);
    expect(emu.getMessages(ALICE, archive.id).map((m) => m.subject)).toEqual(['M02']);

    core.mail.delete([bySubject('M03')]);
    await core.tasks.run(accountId);
    expect(emu.getMessages(ALICE, 'deleteditems').map((m) => m.subject)).toEqual(['M03']);
    // Deleting again from Deleted Items removes it for good.
    core.mail.delete([bySubject('M03')]);
    await core.tasks.run(accountId);
    expect(emu.getMessages(ALICE, 'deleteditems')).toEqual([]);
    expect(core.store.tasks.recent(50).filter((t) => t.status === 'failed')).toEqual([]);

    // A sync afterwards agrees with the server and keeps the moved message where it is.
    await core.sync.syncNow(accountId);
    expect(subjects(core, folderId(core, accountId, 'archive'))).toEqual(['M02']);
    expect(subjects(core, inbox)).toHaveLength(28);
    expect(subjects(core, folderId(core, accountId, 'trash'))).toEqual([]);
  });

  it('downloads attachments on demand', async () => {
    const { emu, core, accountId } = fx;
    emu.seedMessage(ALICE, 'inbox', { subject: 'With file', attachments: [{ name: 'report.txt', content: 'quarterly numbers', contentType: 'text/plain' }] });
    await core.sync.syncNow(accountId);
    const msg = core.store.mail.list({ folderId: folderId(core, accountId, 'inbox'), offset: 0, limit: 10 }).items[0]!;
    expect(msg.hasAttachments).toBe(true);
    const att = core.mail.get(msg.id).attachments[0]!;
    expect(att.filename).toBe('report.txt');
    const provider = fx.provider();
    const got = await core.mail.attachment(msg.id, att.id, () => provider.fetchAttachment!(msg.id, att.id));
    expect(Buffer.from(got.contentBase64, 'base64').toString()).toBe('quarterly numbers');
  });

  it('sends mail with small and large (upload session) attachments, and delivers it', async () => {
    const { emu, core, accountId } = fx;
    await core.sync.syncNow(accountId);
    const big = Buffer.alloc(5 * 1024 * 1024, 7);
    await core.mail.send({
      accountId,
      to: [{ name: 'Bob', address: BOB }],
      subject: 'Files for you',
      bodyText: 'See attached',
      attachments: [
        { filename: 'small.txt', contentType: 'text/plain', contentBase64: Buffer.from('tiny').toString('base64') },
        { filename: 'big.bin', contentType: 'application/octet-stream', contentBase64: big.toString('base64') },
      ],
    });
    await core.outbox.run(accountId);
    expect(core.store.outbox.list()[0]?.status).toBe('sent');
    const atBob = emu.getMessages(BOB, 'inbox');
    expect(atBob.map((m) => m.subject)).toEqual(['Files for you']);
    const atts = atBob[0]!.attachments as unknown as { name: string; contentBytes: string }[];
    expect(atts.map((a) => a.name).sort()).toEqual(['big.bin', 'small.txt']);
    expect(Buffer.from(atts.find((a) => a.name === 'big.bin')!.contentBytes, 'base64').equals(big)).toBe(true);
    expect(emu.requests.some((r) => r.via === 'upload')).toBe(true);
    expect(emu.getMessages(ALICE, 'sentitems').map((m) => m.subject)).toEqual(['Files for you']);
  });

  it('hands send-later mail to Exchange with the deferred-send time, so it goes out without Pimlico', async () => {
    const { emu, core, accountId } = fx;
    await core.sync.syncNow(accountId);
    const at = Date.now() + 3_600_000;
    await core.mail.send({ accountId, to: [{ name: 'Bob', address: BOB }], subject: 'Later', bodyText: 'in an hour', sendAt: at });
    await core.sync.syncNow(accountId);
    expect(core.store.outbox.list()[0]?.status).toBe('sent');
    const waiting = emu.getMessages(ALICE, 'outbox');
    expect(waiting.map((m) => m.subject)).toEqual(['Later']);
    const prop = (waiting[0] as unknown as { singleValueExtendedProperties: { id: string; value: string }[] }).singleValueExtendedProperties.find((p) => /0x3FEF/i.test(p.id));
    expect(Date.parse(prop!.value)).toBe(at);
    expect(emu.getMessages(BOB, 'inbox')).toEqual([]);
    await core.close();
    // Pimlico is closed; Exchange sends it at the time.
    expect(emu.runDeferredSends(new Date(at + 1000))).toBe(1);
    expect(emu.getMessages(BOB, 'inbox').map((m) => m.subject)).toEqual(['Later']);
  });
  it("files drafts in Outlook's Drafts (mail.saveDraft), replacing the previous version in place", async () => {
    const { emu, core, accountId } = fx;
    await core.sync.syncNow(accountId);
    const first = core.mail.saveDraft({ accountId, to: [{ name: 'Bob', address: BOB }], subject: 'Draft v1', bodyText: 'first words' });
    core.tasks.enqueue(accountId, 'mail.saveDraft', { id: first.id, replaces: null });
    await core.tasks.run(accountId);
    const filed = emu.getMessages(ALICE, 'drafts');
    expect(filed.map((m) => m.subject)).toEqual(['Draft v1']);
    const ref = core.store.mail.remoteRef(first.id)!;
    const second = core.mail.saveDraft({ id: first.id, accountId, to: [{ name: 'Bob', address: BOB }], subject: 'Draft v2', bodyText: 'better words' });
    core.tasks.enqueue(accountId, 'mail.saveDraft', { id: second.id, replaces: { remoteFolderId: ref.remoteFolderId, remoteId: ref.remoteId } });
    await core.tasks.run(accountId);
    const now = emu.getMessages(ALICE, 'drafts');
    expect(now.map((m) => [m.subject, m.body.content])).toEqual([['Draft v2', 'better words']]);
    // A sync keeps exactly one local copy of it.
    await core.sync.syncNow(accountId);
    expect(subjects(core, folderId(core, accountId, 'drafts'))).toEqual(['Draft v2']);
    expect(core.store.tasks.recent(10).filter((t) => t.status === 'failed')).toEqual([]);
  });
  it('sends a reply through createReply, so Outlook threads it with the original', async () => {
    const { emu, core, accountId } = fx;
    const original = emu.seedMessage(ALICE, 'inbox', { subject: 'Question', from: `Bob <${BOB}>`, body: 'Can you?', internetMessageId: '<question-1@contoso.test>' });
    await core.sync.syncNow(accountId);
    const local = core.store.mail.list({ folderId: folderId(core, accountId, 'inbox'), offset: 0, limit: 10 }).items[0]!;
    await core.mail.send({ accountId, to: [{ name: 'Bob', address: BOB }], subject: 'Re: Question', bodyText: 'Yes I can.', inReplyToMessageId: local.id });
    await core.outbox.run(accountId);
    expect(core.store.outbox.list()[0]?.status).toBe('sent');
    const atBob = emu.getMessages(BOB, 'inbox');
    expect(atBob.map((m) => m.subject)).toEqual(['Re: Question']);
    expect(atBob[0]!.body.content).toContain('Yes I can.');
    const sent = emu.getMessages(ALICE, 'sentitems')[0]!;
    expect(sent.conversationId).toBe(original.conversationId);
    expect(emu.getMessages(ALICE, 'drafts')).toEqual([]);
  });
  it('follows folders renamed or deleted in Outlook, keeping the messages of a renamed one', async () => {
    const { emu, core, accountId } = fx;
    const projects = emu.addMailFolder(ALICE, 'Projects');
    const old = emu.addMailFolder(ALICE, 'Old stuff');
    emu.seedMessage(ALICE, projects.id, { subject: 'Kept' });
    emu.seedMessage(ALICE, old.id, { subject: 'Gone with the folder' });
    await core.sync.syncNow(accountId);
    const before = core.store.mail.listFolders(accountId).find((f) => f.path === 'Projects')!;
    const headers = { Authorization: 'Bearer token-alice', 'Content-Type': 'application/json' };
    expect((await fetch(`${emu.baseUrl}/me/mailFolders/${projects.id}`, { method: 'PATCH', headers, body: JSON.stringify({ displayName: 'Clients' }) })).status).toBe(200);
    expect((await fetch(`${emu.baseUrl}/me/mailFolders/${old.id}`, { method: 'DELETE', headers })).status).toBe(204);
    await core.sync.syncNow(accountId);
    const after = core.store.mail.listFolders(accountId);
    expect(after.map((f) => f.path)).not.toContain('Old stuff');
    const renamed = after.find((f) => f.path === 'Clients')!;
    expect(renamed.id).toBe(before.id);
    expect(subjects(core, renamed.id)).toEqual(['Kept']);
  });
  it('lists headers first and fetches bodies afterwards, newest first, a bounded number per cycle', async () => {
    const { emu, core, accountId } = fx;
    for (let i = 0; i < 1030; i++) {
      emu.seedMessage(ALICE, 'inbox', { subject: `B${String(i).padStart(4, '0')}`, body: `Message ${i}. ${'Lorem ipsum dolor sit amet. '.repeat(12)}Signed, zebra.`, receivedDateTime: new Date(Date.UTC(2026, 0, 1) + i * 60_000) });
    }
    await core.sync.syncNow(accountId);
    // Delta asked only for the preview.
    const deltas = emu.requests.filter((r) => r.path.endsWith('/messages/delta') && r.query['$select']);
    expect(deltas.length).toBeGreaterThan(0);
    expect(deltas.every((r) => !r.query['$select']!.split(',').includes('body'))).toBe(true);
    const inbox = folderId(core, accountId, 'inbox');
    const states = () => core.store.mail.list({ folderId: inbox, offset: 0, limit: 2000 }).items.map((m) => ({ subject: m.subject, state: core.mail.get(m.id).bodyState }));
    const first = states();
    expect(first.filter((m) => m.state === 'complete')).toHaveLength(1000);
    // The newest got their bodies first.
    expect(first.filter((m) => m.state === 'headers-only').map((m) => m.subject).sort()).toEqual(Array.from({ length: 30 }, (_, i) => `B${String(i).padStart(4, '0')}`));
    const newest = core.store.mail.list({ folderId: inbox, offset: 0, limit: 1 }).items[0]!;
    expect(core.mail.get(newest.id).bodyText).toMatch(/^Message 1029\..*Signed, zebra\.$/s);
    // Search finds words past the preview in the fetched bodies, and only there.
    expect(core.mail.search('zebra', 2000).total).toBe(1000);
    await core.sync.syncNow(accountId);
    expect(states().every((m) => m.state === 'complete')).toBe(true);
  });
});
