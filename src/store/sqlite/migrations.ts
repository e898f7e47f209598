/** Versioned schema of the SQLite store. Append a migration; never edit one that has shipped. */

export const migrations: readonly string[] = [
  `
  CREATE TABLE runs (
    run_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    workspace TEXT NOT NULL,
    plan_file TEXT,
    status TEXT NOT NULL,
    step_count INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    finished_at INTEGER,
    owner TEXT,
    last_seq INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX runs_by_workspace ON runs (workspace, created_at);
  CREATE TABLE events (
    run_id TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    type TEXT NOT NULL,
    at INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (run_id, seq)
  ) WITHOUT ROWID;
  CREATE TABLE step_durations (
    agent TEXT NOT NULL,
    action TEXT NOT NULL,
    duration_ms INTEGER NOT NULL,
    finished_at INTEGER NOT NULL
  );
  CREATE INDEX step_durations_by_key ON step_durations (agent, action, finished_at);
  `,
  `
  CREATE TABLE processes (
    boot_id TEXT NOT NULL,
    pid INTEGER NOT NULL,
    start_time TEXT NOT NULL,
    pgid INTEGER NOT NULL,
    owner_pid INTEGER NOT NULL,
    owner_start_time TEXT NOT NULL,
    tag TEXT NOT NULL,
    agent TEXT NOT NULL,
    PRIMARY KEY (boot_id, pid, start_time)
  ) WITHOUT ROWID;
  `,
  `
  CREATE TABLE approvals (
    run_id TEXT PRIMARY KEY REFERENCES runs (run_id) ON DELETE CASCADE,
    decision TEXT NOT NULL CHECK (decision IN ('approved', 'rejected')),
    decided_by TEXT NOT NULL,
    decided_at INTEGER NOT NULL,
    reason TEXT,
    plan TEXT
  );
  `,
  `
  CREATE TABLE review_cache (
    cache_key TEXT PRIMARY KEY,
    review TEXT NOT NULL,
    reviewed_at INTEGER NOT NULL,
    used_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX review_cache_by_use ON review_cache (used_at);
  `,
  `
  -- Approval decisions move into each run's log as run.approval-decided events. A decision still in the
  -- side table while its run awaits approval was never carried out: it becomes the run's next event.
  INSERT INTO events (run_id, seq, type, at, data)
    SELECT runs.run_id, runs.last_seq + 1, 'run.approval-decided', approvals.decided_at,
      json_patch(
        json_object('decision', approvals.decision, 'by', approvals.decided_by),
        json_object('reason', approvals.reason, 'plan', json(approvals.plan))
      )
    FROM approvals JOIN runs ON runs.run_id = approvals.run_id
    WHERE runs.status = 'awaiting_approval';
  UPDATE runs SET
    last_seq = last_seq + 1,
    updated_at = (SELECT decided_at FROM approvals WHERE approvals.run_id = runs.run_id),
    status = CASE (SELECT decision FROM approvals WHERE approvals.run_id = runs.run_id)
      WHEN 'approved' THEN 'pending' ELSE 'cancelled' END,
    finished_at = CASE (SELECT decision FROM approvals WHERE approvals.run_id = runs.run_id)
      WHEN 'approved' THEN finished_at ELSE (SELECT decided_at FROM approvals WHERE approvals.run_id = runs.run_id) END,
    owner = CASE (SELECT decision FROM approvals WHERE approvals.run_id = runs.run_id)
      WHEN 'approved' THEN owner ELSE NULL END
    WHERE status = 'awaiting_approval' AND run_id IN (SELECT run_id FROM approvals);
  DROP TABLE approvals;
  `,
  `
  -- Run ownership as a lease (store/run-leases.ts): who executes each run, until when.
  CREATE TABLE run_leases (
    run_id TEXT PRIMARY KEY REFERENCES runs (run_id) ON DELETE CASCADE,
    holder_id TEXT NOT NULL,
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    start_time TEXT NOT NULL,
    boot_id TEXT NOT NULL,
    acquired_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
  `
  -- What each successful step spent, beside its duration: the cost forecast shown before approval.
  ALTER TABLE step_durations ADD COLUMN cost_usd REAL;
  ALTER TABLE step_durations ADD COLUMN tokens INTEGER;
  `,
  `
  -- The run index's revision (sqlite-run-index.ts): each write to a run's row stamps it with one more than
  -- the highest, so a reader that polls the runs list asks for the highest first and reads only the rows
  -- stamped after its last look.
  ALTER TABLE runs ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
  UPDATE runs SET revision = rowid;
  CREATE INDEX runs_by_revision ON runs (revision);
  `,
  `
  -- What became of an ended run's work (run.applied / run.discarded), for the runs list.
  ALTER TABLE runs ADD COLUMN landing TEXT;
  `,
];
