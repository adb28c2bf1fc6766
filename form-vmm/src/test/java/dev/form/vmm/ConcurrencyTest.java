package dev.form.vmm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.form.hypervisor.RunningVm;
import dev.form.hypervisor.cloudhypervisor.CloudHypervisor;
import dev.form.vmm.testing.ServiceHarness;
import dev.form.vmm.testing.SignedClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** One mutation at a time per VM, different VMs in parallel: concurrent adds never collide on generated ids or slots. */
class ConcurrencyTest {
    @TempDir
    Path tmp;

    @Test
    void concurrentAddsToTwoVmsAllLandOnceEach() throws Exception {
        try (ServiceHarness h = new ServiceHarness(tmp, Duration.ofSeconds(5)).start()) {
            SignedClient admin = h.adminClient();
            assertThat(admin.post("/v1/instances", h.createRequest("a")).status()).isEqualTo(201);
            assertThat(admin.post("/v1/instances", h.createRequest("b")).status()).isEqualTo(201);
            List<Future<SignedClient.Reply>> replies = new ArrayList<>();
            try (ExecutorService pool = Executors.newFixedThreadPool(12)) {
                for (int i = 0; i < 12; i++) {
                    String vm = i % 2 == 0 ? "a" : "b";
                    String image = "img" + i + ".raw";
                    replies.add(pool.submit(() -> admin.post("/v1/instances/" + vm + "/disks", Map.of("path", image, "sizeBytes", 1 << 20))));
                }
            }
            Map<String, Set<String>> idsByVm = Map.of("a", new HashSet<>(), "b", new HashSet<>());
            Set<String> pciA = new HashSet<>();
            for (int i = 0; i < replies.size(); i++) {
                SignedClient.Reply r = replies.get(i).get();
                assertThat(r.status()).as(r.toString()).isEqualTo(201);
                JsonNode v = r.json();
                String vm = i % 2 == 0 ? "a" : "b";
                assertThat(idsByVm.get(vm).add(v.get("id").asText())).as("id %s given once on %s", v.get("id"), vm).isTrue();
                if (vm.equals("a")) assertThat(pciA.add(v.get("pciAddress").asText())).isTrue();
            }
            for (String vm : List.of("a", "b")) {
                try (RunningVm running = new CloudHypervisor(h.chBin).reattach(h.instance(vm).endpoint())) {
                    assertThat(running.snapshot().devices().keySet()).containsAll(idsByVm.get(vm));
                }
                assertThat(idsByVm.get(vm)).hasSize(6);
            }
        }
    }
}
