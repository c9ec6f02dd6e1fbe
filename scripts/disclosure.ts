import { Command, CommanderError } from 'commander';
import { repeatedOption, repeatedOptionError, withBilingualUsage } from './cli-usage';
import { z } from 'zod';
import { DEFAULT_RETENTION_MONTHS, ledgerSpeaksOfLog, maintainLog, verifyLog } from '../subgraphs/kit/log-admin';
import { openLedgerCopies } from '../subgraphs/access/disclosures';
import { readAgency } from '../subgraphs/kit/agency';
import { loadDefinition } from '../subgraphs/kit/registry';
import { meshDatabaseUrl, readRunningMesh } from './running-mesh';
import { endQuietlyOnClosedPipe } from './closed-pipe';

/** `url` when it is a PostgreSQL connection URL; else a usage error saying what is expected. */
function postgresUrl(url: string): string {
  let protocol = '';
  try {
    protocol = new URL(url).protocol;
  } catch {
    // not a URL at all
  }
  if (protocol !== 'postgres:' && protocol !== 'postgresql:') {
    throw new Error('Địa chỉ cơ sở dữ liệu phải có dạng postgres://người-dùng@máy:cổng/tên. (A database URL is postgres://user@host:port/name.)');
  }
  return url;
}

/** The owner URL of a provider's database: --database-url, else DATABASE_URL, else the running `npm start`. */
function ownerUrl(options: { databaseUrl?: string; subgraph?: string }): string {
  const explicit = options.databaseUrl ?? process.env['DATABASE_URL'];
  if (explicit) return postgresUrl(explicit);
  if (!options.subgraph) {
    throw new Error('Cần --subgraph <tên> (khi npm start đang chạy), --database-url hoặc DATABASE_URL. (Give --subgraph <name> with npm start running, --database-url or DATABASE_URL.)');
  }
  const agency = readAgency(options.subgraph);
  if (loadDefinition(agency).disclosureLog === false) {
    throw new Error(
      `${options.subgraph} không giữ nhật ký cung cấp: yêu cầu, quyền khai thác và sự đồng ý của nó chính là hồ sơ. ` +
        `(${options.subgraph} keeps no disclosure log: its requests, grants and consents are themselves the record.)`,
    );
  }
  const mesh = readRunningMesh();
  if (!mesh) {
    throw new Error(
      'npm start không chạy ở đây: hãy nêu --database-url hoặc DATABASE_URL (cơ sở dữ liệu của cơ quan, với quyền chủ sở hữu). ' +
        '(npm start is not running here: give --database-url or DATABASE_URL, the agency database as its owner.)',
    );
  }
  // A subgraph that joined with `npm run subgraph -- <name> --mesh` has its database there too.
  return meshDatabaseUrl(mesh, options.subgraph);
}

/**
 * The ledger's copies of this log: --ledger-database-url (with --agency, or the agency of
 * --subgraph), else, with --subgraph, the running `npm start`'s ledger; undefined when neither is given.
 */
async function ledgerFor(options: { subgraph?: string; ledgerDatabaseUrl?: string; agency?: string }) {
  const agency = options.agency ?? (options.subgraph ? readAgency(options.subgraph).agencyCode : undefined);
  const ledgerUrl = options.ledgerDatabaseUrl !== undefined ? postgresUrl(options.ledgerDatabaseUrl) : options.subgraph ? readRunningMesh()?.ownerUrls['access'] : undefined;
  if (!ledgerUrl) return undefined;
  if (!agency) throw new Error('Cần --agency <mã> (hoặc --subgraph <tên>) cùng --ledger-database-url. (Give --agency <code>, or --subgraph <name>, with --ledger-database-url.)');
  return openLedgerCopies(ledgerUrl, agency);
}

/**
 * `npm run disclosure -- verify|maintain`: what the provider's database owner does with its
 * disclosure log. `verify` recomputes the hash chain and names the first broken record (exit 1);
 * `maintain` creates the coming months' partitions and drops those past the retention.
 */
