package dev.form.testkit.chsim;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.form.core.util.Sizes;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Stands in for the {@code cloud-hypervisor} executable: serves one simulated VMM on
 * {@code --api-socket path=/x.sock} (or the bare path), and, when given VM options ({@code --kernel},
 * {@code --cpus boot=N}, {@code --memory size=..,shared=on}, {@code --disk path=..}, {@code --serial file=..}
 * ...), creates and boots the VM at once as the real binary does. Simulator knobs: {@code --sim-version 52|53|54},
 * {@code --sim-eject-delay-ms N}, {@code --sim-vhost-wait-ms N}, {@code --sim-never-eject}. The process exits
 * (deleting its socket) on vmm.shutdown, on guest power-off and on SIGTERM.
 */
public final class CloudHypervisorSimulatorMain {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> IGNORED_WITH_VALUE = Set.of("--log-file", "--seccomp", "--event-monitor", "--rng",
            "--net", "--balloon", "--landlock-rules");
    private static final Set<String> IGNORED_FLAGS = Set.of("-v", "-vv", "-vvv", "--watchdog", "--pvpanic", "--landlock");

    private CloudHypervisorSimulatorMain() {
    }

    public static void main(String[] args) {
        int status;
        try {
            status = run(args);
        } catch (IllegalArgumentException e) {
            System.err.println("Error: " + e.getMessage());
            status = 1;
        }
        System.exit(status);
    }

    static int run(String[] args) {
        Map<String, List<String>> opts = parse(args);
        String apiSocket = single(opts, "--api-socket");
        if (apiSocket == null) throw new IllegalArgumentException("--api-socket path=<socket> is required by the simulator");
        if (apiSocket.startsWith("fd=")) throw new IllegalArgumentException("--api-socket fd= is not supported by the simulator");
        Path socket = Path.of(apiSocket.startsWith("path=") ? keyValues(apiSocket).get("path") : apiSocket);

        SimulatorOptions options = SimulatorOptions.defaults();
        if (single(opts, "--sim-version") != null) options = options.withVersion(ApiVersion.parse(single(opts, "--sim-version")));
        if (single(opts, "--sim-eject-delay-ms") != null) {
            options = options.withEjectDelay(Duration.ofMillis(Long.parseLong(single(opts, "--sim-eject-delay-ms"))));
        }
        if (single(opts, "--sim-vhost-wait-ms") != null) {
            options = options.withVhostUserWait(Duration.ofMillis(Long.parseLong(single(opts, "--sim-vhost-wait-ms"))));
        } else {
            options = options.withVhostUserWait(Duration.ofSeconds(60));
        }
        if (opts.containsKey("--sim-never-eject")) options = options.withGuestNeverEjecting();
        String logFile = single(opts, "--log-file");
        if (logFile != null) {
            try {
                Files.writeString(Path.of(logFile), "cloud-hypervisor simulator " + options.version().buildVersion() + "\n",
                        StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot write --log-file " + logFile + ": " + e.getMessage());
            }
        }
        ObjectNode vmConfig = vmConfigFromOptions(opts);

        CloudHypervisorSimulator simulator = CloudHypervisorSimulator.start(options);
        SimulatedVmm vmm = simulator.serve(socket);
        Runtime.getRuntime().addShutdownHook(new Thread(simulator::close, "chsim-exit"));
        if (vmConfig != null) {
            try {
                vmm.createAndBoot(vmConfig.toString());
            } catch (IllegalArgumentException e) {
                simulator.close();
                throw e;
            }
        }
        vmm.terminated().join();
        simulator.close();
        return 0;
    }

    /**
     * Writes an executable {@code cloud-hypervisor} script into {@code dir} that runs this main with the
     * current JVM's classpath; give its path to the service as {@code --cloud-hypervisor-bin}.
     */
    public static Path writeLauncher(Path dir) throws IOException {
        return writeLauncher(dir, List.of());
    }

    /**
     * Like {@link #writeLauncher(Path)}, with simulator options baked in ahead of the caller's arguments,
     * e.g. {@code List.of("--sim-version", "53", "--sim-vhost-wait-ms", "2000")}: the service then starts a
     * simulator that behaves as configured while passing only the real binary's options.
     */
    public static Path writeLauncher(Path dir, List<String> simulatorArgs) throws IOException {
        Files.createDirectories(dir);
        StringBuilder baked = new StringBuilder();
        for (String a : simulatorArgs) baked.append(' ').append(shellQuote(a));
        String classpath = System.getProperty("surefire.test.class.path");
        if (classpath == null || classpath.isBlank()) classpath = System.getProperty("java.class.path");
        String currentJava = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String script = "#!/bin/sh\n"
                + "# Stand-in for cloud-hypervisor: the form test kit's API simulator.\n"
                + "JAVA=\"${JAVA_HOME:+$JAVA_HOME/bin/java}\"\n"
                + "[ -x \"$JAVA\" ] || JAVA=" + shellQuote(currentJava) + "\n"
                + "exec \"$JAVA\" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto -Xmx96m"
                + " -cp " + shellQuote(classpath) + " " + CloudHypervisorSimulatorMain.class.getName() + baked + " \"$@\"\n";
        Path launcher = dir.resolve("cloud-hypervisor");
        Files.writeString(launcher, script, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        return launcher;
    }

    private static String shellQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    // ------------------------------------------------------------------ command line

    private static Map<String, List<String>> parse(String[] args) {
        Map<String, List<String>> opts = new LinkedHashMap<>();
        Set<String> withValue = Set.of("--api-socket", "--sim-version", "--sim-eject-delay-ms", "--sim-vhost-wait-ms",
                "--kernel", "--initramfs", "--cmdline", "--firmware", "--cpus", "--memory", "--disk", "--fs", "--device",
                "--serial", "--console", "--platform");
        Set<String> multi = Set.of("--disk", "--fs", "--device");
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                value = a.substring(eq + 1);
                a = a.substring(0, eq);
            }
            if (IGNORED_FLAGS.contains(a) || a.equals("--sim-never-eject")) {
                opts.computeIfAbsent(a, k -> new ArrayList<>());
                continue;
            }
            if (!withValue.contains(a) && !IGNORED_WITH_VALUE.contains(a)) {
                throw new IllegalArgumentException("unexpected argument '" + args[i] + "' found");
            }
            List<String> values = opts.computeIfAbsent(a, k -> new ArrayList<>());
            if (value != null) {
                values.add(value);
                continue;
            }
            if (i + 1 >= args.length) throw new IllegalArgumentException("a value is required for '" + a + "'");
            values.add(args[++i]);
            // clap lets --disk/--fs/--device take several values after one flag.
            while (multi.contains(a) && i + 1 < args.length && !args[i + 1].startsWith("-")) values.add(args[++i]);
        }
        return opts;
    }

