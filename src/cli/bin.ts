#!/usr/bin/env node
import { main } from './main.js';
import { exitQuietlyWhenReaderGoes } from './reader-gone.js';

exitQuietlyWhenReaderGoes();
main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`ai-collab: ${String(error)}\n`);
    process.exitCode = 1;
  },
);