async function main(): Promise<void> {
  endQuietlyOnClosedPipe();
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const program = withBilingualUsage(new Command().name('npm run disclosure --'));
  const target = (command: Command) =>
    command
      .option('--subgraph <name>', 'a provider of the mesh npm start is running, e.g. citizens')
      .option('--database-url <url>', "the provider's database, as its owner (default: DATABASE_URL)");
  target(program.command('verify').description('check the hash chain of the whole log, and its end against the ledger; exit 1 at the first broken record'))
    .option('--ledger-database-url <url>', "the access ledger's database, as its owner (default, with --subgraph: the running npm start's)")
    .option('--agency <code>', "the provider's agency code in the ledger (default: the agency of --subgraph)")
    .action(async (options: { subgraph?: string; databaseUrl?: string; ledgerDatabaseUrl?: string; agency?: string }) => {
      const ledger = await ledgerFor(options);
      // Another agency's records compared with this log would all differ, and the log be called rewritten.
      const ofThisLog = ledger ? await ledgerSpeaksOfLog(ownerUrl(options), ledger.requestIds).catch((error: unknown) => ledger.close().then(() => Promise.reject(error))) : true;
      if (ledger && !ofThisLog) {
        await ledger.close();
        const agency = options.agency ?? options.subgraph ?? '';
        process.stderr.write(
          `Sổ cái không có bản ghi nào của nhật ký này dưới mã cơ quan ${agency}: --agency (hoặc --subgraph) có đúng cơ quan của cơ sở dữ liệu này không, hay sổ cái đã được tạo lại? ` +
            `Chưa so sánh gì; chạy verify chỉ với --database-url (không sổ cái) để kiểm tra riêng các chuỗi của nhật ký. ` +
            `(The ledger holds none of this log's records under agency ${agency}: does --agency (or --subgraph) name this database's agency, or was the ledger recreated? ` +
            `Nothing was compared; run verify with --database-url alone (no ledger) to check the log's own chains.)\n`,
        );
        process.exitCode = 2;
        return;
      }
      const result = await verifyLog(ownerUrl(options), 5000, ledger?.copies).finally(() => ledger?.close());
      if (!result.firstBroken) {
        const intact = `Nhật ký nguyên vẹn: ${result.records} bản ghi, mỗi mã băm khớp nội dung của nó và bản ghi trước trong chuỗi`;
        const intactEn = `Disclosure log intact: ${result.records} record(s), every hash matches its content and the record before it in its chain`;
        say(
          ledger
            ? `${intact}, mọi bản ghi sổ cái đã nhận đều còn nguyên, và sổ cái đã nhận mọi bản ghi bộ chuyển đánh dấu đã chuyển. ` +
              `(${intactEn}, every record the ledger received from it is there, unchanged, and the ledger received every record the relay marked delivered.)`
            : `${intact}; chưa so với sổ cái: hãy nêu --ledger-database-url, hoặc --subgraph khi npm start đang chạy. (${intactEn}. Not compared with the ledger: give --ledger-database-url, or --subgraph with npm start running.)`,
        );
        return;
      }
      const { seq, reason } = result.firstBroken;
      const messages: Record<typeof reason, readonly [string, string]> = {
        CONTENT_ALTERED: ['nội dung không còn khớp mã băm (đã bị sửa sau khi ghi)', 'its content no longer matches its hash (edited after it was written)'],
        CHAIN_BROKEN: [
          'mã băm trước của nó không khớp bản ghi trước trong chuỗi (một bản ghi đã bị xóa hoặc chèn)',
          'its previous-hash does not match the record before it in its chain (a record was removed or inserted)',
        ],
        HEAD_MISSING: [
          'đó là bản ghi mới nhất của chuỗi và nhật ký không còn nó (bản ghi đã bị xóa)',
          "it was its chain's newest record, and the log no longer has it (records were removed)",
        ],
        HEAD_DIFFERS: [
          'mã băm khác với mã đầu chuỗi đã giữ (chuỗi đã bị viết lại và niêm phong lại)',
          "its hash differs from the one its chain's head kept (the chain was rewritten and sealed again)",
        ],
        AFTER_HEAD: [
          'nó đứng sau bản ghi mới nhất mà chuỗi đã niêm phong (được thêm vào ngoài cơ chế ghi nhật ký)',
          "it comes after the newest record its chain sealed (it was added around the log's own writing)",
        ],
        DUPLICATE: ['một bản ghi khác có cùng số seq (một bản ghi đã bị sao chép hoặc giả mạo)', 'another record has the same seq (a record was copied or forged)'],
        DIFFERS_FROM_LEDGER: [
          'mã băm, hoặc mã băm của bản ghi trước nó, khác với mã sổ cái đã nhận (nhật ký đã bị viết lại từ đó hoặc trước đó, hoặc bộ chuyển đã khai sai bản ghi trước nó để giấu các bản ghi bị bỏ qua)',
          "its hash, or the hash of the record before it, differs from what the ledger received (the log was rewritten from there or before, or the relay misstated the record before it to hide records it skipped)",
        ],
        MISSING: ['sổ cái đã nhận bản ghi này và nhật ký không còn nó (bản ghi đã bị xóa)', 'the ledger received this record, and the log no longer has it (records were removed)'],
        NOT_RELAYED: [
          'bộ chuyển đã đánh dấu bản ghi này là đã chuyển nhưng sổ cái chưa từng nhận nó (bản ghi đã bị bỏ qua)',
          'the relay marked this record delivered, yet the ledger never received it (it was skipped)',
        ],
      };
      const [vi, en] = messages[reason];
      say(`HỎNG tại bản ghi seq ${seq}: ${vi}. (BROKEN at record seq ${seq}: ${en}.)`);
      process.exitCode = 1;
    });
  target(program.command('maintain').description("create the coming months' partitions and drop those past the retention"))
    .option('--retention <months>', `months to keep, at least 3`, String(DEFAULT_RETENTION_MONTHS))
    .action(async (options: { subgraph?: string; databaseUrl?: string; retention: string }) => {
      const result = await maintainLog(ownerUrl(options), new Date(), Number(options.retention));
      const created = result.created.join(', ');
      const dropped = result.dropped.join(', ');
      say(`Phân vùng đã tạo: ${created || 'không có'}; đã xóa: ${dropped || 'không có'}. (Partitions created: ${created || 'none'}; dropped: ${dropped || 'none'}.)`);
    });
  // Bad usage (an unknown command or option) exits 2, as the schema CLI's does: exit 1 means a broken log.
  program.exitOverride();
  const repeated = repeatedOption(process.argv.slice(2));
  if (repeated !== null) {
    process.stderr.write(repeatedOptionError(repeated));
    process.exitCode = 2;
    return;
  }
  try {
    await program.parseAsync(process.argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode === 0 ? 0 : 2;
      return;
    }
    throw error;
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    const issues = error instanceof z.ZodError ? error.issues.map((i) => i.message).join('; ') : null;
    // A database without the log (PostgreSQL: undefined table or schema) is said as such.
    const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
    const noLog =
      code === '42P01' || code === '3F000'
        ? 'Cơ sở dữ liệu này không có nhật ký cung cấp (schema disclosure): có phải của một bên cung cấp? (This database has no disclosure log: is it a provider\'s?)'
        : null;
    process.stderr.write(`${issues ?? noLog ?? (error instanceof Error ? error.message : String(error))}\n`);
    process.exit(2);
  });
}
