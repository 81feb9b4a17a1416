/**
 * HTTP in virtual time: backends made of msw request handlers, reached with a `fetch` whose requests
 * travel the simulated network.
 *
 * @module
 */
export { simulatedFetch, type Fetch, type FetchInit } from './fetch.ts';
export { httpBackend, type BackendTools, type HttpBackendOptions } from './backend.ts';
export { BackendLog, type BackendSpan } from './backend-log.ts';
export {
  profiledHandlers,
  healthyProfile,
  drawBackendProfiles,
  WORK_PATH,
  type BackendProfile,
  type BackendProfileRanges,
} from './profile.ts';
export type { HttpRequestMessage, HttpResponseMessage } from './wire.ts';
