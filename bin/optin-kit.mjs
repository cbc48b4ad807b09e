#!/usr/bin/env node
// The CLI runs the TypeScript sources through tsx, so there is no separate compile step.
import { register } from 'tsx/esm/api';
register();
const { cliMain } = await import('../server/cli.ts');
await cliMain();
