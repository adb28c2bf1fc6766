package dev.form.vmm.registry;

import dev.form.core.model.InstanceState;
import dev.form.hypervisor.HypervisorKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The SQLite registry on a real file: schema migrations, the extension point, durability across reopen, nonces. */
class RegistryTest {
    @TempDir
    Path dir;

    private static final Migration EXTRA = Migration.of("test-001-extra", "CREATE TABLE extra (k TEXT PRIMARY KEY, v TEXT)");

    @Test
    void appliesTheServicesMigrationsThenExtensionsOnceEach() {
        Path file = dir.resolve("registry.db");
        try (Registry r = Registry.open(file, List.of(EXTRA))) {
            assertThat(r.appliedMigrations()).startsWith("vmm-001-instances").endsWith("test-001-extra");
            r.write(c -> {
                try (var st = c.createStatement()) {
                    st.executeUpdate("INSERT INTO extra VALUES ('a', 'b')");
                }
                return null;
            });
        }
        try (Registry r = Registry.open(file, List.of(EXTRA, Migration.of("test-002-more", "ALTER TABLE extra ADD COLUMN w TEXT")))) {
            assertThat(r.appliedMigrations()).containsSubsequence("test-001-extra", "test-002-more");
            assertThat(r.appliedMigrations()).doesNotHaveDuplicates();
            String v = r.read(c -> {
                try (var st = c.createStatement()) {
                    var rs = st.executeQuery("SELECT v FROM extra WHERE k = 'a'");
                    return rs.next() ? rs.getString(1) : null;
                }
            });
            assertThat(v).isEqualTo("b");
        }
    }

    @Test
    void theFileIsPrivateAndJournaledWithFullSync() throws Exception {
        Path file = dir.resolve("registry.db");
        try (Registry r = Registry.open(file, List.of())) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
            String journal = r.read(c -> {
                try (var st = c.createStatement()) {
                    return st.executeQuery("PRAGMA journal_mode").getString(1);
                }
            });
            int sync = r.write(c -> {
                try (var st = c.createStatement()) {
                    return st.executeQuery("PRAGMA synchronous").getInt(1);
                }
            });
            assertThat(journal).isEqualTo("wal");
            assertThat(sync).isEqualTo(2); // FULL
        }
    }

    @Test
    void aFailedTransactionLeavesNothing() {
        try (Registry r = Registry.open(dir.resolve("registry.db"), List.of())) {
            InstanceRecord i = instance("i_1", "one");
            assertThatThrownBy(() -> r.write(c -> {
                InstanceStore.insert(c, i);
                throw new SQLException("boom after the insert");
            })).isInstanceOf(RegistryException.class).hasMessageContaining("boom");
            Optional<InstanceRecord> found = r.read(c -> InstanceStore.byId(c, "i_1"));
            assertThat(found).isEmpty();
            r.write(c -> {
                InstanceStore.insert(c, i);
                return null;
            });
            assertThatThrownBy(() -> r.write(c -> {
                InstanceStore.insert(c, instance("i_2", "one"));
                return null;
            })).isInstanceOf(RegistryException.class);
        }
    }

    @Test
    void noncesKeepTheirFirstOutcomeAndArePrunedAfterExpiry() {
        try (Registry r = Registry.open(dir.resolve("registry.db"), List.of())) {
            var n = new NonceStore.SeenNonce("ab".repeat(16), "POST", "/v1/x", "00".repeat(32), 1000, "0xabc", 201, "application/json", "{}".getBytes());
            boolean first = r.write(c -> NonceStore.record(c, n));
            boolean second = r.write(c -> NonceStore.record(c, new NonceStore.SeenNonce(n.nonce(), "POST", "/v1/x", n.bodySha256(), 1000, "0xabc", 500,
                    "application/json", "{}".getBytes())));
            assertThat(first).isTrue();
            assertThat(second).isFalse();
            Optional<NonceStore.SeenNonce> kept = r.read(c -> NonceStore.find(c, n.nonce()));
            assertThat(kept.orElseThrow().status()).isEqualTo(201);
            int pruned = r.write(c -> NonceStore.prune(c, 999));
            assertThat(pruned).isZero();
            pruned = r.write(c -> NonceStore.prune(c, 1001));
            assertThat(pruned).isEqualTo(1);
            Optional<NonceStore.SeenNonce> gone = r.read(c -> NonceStore.find(c, n.nonce()));
            assertThat(gone).isEmpty();
        }
    }

    private static InstanceRecord instance(String id, String name) {
        return new InstanceRecord(id, name, "0xabc", InstanceState.STOPPED, HypervisorKind.QEMU,
                new LaunchConfig("/k", null, "console=ttyS0", 1, 2, 256L << 20, 512L << 20, true, List.of()), null, false, false, Instant.now());
    }
}
