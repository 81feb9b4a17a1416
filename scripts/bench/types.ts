/** What a figure should be, and whether this run met it. */
export interface BenchGoal {
  /** The goal, e.g. `≤ 5x` or `≤ 8 ms (Porcupine: 6-8 ms)`. */
  readonly text: string;
  /** Whether the figure's median met the goal in this run. */
  readonly met: boolean;
}

/** One figure printed by `npm run bench`. */
export interface BenchFigure {
  /** What was measured, e.g. `kv history, 50 clients, 10,000 ops`. */
  readonly name: string;
  /**
   * The figure itself. When it was measured over several runs, the best of them: the smallest time or
   * ratio, the largest rate.
   */
  readonly value: number;
  /** The median over the runs, when there were several. */
  readonly median?: number;
  /** Its unit, e.g. `ops/s`, `ms`, `deliveries/s`, `x`. */
  readonly unit: string;
  /** What it should be, when the project has set a goal for it. */
  readonly goal?: BenchGoal;
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
