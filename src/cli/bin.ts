#!/usr/bin/env node
import { main } from './main.js';
import { quietWhenReaderGoes } from './reader-gone.js';

quietWhenReaderGoes();
main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`ai-collab: ${String(error)}\n`);
    process.exitCode = 1;
  },
);
