package dev.form.vmm.registry;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Group commit on a real SQLite file: concurrent writes share commits, yet each one is durable when
 * write() returns, is all-or-nothing on its own, and only its own caller hears of its failure.
 */
class GroupCommitTest {
    private static final Migration ITEMS = Migration.of("test-001-items", "CREATE TABLE items (k TEXT PRIMARY KEY, v INTEGER NOT NULL)");

    @TempDir
    Path dir;

    @Test
    void manyConcurrentWritersAreEachCommittedDurably() throws Exception {
        Path file = dir.resolve("registry.db");
        int writers = 32;
        int perWriter = 20;
        long commitsBefore;
        long commitsAfter;
        try (Registry r = Registry.open(file, List.of(ITEMS))) {
            commitsBefore = r.commitCount();
            ExecutorService pool = Executors.newFixedThreadPool(writers);
            try {
                CountDownLatch go = new CountDownLatch(1);
                List<Future<?>> done = new ArrayList<>();
                for (int w = 0; w < writers; w++) {
                    int writer = w;
                    done.add(pool.submit(() -> {
                        go.await();
                        for (int i = 0; i < perWriter; i++) {
                            String key = writer + "-" + i;
                            int expected = writer * 1000 + i;
                            int v = r.write(c -> {
                                insert(c, key, expected);
                                // read-your-writes inside the unit
                                try (var q = c.prepareStatement("SELECT v FROM items WHERE k = ?")) {
                                    q.setString(1, key);
                                    var rs = q.executeQuery();
                                    return rs.next() ? rs.getInt(1) : -1;
                                }
                            });
                            assertThat(v).isEqualTo(expected);
                            // once write() returned, every reader sees it
                            assertThat((int) r.read(c -> count(c, "k = '" + key + "'"))).isEqualTo(1);
                        }
                        return null;
                    }));
                }
                go.countDown();
                for (Future<?> f : done) f.get(2, TimeUnit.MINUTES);
            } finally {
                pool.shutdownNow();
            }
            commitsAfter = r.commitCount();
        }
        assertThat(commitsAfter - commitsBefore).isPositive().isLessThanOrEqualTo((long) writers * perWriter);
        try (Registry reopened = Registry.open(file, List.of(ITEMS))) {
            assertThat((int) reopened.read(c -> count(c, "1 = 1"))).isEqualTo(writers * perWriter);
            Set<String> keys = reopened.read(c -> {
                Set<String> out = new HashSet<>();
                try (var q = c.prepareStatement("SELECT k FROM items")) {
                    var rs = q.executeQuery();
                    while (rs.next()) out.add(rs.getString(1));
                }
                return out;
            });
            for (int w = 0; w < writers; w++) for (int i = 0; i < perWriter; i++) assertThat(keys).contains(w + "-" + i);
        }
    }

