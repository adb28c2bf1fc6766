package dev.form.vmm.registry;

import java.util.List;

/** The service's own schema, oldest first. Append new steps; never edit a released one. */
public final class CoreMigrations {
    private CoreMigrations() {
    }

    public static List<Migration> all() {
        return List.of(
                Migration.of("vmm-001-instances",
                        """
                        CREATE TABLE instances (
                          id TEXT PRIMARY KEY,
                          name TEXT NOT NULL UNIQUE,
                          owner TEXT NOT NULL,
                          state TEXT NOT NULL,
                          hypervisor TEXT NOT NULL,
                          launch_spec TEXT NOT NULL,
                          endpoint TEXT,
                          autostart INTEGER NOT NULL DEFAULT 0,
                          adopted INTEGER NOT NULL DEFAULT 0,
                          created_at INTEGER NOT NULL,
                          updated_at INTEGER NOT NULL)"""),
                Migration.of("vmm-002-resources",
                        """
                        CREATE TABLE resources (
                          seq INTEGER PRIMARY KEY AUTOINCREMENT,
                          instance_id TEXT NOT NULL,
                          id TEXT NOT NULL,
                          kind TEXT NOT NULL,
                          state TEXT NOT NULL,
                          spec TEXT NOT NULL,
                          pci_address TEXT,
                          intent_id TEXT,
                          caller TEXT,
                          created_at INTEGER NOT NULL,
                          updated_at INTEGER NOT NULL)""",
                        "CREATE UNIQUE INDEX resources_live_id ON resources(instance_id, id) WHERE state <> 'removed'",
                        "CREATE INDEX resources_state ON resources(state)"),
                Migration.of("vmm-003-grants",
                        """
                        CREATE TABLE grants (
                          instance_id TEXT NOT NULL,
                          address TEXT NOT NULL,
                          level TEXT NOT NULL,
                          granted_by TEXT NOT NULL,
                          granted_at INTEGER NOT NULL,
                          PRIMARY KEY (instance_id, address))"""),
                Migration.of("vmm-004-nonces",
                        """
                        CREATE TABLE nonces (
                          nonce TEXT PRIMARY KEY,
                          method TEXT NOT NULL,
                          target TEXT NOT NULL,
                          body_sha256 TEXT NOT NULL,
                          expires INTEGER NOT NULL,
                          caller TEXT NOT NULL,
                          status INTEGER NOT NULL,
                          content_type TEXT NOT NULL,
                          body BLOB NOT NULL,
                          recorded_at INTEGER NOT NULL)""",
                        "CREATE INDEX nonces_expires ON nonces(expires)"),
                Migration.of("vmm-005-audit",
                        """
                        CREATE TABLE audit (
                          seq INTEGER PRIMARY KEY AUTOINCREMENT,
                          at INTEGER NOT NULL,
                          caller TEXT NOT NULL,
                          instance_id TEXT,
                          operation TEXT NOT NULL,
                          resource_id TEXT,
                          request_id TEXT,
                          outcome TEXT NOT NULL,
                          status INTEGER,
                          detail TEXT)""",
                        "CREATE INDEX audit_instance ON audit(instance_id, seq)",
                        "CREATE INDEX audit_request ON audit(request_id)"),
                Migration.of("vmm-006-open-requests",
                        """
                        CREATE TABLE open_requests (
                          nonce TEXT PRIMARY KEY,
                          instance_id TEXT NOT NULL,
                          operation TEXT NOT NULL,
                          method TEXT NOT NULL,
                          target TEXT NOT NULL,
                          body_sha256 TEXT NOT NULL,
                          expires INTEGER NOT NULL,
                          caller TEXT NOT NULL,
                          single INTEGER NOT NULL,
                          created_at INTEGER NOT NULL)"""),
                // per-request lookups must not scan history: removed rows pile up, instances add up.
                // Partial indexes hold only the rows those lookups want; their WHERE clauses are
                // repeated verbatim in ResourceStore/InstanceStore so SQLite's planner can use them.
                Migration.of("vmm-007-lookup-indexes",
                        "CREATE INDEX resources_live_kind ON resources(kind, seq) WHERE state <> 'removed'",
                        "CREATE INDEX resources_removed_created_images ON resources(seq) "
                                + "WHERE state = 'removed' AND kind = 'disk' AND json_extract(spec, '$.createdImage') = 1",
                        "CREATE INDEX instances_with_boot_disks ON instances(id) "
                                + "WHERE json_array_length(launch_spec, '$.bootDisks') > 0"),
                // an add asks who created one image, by its identity, instead of reading every removed row
                Migration.of("vmm-008-created-image-by-identity",
                        "DROP INDEX resources_removed_created_images",
                        "CREATE INDEX resources_removed_created_image_identity ON resources(json_extract(spec, '$.imageIdentity')) "
                                + "WHERE state = 'removed' AND kind = 'disk' AND json_extract(spec, '$.createdImage') = 1"));
    }
}
