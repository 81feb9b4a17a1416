/**
 * A standard backend: `GET /work` (on any host) served after a random service time, sometimes failing,
 * sometimes hanging, as its {@link BackendProfile} says. Profiles are scripted by a test or drawn from the seed.
 *
 * @module
 */
import { http, HttpResponse, type RequestHandler } from 'msw';
import { deriveSeed, Rng } from '../random.ts';
import type { NodeId } from '../node.ts';
import type { BackendTools } from './backend.ts';

/** How a backend behaves. Read again at every request, so a test may change it during a run. */
export interface BackendProfile {
  /** Mean service time at full speed, in ms. */
  readonly meanServiceMs: number;
  /** `exponential` (memoryless, the queueing textbook's choice) or `fixed` (always the mean). */
  readonly serviceTime: 'exponential' | 'fixed';
  /** 1 is full speed; 0.25 takes four times as long. */
  readonly speed: number;
  /** The share of requests answered at once with 503 Service Unavailable. */
  readonly errorRate: number;
  /** The share answered at once with a network error (`HttpResponse.error()`). */
  readonly networkErrorRate: number;
  /** The share never answered: the handler waits for good. */
  readonly hangRate: number;
}

/** A healthy backend: full speed, exponential service times of `meanServiceMs`, no errors, no hangs. */
export function healthyProfile(meanServiceMs: number): BackendProfile {
  return { meanServiceMs, serviceTime: 'exponential', speed: 1, errorRate: 0, networkErrorRate: 0, hangRate: 0 };
}

/** The path every profiled backend serves. */
export const WORK_PATH = '/work';

/**
 * The msw handlers of a backend that behaves as `profile()` says, for `httpBackend({ handlers })`.
 * `GET http://<backend>/work` answers `{ backend, serviceMs }` as JSON.
 */
export function profiledHandlers(profile: () => BackendProfile): (tools: BackendTools) => readonly RequestHandler[] {
  return (tools) => [
    http.get(`*${WORK_PATH}`, async () => {
      const now = profile();
      const draw = tools.random();
      if (draw < now.hangRate) return new Promise<never>(() => {});
      if (draw < now.hangRate + now.networkErrorRate) return HttpResponse.error();
      if (draw < now.hangRate + now.networkErrorRate + now.errorRate) {
        return new HttpResponse(null, { status: 503, statusText: 'Service Unavailable' });
      }
      const serviceMs = serviceTimeMs(now, tools.random());
      await tools.sleep(serviceMs);
      return HttpResponse.json({ backend: tools.id, serviceMs });
    }),
  ];
}

/** A service time in whole ms (at least 1) drawn with `uniform` in [0, 1). */
function serviceTimeMs(profile: BackendProfile, uniform: number): number {
  const meanMs = profile.meanServiceMs / profile.speed;
  const ms = profile.serviceTime === 'fixed' ? meanMs : -meanMs * Math.log(1 - uniform);
  return Math.max(1, Math.round(ms));
}

/** The ranges {@link drawBackendProfiles} draws from. */
export interface BackendProfileRanges {
  /** Mean service time at full speed, ms. */
  readonly meanServiceMs: number;
  /** Slowest speed drawn (speeds are uniform in [minSpeed, 1]). Default 1: all at full speed. */
  readonly minSpeed?: number;
  /** Highest 503 rate drawn. Default 0. */
  readonly maxErrorRate?: number;
  /** Highest hang rate drawn. Default 0. */
  readonly maxHangRate?: number;
}

/** One profile per backend, drawn from `seed`: the same seed gives the same backends. */
export function drawBackendProfiles(
  seed: number,
  backends: readonly NodeId[],
  ranges: BackendProfileRanges,
): Record<NodeId, BackendProfile> {
  const rng = new Rng(deriveSeed(seed, 'backend-profiles'));
  const minSpeed = ranges.minSpeed ?? 1;
  return Object.fromEntries(
    backends.map((backend) => [
      backend,
      {
        ...healthyProfile(ranges.meanServiceMs),
        speed: minSpeed + (1 - minSpeed) * rng.next(),
        errorRate: (ranges.maxErrorRate ?? 0) * rng.next(),
        hangRate: (ranges.maxHangRate ?? 0) * rng.next(),
      },
    ]),
  );
}
