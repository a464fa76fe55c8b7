/**
 * The one error type of the engine. Every layer throws SqlError with a PostgreSQL
 * SQLSTATE; the wire layer turns it into an ErrorResponse. Anything else that escapes
 * is a bug and is reported as XX000 (internal_error).
 */
export type Severity = 'ERROR' | 'FATAL' | 'PANIC' | 'WARNING' | 'NOTICE' | 'DEBUG' | 'INFO' | 'LOG';

export interface SqlErrorFields {
  detail?: string;
  hint?: string;
  /** 1-based character position in the query text, as PostgreSQL reports it. */
  position?: number;
  severity?: Severity;
  schema?: string;
  table?: string;
  column?: string;
  constraint?: string;
  dataType?: string;
  where?: string;
}

export class SqlError extends Error {
  readonly code: string;
  readonly fields: SqlErrorFields;
  constructor(code: string, message: string, fields: SqlErrorFields = {}) {
    super(message);
    this.name = 'SqlError';
    this.code = code;
    this.fields = fields;
  }
  get severity(): Severity {
    return this.fields.severity ?? 'ERROR';
  }
  withPosition(position: number | undefined): SqlError {
    if (position === undefined || this.fields.position !== undefined) return this;
    return new SqlError(this.code, this.message, { ...this.fields, position });
  }
}

/** A NOTICE/WARNING sent to the client without failing the statement. */
export interface SqlNotice {
  severity: 'NOTICE' | 'WARNING' | 'INFO' | 'DEBUG' | 'LOG';
  code: string;
  message: string;
  detail?: string;
  hint?: string;
}

/** SQLSTATE codes used across the engine (PostgreSQL's errcodes.txt names). */
export const SqlState = {
  successfulCompletion: '00000',
  warning: '01000',
  featureNotSupported: '0A000',
  invalidParameterValue: '22023',
  dataException: '22000',
  stringDataRightTruncation: '22001',
  numericValueOutOfRange: '22003',
  nullValueNotAllowed: '22004',
  invalidDatetimeFormat: '22007',
  datetimeFieldOverflow: '22008',
  invalidTimeZoneDisplacementValue: '22009',
  divisionByZero: '22012',
  invalidTextRepresentation: '22P02',
  invalidBinaryRepresentation: '22P03',
  badCopyFileFormat: '22P04',
  arraySubscriptError: '2202E',
  invalidEscapeSequence: '22025',
  characterNotInRepertoire: '22021',
  notNullViolation: '23502',
  foreignKeyViolation: '23503',
  uniqueViolation: '23505',
  checkViolation: '23514',
  invalidTransactionState: '25000',
  activeSqlTransaction: '25001',
  noActiveSqlTransaction: '25P01',
  inFailedSqlTransaction: '25P02',
  invalidSqlStatementName: '26000',
  invalidCursorName: '34000',
  syntaxError: '42601',
  insufficientPrivilege: '42501',
  undefinedColumn: '42703',
  undefinedFunction: '42883',
  undefinedTable: '42P01',
  undefinedObject: '42704',
  undefinedParameter: '42P02',
  duplicateTable: '42P07',
  duplicateObject: '42710',
  duplicateColumn: '42701',
  duplicateAlias: '42712',
  duplicatePreparedStatement: '42P05',
  duplicateCursor: '42P03',
  ambiguousColumn: '42702',
  ambiguousFunction: '42725',
  datatypeMismatch: '42804',
  cannotCoerce: '42846',
  groupingError: '42803',
  windowingError: '42P20',
  invalidColumnReference: '42P10',
  invalidRecursion: '42P19',
  invalidFunctionDefinition: '42P13',
  duplicateFunction: '42723',
  indeterminateDatatype: '42P18',
  wrongObjectType: '42809',
  invalidTableDefinition: '42P16',
  invalidObjectDefinition: '42P17',
  invalidParameterValueConfig: '22023',
  undefinedFile: '58P01',
  protocolViolation: '08P01',
  invalidAuthorizationSpecification: '28000',
  invalidPassword: '28P01',
  invalidCatalogName: '3D000',
  queryCanceled: '57014',
  adminShutdown: '57P01',
  outOfMemory: '53200',
  stackDepthExceeded: '54001',
  tooManyConnections: '53300',
  diskFull: '53100',
  programLimitExceeded: '54000',
  tooManyColumns: '54011',
  tooManyArguments: '54023',
  objectInUse: '55006',
  objectNotInPrerequisiteState: '55000',
  unsafeNewEnumValueUsage: '55P04',
  serializationFailure: '40001',
  deadlockDetected: '40P01',
  lockNotAvailable: '55P03',
  idleInTransactionSessionTimeout: '25P03',
  cardinalityViolation: '21000',
  internalError: 'XX000',
  dataCorrupted: 'XX001',
  ioError: '58030',
} as const;

export function internalError(message: string): SqlError {
  return new SqlError(SqlState.internalError, message);
}

/** Any thrown thing → SqlError (unknown errors are bugs: XX000). */
/**
 * JavaScript's stack overflow (a 100k-term expression, a deeply nested query) as
 * PostgreSQL's stack depth error, not an internal error.
 */
export function isStackOverflow(e: unknown): boolean {
  return e instanceof RangeError && /Maximum call stack size exceeded/.test(e.message);
}

export function stackDepthError(): SqlError {
  return new SqlError(SqlState.stackDepthExceeded, 'stack depth limit exceeded', {
    hint: 'Increase the configuration parameter "max_stack_depth" (currently 2048kB), after ensuring the platform\'s stack depth limit is adequate.',
  });
}

export function toSqlError(e: unknown): SqlError {
  if (e instanceof SqlError) return e;
  if (isStackOverflow(e)) return stackDepthError();
  const message = e instanceof Error ? e.message : String(e);
  return new SqlError(SqlState.internalError, message);
}
