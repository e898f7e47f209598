import Database from 'better-sqlite3';

/**
 * Until the returned function is called, every commit that records `stepId`'s success in the database at
 * `path` is aborted with `message` (a trigger in the real database): the whole batch rolls back, as SQLite
 * does when the disk is full or the process dies at that commit.
 */
export function refuseSuccessCommitOf(path: string, stepId: string, message: string): () => void {
  const admin = new Database(path);
  admin.exec(`CREATE TRIGGER refuse_success BEFORE INSERT ON events
    WHEN NEW.type = 'step.succeeded' AND json_extract(NEW.data, '$.stepId') = '${stepId}'
    BEGIN SELECT RAISE(ABORT, '${message}'); END`);
  return () => {
    admin.exec('DROP TRIGGER refuse_success');
    admin.close();
  };
}
