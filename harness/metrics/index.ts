/**
 * Latency and load metrics in virtual time: percentiles, error rate, per-backend load over time,
 * max/mean load and load amplification.
 *
 * @module
 */
export { percentile, summarizeLatency, formatLatency, type LatencySummary } from './latency.ts';
export { RequestLog, type RequestRecord, type RequestOutcome } from './requests.ts';
export { loadBalance, loadOverTime, loadAmplification, type LoadBalance, type LoadOverTime } from './load.ts';
export { latencyPercentileChart, loadOverTimeChart, writeMetricsPage } from './charts.ts';
export { messagesPerOperation } from './messages.ts';
