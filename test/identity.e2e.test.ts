import { exportSPKI, importJWK, SignJWT, UnsecuredJWT } from 'jose';
import { generateDevKeys, signDevToken, DEV_AUDIENCE, DEV_ISSUER } from '../scripts/dev-keys';
import { citizenIdentity } from '../subgraphs/kit/seed-plan';
import { askedOf, gatewayProofSecret, GATEWAY_PROOF_HEADER, signGatewayProof } from '../subgraphs/kit/identity';
import { bodyOf, execute, official, startTestMesh, type TestMesh } from './support/mesh';

let mesh: TestMesh;
beforeAll(async () => {
  mesh = await startTestMesh();
});
afterAll(() => mesh.stop());

const claims = official('so-y-te');

/** Tokens that must never be trusted, each made the way an attacker would make it. */
async function attacks(): Promise<Array<[string, string]>> {
  const key = mesh.keys.privateJwk;
  const publicJwk = mesh.keys.jwks.keys[0];
  if (!publicJwk) throw new Error('no public key');
  const privateKey = await importJWK(key, 'RS256');
  const sign = (payload: Record<string, unknown>, issuer: string, audience: string, expires: number | string = '1h') =>
    new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: key.kid ?? '' }).setSubject(claims.sub).setIssuer(issuer).setAudience(audience).setExpirationTime(expires).sign(privateKey);
  const body = { kind: claims.kind, agency: 'so-y-te', roles: ['official'] };
  const valid = await signDevToken(mesh.keys, claims);
  const [header, payload, signature] = valid.split('.');
  const tampered = `${header}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()), agency: 'cong-an' })).toString('base64url')}.${signature}`;
  const publicKey = await importJWK(publicJwk, 'RS256');
  if (publicKey instanceof Uint8Array) throw new Error('expected an RSA public key');
  const pem = await exportSPKI(publicKey);
  const stranger = await generateDevKeys();
  return [
    ['alg none', new UnsecuredJWT({ ...body, sub: claims.sub }).setIssuer(DEV_ISSUER).setAudience(DEV_AUDIENCE).setExpirationTime('1h').encode()],
    [
      'HS256 signed with the RSA public key (HS/RS confusion)',
      await new SignJWT({ ...body, sub: claims.sub }).setProtectedHeader({ alg: 'HS256', kid: key.kid ?? '' }).setIssuer(DEV_ISSUER).setAudience(DEV_AUDIENCE).setExpirationTime('1h').sign(new TextEncoder().encode(pem)),
    ],
    ['expired', await sign(body, DEV_ISSUER, DEV_AUDIENCE, Math.floor(Date.now() / 1000) - 60)],
    ['wrong issuer', await sign(body, 'https://evil.example', DEV_AUDIENCE)],
    ['wrong audience', await sign(body, DEV_ISSUER, 'another-system')],
    ['unknown kid (another key)', await signDevToken(stranger, claims)],
    ['tampered payload', tampered],
    // Genuinely signed, but an official id every provider's log would have to carry: refused as claims.
    ['official id with a NUL', await signDevToken(mesh.keys, { ...claims, sub: 'can-bo\u000001' })],
    ['official id of 1,000 characters', await signDevToken(mesh.keys, { ...claims, sub: 'x'.repeat(1000) })],
    ['official id with half a surrogate pair', await signDevToken(mesh.keys, { ...claims, sub: 'can-bo-\ud800' })],
    // Issued a year from now: a clock gone wrong at the identity provider, or a token made to outlive its keys.
    [
      'issued in the future',
      await new SignJWT({ ...body, iat: Math.floor(Date.now() / 1000) + 365 * 86_400 })
        .setProtectedHeader({ alg: 'RS256', kid: key.kid ?? '' })
        .setSubject(claims.sub)
        .setIssuer(DEV_ISSUER)
        .setAudience(DEV_AUDIENCE)
        .setExpirationTime(Math.floor(Date.now() / 1000) + 366 * 86_400)
        .sign(privateKey),
    ],
  ];
}