    private static String single(Map<String, List<String>> opts, String key) {
        List<String> v = opts.get(key);
        return v == null || v.isEmpty() ? null : v.get(v.size() - 1);
    }

    /** null when no VM option was given (then only the VMM runs, as with the real binary). */
    static ObjectNode vmConfigFromOptions(Map<String, List<String>> opts) {
        boolean anyVm = opts.keySet().stream().anyMatch(k -> Set.of("--kernel", "--firmware", "--disk", "--cpus", "--memory",
                "--fs", "--device", "--serial", "--console", "--cmdline", "--initramfs", "--platform").contains(k));
        if (!anyVm) return null;
        ObjectNode c = JSON.createObjectNode();
        ObjectNode payload = c.putObject("payload");
        putIf(payload, "kernel", single(opts, "--kernel"));
        putIf(payload, "firmware", single(opts, "--firmware"));
        putIf(payload, "cmdline", single(opts, "--cmdline"));
        putIf(payload, "initramfs", single(opts, "--initramfs"));

        Map<String, String> cpus = keyValues(orDefault(single(opts, "--cpus"), "boot=1"));
        long boot = Long.parseLong(cpus.getOrDefault("boot", "1"));
        c.putObject("cpus").put("boot_vcpus", boot).put("max_vcpus", Long.parseLong(cpus.getOrDefault("max", String.valueOf(boot))));

        Map<String, String> mem = keyValues(orDefault(single(opts, "--memory"), "size=512M"));
        ObjectNode memory = c.putObject("memory");
        memory.put("size", Sizes.parse(mem.getOrDefault("size", "512M")));
        if (mem.containsKey("hotplug_size")) memory.put("hotplug_size", Sizes.parse(mem.get("hotplug_size")));
        memory.put("shared", toggle(mem.get("shared")));
        memory.put("hugepages", toggle(mem.get("hugepages")));

        for (String d : opts.getOrDefault("--disk", List.of())) c.withArray("disks").add(disk(keyValues(d)));
        for (String f : opts.getOrDefault("--fs", List.of())) c.withArray("fs").add(fs(keyValues(f)));
        for (String d : opts.getOrDefault("--device", List.of())) c.withArray("devices").add(device(keyValues(d)));
        c.set("serial", console(orDefault(single(opts, "--serial"), "null")));
        c.set("console", console(orDefault(single(opts, "--console"), "tty")));
        String platform = single(opts, "--platform");
        if (platform != null) {
            Map<String, String> p = keyValues(platform);
            ObjectNode pl = c.putObject("platform");
            if (p.containsKey("num_pci_segments")) pl.put("num_pci_segments", Integer.parseInt(p.get("num_pci_segments")));
            if (p.containsKey("iommu_segments")) {
                ArrayNode segs = pl.putArray("iommu_segments");
                for (String s : p.get("iommu_segments").replace("[", "").replace("]", "").split("[,-]")) {
                    if (!s.isBlank()) segs.add(Integer.parseInt(s.trim()));
                }
            }
        }
        return c;
    }

