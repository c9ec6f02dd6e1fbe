// Feedback on open data (Decree 47/2020 Art. 19): anyone sends it through /open/graphql with no
// account; the agency owning the dataset (or the governing department, for a request for new data)
// reads and answers it; the sender's ticket shows the reply and nothing else; anonymous writes are
// limited per address.
import type { RunningGateway } from '../gateway/server';
import { execute, official, startGatewayOver, startTestMesh, type TestMesh } from './support/mesh';

let mesh: TestMesh;
let open: string;
let graphql: string;
const bearer = async (agency: string, role: 'official' | 'owner' | 'governance' = 'official') => ({
  authorization: `Bearer ${await mesh.token(official(agency, role))}`,
});

beforeAll(async () => {
  // This file sends more than an hour's allowance from one address; the allowance has tests of its own below.
  mesh = await startTestMesh({ openWritesPerHour: 1000 });
  open = `${mesh.gateway.url}/open/graphql`;
  graphql = `${mesh.gateway.url}/graphql`;
}, 120_000);
afterAll(async () => {
  await mesh?.stop();
});

interface Ticket {
  id: string;
  dataset: string | null;
  kind: string;
  handledBy: string;
  receivedAt: string;
  reply: string | null;
  answeredAt: string | null;
}

const SEND = `mutation($input: OpenDataFeedbackInput!) {
  sendOpenDataFeedback(input: $input) { id dataset kind handledBy receivedAt reply answeredAt }
}`;
const TICKET = `query($id: ID!) { openDataFeedbackTicket(id: $id) { id dataset kind handledBy receivedAt reply answeredAt } }`;
const LIST = `query($answered: Boolean) { openDataFeedback(answered: $answered, first: 50) {
  nodes { id dataset kind handledBy { code name } message receivedAt reply answeredBy } pageInfo { hasNextPage } } }`;

interface Listed {
  id: string;
  dataset: string | null;
  kind: string;
  handledBy: { code: string; name: string };
  message: string;
  reply: string | null;
  answeredBy: string | null;
}

async function send(input: Record<string, unknown>, url = open) {
  return execute<{ sendOpenDataFeedback: Ticket }, { input: Record<string, unknown> }>(url, SEND, { input });
}

async function listedFor(headers: Record<string, string>, answered?: boolean): Promise<Listed[]> {
  const response = await execute<{ openDataFeedback: { nodes: Listed[] } }, { answered?: boolean }>(graphql, LIST, answered === undefined ? {} : { answered }, headers);
  expect(response.body.errors).toBeUndefined();
  return response.body.data?.openDataFeedback.nodes ?? [];
}

