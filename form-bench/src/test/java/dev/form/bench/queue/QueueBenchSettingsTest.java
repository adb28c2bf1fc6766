package dev.form.bench.queue;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The queue benchmark's options: every knob that changes the work is parsed, checked and named in errors. */
class QueueBenchSettingsTest {

    @Test
    void defaultsAreTheServiceBenchmarksConditions() {
        QueueBenchSettings d = QueueBenchSettings.parse(new String[0]);
        assertThat(d.sharedVms()).as("one simulator process, as ServiceBenchmark").isTrue();
        assertThat(d.createImages()).as("each instance's own image").isFalse();
        assertThat(d.removeWait()).as("the service's default wait=true").isTrue();
        assertThat(d.workers()).as("the service's own default").isZero();
        assertThat(d.warmupRounds()).as("throughput warm-up until the JIT settles, at most 10 rounds").isEqualTo(10);
        assertThat(d.paths()).containsExactly("direct", "embedded", "kafka");
        assertThat(d.describe()).contains("one simulator process", "remove wait=true", "as the service's default");
    }

    @Test
    void everyOptionIsParsed() {
        QueueBenchSettings s = QueueBenchSettings.parse(new String[]{"--instances", "32", "--latency", "100", "--throughput", "2000",
                "--work", "disk", "--paths", "direct,kafka", "--images", "create", "--remove-wait", "false", "--vms", "per-vm",
                "--eject-delay-ms", "5", "--warmup-rounds", "2", "--workers", "8", "--dir", "/tmp/x", "--jfr", "/tmp/q"});
        assertThat(s).isEqualTo(new QueueBenchSettings(32, 100, 2000, List.of("disk"), List.of("direct", "kafka"), true, false, false,
                Duration.ofMillis(5), 2, 8, Path.of("/tmp/x"), Path.of("/tmp/q")));
        assertThat(s.describe()).contains("one simulator JVM per VM", "a new 1 MiB sparse image per add", "up to 2 warm-up rounds", "queue workers 8");
    }

    @Test
    void mistakesAreRefusedByName() {
        assertThatThrownBy(() -> QueueBenchSettings.parse(new String[]{"--clients", "4"})).hasMessageContaining("unknown option --clients");
        assertThatThrownBy(() -> QueueBenchSettings.parse(new String[]{"--paths", "direct,rabbit"})).hasMessageContaining("--paths");
        assertThatThrownBy(() -> QueueBenchSettings.parse(new String[]{"--images", "fresh"})).hasMessageContaining("--images is create or reuse");
        assertThatThrownBy(() -> QueueBenchSettings.parse(new String[]{"--instances", "many"})).hasMessageContaining("--instances must be a whole number");
        assertThatThrownBy(() -> QueueBenchSettings.parse(new String[]{"--latency"})).hasMessageContaining("--latency needs a value");
    }

    @Test
    void reusedImagesNeedTheRemovalToWaitForTheGuest() {
        assertThatThrownBy(() -> QueueBenchSettings.parse(new String[]{"--remove-wait", "false"}))
                .hasMessageContaining("--images reuse needs --remove-wait true");
        assertThat(QueueBenchSettings.parse(new String[]{"--remove-wait", "false", "--images", "create"}).removeWait()).isFalse();
    }
}
