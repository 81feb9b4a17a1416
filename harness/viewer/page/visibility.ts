/**
 * What the filters let through: which events can be seen and stepped to, which arrows and marks are drawn.
 *
 * @module
 */
import { laneOfEvent } from './trace-data.ts';
import type { Viewer } from './viewer.ts';

/** Whether the filters let event `index` be seen (and stepped to). */
export function eventShown(v: Viewer, index: number): boolean {
  const { data, state } = v;
  const event = data.events[index];
  if (event === undefined) return false;
  switch (event.kind) {
    case 'send':
    case 'deliver':
    case 'drop':
    case 'duplicate':
      return (
        !state.hiddenTypes.has(data.typeIndexOf.get(event.type) ?? -1) &&
        !state.hiddenLanes.has(data.laneIndexOf.get(event.from) ?? -1) &&
        !state.hiddenLanes.has(data.laneIndexOf.get(event.to) ?? -1)
      );
    case 'timer-set':
    case 'timer-fire':
    case 'timer-cancel':
      if (!state.showTimers) return false;
      break;
    case 'log':
      if (!state.showLogs) return false;
      break;
    case 'links':
    case 'network':
      return true;
    default:
      break;
  }
  const lane = laneOfEvent(data, event);
  return lane < 0 || !state.hiddenLanes.has(lane);
}

/** Whether arrow `arrow` is drawn: its type is shown and both its lanes are. */
export function arrowShown(v: Viewer, arrow: number): boolean {
  const { arrows } = v.data;
  const { laneY } = v.geometry;
  return (
    !v.state.hiddenTypes.has(arrows.type[arrow] ?? 0) &&
    (laneY[arrows.from[arrow] ?? 0] ?? -1) >= 0 &&
    (laneY[arrows.to[arrow] ?? 0] ?? -1) >= 0
  );
}

/** Whether mark `mark` is drawn: its kind is shown and so is its lane. */
export function markShown(v: Viewer, mark: number): boolean {
  const { marks, kind: kinds, timerKinds } = v.data;
  const kind = marks.kind[mark] ?? 0;
  if (!v.state.showTimers && timerKinds.has(kind)) return false;
  if (!v.state.showLogs && kind === kinds.log) return false;
  return (v.geometry.laneY[marks.lane[mark] ?? 0] ?? -1) >= 0;
}
