package dev.form.bench.hypervisor;

import dev.form.core.model.DiskSpec;
import dev.form.core.model.ImageFormat;
import dev.form.hypervisor.AttachedDevice;
import dev.form.hypervisor.HypervisorException;
import dev.form.hypervisor.HypervisorKind;
import dev.form.hypervisor.VmEndpoint;
import dev.form.hypervisor.VmLaunchSpec;
import dev.form.hypervisor.cloudhypervisor.CloudHypervisor;
import dev.form.hypervisor.cloudhypervisor.CloudHypervisorClient;
import dev.form.hypervisor.cloudhypervisor.CloudHypervisorJson;
import dev.form.hypervisor.cloudhypervisor.LaunchOptions;
import dev.form.hypervisor.cloudhypervisor.SpecMapping;
import dev.form.hypervisor.cloudhypervisor.VmLimits;
import dev.form.hypervisor.RunningVm;
import dev.form.hypervisor.cloudhypervisor.http.HttpRequest;
import dev.form.hypervisor.cloudhypervisor.model.VmRemoveDevice;
import dev.form.testkit.chsim.ApiVersion;
import dev.form.testkit.chsim.CloudHypervisorSimulator;
import dev.form.testkit.chsim.SimulatedVmm;
import dev.form.testkit.chsim.SimulatorOptions;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One hot-add of a disk (and its removal, so PCI slots never run out) through the whole driver,
 * against the same exchange written and read as raw bytes on a socket: what the driver itself adds
 * (validation, JSON, HTTP parsing, error mapping) on top of the simulator's own work.
 *
 * <p>Each operation is two requests, vm.add-disk then vm.remove-device, with a fresh id; the
 * simulated guest ejects at once. Both benchmarks talk to their own VMM of the same simulator, in the
 * same run, over one kept connection each. Target: driver p50 at most 20% above raw p50.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AddDiskRoundTripBenchmark {

    /** Id digits patched in place in the raw request, so both variants send fresh ids of the same length. */
    private static final int ID_DIGITS = 9;
    /**
     * The driver spreads hot-adds over the VM's PCI segments; 16 give 496 slots, so the simulated
     * guest's ejects (on a timer thread of a busy 2-core machine) rarely fall 31 behind on one segment.
     * When they do, both variants pause 1 ms and go again with a fresh id: only that sample's tail grows.
     */
    private static final int SEGMENTS = 16;
    private static final int MAX_TRIES = 200;

    private Path dir;
    private CloudHypervisorSimulator simulator;
    private RunningVm driverVm;
    private SocketChannel raw;
    private final byte[][] rawAdd = new byte[SEGMENTS][];
    private final int[] rawAddIdAt = new int[SEGMENTS];
    private byte[] rawRemove;
    private int rawRemoveIdAt;
    private final ByteBuffer rawIn = ByteBuffer.allocate(64 * 1024);
    private Path image;
    private long driverCounter;
    private long rawCounter;

    @Setup(Level.Trial)
    public void start() throws Exception {
        dir = Files.createTempDirectory("form-bench-chdisk");
        simulator = CloudHypervisorSimulator.start(SimulatorOptions.defaults().withVersion(ApiVersion.V54).withEjectDelay(Duration.ZERO));
        image = dir.resolve("data.raw");
        Files.write(image, new byte[1 << 16]);
        Path kernel = dir.resolve("vmlinux");
        Files.write(kernel, new byte[]{0x7f, 'E', 'L', 'F'});

        SimulatedVmm driverVmm = simulator.serve(dir.resolve("driver.sock"));
        SimulatedVmm rawVmm = simulator.serve(dir.resolve("raw.sock"));
        VmLaunchSpec spec = new VmLaunchSpec("bench", dir, dir.resolve("console.log"), kernel.toString(), null, "console=ttyS0",
                1, 1, 256L << 20, 0, false, List.of(), List.of(), List.of());
        for (SimulatedVmm vmm : List.of(driverVmm, rawVmm)) {
            try (CloudHypervisorClient c = new CloudHypervisorClient(vmm.socket())) {
                c.createVm(SpecMapping.vm(spec, SEGMENTS, List.of()));
                c.bootVm();
            }
        }
        driverVm = new CloudHypervisor(Path.of("/nonexistent"), LaunchOptions.DEFAULT)
                .reattach(new VmEndpoint(HypervisorKind.CLOUD_HYPERVISOR, driverVmm.socket(), 0, null));

        // The raw variant sends byte for byte what the driver sends for the same disk.
        String template = id(0);
        for (int seg = 0; seg < SEGMENTS; seg++) {
            byte[] addBody = CloudHypervisorJson.write(SpecMapping.disk(disk(template), new VmLimits(1, SEGMENTS, List.of(), false), seg));
            rawAdd[seg] = HttpRequest.put("/api/v1/vm.add-disk", addBody).encode();
            rawAddIdAt[seg] = indexOf(rawAdd[seg], template);
        }
        rawRemove = HttpRequest.put("/api/v1/vm.remove-device", CloudHypervisorJson.write(new VmRemoveDevice(template))).encode();
        rawRemoveIdAt = indexOf(rawRemove, template);
        raw = SocketChannel.open(StandardProtocolFamily.UNIX);
        raw.connect(UnixDomainSocketAddress.of(rawVmm.socket()));
    }

    private DiskSpec disk(String id) {
        return new DiskSpec(id, image.toString(), ImageFormat.RAW, true, false, false, null, null, null, null, null);
    }

    private static String id(long n) {
        String digits = Long.toString(n);
        return "b" + "0".repeat(ID_DIGITS - digits.length()) + digits;
    }

    @Benchmark
    public AttachedDevice driver() throws HypervisorException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            String id = id(++driverCounter);
            try {
                AttachedDevice added = driverVm.addDisk(disk(id));
                driverVm.removeDevice(id);
                return added;
            } catch (HypervisorException e) {
                if (e.kind() != HypervisorException.Kind.CONFLICT || attempt == MAX_TRIES) throw e;
                Thread.sleep(1);
            }
        }
    }

    @Benchmark
    public int rawBytes() throws IOException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            long n = ++rawCounter;
            int seg = (int) ((n - 1) % SEGMENTS);
            patchId(rawAdd[seg], rawAddIdAt[seg], n);
            patchId(rawRemove, rawRemoveIdAt, n);
            int status = exchange(rawAdd[seg]);
            if (status == 200) {
                exchange(rawRemove);
                return status;
            }
            if (attempt == MAX_TRIES) throw new IOException("simulator kept refusing vm.add-disk with " + status);
            Thread.sleep(1);
        }
    }

    /**
     * Both variants at once, one thread each, in the same fork: on a shared, busy machine the load
     * drifts between the forks of the two standalone benchmarks, while here each moment's load hits
     * both alike. JMH reports each method's percentiles under the group.
     */
    @Benchmark
    @Group("paired")
    @GroupThreads(1)
    public AttachedDevice pairedDriver() throws HypervisorException, InterruptedException {
        return driver();
    }

    @Benchmark
    @Group("paired")
    @GroupThreads(1)
    public int pairedRawBytes() throws IOException, InterruptedException {
        return rawBytes();
    }

    private static void patchId(byte[] request, int at, long n) {
        for (int i = ID_DIGITS; i >= 1; i--) {
            request[at + i] = (byte) ('0' + n % 10);
            n /= 10;
        }
    }

    /** Writes the request and reads until the end of its response (headers plus Content-Length bytes). */
    private int exchange(byte[] request) throws IOException {
        ByteBuffer out = ByteBuffer.wrap(request);
        while (out.hasRemaining()) raw.write(out);
        rawIn.clear();
        int headEnd = -1;
        int length = 0;
        while (true) {
            if (raw.read(rawIn) < 0) throw new IOException("simulator closed the connection");
            byte[] b = rawIn.array();
            int len = rawIn.position();
            if (headEnd < 0) {
                for (int i = 3; i < len; i++) {
                    if (b[i] == '\n' && b[i - 1] == '\r' && b[i - 2] == '\n' && b[i - 3] == '\r') {
                        headEnd = i + 1;
                        String head = new String(b, 0, headEnd, StandardCharsets.ISO_8859_1);
                        int cl = head.indexOf("Content-Length: ");
                        length = cl < 0 ? 0 : Integer.parseInt(head.substring(cl + 16, head.indexOf('\r', cl)));
                        break;
                    }
                }
            }
            if (headEnd >= 0 && len >= headEnd + length) {
                return (b[9] - '0') * 100 + (b[10] - '0') * 10 + (b[11] - '0');
            }
        }
    }

    private static int indexOf(byte[] haystack, String needle) {
        String s = new String(haystack, StandardCharsets.ISO_8859_1);
        int at = s.indexOf(needle);
        if (at < 0) throw new IllegalStateException("id not found in request");
        return at;
    }

    @TearDown(Level.Trial)
    public void stop() throws IOException {
        driverVm.close();
        raw.close();
        simulator.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
