/** Loader hooks (see module-log.mjs): appends the URL of every module loaded to the file in AI_COLLAB_TEST_MODULE_LOG. */
import { appendFileSync } from 'node:fs';

export async function load(url, context, nextLoad) {
  const file = process.env.AI_COLLAB_TEST_MODULE_LOG;
  if (file) appendFileSync(file, `${url}\n`);
  return nextLoad(url, context);
}