describe('tokens that must be refused', () => {
  it('are refused with 401 at the gateway and at every subgraph called directly', async () => {
    const outcomes: string[] = [];
    for (const [name, token] of await attacks()) {
      const atGateway = await execute(`${mesh.gatewayUrl}/graphql`, '{ __typename }', undefined, { authorization: `Bearer ${token}` });
      outcomes.push(`gateway ${name}: ${atGateway.status} ${String(atGateway.body.errors?.[0]?.extensions?.['code'])}`);
      for (const [subgraph, running] of mesh.subgraphs) {
        // A genuine gateway proof bound to this token: only the token itself can be at fault.
        const proof = await signGatewayProof(gatewayProofSecret(mesh.keys.gatewaySecret, subgraph), subgraph, 'attack-test', token, bodyOf('{ __typename }'));
        const direct = await execute(`${running.url}/graphql`, '{ __typename }', undefined, { authorization: `Bearer ${token}`, [GATEWAY_PROOF_HEADER]: proof });
        outcomes.push(`${subgraph} ${name}: ${direct.status} ${String(direct.body.errors?.[0]?.extensions?.['code'])}`);
      }
    }
    for (const outcome of outcomes) expect(outcome).toMatch(/: 401 UNAUTHENTICATED$/);
    expect(outcomes.length).toBe(11 * (1 + mesh.subgraphs.size));
  });

  it('accepts the genuine token, as a control', async () => {
    const token = await signDevToken(mesh.keys, claims);
    const response = await execute(`${mesh.gatewayUrl}/graphql`, '{ __typename }', undefined, { authorization: `Bearer ${token}` });
    expect(response.body).toEqual({ data: { __typename: 'Query' } });
  });
});

