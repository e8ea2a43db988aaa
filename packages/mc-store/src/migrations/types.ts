export interface Migration {
  /** The PRAGMA user_version the database has once this migration is applied. */
  version: number;
  name: string;
  sql: string;
}