describe('sending feedback with no account', () => {
  it('takes feedback on a dataset, gives a ticket, and delivers it to the agency owning the dataset only', async () => {
    const message = `Thửa đất ${Date.now()} có diện tích sai (a parcel's area is wrong).`;
    const sent = await send({ dataset: 'landParcels', kind: 'DATA_ERROR', message, contact: 'nguoi.gui@example.org' });
    expect(sent.status).toBe(200);
    expect(sent.body.errors).toBeUndefined();
    const ticket = sent.body.data?.sendOpenDataFeedback;
    expect(ticket).toMatchObject({ dataset: 'landParcels', kind: 'DATA_ERROR', reply: null, answeredAt: null });
    expect(ticket?.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(ticket?.handledBy).toMatch(/Nông nghiệp và Môi trường/);
    expect(sent.headers.get('cache-control')).not.toMatch(/public/);

    // The land agency (so-nn-mt) sees the message and the contact, and was notified.
    const land = await bearer('so-nn-mt');
    const withContact = await execute<{ openDataFeedback: { nodes: Array<{ id: string; message: string; contact: string | null }> } }, Record<string, never>>(
      graphql,
      '{ openDataFeedback(first: 50) { nodes { id message contact } } }',
      {},
      land,
    );
    expect(withContact.body.errors).toBeUndefined();
    expect(withContact.body.data?.openDataFeedback.nodes.find((n) => n.id === ticket?.id)).toEqual({ id: ticket?.id, message, contact: 'nguoi.gui@example.org' });
    const notices = await execute<{ notifications: { nodes: Array<{ kind: string; openDataFeedback: { id: string } | null }> } }, Record<string, never>>(
      graphql,
      '{ notifications(first: 50) { nodes { kind openDataFeedback { id } } } }',
      {},
      land,
    );
    expect(notices.body.errors).toBeUndefined();
    expect(notices.body.data?.notifications.nodes).toContainEqual({ kind: 'OPEN_DATA_FEEDBACK', openDataFeedback: { id: ticket?.id } });

    // Another agency neither sees it nor can answer it.
    const health = await bearer('so-y-te');
    expect((await listedFor(health)).map((n) => n.id)).not.toContain(ticket?.id);
    const intruding = await execute(graphql, 'mutation($id: ID!) { answerOpenDataFeedback(id: $id, reply: "Đã sửa.") { id } }', { id: ticket?.id }, health);
    expect(intruding.body.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(intruding.body.errors?.[0]?.message).toMatch(/No such feedback/);

    // Governance sees every agency's feedback, but not the sender's contact, which is for the
    // answering agency only.
    const governance = await bearer('so-khcn', 'governance');
    expect((await listedFor(governance)).map((n) => n.id)).toContain(ticket?.id);
    const contact = await execute<{ openDataFeedback: { nodes: Array<{ id: string; contact: string | null }> } }, Record<string, never>>(
      graphql,
      '{ openDataFeedback(first: 50) { nodes { id contact } } }',
      {},
      governance,
    );
    expect(contact.body.errors).toBeUndefined();
    expect(contact.body.data?.openDataFeedback.nodes.find((n) => n.id === ticket?.id)).toEqual({ id: ticket?.id, contact: null });
  });

  it('sends a request for new data, with no dataset, to the governing department', async () => {
    const sent = await send({ kind: 'NEW_DATA_REQUEST', message: 'Đề nghị công bố danh sách trường học (please publish the list of schools).' });
    expect(sent.body.errors).toBeUndefined();
    const id = sent.body.data?.sendOpenDataFeedback.id;
    expect(sent.body.data?.sendOpenDataFeedback).toMatchObject({ dataset: null, kind: 'NEW_DATA_REQUEST' });
    expect(sent.body.data?.sendOpenDataFeedback.handledBy).toMatch(/Khoa học và Công nghệ/);
    const listed = await listedFor(await bearer('so-khcn'));
    expect(listed.find((n) => n.id === id)).toMatchObject({ handledBy: { code: 'so-khcn' }, dataset: null });
    expect((await listedFor(await bearer('so-nn-mt'))).map((n) => n.id)).not.toContain(id);
  });

  it('shows the agency’s reply on the ticket, to anyone holding its id, and never the message or contact', async () => {
    const sent = await send({ dataset: 'enterprises', kind: 'FORMAT_OR_USABILITY', message: 'Xin thêm cột ngày thành lập (please add the founding date).', contact: '0900000000' });
    const id = sent.body.data?.sendOpenDataFeedback.id ?? '';
    const finance = await bearer('so-tai-chinh');
    expect((await listedFor(finance, false)).map((n) => n.id)).toContain(id);

    const answered = await execute<{ answerOpenDataFeedback: Listed }, { id: string }>(
      graphql,
      'mutation($id: ID!) { answerOpenDataFeedback(id: $id, reply: "  Đã thêm trong bản cập nhật tháng sau.  ") { id reply answeredBy } }',
      { id },
      finance,
    );
    expect(answered.body.errors).toBeUndefined();
    expect(answered.body.data?.answerOpenDataFeedback).toMatchObject({ id, reply: 'Đã thêm trong bản cập nhật tháng sau.', answeredBy: 'test-so-tai-chinh-official' });
    expect((await listedFor(finance, true)).map((n) => n.id)).toContain(id);
    expect((await listedFor(finance, false)).map((n) => n.id)).not.toContain(id);

    const ticket = await execute<{ openDataFeedbackTicket: Ticket | null }, { id: string }>(open, TICKET, { id });
    expect(ticket.body.errors).toBeUndefined();
    expect(ticket.body.data?.openDataFeedbackTicket).toMatchObject({ id, reply: 'Đã thêm trong bản cập nhật tháng sau.' });
    expect(ticket.body.data?.openDataFeedbackTicket?.answeredAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    const prying = await execute(open, 'query($id: ID!) { openDataFeedbackTicket(id: $id) { id message contact } }', { id });
    expect(prying.status).toBe(400);
    expect(prying.body.errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(JSON.stringify(prying.body)).not.toContain('0900000000');
  });

  it('answers null for a ticket nobody was given, and refuses an id that is not one', async () => {
    const unknown = await execute<{ openDataFeedbackTicket: Ticket | null }, { id: string }>(open, TICKET, { id: '00000000-0000-4000-8000-000000000000' });
    expect(unknown.body.errors).toBeUndefined();
    expect(unknown.body.data?.openDataFeedbackTicket).toBeNull();
    const malformed = await execute(open, TICKET, { id: "1' OR '1'='1" });
    expect(malformed.body.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
  });

  it.each([
    ['an unknown dataset', { dataset: 'noSuchDataset', kind: 'DATA_ERROR', message: 'x' }, 'input.dataset'],
    ['a dataset that is not open', { dataset: 'citizens', kind: 'DATA_ERROR', message: 'x' }, 'input.dataset'],
    ['the ledger’s own ticket lookup as a dataset', { dataset: 'openDataFeedbackTicket', kind: 'OTHER', message: 'x' }, 'input.dataset'],
    ['a data error naming no dataset', { kind: 'DATA_ERROR', message: 'Sai.' }, 'input.dataset'],
    ['a blank message', { dataset: 'landParcels', kind: 'OTHER', message: '   ' }, 'input.message'],
    ['a message over 2000 characters', { dataset: 'landParcels', kind: 'OTHER', message: 'a'.repeat(2001) }, 'input.message'],
    ['a contact over 200 characters', { dataset: 'landParcels', kind: 'OTHER', message: 'x', contact: 'c'.repeat(201) }, 'input.contact'],
    ['a message holding a NUL character', { dataset: 'landParcels', kind: 'OTHER', message: 'a\u0000b' }, undefined],
    ['a message holding a bidirectional override', { dataset: 'landParcels', kind: 'OTHER', message: 'Sai \u202etxet' }, 'input.message'],
    ['a lookup of one record as a dataset', { dataset: 'landParcel', kind: 'DATA_ERROR', message: 'x' }, 'input.dataset'],
    ['a message of zero-width spaces alone', { dataset: 'landParcels', kind: 'OTHER', message: '\u200b\u200b\u200b' }, 'input.message'],
  ])('refuses %s with BAD_USER_INPUT and keeps nothing', async (_name, input, argument) => {
    const before = (await listedFor(await bearer('so-khcn', 'governance'))).length;
    const sent = await send(input);
    expect(sent.status).toBeLessThan(500);
    const error = sent.body.errors?.[0];
    expect(error?.extensions?.['code']).toBe('BAD_USER_INPUT');
    if (argument) expect(error?.extensions?.['argument']).toBe(argument);
    expect(JSON.stringify(sent.body)).not.toMatch(/INSERT|open_data_feedback|stack/i);
    expect((await listedFor(await bearer('so-khcn', 'governance'))).length).toBe(before);
  });

  it('counts characters as people do: 2,000 emoji or Vietnamese written with combining marks are within the bound', async () => {
    const emoji = await send({ dataset: 'landParcels', kind: 'OTHER', message: '🙂'.repeat(2000) });
    expect(emoji.body.errors).toBeUndefined();
    const decomposed = 'Thửa đất sai diện tích. '.normalize('NFD').repeat(80);
    expect(decomposed.length).toBeGreaterThan(2000);
    const combining = await send({ dataset: 'landParcels', kind: 'OTHER', message: decomposed });
    expect(combining.body.errors).toBeUndefined();
    const kept = (await listedFor(await bearer('so-nn-mt'))).find((n) => n.id === combining.body.data?.sendOpenDataFeedback?.id);
    expect(kept?.message).toBe(decomposed.normalize('NFC').trim());
  });

  it('answers each send of an operation holding several on its own: a refused one does not lose the others\' tickets', async () => {
    const mixed = await execute<{ a: { id: string } | null; b: { id: string } | null }, Record<string, never>>(
      open,
      `mutation { a: sendOpenDataFeedback(input: { dataset: "landParcels", kind: OTHER, message: "Một (one)." }) { id }
                  b: sendOpenDataFeedback(input: { dataset: "citizens", kind: OTHER, message: "Hai (two)." }) { id } }`,
    );
    expect(mixed.body.data?.a?.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(mixed.body.data?.b).toBeNull();
    expect(mixed.body.errors?.map((e) => [e.path, e.extensions?.['code']])).toEqual([[['b'], 'BAD_USER_INPUT']]);
  });

  it('says what feedback on no dataset is about in the notification: a request for new data, or nothing in particular', async () => {
    await send({ kind: 'OTHER', message: 'Cổng chạy chậm (the portal is slow).' });
    const notices = await execute<{ notifications: { nodes: Array<{ kind: string; message: string }> } }, Record<string, never>>(
      graphql,
      '{ notifications(first: 5) { nodes { kind message } } }',
      {},
      await bearer('so-khcn'),
    );
    expect(notices.body.data?.notifications.nodes[0]?.message).toBe('Góp ý mới về dữ liệu mở, không gắn với bộ dữ liệu nào, loại OTHER. (New open-data feedback, about no dataset: OTHER.)');
  });

  it("shows the contact to the answering agency's officials, but not to its governance role", async () => {
    const sent = await send({ kind: 'NEW_DATA_REQUEST', message: 'Xin dữ liệu chất lượng không khí (air quality, please).', contact: 'khong.khi@example.org' });
    const id = sent.body.data?.sendOpenDataFeedback?.id;
    const contactFor = async (role: 'official' | 'governance') => {
      const answer = await execute<{ openDataFeedback: { nodes: Array<{ id: string; contact: string | null }> } }, Record<string, never>>(
        graphql,
        '{ openDataFeedback(first: 50) { nodes { id contact } } }',
        {},
        await bearer('so-khcn', role),
      );
      return answer.body.data?.openDataFeedback.nodes.find((n) => n.id === id)?.contact;
    };
    expect(await contactFor('official')).toBe('khong.khi@example.org');
    expect(await contactFor('governance')).toBeNull();
  });

  it('refuses an anonymous caller the agencies’ list and the answering, which are not open', async () => {
    const listing = await execute(open, '{ openDataFeedback(first: 5) { nodes { id message } } }');
    expect(listing.status).toBe(400);
    const answering = await execute(open, 'mutation { answerOpenDataFeedback(id: "00000000-0000-4000-8000-000000000000", reply: "x") { id } }');
    expect(answering.status).toBe(400);
  });
});

describe('the form and the ticket page, for people without GraphQL', () => {
  const post = (form: Record<string, string>, base = mesh.gateway.url) =>
    fetch(`${base}/open/feedback`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });

  it('answers a sent form with 303 to the ticket page, which shows the status and never the message or contact', async () => {
    const sent = await post({ dataset: 'enterprises', kind: 'FORMAT_OR_USABILITY', message: 'Thêm cột ngành nghề chính.', contact: 'lien.he@example.org' });
    expect(sent.status).toBe(303);
    const location = sent.headers.get('location') ?? '';
    expect(location).toMatch(/^\/open\/feedback\/[0-9a-f-]{36}$/);
    const ticket = await fetch(`${mesh.gateway.url}${location}`);
    const html = await ticket.text();
    expect({ status: ticket.status, type: ticket.headers.get('content-type'), frame: ticket.headers.get('x-frame-options') }).toEqual({ status: 200, type: 'text/html; charset=utf-8', frame: 'DENY' });
    expect(html).toContain('enterprises');
    expect(html).not.toContain('lien.he@example.org');
    expect(html).not.toContain('Thêm cột ngành nghề chính.');
  });

  it('says why a form is refused, as a page with the status of the refusal, keeping nothing', async () => {
    const blank = await post({ dataset: 'landParcels', kind: 'OTHER', message: '   ' });
    expect(blank.status).toBe(400);
    expect(await blank.text()).toContain('Cần nêu nội dung góp ý. (A message is required.)');
    const escaped = await post({ dataset: '<script>alert(1)</script>', kind: 'OTHER', message: 'x' });
    expect(escaped.status).toBe(400);
    const page = await escaped.text();
    expect(page).not.toContain('<script>alert(1)</script>');
    expect(page).toContain('&lt;script&gt;');
    const noKind = await post({ message: 'x' });
    expect(noKind.status).toBe(400);
    const big = await post({ kind: 'OTHER', message: 'x'.repeat(40_000) });
    expect(big.status).toBe(413);
  });

  it('refuses a body the form does not send with 415, and a form with no kind of feedback, or an unknown one, in plain words', async () => {
    const url = `${mesh.gateway.url}/open/feedback`;
    const multipart = new FormData();
    multipart.set('kind', 'OTHER');
    multipart.set('message', 'abc');
    const refusals = [
      await fetch(url, { method: 'POST', redirect: 'manual', body: multipart }),
      await fetch(url, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'OTHER', message: 'abc' }) }),
      await fetch(url, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'text/plain' }, body: 'kind=OTHER&message=abc' }),
    ];
    for (const refused of refusals) {
      expect(refused.status).toBe(415);
      const html = await refused.text();
      expect(html).toContain('Unsupported form encoding');
      expect(html).not.toMatch(/\$input|OpenDataFeedbackKind/);
    }
    const forms: Array<Record<string, string>> = [{ dataset: 'landParcels', message: 'abc' }, { dataset: 'landParcels', kind: '', message: 'abc' }, { dataset: 'landParcels', kind: 'NOPE', message: 'abc' }];
    for (const form of forms) {
      const refused = await post(form);
      expect(refused.status).toBe(400);
      const html = await refused.text();
      expect(html).toContain('Hãy chọn một loại góp ý trong danh sách. (Choose a kind of feedback from the list.)');
      expect(html).not.toMatch(/\$input|OpenDataFeedbackKind|Variable/);
    }
  });

  it('refuses a form whose text is not UTF-8, raw or percent-encoded, and one declared in another charset, keeping nothing', async () => {
    const marker = `utf8-${Date.now()}`;
    const raw = (body: Buffer, type = 'application/x-www-form-urlencoded') =>
      fetch(`${mesh.gateway.url}/open/feedback`, { method: 'POST', redirect: 'manual', headers: { 'content-type': type }, body: new Uint8Array(body) });
    const before = (await listedFor(await bearer('so-khcn', 'governance'))).length;
    const percent = await raw(Buffer.from(`kind=DATA_ERROR&dataset=landParcels&message=ab%ff%fecd+${marker}`));
    const bytes = await raw(Buffer.concat([Buffer.from('kind=DATA_ERROR&dataset=landParcels&message=ab'), Buffer.from([0xff, 0xfe]), Buffer.from(`cd+${marker}`)]));
    for (const refused of [percent, bytes]) {
      expect(refused.status).toBe(400);
      expect(await refused.text()).toContain('(The field message holds text that is not valid UTF-8; nothing was kept.)');
    }
    const latin1 = await raw(Buffer.from(`kind=DATA_ERROR&dataset=landParcels&message=caf\xe9+${marker}`, 'latin1'), 'application/x-www-form-urlencoded; charset=iso-8859-1');
    expect(latin1.status).toBe(415);
    expect(await latin1.text()).toContain('the form must be sent in UTF-8, not charset=iso-8859-1');
    expect((await listedFor(await bearer('so-khcn', 'governance'))).length).toBe(before);

    // UTF-8 is taken as browsers and curl send it: percent-encoded or raw, with its charset said or not.
    const vietnamese = `Thửa đất sai diện tích + ${marker}`;
    const sent = [
      await raw(Buffer.from(new URLSearchParams({ kind: 'DATA_ERROR', dataset: 'landParcels', message: vietnamese }).toString()), 'Application/X-WWW-Form-Urlencoded; charset="UTF-8"'),
      await raw(Buffer.from(`kind=DATA_ERROR&dataset=landParcels&message=${vietnamese.replace('+', '%2B').replace(/ /g, '+')}`)),
    ];
    expect(sent.map((answer) => answer.status)).toEqual([303, 303]);
    const kept = (await listedFor(await bearer('so-nn-mt'))).filter((n) => n.message.endsWith(marker)).map((n) => n.message);
    expect(kept).toEqual([vietnamese, vietnamese]);
  });

  it('refuses a form giving a field twice, naming it, keeping nothing', async () => {
    const before = (await listedFor(await bearer('so-khcn', 'governance'))).length;
    const form = (body: string) =>
      fetch(`${mesh.gateway.url}/open/feedback`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    const kinds = await form('kind=DATA_ERROR&kind=OTHER&dataset=landParcels&message=Hai+lo%E1%BA%A1i.');
    expect(kinds.status).toBe(400);
    expect(await kinds.text()).toContain('Trường kind được gửi 2 lần; mỗi trường chỉ gửi một lần. (The field kind is given 2 times; give it once.)');
    const messages = await form('kind=OTHER&dataset=landParcels&message=M%E1%BB%99t&message=Hai&message=Ba');
    expect(messages.status).toBe(400);
    expect(await messages.text()).toContain('(The field message is given 3 times; give it once.)');
    expect((await listedFor(await bearer('so-khcn', 'governance'))).length).toBe(before);
  });

  it('answers 404 for a ticket nobody was given, 400 for an id that is not one, and 405 to a GET of the form', async () => {
    expect((await fetch(`${mesh.gateway.url}/open/feedback/00000000-0000-4000-8000-000000000000`)).status).toBe(404);
    expect((await fetch(`${mesh.gateway.url}/open/feedback/not-an-id`)).status).toBe(400);
    expect((await fetch(`${mesh.gateway.url}/open/feedback/%E0%A4%A`)).status).toBe(400);
    expect((await fetch(`${mesh.gateway.url}/open/feedback`)).status).toBe(405);
  });

  it('titles a ticket page whose id is not one as such, not as feedback that was not sent', async () => {
    const malformed = await fetch(`${mesh.gateway.url}/open/feedback/nope`);
    expect(malformed.status).toBe(400);
    const html = await malformed.text();
    expect(html).toContain('<title>Mã phiếu không hợp lệ (invalid ticket id)</title>');
    expect(html).toContain('<h1>Không có phiếu góp ý nào mang mã này (no feedback ticket has this id)</h1>');
    expect(html).toContain('Mã không hợp lệ: cần một UUID. (Invalid id: expected a UUID.)');
    expect(html).not.toMatch(/not sent/);
  });
});

describe('the allowance of anonymous writes', () => {
  let limited: RunningGateway;
  beforeAll(async () => {
    limited = await startGatewayOver(mesh, { openWritesPerHour: 2 });
  });
  afterAll(async () => {
    await limited?.stop();
  });

  it('refuses a sender past its allowance with 429 RATE_LIMITED and Retry-After, keeping nothing, while reads go on', async () => {
    const url = `${limited.url}/open/graphql`;
    const input = { dataset: 'landParcels', kind: 'OTHER', message: `Góp ý ${Date.now()}` };
    // Each write counts, however many one operation holds: three at once are over an allowance of two, and none is kept.
    const sends = (n: number) =>
      `mutation($input: OpenDataFeedbackInput!) { ${Array.from({ length: n }, (_, i) => `s${i}: sendOpenDataFeedback(input: $input) { id }`).join(' ')} }`;
    const three = await execute(url, sends(3), { input });
    expect({ status: three.status, code: three.body.errors?.[0]?.extensions?.['code'] }).toEqual({ status: 429, code: 'RATE_LIMITED' });
    expect((await listedFor(await bearer('so-nn-mt'))).filter((n) => n.message === input.message)).toHaveLength(0);
    const two = await execute(url, sends(2), { input });
    expect(two.body.errors).toBeUndefined();
    const before = (await listedFor(await bearer('so-nn-mt'))).filter((n) => n.message === input.message).length;
    expect(before).toBe(2);
    const third = await send(input, url);
    expect(third.status).toBe(429);
    expect(third.body.errors?.[0]?.extensions?.['code']).toBe('RATE_LIMITED');
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await listedFor(await bearer('so-nn-mt'))).filter((n) => n.message === input.message).length).toBe(before);
    const read = await execute(url, TICKET, { id: '00000000-0000-4000-8000-000000000000' });
    expect(read.status).toBe(200);
    expect(read.body.errors).toBeUndefined();
    // The form counts against the same allowance.
    const form = await fetch(`${limited.url}/open/feedback`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ kind: 'OTHER', message: 'x' }).toString(),
    });
    expect({ status: form.status, retry: Number(form.headers.get('retry-after')) > 0 }).toEqual({ status: 429, retry: true });
    // A page on another site may read when to try again.
    expect(third.headers.get('access-control-expose-headers')).toContain('retry-after');
  });

  it('counts only the writes that went through: mending a refused form spends none of the allowance', async () => {
    const fresh = await startGatewayOver(mesh, { openWritesPerHour: 2 });
    try {
      const url = `${fresh.url}/open/graphql`;
      const message = `Sửa lỗi rồi gửi lại ${Date.now()}`;
      // Refused for what was sent: no such dataset, a message too long, a kind that is not one.
      for (const input of [
        { dataset: 'noSuchDataset', kind: 'OTHER', message },
        { dataset: 'landParcels', kind: 'OTHER', message: 'x'.repeat(5000) },
        { dataset: 'landParcels', kind: 'NOT_A_KIND', message },
      ]) {
        const refused = await execute<{ sendOpenDataFeedback: { id: string } | null }, { input: Record<string, unknown> }>(url, 'mutation($input: OpenDataFeedbackInput!) { sendOpenDataFeedback(input: $input) { id } }', { input });
        expect({ kept: refused.body.data?.sendOpenDataFeedback ?? null, code: refused.body.errors?.[0]?.extensions?.['code'] }).toEqual({ kept: null, code: 'BAD_USER_INPUT' });
      }
      // One operation with a refused write and one that goes through spends one.
      const mixed = await execute(
        url,
        'mutation($bad: OpenDataFeedbackInput!, $good: OpenDataFeedbackInput!) { bad: sendOpenDataFeedback(input: $bad) { id } good: sendOpenDataFeedback(input: $good) { id } }',
        { bad: { dataset: 'noSuchDataset', kind: 'OTHER', message }, good: { dataset: 'landParcels', kind: 'OTHER', message } },
      );
      expect(mixed.body.data).toEqual({ bad: null, good: { id: expect.any(String) } });
      // The allowance of two still holds one more, and then no more.
      expect((await send({ dataset: 'landParcels', kind: 'OTHER', message }, url)).status).toBe(200);
      const over = await send({ dataset: 'landParcels', kind: 'OTHER', message }, url);
      expect({ status: over.status, code: over.body.errors?.[0]?.extensions?.['code'] }).toEqual({ status: 429, code: 'RATE_LIMITED' });
    } finally {
      await fresh.stop();
    }
  });

  it('counts a citizen\'s feedback sent with their token, by their id, and not an official\'s', async () => {
    const url = `${limited.url}/graphql`;
    const one = 'mutation { sendOpenDataFeedback(input: { kind: NEW_DATA_REQUEST, message: "Công dân gửi (from a citizen)." }) { id } }';
    const citizen = { authorization: `Bearer ${await mesh.token({ kind: 'citizen', sub: '054204000000' })}` };
    expect((await execute(url, one, undefined, citizen)).status).toBe(200);
    expect((await execute(url, one, undefined, citizen)).status).toBe(200);
    const third = await execute(url, one, undefined, citizen);
    expect({ status: third.status, code: third.body.errors?.[0]?.extensions?.['code'] }).toEqual({ status: 429, code: 'RATE_LIMITED' });
    // The citizen's other writes are not counted; an official's feedback is not limited.
    const official = await bearer('so-y-te');
    for (let i = 0; i < 3; i++) expect((await execute(url, one, undefined, official)).status).toBe(200);
  });
});
