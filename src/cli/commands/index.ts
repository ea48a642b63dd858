import type { Command } from 'commander';
import { registerAnalyze } from './analyze';
import { registerDns } from './dns';
import { registerMatrix } from './matrix';

/** Every subcommand, registered in this order (one line each; add new commands here). */
export const COMMANDS: Array<(program: Command) => void> = [registerAnalyze, registerDns, registerMatrix];
