/**
 * Preloaded (`node --import`) into a CLI process by tests of what a command loads: every module it imports
 * is listed, one URL a line, in the file named by AI_COLLAB_TEST_MODULE_LOG.
 */
import { register } from 'node:module';

register('./module-log-hooks.mjs', import.meta.url);
