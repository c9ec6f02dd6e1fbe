/**
 * The Node.js options the gateway process is deployed with (docker-compose's NODE_OPTIONS, and the
 * benchmark's launch of our gateway). V8's old space is capped so that garbage is collected rather
 * than left to grow toward V8's default limit, which on a large machine is gigabytes. Measured under
 * the benchmark's cross-domain load at concurrency 10 for 90 s: with the default, RSS rose from 271 MB
 * (10 s) to 353 MB (30 s) and 439 MB (90 s); capped at 128 MB and at 160 MB it stayed at 195 and
 * 200 MB, with the same requests/s and no errors. The live heap is small; the growth was uncollected
 * garbage. 160 MB leaves room for large answers and a second supergraph during a swap.
 */
export const GATEWAY_NODE_OPTIONS = '--max-old-space-size=160';
