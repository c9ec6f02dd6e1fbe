import type { CheckIssue, CheckOutcome, CheckResult, StepStatus } from './check';

/** The process exit code of each outcome of `schema check`; 2 is a usage error (see cli.ts). */
export const EXIT_CODE: Record<CheckOutcome, number> = { ok: 0, failed: 1, needsApproval: 3 };

const STATUS: Record<StepStatus | 'needsApproval', string> = {
  passed: 'ĐẠT (passed)',
  failed: 'KHÔNG ĐẠT (failed)',
  skipped: 'BỎ QUA (skipped)',
  needsApproval: 'CẦN PHÊ DUYỆT (needs governance approval)',
};

const OUTCOME: Record<CheckOutcome, string> = {
  ok: 'ĐẠT: có thể công bố (ok: may be published)',
  failed: 'KHÔNG ĐẠT: chưa được công bố, sửa các lỗi trên (failed: fix the issues above before publishing)',
  needsApproval:
    'CẦN PHÊ DUYỆT: không có lỗi, nhưng cơ quan quản lý phải duyệt các thay đổi nới lỏng, thắt chặt hoặc phá vỡ ở trên trước khi công bố ' +
    '(needs approval: governance must approve the loosening, tightening or breaking changes above before they are published)',
};

/** Where a source name points, for the reader: a file path. */
export type SourceFiles = (source: string) => string;

function issueLines(issue: CheckIssue, fileOf: SourceFiles, marker: string): string[] {
  const where = issue.locations.map((l) => `${fileOf(l.source)}:${l.line}:${l.column}`).join(', ');
  const head = [issue.code, issue.coordinate, where && `(${where})`].filter(Boolean).join('  ');
  return [`   ${marker} ${head}`, `       ${issue.message}`];
}

/** A breaking change's lines, with the consumers it breaks (a category change names them in its message). */
function breakingLines(issue: CheckIssue, fileOf: SourceFiles, marker: string): string[] {
  const consumers = issue.affectedConsumers ?? [];
  return [...issueLines(issue, fileOf, marker), ...(consumers.length > 0 ? [`       Bên đang dùng (consumers using it): ${consumers.join(', ')}.`] : [])];
}

function step(number: number, title: string, status: StepStatus | 'needsApproval', lines: readonly string[]): string[] {
  return [`${number}. ${title}: ${STATUS[status]}`, ...lines];
}

/**
 * The human report of a check, Vietnamese with English, one section per step in the order they
 * ran, each finding with its code, coordinate, file:line:column and how to fix it; ends with the
 * outcome and the exit code.
 */
export function formatReport(result: CheckResult, fileOf: SourceFiles = (source) => source): string {
  const lines = (issues: readonly CheckIssue[], marker = '✗') => issues.flatMap((issue) => issueLines(issue, fileOf, marker));
  const { composition, lint, breakingChanges, categoryChanges } = result;
  return [
    `Kiểm tra lược đồ subgraph "${result.subgraph}" (schema check)`,
    '',
    ...step(1, 'Hợp nhất siêu đồ thị (composition)', composition.status, lines(composition.issues)),
    ...step(2, 'Quy tắc lược đồ (lint)', lint.status, lines(lint.issues)),
    ...step(3, 'Thay đổi phá vỡ so với đồ thị hiện hành (breaking changes)', breakingChanges.status, [
      ...breakingChanges.issues.flatMap((issue) => breakingLines(issue, fileOf, breakingChanges.status === 'failed' ? '✗' : '?')),
      ...lines(breakingChanges.warnings, '!'),
    ]),
    ...step(4, 'Thay đổi nhóm chia sẻ (sharing category changes)', categoryChanges.status, [
      ...lines(categoryChanges.tightened, '?'),
      ...lines(categoryChanges.loosened, '?'),
    ]),
    // Where the consumers named came from, once a step could name them.
    ...(result.consumersNote !== undefined && (breakingChanges.status !== 'skipped' || categoryChanges.status !== 'skipped') ? [`   ${result.consumersNote}`] : []),
    '',
    `Kết quả (result): ${OUTCOME[result.outcome]}. Mã thoát (exit code) ${EXIT_CODE[result.outcome]}.`,
    '',
  ].join('\n');
}
