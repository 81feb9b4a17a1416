/** One figure printed by `npm run bench`. */
export interface BenchFigure {
  /** What was measured, e.g. `kv history, 50 clients, 10,000 ops`. */
  readonly name: string;
  /** The figure itself. */
  readonly value: number;
  /** Its unit, e.g. `ops/s`, `ms`, `deliveries/s`, `x`. */
  readonly unit: string;
  /** Anything a reader needs to interpret it (verdict, memory, baseline). */
  readonly detail?: string;
}

/** A group of bench figures, run in one go. */
export interface BenchSuite {
  /** The suite's title, printed as a heading. */
  readonly title: string;
  /** Runs the measurements and returns the figures. Must not take more than a minute. */
  run(): Promise<readonly BenchFigure[]>;
}
