/**
 * Applying faults: links cut and healed, crashes, pauses and restarts, network settings and clocks changed,
 * each written to the trace as it happens.
 *
 * @module
 */
import { changeClock, checkClockSettings, readClock, type ClockSettings } from './clock.ts';
import { resolveNetworkSettings, type NetworkSettingsInput } from './network.ts';
import type { NodeId } from '../node.ts';
import { describeFault, sortSchedule, type Fault, type FaultSchedule, type TargetedCrash } from './fault.ts';
import { armCrash, crash, restart, restartLater } from './node-runtime.ts';
import { armTargetedCrash, provokes } from './crash-targets.ts';
import { pause } from './pause.ts';
import type { SimState } from './state.ts';

/** Applies `fault` now. */
export function applyFault(state: SimState, fault: Fault): void {
  switch (fault.kind) {
    case 'partition':
      for (const group of fault.groups) for (const node of group) state.runtime(node, 'partition');
      state.links.partition(fault.groups);
      return recordLinks(state, describeFault(fault));
    case 'isolate':
      state.runtime(fault.node, 'isolate');
      state.links.isolate(fault.node, [...state.runtimes.keys()]);
      return recordLinks(state, describeFault(fault));
    case 'cut':
      state.runtime(fault.from, 'cut');
      state.runtime(fault.to, 'cut');
      state.links.cut(fault.from, fault.to);
      return recordLinks(state, describeFault(fault));
    case 'heal':
      state.links.heal();
      return recordLinks(state, 'heal');
    case 'crash':
      return fault.afterEffects === undefined
        ? crash(state, fault.node)
        : armCrash(state, fault.node, fault.afterEffects);
    case 'targeted-crash':
      return targetedCrash(state, fault);
    case 'pause':
      return pause(state, fault.node, fault.durationMs);
    case 'restart':
      return restart(state, fault.node);
    case 'network':
      return setNetwork(state, fault.settings);
    case 'clock':
      return setClock(state, fault.node, fault.clock);
  }
}

/** Arms a targeted crash; one aimed at `onStart` with `provokeStart` crashes an up node at once, so that it recovers. */
function targetedCrash(state: SimState, fault: TargetedCrash): void {
  const runtime = state.runtime(fault.node, 'targeted-crash');
  const target = armTargetedCrash(state, fault);
  if (target === null || !provokes(fault, target.step, runtime)) return;
  crash(state, fault.node);
  if (target.restartAfterMs !== null) restartLater(state, runtime, target.restartAfterMs);
}

/** Queues each fault of `schedule` at its time; throws for one in the past. */
export function scheduleFaults(state: SimState, schedule: FaultSchedule): void {
  for (const fault of sortSchedule(schedule)) {
    if (!Number.isFinite(fault.atMs) || fault.atMs < state.nowMs) {
      throw new RangeError(`Fault "${describeFault(fault)}" is scheduled at t=${fault.atMs} ms, which is in the past.`);
    }
    state.queue.push(fault.atMs, { kind: 'fault', fault });
  }
}

/** Changes the network's fault settings now. */
export function setNetwork(state: SimState, settings: NetworkSettingsInput): void {
  state.network = resolveNetworkSettings(state.network, settings);
  const { dropRate, duplicateRate, delayMs } = state.network;
  state.record({ t: state.nowMs, kind: 'network', dropRate, duplicateRate, delayMs });
}

/** Changes `node`'s clock now (see `Simulation.setClock`). */
export function setClock(state: SimState, node: NodeId, clock: Partial<ClockSettings>): void {
  const runtime = state.runtime(node, 'setClock');
  const next = { ...runtime.clock.settings, ...clock };
  checkClockSettings(node, next);
  runtime.clock = changeClock(runtime.clock, state.nowMs, next);
  const localMs = readClock(runtime.clock, state.nowMs);
  state.record({ t: state.nowMs, kind: 'clock', node, skewMs: next.skewMs, driftPpm: next.driftPpm, localMs });
}

function recordLinks(state: SimState, change: string): void {
  state.record({ t: state.nowMs, kind: 'links', change, cut: state.links.cutLinks() });
}