    @Test
    void aFailingUnitRollsBackAloneAndOnlyItsCallerHearsOfIt() throws Exception {
        Path file = dir.resolve("registry.db");
        ExecutorService pool = Executors.newFixedThreadPool(5);
        try (Registry r = Registry.open(file, List.of(ITEMS))) {
            HeldWriter held = new HeldWriter(r, pool, "blocker");
            Future<Integer> first = pool.submit(() -> r.write(c -> {
                insert(c, "first", 1);
                return 1;
            }));
            await().atMost(Duration.ofSeconds(10)).until(() -> r.queuedWrites() == 1);
            Future<Integer> failingSql = pool.submit(() -> r.write(c -> {
                insert(c, "failing-sql", 2);
                throw new SQLException("constraint of the caller's own making");
            }));
            await().atMost(Duration.ofSeconds(10)).until(() -> r.queuedWrites() == 2);
            Future<Integer> failingCheck = pool.submit(() -> r.write(c -> {
                insert(c, "failing-check", 3);
                throw new IllegalArgumentException("refused by the caller's own check");
            }));
            await().atMost(Duration.ofSeconds(10)).until(() -> r.queuedWrites() == 3);
            Future<Integer> last = pool.submit(() -> r.write(c -> {
                insert(c, "last", 4);
                return 4;
            }));
            await().atMost(Duration.ofSeconds(10)).until(() -> r.queuedWrites() == 4);
            long commitsBefore = r.commitCount();
            held.release();

            assertThat(first.get(30, TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(last.get(30, TimeUnit.SECONDS)).isEqualTo(4);
            assertThatThrownBy(() -> failingSql.get(30, TimeUnit.SECONDS))
                    .cause().isInstanceOf(RegistryException.class).hasMessageContaining("constraint of the caller's own making");
            assertThatThrownBy(() -> failingCheck.get(30, TimeUnit.SECONDS))
                    .cause().isExactlyInstanceOf(IllegalArgumentException.class).hasMessage("refused by the caller's own check");
            // the blocker's batch commits, then the four queued units share one commit
            assertThat(r.commitCount() - commitsBefore).isEqualTo(2);
        } finally {
            pool.shutdownNow();
        }
        try (Registry reopened = Registry.open(file, List.of(ITEMS))) {
            Set<String> keys = reopened.read(c -> {
                Set<String> out = new HashSet<>();
                try (var q = c.prepareStatement("SELECT k FROM items")) {
                    var rs = q.executeQuery();
                    while (rs.next()) out.add(rs.getString(1));
                }
                return out;
            });
            assertThat(keys).containsExactlyInAnyOrder("blocker", "first", "last");
        }
    }

    @Test
    void aUniqueViolationInOneUnitKeepsTheEarlierUnitThatWonTheKey() throws Exception {
        Path file = dir.resolve("registry.db");
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try (Registry r = Registry.open(file, List.of(ITEMS))) {
            HeldWriter held = new HeldWriter(r, pool, null);
            Future<Object> winner = pool.submit(() -> r.write(c -> {
                insert(c, "same", 1);
                return null;
            }));
            await().atMost(Duration.ofSeconds(10)).until(() -> r.queuedWrites() == 1);
            Future<Object> loser = pool.submit(() -> r.write(c -> {
                insert(c, "other", 5);
                insert(c, "same", 2); // sees the winner's uncommitted row in the same batch
                return null;
            }));
            await().atMost(Duration.ofSeconds(10)).until(() -> r.queuedWrites() == 2);
            held.release();
            winner.get(30, TimeUnit.SECONDS);
            assertThatThrownBy(() -> loser.get(30, TimeUnit.SECONDS)).cause().isInstanceOf(RegistryException.class).hasMessageContaining("UNIQUE");
            assertThat((int) r.read(c -> count(c, "k = 'same' AND v = 1"))).isEqualTo(1);
            assertThat((int) r.read(c -> count(c, "k = 'other'"))).isZero();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aWriteNestedInAWriteJoinsItsUnit() {
        try (Registry r = Registry.open(dir.resolve("registry.db"), List.of(ITEMS))) {
            assertThatThrownBy(() -> r.write(c -> {
                insert(c, "outer", 1);
                r.write(inner -> {
                    insert(inner, "inner", 2);
                    return null;
                });
                throw new SQLException("outer fails after the nested write");
            })).isInstanceOf(RegistryException.class);
            assertThat((int) r.read(c -> count(c, "1 = 1"))).isZero();
        }
    }

    @Test
    void anIntentIsCommittedWithoutFsyncUnlessItSharesABatchWithAWriteThatNeedsOne() throws Exception {
        try (Registry r = Registry.open(dir.resolve("registry.db"), List.of(ITEMS))) {
            // SQLite's own setting during the unit: 1 = NORMAL (the log is not fsynced at commit), 2 = FULL
            assertThat(r.writeIntent(GroupCommitTest::synchronousSetting)).isEqualTo(1);
            assertThat(r.write(GroupCommitTest::synchronousSetting)).isEqualTo(2);
            int setting = r.writeIntent(c -> {
                insert(c, "intent", 1);
                return synchronousSetting(c);
            });
            assertThat(setting).isEqualTo(1);
            assertThat((int) r.read(c -> count(c, "k = 'intent'"))).isEqualTo(1);

            ExecutorService pool = Executors.newFixedThreadPool(3);
            try {
                HeldWriter held = new HeldWriter(r, pool, null);
                Future<Integer> intent = pool.submit(() -> r.writeIntent(GroupCommitTest::synchronousSetting));
                Future<Integer> durable = pool.submit(() -> r.write(GroupCommitTest::synchronousSetting));
                await().atMost(Duration.ofSeconds(10)).until(() -> r.queuedWrites() == 2);
                held.release();
                assertThat(intent.get(10, TimeUnit.SECONDS)).as("the intent is fsynced with the write of its batch").isEqualTo(2);
                assertThat(durable.get(10, TimeUnit.SECONDS)).isEqualTo(2);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /**
     * Keeps the registry's writer thread busy in a unit of its own (which writes {@code key}, when given)
     * until released, so that the units submitted meanwhile land in one batch.
     */
    private static final class HeldWriter {
        private final CountDownLatch release = new CountDownLatch(1);
        private final Future<?> unit;

        HeldWriter(Registry r, ExecutorService pool, String key) throws InterruptedException {
            CountDownLatch busy = new CountDownLatch(1);
            unit = pool.submit(() -> r.write(c -> {
                busy.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    throw new SQLException("interrupted", e);
                }
                if (key != null) insert(c, key, 0);
                return null;
            }));
            assertThat(busy.await(30, TimeUnit.SECONDS)).isTrue();
        }

        void release() throws Exception {
            release.countDown();
            unit.get(30, TimeUnit.SECONDS);
        }
    }

    private static int synchronousSetting(java.sql.Connection c) throws SQLException {
        try (var st = c.createStatement(); var rs = st.executeQuery("PRAGMA synchronous")) {
            return rs.next() ? rs.getInt(1) : -1;
        }
    }

    private static void insert(java.sql.Connection c, String k, int v) throws SQLException {
        try (var st = c.prepareStatement("INSERT INTO items(k, v) VALUES (?, ?)")) {
            st.setString(1, k);
            st.setInt(2, v);
            st.executeUpdate();
        }
    }

    private static int count(java.sql.Connection c, String where) throws SQLException {
        try (var q = c.prepareStatement("SELECT COUNT(*) FROM items WHERE " + where)) {
            var rs = q.executeQuery();
            return rs.next() ? rs.getInt(1) : -1;
        }
    }
}
