// Every public call ends in a ClientError, never a raw exception.
import { asClientError } from './errors.js';

export async function guardedSession(fn) {
  try {
    return await fn();
  } catch (e) {
    throw asClientError(e);
  }
}
