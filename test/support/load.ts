import { citizenIdentity } from '../../subgraphs/kit/seed-plan';
import { execute } from './mesh';

/** What a load kept up while something else happened: answers, and every failure seen. */
export interface LoadResult {
  readonly answered: number;
  readonly answeredAfter: number;
  readonly failures: readonly string[];
}

/**
 * Keeps `clients` concurrent cross-domain queries (a citizen and the enterprises they represent)
 * going against `graphqlUrl` while `during` runs: starts it once some answers came back, and stops
 * once `after` more were answered after it finished (or 10 s passed). A failure is any answer that
 * is not a 200 with data and no errors.
 */
export async function underLoad(graphqlUrl: string, headers: Record<string, string>, during: () => Promise<void>, clients = 4, after = 5): Promise<LoadResult> {
  let stop = false;
  let answered = 0;
  let done = false;
  let answeredAfter = 0;
  const failures: string[] = [];
  const client = async (c: number) => {
    for (let i = c; !stop; i += clients) {
      const response = await execute<{ citizen: { fullName: string } | null }, never>(
        graphqlUrl,
        `{ citizen(id: "${citizenIdentity(i % 50).id}") { fullName enterprises { name } } }`,
        undefined,
        headers,
      );
      if (response.status === 200 && !response.body.errors && response.body.data?.citizen) {
        answered++;
        if (done) answeredAfter++;
      } else failures.push(JSON.stringify(response.body).slice(0, 300));
    }
  };
  const load = Promise.all(Array.from({ length: clients }, (_, c) => client(c)));
  const sleep = () => new Promise((resolve) => setTimeout(resolve, 50));
  try {
    while (answered < after && failures.length === 0) await sleep();
    await during();
    done = true;
    const deadline = Date.now() + 10_000;
    while (answeredAfter < after && Date.now() < deadline) await sleep();
  } finally {
    stop = true;
    await load;
  }
  return { answered, answeredAfter, failures };
}