describe('calls straight to a subgraph', () => {
  const query = '{ _service { sdl } }';
  const entities = 'query { _entities(representations: [{ __typename: "Enterprise", taxCode: "4400000001" }]) { ... on Enterprise { name } } }';

  it('get nothing without the gateway\'s proof, even with a genuine token, on _service and _entities', async () => {
    const token = await signDevToken(mesh.keys, official('so-khcn', 'owner'));
    for (const [subgraph, running] of mesh.subgraphs) {
      for (const operation of [query, entities]) {
        const response = await execute(`${running.url}/graphql`, operation, undefined, { authorization: `Bearer ${token}` });
        expect({ subgraph, status: response.status, body: response.body }).toEqual({
          subgraph,
          status: 401,
          body: { errors: [{ message: expect.any(String), extensions: { code: 'UNAUTHENTICATED', reason: 'not called through the gateway', subgraph } }] },
        });
      }
    }
  });

  it('get nothing with a genuine proof made for another operation: a proof seen on the wire serves no other', async () => {
    const token = await signDevToken(mesh.keys, official('so-xay-dung'));
    const secret = gatewayProofSecret(mesh.keys.gatewaySecret, 'access');
    const access = mesh.subgraphs.get('access');
    if (!access) throw new Error('no access subgraph');
    const read = '{ myRequests(first: 1) { nodes { id } } }';
    const proof = await signGatewayProof(secret, 'access', 'r4', token, bodyOf(read));
    const headers = { authorization: `Bearer ${token}`, [GATEWAY_PROOF_HEADER]: proof };
    // The operation it was made for runs; a mutation, or the same query with one more field, does not.
    expect((await execute(`${access.url}/graphql`, read, undefined, headers)).status).toBe(200);
    const write = 'mutation { markNotificationRead(id: "5eed0000-0000-4000-8000-000000000001") { id } }';
    for (const other of [write, '{ myRequests(first: 100) { nodes { id purpose } } }']) {
      const response = await execute(`${access.url}/graphql`, other, undefined, headers);
      expect({ status: response.status, code: response.body.errors?.[0]?.extensions?.['code'], data: response.body.data }).toEqual({ status: 401, code: 'UNAUTHENTICATED', data: undefined });
    }
    // The same query with other variables is another operation too.
    const paged = 'query($first: Int) { myRequests(first: $first) { nodes { id } } }';
    const pagedProof = await signGatewayProof(secret, 'access', 'r5', token, bodyOf(paged, { first: 1 }));
    const replayed = await execute(`${access.url}/graphql`, paged, { first: 100 }, { authorization: `Bearer ${token}`, [GATEWAY_PROOF_HEADER]: pagedProof });
    expect(replayed.status).toBe(401);
  });

  it('get nothing with a proof sent a second time, or with a purpose other than the one it was made for', async () => {
    const token = await signDevToken(mesh.keys, official('so-y-te'));
    const citizens = mesh.subgraphs.get('citizens');
    if (!citizens) throw new Error('no citizens subgraph');
    const secret = gatewayProofSecret(mesh.keys.gatewaySecret, 'citizens');
    const read = `{ citizen(id: "${citizenIdentity(0).id}") { fullName } }`;
    const purpose = encodeURIComponent('Xác minh hồ sơ');
    const proof = await signGatewayProof(secret, 'citizens', 'r6', token, askedOf(bodyOf(read), purpose));
    const headers = { authorization: `Bearer ${token}`, [GATEWAY_PROOF_HEADER]: proof, 'x-purpose': purpose };
    // Another purpose, which the provider's log would record as stated: refused, the proof still unspent.
    const restated = await execute(`${citizens.url}/graphql`, read, undefined, { ...headers, 'x-purpose': encodeURIComponent('Mục đích khác') });
    expect({ status: restated.status, reason: restated.body.errors?.[0]?.extensions?.['reason'] }).toEqual({ status: 401, reason: 'gateway proof was made for another operation' });
    const first = await execute(`${citizens.url}/graphql`, read, undefined, headers);
    expect({ status: first.status, errors: first.body.errors }).toEqual({ status: 200, errors: undefined });
    const again = await execute(`${citizens.url}/graphql`, read, undefined, headers);
    expect({ status: again.status, reason: again.body.errors?.[0]?.extensions?.['reason'], data: again.body.data }).toEqual({
      status: 401,
      reason: 'gateway proof was already used',
      data: undefined,
    });
  });

  it('get nothing with a forged proof, a proof for another subgraph, or a proof bound to another token', async () => {
    const token = await signDevToken(mesh.keys, official('so-y-te'));
    const other = await signDevToken(mesh.keys, official('cong-an', 'owner'));
    const forgedSecret = gatewayProofSecret('not-the-gateway-secret-not-the-gateway-secret', 'enterprises');
    const enterprises = mesh.subgraphs.get('enterprises');
    if (!enterprises) throw new Error('no enterprises subgraph');
    const proofs: Array<[string, string]> = [
      ['forged secret', await signGatewayProof(forgedSecret, 'enterprises', 'r1', token, bodyOf(entities))],
      ['proof for another subgraph', await signGatewayProof(gatewayProofSecret(mesh.keys.gatewaySecret, 'land'), 'land', 'r2', token, bodyOf(entities))],
      ['proof bound to another token', await signGatewayProof(gatewayProofSecret(mesh.keys.gatewaySecret, 'enterprises'), 'enterprises', 'r3', other, bodyOf(entities))],
    ];
    for (const [name, proof] of proofs) {
      const response = await execute(`${enterprises.url}/graphql`, entities, undefined, { authorization: `Bearer ${token}`, [GATEWAY_PROOF_HEADER]: proof });
      expect({ name, status: response.status, code: response.body.errors?.[0]?.extensions?.['code'], data: response.body.data }).toEqual({
        name,
        status: 401,
        code: 'UNAUTHENTICATED',
        data: undefined,
      });
    }
  });
});
