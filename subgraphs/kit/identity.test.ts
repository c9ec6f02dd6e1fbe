import { createLocalJWKSet, type JWTVerifyGetKey } from 'jose';
import { generateDevKeys, signDevToken, DEV_AUDIENCE, DEV_ISSUER, type DevKeys } from '../../scripts/dev-keys';
import { AuthenticationError, createTokenVerifier, SpentProofs, unauthenticatedMessage, type VerifiedTokenMemory } from './identity';

const official = { kind: 'official' as const, sub: 'can-bo-1', agency: 'so-y-te', roles: ['official' as const] };

let keys: DevKeys;
beforeAll(async () => {
  keys = await generateDevKeys();
});

/** A verifier whose key lookups are counted (one per full verification) and whose clock the test moves. */
function countingVerifier(memory: VerifiedTokenMemory = {}) {
  const local = createLocalJWKSet(keys.jwks);
  const counted = { lookups: 0, now: Date.now() };
  const jwks: JWTVerifyGetKey = (header, token) => {
    counted.lookups++;
    return local(header, token);
  };
  const verify = createTokenVerifier({ issuer: DEV_ISSUER, audience: DEV_AUDIENCE, jwks }, { now: () => counted.now, ...memory });
  return { verify, counted };
}

const refusal = (promise: Promise<unknown>) => promise.then(() => 'accepted', (error: unknown) => (error instanceof AuthenticationError ? error.reason : 'other error'));

describe('a verifier remembers the tokens it verified', () => {
  it('verifies a token once and reuses the result for 30 s, then verifies it again', async () => {
    const { verify, counted } = countingVerifier();
    const token = await signDevToken(keys, official);
    const callers = [await verify(token), await verify(token), await verify(token)];
    expect(callers.map((caller) => caller.kind === 'official' && caller.agency)).toEqual(['so-y-te', 'so-y-te', 'so-y-te']);
    expect(counted.lookups).toBe(1);
    counted.now += 29_000;
    await verify(token);
    expect(counted.lookups).toBe(1);
    counted.now += 2_000;
    await verify(token);
    expect(counted.lookups).toBe(2);
  });

  it('refuses a remembered token once it has expired', async () => {
    const { verify, counted } = countingVerifier();
    const token = await signDevToken(keys, official, 10);
    await verify(token);
    counted.now += 11_000;
    expect(await refusal(verify(token))).toBe('token expired');
    expect(counted.lookups).toBe(1);
  });

  it('treats one changed byte as another token and verifies it in full', async () => {
    const { verify, counted } = countingVerifier();
    const token = await signDevToken(keys, official);
    await verify(token);
    const last = token.at(-2) === 'A' ? 'B' : 'A';
    const tampered = `${token.slice(0, -2)}${last}${token.slice(-1)}`;
    expect(await refusal(verify(tampered))).toBe('signature invalid');
    expect(counted.lookups).toBe(2);
  });

  it('does not remember a refused token', async () => {
    const { verify, counted } = countingVerifier();
    const stranger = await signDevToken(await generateDevKeys(), official);
    expect(await refusal(verify(stranger))).toBe('unknown signing key');
    expect(await refusal(verify(stranger))).toBe('unknown signing key');
    expect(counted.lookups).toBe(2);
  });

  it('holds at most `size` tokens, forgetting the oldest first', async () => {
    const { verify, counted } = countingVerifier({ size: 2 });
    const [a, b, c] = await Promise.all([1, 2, 3].map((n) => signDevToken(keys, { ...official, sub: `can-bo-${n}` })));
    for (const token of [a, b, c, c, b]) await verify(token ?? '');
    expect(counted.lookups).toBe(3);
    await verify(a ?? '');
    expect(counted.lookups).toBe(4);
  });

  it('verifies every time when told to remember for 0 s', async () => {
    const { verify, counted } = countingVerifier({ seconds: 0 });
    const token = await signDevToken(keys, official);
    await verify(token);
    await verify(token);
    expect(counted.lookups).toBe(2);
  });

  it('hands out a caller that cannot be changed', async () => {
    const { verify } = countingVerifier();
    const caller = await verify(await signDevToken(keys, official));
    expect(Object.isFrozen(caller)).toBe(true);
    expect(caller.kind === 'official' && Object.isFrozen(caller.roles)).toBe(true);
  });
});

describe('an official\'s agency and roles are those of the directory', () => {
  it('refuses an agency the directory does not know, and the governance role of an agency that does not govern', async () => {
    const { verify } = countingVerifier();
    const as = async (claims: Record<string, unknown>) => refusal(verify(await signDevToken(keys, { ...official, ...claims } as typeof official)));
    expect({
      unknownAgency: await as({ agency: 'khong-ton-tai' }),
      governanceOfAConsumer: await as({ roles: ['official', 'governance'] }),
      governanceOfTheGoverningDepartment: await as({ agency: 'so-khcn', roles: ['governance'] }),
      anOwner: await as({ agency: 'cong-an', roles: ['owner'] }),
    }).toEqual({
      unknownAgency: 'agency is not a state agency of the directory',
      governanceOfAConsumer: 'role "governance" is held only by the governing department',
      governanceOfTheGoverningDepartment: 'accepted',
      anOwner: 'accepted',
    });
  });
});

describe('the message of a 401', () => {
  it.each([
    'token expired',
    'claim "iss" rejected',
    'algorithm not allowed',
    'unknown signing key',
    'signature invalid',
    'malformed token',
    'token rejected',
    'claims do not describe an official or a citizen',
    'agency is not a state agency of the directory',
    'role "governance" is held only by the governing department',
    'Authorization header is not "Bearer <token>"',
    'a bearer token is required on /graphql; anonymous callers use /open/graphql',
    'not called through the gateway',
    'gateway proof: token expired',
    'gateway proof does not match the token',
    'gateway proof was made for another operation',
    'service token expired',
  ])('says "%s" in Vietnamese first, then in English', (reason) => {
    const message = unauthenticatedMessage(reason);
    expect(message.endsWith(` (unauthenticated: ${reason})`)).toBe(true);
    const vietnamese = message.slice('Chưa xác thực: '.length, message.length - ` (unauthenticated: ${reason})`.length);
    expect(message.startsWith('Chưa xác thực: ')).toBe(true);
    expect(vietnamese).not.toBe(reason);
    expect(vietnamese).not.toContain(reason.replace(/^gateway proof: /, ''));
  });
});

describe('the proofs a subgraph has taken', () => {
  it('takes each once, and forgets it once it has expired (a proof that old is refused as expired anyway)', () => {
    let now = 1_000_000;
    const spent = new SpentProofs(() => now);
    const proof = { requestId: 'r', binding: 'b', id: 'p1', expiresAt: now + 60_000 };
    expect(spent.take(proof)).toBe(true);
    expect(spent.take(proof)).toBe(false);
    expect(spent.take({ ...proof, id: 'p2' })).toBe(true);
    now += 60_001;
    expect(spent.take({ ...proof, id: 'p3', expiresAt: now + 60_000 })).toBe(true);
    expect(spent.take(proof)).toBe(true);
  });
});
