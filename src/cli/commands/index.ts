import type { Command } from 'commander';
import { registerAnalyze } from './analyze';
import { registerDns } from './dns';
import { registerMatrix } from './matrix';
import { registerTrace } from './trace';
import { registerRules } from './rules';
import { registerDiff } from './diff';
import { registerMigrate } from './migrate';
import { registerTroubleshoot } from './troubleshoot';

/** Every subcommand, registered in this order (one line each; add new commands here). */
export const COMMANDS: Array<(program: Command) => void> = [
  registerAnalyze,
  registerDns,
  registerMatrix,
  registerTrace,
  registerRules,
  registerDiff,
  registerMigrate,
  registerTroubleshoot,
];
