/**
 * Calendar days of the province: Vietnam runs on UTC+7 all year (no daylight saving), so a grant
 * valid from 2026-12-06 starts at midnight in Đắk Lắk, seven hours before midnight in Greenwich.
 */
export const VIETNAM_OFFSET_MS = 7 * 3600 * 1000;

/** The calendar day ('YYYY-MM-DD') it is in Vietnam at `instant`. */
export function vietnamDate(instant: Date): string {
  return new Date(instant.getTime() + VIETNAM_OFFSET_MS).toISOString().slice(0, 10);
}
