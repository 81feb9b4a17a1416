/**
 * Test support for exercise 7.1: a picker that notes what it was asked and what it answered, and the
 * checks that read those notes (round robin's turns, smooth weighted round robin's shares).
 *
 * @module
 */
import type { BackendId, Picker } from '../_given/balancer.ts';

/** A backend and its weight. */
export interface Member {
  readonly id: BackendId;
  readonly weight: number;
}

/** One thing a picker was told or answered, in order. */
export type PickEvent =
  | { readonly kind: 'new-picker'; readonly members: readonly Member[] }
  | { readonly kind: 'pick'; readonly backend: BackendId | null }
  | { readonly kind: 'add'; readonly backend: BackendId; readonly weight: number }
  | { readonly kind: 'remove'; readonly backend: BackendId };

/** `create`, noting into `events` every picker it builds (with `initial` members), every pick and every change. */
export function recordingPicker(create: () => Picker, initial: readonly Member[], events: PickEvent[]): () => Picker {
  return () => {
    const picker = create();
    events.push({ kind: 'new-picker', members: initial });
    return {
      pick() {
        const backend = picker.pick();
        events.push({ kind: 'pick', backend });
        return backend;
      },
      add(backend, weight = 1) {
        picker.add(backend, weight);
        events.push({ kind: 'add', backend, weight });
      },
      remove(backend) {
        picker.remove(backend);
        events.push({ kind: 'remove', backend });
      },
    };
  };
}

/** A run of picks with no change of backends in between, and the backends it had. */
interface Stretch {
  /** What started it, in words: `the start`, `adding b4`, `removing b2`. */
  readonly after: string;
  /** The backends during it, in the order they were added. */
  readonly members: readonly Member[];
  /** The number of the stretch's first pick (picks are numbered from 1 over the whole run). */
  readonly firstPick: number;
  readonly picks: Array<BackendId | null>;
}

/** Splits `events` into stretches of picks between changes. */
function stretchesOf(events: readonly PickEvent[]): Stretch[] {
  const stretches: Stretch[] = [];
  let members: Member[] = [];
  let picks = 0;
  const begin = (after: string) => stretches.push({ after, members: [...members], firstPick: picks + 1, picks: [] });
  for (const event of events) {
    if (event.kind === 'pick') {
      if (stretches.length === 0) begin('the start');
      stretches.at(-1)!.picks.push(event.backend);
      picks++;
    } else if (event.kind === 'new-picker') {
      members = [...event.members];
      begin(picks === 0 ? 'the start' : 'the balancer restarted');
    } else if (event.kind === 'add') {
      members.push({ id: event.backend, weight: event.weight });
      begin(`adding ${event.backend}`);
    } else {
      members = members.filter((member) => member.id !== event.backend);
      begin(`removing ${event.backend}`);
    }
  }
  return stretches;
}

/** Picks that chose no backend although there were some, or a backend that was not there. */
function membershipViolations(stretch: Stretch): string[] {
  const ids = stretch.members.map((member) => member.id);
  const found: string[] = [];
  stretch.picks.forEach((backend, offset) => {
    const number = stretch.firstPick + offset;
    if (backend === null && ids.length > 0)
      found.push(`pick #${number} chose no backend, although ${ids.join(', ')} were there`);
    if (backend !== null && !ids.includes(backend))
      found.push(
        `pick #${number} chose ${backend}, which was not a backend then (after ${stretch.after}: ${ids.join(', ') || 'none'})`,
      );
  });
  return found;
}

/**
 * What breaks round robin's promise in `events`: a pick of a backend that is not there, an uneven
 * share within a stretch (two backends' counts differ by more than 1), or a backend that waited more
 * than a full rotation for its turn (the mark of a skip after a removal, or of a rotation that restarts).
 */
export function roundRobinViolations(events: readonly PickEvent[]): string[] {
  const found: string[] = [];
  const stretches = stretchesOf(events);
  for (const stretch of stretches) {
    found.push(...membershipViolations(stretch));
    const counts = new Map(stretch.members.map((member) => [member.id, 0]));
    for (const backend of stretch.picks)
      if (backend !== null && counts.has(backend)) counts.set(backend, counts.get(backend)! + 1);
    const most = [...counts].reduce((a, b) => (b[1] > a[1] ? b : a), ['', -1] as [string, number]);
    const least = [...counts].reduce((a, b) => (b[1] < a[1] ? b : a), ['', Infinity] as [string, number]);
    if (counts.size > 1 && most[1] - least[1] > 1) {
      found.push(
        `in the ${stretch.picks.length} picks after ${stretch.after} (picks #${stretch.firstPick} on), ${most[0]} got ` +
          `${most[1]} and ${least[0]} got ${least[1]}: round robin gives every backend its turn, so shares differ by 1 at most`,
      );
    }
  }
  found.push(...turnViolations(stretches));
  return found;
}

