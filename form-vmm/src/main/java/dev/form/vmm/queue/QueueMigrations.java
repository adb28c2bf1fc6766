package dev.form.vmm.queue;

import dev.form.vmm.registry.Migration;

import java.util.List;

/** The queue's own tables in the service's registry. Append new steps; never edit a released one. */
final class QueueMigrations {
    private QueueMigrations() {
    }

    static List<Migration> all() {
        return List.of(Migration.of("queue-001-requests",
                """
                CREATE TABLE queued_requests (
                  seq INTEGER PRIMARY KEY AUTOINCREMENT,
                  request_id TEXT NOT NULL UNIQUE,
                  lane TEXT NOT NULL,
                  instance TEXT NOT NULL,
                  method TEXT NOT NULL,
                  target TEXT NOT NULL,
                  body BLOB NOT NULL,
                  body_sha256 TEXT NOT NULL,
                  expires INTEGER NOT NULL,
                  signature TEXT NOT NULL,
                  signer TEXT NOT NULL,
                  source TEXT NOT NULL,
                  state TEXT NOT NULL,
                  status INTEGER,
                  content_type TEXT,
                  outcome BLOB,
                  accepted_at INTEGER NOT NULL,
                  started_at INTEGER,
                  finished_at INTEGER,
                  attempts INTEGER NOT NULL DEFAULT 0)""",
                "CREATE INDEX queued_requests_open ON queued_requests(state, lane, seq)"));
    }
}
