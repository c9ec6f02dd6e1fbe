import { Command, CommanderError } from 'commander';
import { repeatedOption, repeatedOptionError, withBilingualUsage } from './cli-usage';
import { agencyDirectory } from '../subgraphs/kit/agency';
import { claimsSchema, gatewayProofSecret, officialRefusal, reasonInVietnamese, type Role, type TokenClaims } from '../subgraphs/kit/identity';
import { ensureDevKeys, signDevToken } from './dev-keys';
import { registryReaderSecret } from '../schema/registry/gateway-feed';

/**
 * `npm run token -- --agency <code> [--role official|owner|governance]` or `--citizen <personal id>`:
 * prints a development token on the last line. With no arguments, lists the agency codes.
 */
async function main(): Promise<void> {
  const repeated = repeatedOption(process.argv.slice(2));
  if (repeated !== null) throw new Error(repeatedOptionError(repeated).trimEnd());
  const program = withBilingualUsage(new Command())
    .exitOverride()
    .name('npm run token --')
    .option('--agency <code>', 'agency of the official (see the list printed with no arguments)')
    .option('--role <role>', 'official | owner | governance', 'official')
    .option('--official <id>', "the official's id", 'can-bo-01')
    .option('--citizen <personalId>', "a citizen's 12-digit personal id: a token for that citizen")
    .option('--ttl <seconds>', 'validity in seconds', '28800')
    .option('--proof-secret <subgraph>', "print the subgraph's GATEWAY_PROOF_SECRET, derived from the gateway's master secret")
    .option('--registry-reader-secret', "print REGISTRY_READER_SECRET, the key that reads what the schema registry serves (the access ledger's)")
    .parse(process.argv);
  const options = program.opts<{ agency?: string; role: string; official: string; citizen?: string; ttl: string; proofSecret?: string; registryReaderSecret?: boolean }>();
  const agencies = agencyDirectory();
  const say = (line: string) => process.stdout.write(`${line}\n`);

  if (options.proofSecret) {
    const keys = await ensureDevKeys();
    say(`# GATEWAY_PROOF_SECRET for the ${options.proofSecret} subgraph (development master secret)`);
    say(Buffer.from(gatewayProofSecret(keys.gatewaySecret, options.proofSecret)).toString('base64url'));
    return;
  }
  if (options.registryReaderSecret) {
    const keys = await ensureDevKeys();
    say('# REGISTRY_READER_SECRET (development master secret): reads what the schema registry serves, nothing else');
    say(Buffer.from(registryReaderSecret(keys.gatewaySecret)).toString('base64url'));
    return;
  }
  if (!options.agency && !options.citizen) {
    say('Agency codes (use with --agency):');
    for (const agency of agencies.values()) say(`  ${agency.code.padEnd(14)} ${agency.name}${agency.governance ? '  (governance)' : ''}`);
    say('Or --citizen <12-digit personal id> for a citizen. Roles: official (default), owner, governance.');
    return;
  }
  if (options.agency && options.citizen) throw new Error('--agency hoặc --citizen, không cả hai. (--agency or --citizen, not both.)');
  if (!/^\d{1,7}$/.test(options.ttl) || Number(options.ttl) < 1) {
    throw new Error('--ttl là số giây, từ 1 đến 9999999. (--ttl is a number of seconds, from 1 to 9999999.)');
  }
  let claims: TokenClaims;
  if (options.citizen) {
    if (!/^\d{12}$/.test(options.citizen)) throw new Error('--citizen là số định danh cá nhân 12 chữ số. (--citizen takes a 12-digit personal id.)');
    claims = { kind: 'citizen', sub: options.citizen };
  } else {
    const agency = options.agency ?? '';
    if (!['official', 'owner', 'governance'].includes(options.role)) throw new Error('--role là official, owner hoặc governance. (--role is official, owner or governance.)');
    // The services would refuse such a token (kit/identity.ts): say so now rather than make it.
    const refused = officialRefusal(agencies, agency, [options.role]);
    if (refused) {
      throw new Error(
        `--agency ${agency} --role ${options.role}: ${reasonInVietnamese(refused)}; chạy \`npm run token\` để xem danh sách. ` +
          `(${refused}; run \`npm run token\` for the list.)`,
      );
    }
    claims = { kind: 'official', sub: options.official, agency, roles: [options.role as Role] };
  }
  // Checked by the services' own rule (kit/identity.ts): a token they would refuse is not made.
  if (!claimsSchema.safeParse(claims).success) {
    throw new Error('--official là mã cán bộ: 1–200 ký tự, không có ký tự điều khiển. (--official is an official\'s id: 1–200 characters, no control characters.)');
  }
  const token = await signDevToken(await ensureDevKeys(), claims, Number(options.ttl));
  say(`# ${options.citizen ? `citizen ${options.citizen}` : `${options.role} of ${options.agency}`}; send as: Authorization: Bearer <token>`);
  say(token);
}

main().catch((error: unknown) => {
  // Bad usage exits 2, as every CLI of the project does; commander has already said why (or shown --help).
  if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2);
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
});
