/** The one mapping from errors thrown below the server to what a client is told. */
import { InputError, OrchestratorError } from '../../support/errors.js';
import { HttpError } from './http-io.js';

const statusByCode: Readonly<Record<string, number>> = {
  RUN_NOT_FOUND: 404,
  RUN_OWNED: 409,
  RUN_NOT_RESUMABLE: 409,
  PLAN_INVALID: 422,
  CONFIG_INVALID: 400,
  USAGE: 400,
  // The run's log cannot be read (edited or damaged): the message names the event and field to restore.
  STORE_CORRUPT: 500,
};

/** Known errors keep their code and message (they are written for users); anything else says little. */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof InputError) {
    return new HttpError(statusByCode[error.code] ?? 400, error.code, error.message, {
      problems: error.problems,
    });
  }
  if (error instanceof OrchestratorError && statusByCode[error.code] !== undefined) {
    return new HttpError(statusByCode[error.code] as number, error.code, error.message);
  }
  return new HttpError(500, 'INTERNAL', 'internal error; the server log has the details');
}
