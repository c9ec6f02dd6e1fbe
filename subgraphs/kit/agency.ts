import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/** Where the agency subgraph folders live. */
export const SUBGRAPHS_DIR = join(__dirname, '..');

/** What a subgraph, and its folder, may be called (agency.json's `subgraph`). */
const SUBGRAPH_NAME = /^[a-z][a-z0-9-]{0,63}$/;

/**
 * How often a dataset changes, as the EU frequency vocabulary (used by DCAT-AP) names it: CONT for
 * data read live from the agency's own system, which changes as the system does; IRREG for a table
 * changed when a decision changes it (a reorganisation of communes, a new edition of a code list).
 */
export const UPDATE_FREQUENCIES = ['CONT', 'DAILY', 'WEEKLY', 'MONTHLY', 'QUARTERLY', 'ANNUAL', 'IRREG'] as const;
export type UpdateFrequency = (typeof UPDATE_FREQUENCIES)[number];

const agencySchema = z.object({
  subgraph: z.string().regex(SUBGRAPH_NAME),
  /** The owning agency's code in schema/agencies.json: its officials see all of this subgraph's fields. */
  agencyCode: z.string().regex(/^[a-z][a-z0-9-]*$/),
  name: z.string().min(1),
  englishName: z.string().min(1),
  formerNames: z.array(z.string()).default([]),
  defaultPort: z.number().int().positive(),
  contact: z.object({ name: z.string(), title: z.string(), email: z.string(), phone: z.string() }),
  /**
   * False for an agency that joins by publishing to the schema registry: its subgraph is left out of
   * the committed supergraph and of what `npm start` runs and seeds, and it is added while the mesh
   * runs (README, "Adding your agency's subgraph: a walk").
   */
  defaultComposition: z.boolean().default(true),
  /**
   * How long a gateway may keep this agency's answers that hold only OPEN fields, in seconds
   * (`Cache-Control: public, max-age=N`); 0, the default, lets no answer be kept. For reference data
   * that changes seldom, such as the shared code tables.
   */
  openDataMaxAgeSeconds: z.number().int().min(0).max(86_400).default(0),
  /**
   * What the agency says of each of its open datasets (an open list of the contract, by root field,
   * e.g. `landParcels`) for the open-data catalogue (gateway/dcat.ts): its title in Vietnamese and in
   * English, and how often its data changes. A dataset not named here is still offered, titled by its
   * field and with no frequency stated.
   */
  openData: z
    .record(
      z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/),
      z.object({
        title: z.string().min(1),
        englishTitle: z.string().min(1),
        updateFrequency: z.enum(UPDATE_FREQUENCIES),
        keywords: z.array(z.string().min(1)).default([]),
      }),
    )
    .default({}),
});

/** An agency that owns data and runs a subgraph: metadata kept as data in `subgraphs/<name>/agency.json`. */
export type Agency = z.infer<typeof agencySchema>;

/** The folders under subgraphs/ that hold an agency.json, by name; a folder no subgraph may be named is not one. */
function agencyFolders(): string[] {
  return readdirSync(SUBGRAPHS_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && SUBGRAPH_NAME.test(entry.name) && existsSync(join(SUBGRAPHS_DIR, entry.name, 'agency.json')))
    .map((entry) => entry.name)
    .sort();
}

/** Reads one agency's metadata. */
export function readAgency(subgraph: string): Agency {
  const file = join(SUBGRAPHS_DIR, subgraph, 'agency.json');
  if (!SUBGRAPH_NAME.test(subgraph) || !existsSync(file)) {
    throw new Error(`no agency subgraph "${subgraph}": subgraphs/<name>/agency.json is missing (known: ${agencyFolders().join(', ')})`);
  }
  const raw: unknown = JSON.parse(readFileSync(file, 'utf8'));
  const agency = agencySchema.parse(raw);
  if (agency.subgraph !== subgraph) throw new Error(`subgraphs/${subgraph}/agency.json names subgraph "${agency.subgraph}"`);
  return agency;
}

/**
 * The agencies with a folder under subgraphs/ (a folder with an agency.json), sorted by port:
 * 'composed' (the default) those of the default composition, which the committed supergraph, the
 * mesh and the tests over every subgraph cover; 'all' every one, including those that join by
 * publishing to the registry (agency.json `defaultComposition: false`).
 */
export function listAgencies(which: 'composed' | 'all' = 'composed'): Agency[] {
  return agencyFolders()
    .map((folder) => readAgency(folder))
    .filter((agency) => which === 'all' || agency.defaultComposition)
    .sort((a, b) => a.defaultPort - b.defaultPort);
}

const directorySchema = z.object({
  agencies: z.array(
    z.object({ code: z.string(), name: z.string(), formerNames: z.array(z.string()).default([]), governance: z.boolean().default(false) }),
  ),
});
/** A state agency that may hold officials' tokens: consumers and providers alike. */
export type StateAgency = z.infer<typeof directorySchema>['agencies'][number];

/** The state agencies known to the mesh (schema/agencies.json), by code. */
export function agencyDirectory(): ReadonlyMap<string, StateAgency> {
  const raw: unknown = JSON.parse(readFileSync(join(SUBGRAPHS_DIR, '..', 'schema', 'agencies.json'), 'utf8'));
  return new Map(directorySchema.parse(raw).agencies.map((agency) => [agency.code, agency]));
}
