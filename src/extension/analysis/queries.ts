// What the extension may ask a folder's simulation. Each query runs where the simulation lives (the
// analysis worker) and returns plain data: only data crosses between threads.
import type { Analysis } from '../../engine';
import { hoverAt } from './hoverText';
import { lensesFor } from './lensData';
import type { Position, SymbolIndex } from './symbols';

export const QUERIES = {
  hover: (a: Analysis, index: SymbolIndex, args: { file: string; position: Position }) => hoverAt(a, index, args.file, args.position),
  lenses: (a: Analysis, index: SymbolIndex, args: { file: string; folder: string }) => lensesFor(a, index, args.file, args.folder),
};

export type QueryName = keyof typeof QUERIES;
export type QueryArgs<N extends QueryName> = Parameters<(typeof QUERIES)[N]>[2];
export type QueryResult<N extends QueryName> = ReturnType<(typeof QUERIES)[N]>;
