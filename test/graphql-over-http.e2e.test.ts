/**
 * GraphQL over HTTP conformance (DESIGN.md §10.2): graphql-http's own audit, run against the
 * gateway's two endpoints as their callers reach them: /open/graphql with no account, /graphql with
 * an official's token. Every MUST of the spec passes; the SHOULDs and MAYs that do not are listed in
 * the test's output, as the audit words them.
 */
import { auditServer, type AuditResult } from 'graphql-http';
import { official, startTestMesh, type TestMesh } from './support/mesh';

let mesh: TestMesh;
beforeAll(async () => {
  mesh = await startTestMesh();
});
afterAll(() => mesh.stop());

/** `fetch`, with the caller's token on every request the audit sends. */
function fetchWith(authorization: string | null): typeof fetch {
  return (input, init) => {
    const headers = new Headers(init?.headers);
    if (authorization) headers.set('authorization', authorization);
    return fetch(input, { ...init, headers });
  };
}

describe("graphql-http's audit of the gateway", () => {
  it.each([
    ['/open/graphql', 'anyone, with no account', null],
    ['/graphql', "an official, with a token", 'official'],
  ] as const)('passes every MUST on %s (%s)', async (path, _who, caller) => {
    const authorization = caller ? `Bearer ${await mesh.token(official('so-y-te'))}` : null;
    const results: AuditResult[] = await auditServer({ url: `${mesh.gatewayUrl}${path}`, fetchFn: fetchWith(authorization) });
    const failed = results.filter((result) => result.status === 'error').map((result) => `${result.name}: ${'reason' in result ? result.reason : ''}`);
    const advised = results.filter((result) => result.status === 'warn' || result.status === 'notice').map((result) => result.name);
    process.stdout.write(`${path}: ${results.length} audits, ${failed.length} MUST failed, ${advised.length} SHOULD or MAY not followed${advised.length > 0 ? `:\n  ${advised.join('\n  ')}` : ''}\n`);
    expect(results.filter((result) => result.name.startsWith('MUST')).length).toBeGreaterThan(5);
    expect(failed).toEqual([]);
  });
});