/** Backends that waited more picks for their turn than the largest rotation they were part of. */
function turnViolations(stretches: readonly Stretch[]): string[] {
  const found: string[] = [];
  // For each backend in the rotation: the pick after which it has been waiting, and the largest
  // number of backends in the rotation since then.
  const waiting = new Map<BackendId, { since: number; largest: number; why: string }>();
  for (const stretch of stretches) {
    const ids = new Set(stretch.members.map((member) => member.id));
    for (const id of waiting.keys()) if (!ids.has(id)) waiting.delete(id);
    if (stretch.after === 'the start' || stretch.after === 'the balancer restarted') waiting.clear();
    for (const id of ids) {
      const entry = waiting.get(id);
      if (entry === undefined)
        waiting.set(id, { since: stretch.firstPick - 1, largest: ids.size, why: `it joined (${stretch.after})` });
      else entry.largest = Math.max(entry.largest, ids.size);
    }
    stretch.picks.forEach((backend, offset) => {
      const number = stretch.firstPick + offset;
      for (const [id, entry] of waiting) {
        if (id === backend) continue;
        if (number - entry.since > entry.largest && !entry.why.startsWith('reported')) {
          found.push(
            `${id} waited more than a full rotation of ${entry.largest} for its turn: no pick from #${entry.since + 1} ` +
              `to #${number} chose it (its last turn: ${entry.why}); round robin skipped it`,
          );
          entry.why = `reported ${entry.why}`;
        }
      }
      if (backend !== null && ids.has(backend))
        waiting.set(backend, { since: number, largest: ids.size, why: `pick #${number}` });
    });
  }
  return found;
}

/**
 * What breaks smooth weighted round robin's promise in `events`: a pick of a backend that is not
 * there; a window of one cycle (W consecutive picks, W the total weight) in which a backend's count is
 * more than 1 away from its weight; or a backend that ran more than 1.5 picks ahead of or behind its
 * fair share `k × weight / W` after k picks of a stretch (picks given in a row instead of spread out).
 */
export function smoothWeightedViolations(events: readonly PickEvent[]): string[] {
  const found: string[] = [];
  for (const stretch of stretchesOf(events)) {
    found.push(...membershipViolations(stretch));
    const total = stretch.members.reduce((sum, member) => sum + member.weight, 0);
    if (total === 0) continue;
    const windowProblem = cycleWindowViolation(stretch, total);
    if (windowProblem !== null) found.push(windowProblem);
    const smoothProblem = smoothnessViolation(stretch, total);
    if (smoothProblem !== null) found.push(smoothProblem);
  }
  return found;
}

function cycleWindowViolation(stretch: Stretch, total: number): string | null {
  for (let start = 0; start + total <= stretch.picks.length; start++) {
    const window = stretch.picks.slice(start, start + total);
    for (const member of stretch.members) {
      const count = window.filter((backend) => backend === member.id).length;
      if (Math.abs(count - member.weight) > 1) {
        const first = stretch.firstPick + start;
        return (
          `picks #${first} to #${first + total - 1} (one cycle: the total weight is ${total}, after ${stretch.after}) ` +
          `chose ${member.id} ${count} times, but its weight is ${member.weight}: over each cycle every backend's share is within 1 of its weight`
        );
      }
    }
  }
  return null;
}

function smoothnessViolation(stretch: Stretch, total: number): string | null {
  const counts = new Map(stretch.members.map((member) => [member.id, 0]));
  for (const [offset, backend] of stretch.picks.entries()) {
    if (backend !== null && counts.has(backend)) counts.set(backend, counts.get(backend)! + 1);
    const k = offset + 1;
    for (const member of stretch.members) {
      const share = (k * member.weight) / total;
      const count = counts.get(member.id)!;
      if (Math.abs(count - share) > 1.5) {
        return (
          `after ${k} picks since ${stretch.after} (pick #${stretch.firstPick + offset}), ${member.id} had ${count}, ` +
          `but its fair share is ${share.toFixed(1)} (weight ${member.weight} of ${total}): smooth weighted round robin ` +
          "spreads a backend's picks over the cycle instead of giving them in a row"
        );
      }
    }
  }
  return null;
}
