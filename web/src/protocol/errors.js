// Protocol errors with the same kinds as the C++ ErrorCode values, so the
// page can choose its text by kind. Messages never contain secret input.
export class ProtocolError extends Error {
  /** @param {string} kind one of the KIND values */
  constructor(kind, message) {
    super(message);
    this.name = 'ProtocolError';
    this.kind = kind;
  }
}

export const KIND = Object.freeze({
  badCode: 'bad-code',
  malformed: 'malformed',
  tooLarge: 'too-large',
  unauthorised: 'unauthorised',
  unsupportedVersion: 'unsupported-version',
  notFound: 'not-found',
  replay: 'replay',
});

export function fail(kind, message) {
  throw new ProtocolError(kind, message);
}