    private static ObjectNode disk(Map<String, String> kv) {
        ObjectNode d = JSON.createObjectNode();
        putIf(d, "id", kv.get("id"));
        putIf(d, "path", kv.get("path"));
        d.put("readonly", toggle(kv.get("readonly")));
        d.put("direct", toggle(kv.get("direct")));
        if (kv.containsKey("iommu")) d.put("iommu", toggle(kv.get("iommu")));
        if (kv.containsKey("num_queues")) d.put("num_queues", Integer.parseInt(kv.get("num_queues")));
        if (kv.containsKey("queue_size")) d.put("queue_size", Integer.parseInt(kv.get("queue_size")));
        if (kv.containsKey("pci_segment")) d.put("pci_segment", Integer.parseInt(kv.get("pci_segment")));
        putIf(d, "serial", kv.get("serial"));
        if (kv.containsKey("image_type")) {
            String t = switch (kv.get("image_type").toLowerCase(Locale.ROOT)) {
                case "raw" -> "Raw";
                case "qcow2" -> "Qcow2";
                case "vhd" -> "FixedVhd";
                case "vhdx" -> "Vhdx";
                case "vmdk" -> "FlatVmdk";
                default -> throw new IllegalArgumentException("Error parsing --disk: unknown image_type " + kv.get("image_type"));
            };
            d.put("image_type", t);
        }
        return d;
    }

    private static ObjectNode fs(Map<String, String> kv) {
        if (!kv.containsKey("tag")) throw new IllegalArgumentException("Error parsing --fs: tag missing");
        if (!kv.containsKey("socket")) throw new IllegalArgumentException("Error parsing --fs: socket missing");
        if (kv.get("tag").getBytes(StandardCharsets.UTF_8).length > VmModel.FS_TAG_MAX) {
            throw new IllegalArgumentException("Error parsing --fs: max tag length is " + VmModel.FS_TAG_MAX);
        }
        ObjectNode f = JSON.createObjectNode();
        putIf(f, "id", kv.get("id"));
        f.put("tag", kv.get("tag")).put("socket", kv.get("socket"));
        if (kv.containsKey("num_queues")) f.put("num_queues", Integer.parseInt(kv.get("num_queues")));
        if (kv.containsKey("queue_size")) f.put("queue_size", Integer.parseInt(kv.get("queue_size")));
        return f;
    }

    private static ObjectNode device(Map<String, String> kv) {
        if (!kv.containsKey("path")) throw new IllegalArgumentException("Error parsing --device: path missing");
        ObjectNode d = JSON.createObjectNode();
        putIf(d, "id", kv.get("id"));
        d.put("path", kv.get("path"));
        if (kv.containsKey("iommu")) d.put("iommu", toggle(kv.get("iommu")));
        return d;
    }

    private static ObjectNode console(String spec) {
        ObjectNode c = JSON.createObjectNode();
        String lower = spec.toLowerCase(Locale.ROOT);
        if (lower.startsWith("file=")) {
            c.put("file", spec.substring("file=".length()));
            c.put("mode", "File");
        } else if (lower.startsWith("socket=")) {
            c.put("socket", spec.substring("socket=".length()));
            c.put("mode", "Socket");
        } else {
            c.put("mode", switch (lower) {
                case "off" -> "Off";
                case "pty" -> "Pty";
                case "tty" -> "Tty";
                case "null" -> "Null";
                default -> throw new IllegalArgumentException("Error parsing --serial/--console: invalid console mode given: " + spec);
            });
        }
        return c;
    }

    /** "a=1,b=[1,2],c=x" into a map; commas inside brackets belong to the value. */
    static Map<String, String> keyValues(String s) {
        Map<String, String> out = new LinkedHashMap<>();
        int depth = 0;
        StringBuilder cur = new StringBuilder();
        List<String> parts = new ArrayList<>();
        for (char ch : s.toCharArray()) {
            if (ch == '[') depth++;
            if (ch == ']') depth--;
            if (ch == ',' && depth == 0) {
                parts.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(ch);
            }
        }
        parts.add(cur.toString());
        for (String p : parts) {
            if (p.isEmpty()) continue;
            int eq = p.indexOf('=');
            if (eq < 0) out.put(p, "");
            else out.put(p.substring(0, eq), p.substring(eq + 1));
        }
        return out;
    }

    private static boolean toggle(String v) {
        if (v == null) return false;
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "on", "true" -> true;
            case "off", "false", "" -> false;
            default -> throw new IllegalArgumentException("invalid toggle value '" + v + "' (use on|off|true|false)");
        };
    }

    private static String orDefault(String v, String d) {
        return v == null ? d : v;
    }

    private static void putIf(ObjectNode o, String k, String v) {
        if (v != null) o.put(k, v);
    }

}
