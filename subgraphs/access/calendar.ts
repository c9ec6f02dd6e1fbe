/**
 * Dates of the ledger are Vietnamese calendar days (kit/calendar.ts): a grant valid until 2026-03-31
 * ends at midnight in Đắk Lắk, not in Greenwich. Providers judge grants by the same day.
 */
import { VIETNAM_OFFSET_MS, vietnamDate } from '../kit/calendar';

export { vietnamDate };

const DAY_MS = 24 * 3600 * 1000;

/** The decision period for a special request: 2 working days (Nghị định 194/2025/NĐ-CP). */
export const DECISION_WORKING_DAYS = 2;

/** Midnight at the start of `day` ('YYYY-MM-DD') in Vietnam, as an instant. */
function vietnamMidnight(day: string): Date {
  return new Date(Date.parse(`${day}T00:00:00Z`) - VIETNAM_OFFSET_MS);
}

function isWorkingDay(day: string): boolean {
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
  return weekday !== 0 && weekday !== 6;
}

function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
}

/**
 * The instant a decision on a request received at `submittedAt` falls due: the end (24:00, Vietnam
 * time) of the DECISION_WORKING_DAYS-th working day after the day of receipt. As the Civil Code
 * counts periods in days, the day of receipt itself is not counted. Working days are Monday to
 * Friday; public holidays and compensatory working Saturdays are NOT modelled, so around Tết the
 * deadline shown is earlier than the legal one.
 */
export function decisionDueAt(submittedAt: Date): Date {
  let day = vietnamDate(submittedAt);
  for (let counted = 0; counted < DECISION_WORKING_DAYS; ) {
    day = nextDay(day);
    if (isWorkingDay(day)) counted++;
  }
  return vietnamMidnight(nextDay(day));
}

/** Whether a request missed its deadline: still undecided past it, or decided after it. */
export function isOverdue(submittedAt: Date, decidedAt: Date | null, now: Date): boolean {
  const due = decisionDueAt(submittedAt).getTime();
  return (decidedAt ?? now).getTime() >= due;
}
