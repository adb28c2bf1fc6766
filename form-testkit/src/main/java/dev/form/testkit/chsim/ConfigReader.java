package dev.form.testkit.chsim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * Turns request bodies into configuration objects laid out as Cloud Hypervisor serializes them back in
 * vm.info (defaults filled in, None fields omitted, {@code iommu} only when true), refusing with serde's
 * words what serde would refuse.
 */
final class ConfigReader {
    static final List<String> IMAGE_TYPES = List.of("FixedVhd", "Qcow2", "Raw", "Vhdx", "FlatVmdk", "Unknown");
    static final List<String> LOCK_GRANULARITY = List.of("ByteRange", "Full");
    static final List<String> CONSOLE_MODES = List.of("Off", "Pty", "Tty", "File", "Socket", "Null");
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private ConfigReader() {
    }

    static ObjectNode disk(LocatedJson doc) throws DeserializeException {
        return disk(SerdeStruct.at(doc, "", doc.root(), "DiskConfig"));
    }

    static ObjectNode disk(SerdeStruct s) throws DeserializeException {
        ObjectNode d = F.objectNode();
        pciCommon(s, d);
        putString(d, "path", s.string("path"));
        d.put("readonly", s.bool("readonly", false));
        d.put("direct", s.bool("direct", false));
        d.put("num_queues", s.unsigned("num_queues", "usize", 1));
        d.put("queue_size", s.unsigned("queue_size", "u16", 128));
        d.put("vhost_user", s.bool("vhost_user", false));
        putString(d, "vhost_socket", s.string("vhost_socket"));
        putString(d, "rate_limit_group", s.string("rate_limit_group"));
        JsonNode rl = s.raw("rate_limiter_config");
        if (rl != null && !rl.isNull()) d.set("rate_limiter_config", rateLimiter(SerdeStruct.at(s.doc(), s.child("rate_limiter_config"), rl, "RateLimiterConfig")));
        JsonNode qa = s.array("queue_affinity");
        if (qa != null) d.set("queue_affinity", queueAffinity(s, qa));
        d.put("disable_io_uring", s.bool("disable_io_uring", false));
        d.put("disable_aio", s.bool("disable_aio", false));
        putString(d, "serial", s.string("serial"));
        d.put("backing_files", s.bool("backing_files", false));
        d.put("sparse", s.bool("sparse", true));
        String it = s.enumValue("image_type", IMAGE_TYPES);
        d.put("image_type", it == null ? "Unknown" : it);
        String lg = s.enumValue("lock_granularity", LOCK_GRANULARITY);
        d.put("lock_granularity", lg == null ? "ByteRange" : lg);
        return d;
    }

    static ObjectNode fs(LocatedJson doc) throws DeserializeException {
        return fs(SerdeStruct.at(doc, "", doc.root(), "FsConfig"));
    }

    static ObjectNode fs(SerdeStruct s) throws DeserializeException {
        ObjectNode d = F.objectNode();
        String tag = s.requiredString("tag");
        String socket = s.requiredString("socket");
        pciCommon(s, d);
        d.put("tag", tag);
        d.put("socket", socket);
        d.put("num_queues", s.unsigned("num_queues", "usize", 1));
        d.put("queue_size", s.unsigned("queue_size", "u16", 1024));
        return d;
    }

    static ObjectNode device(LocatedJson doc) throws DeserializeException {
        return device(SerdeStruct.at(doc, "", doc.root(), "DeviceConfig"));
    }

    static ObjectNode device(SerdeStruct s) throws DeserializeException {
        ObjectNode d = F.objectNode();
        pciCommon(s, d);
        putString(d, "path", s.string("path"));
        Long clique = s.unsigned("x_nv_gpudirect_clique", "u8");
        if (clique != null) d.put("x_nv_gpudirect_clique", clique);
        ArrayNode bars = F.arrayNode();
        JsonNode given = s.array("x_exclude_mmap_bars");
        if (given != null) {
            for (int i = 0; i < given.size(); i++) {
                bars.add(SerdeStruct.unsignedValue(s.doc(), s.child("x_exclude_mmap_bars") + "/" + i, given.get(i), "u32"));
            }
        }
        d.set("x_exclude_mmap_bars", bars);
        // A "fd" in the JSON is discarded: descriptors only travel as SCM_RIGHTS.
        return d;
    }

    /** The id of vm.remove-device; required by the server although the spec does not say so. */
    static String removeDeviceId(LocatedJson doc) throws DeserializeException {
        SerdeStruct s = SerdeStruct.at(doc, "", doc.root(), "VmRemoveDevice");
        return s.requiredString("id");
    }

    record Resize(Long desiredVcpus, Long desiredRam, Long desiredBalloon) {
    }

    static Resize resize(LocatedJson doc) throws DeserializeException {
        SerdeStruct s = SerdeStruct.at(doc, "", doc.root(), "VmResize");
        return new Resize(s.unsigned("desired_vcpus", "u32"), s.unsigned("desired_ram", "u64"),
                s.unsigned("desired_balloon", "u64"));
    }

    /** Whole VmConfig of vm.create: the parts the simulator models are normalized, others kept as sent. */
    static ObjectNode vmConfig(LocatedJson doc) throws DeserializeException {
        SerdeStruct s = SerdeStruct.at(doc, "", doc.root(), "VmConfig");
        ObjectNode c = F.objectNode();

        ObjectNode cpus = F.objectNode();
        JsonNode cpusIn = s.raw("cpus");
        long boot = 1;
        long max;
        if (cpusIn != null && !cpusIn.isNull()) {
            SerdeStruct cs = SerdeStruct.at(doc, "/cpus", cpusIn, "CpusConfig");
            boot = cs.requiredUnsigned("boot_vcpus", "u32");
            max = cs.requiredUnsigned("max_vcpus", "u32");
            cpus.put("boot_vcpus", boot).put("max_vcpus", max);
            copyIfPresent(cs, cpus, "topology");
            cpus.put("kvm_hyperv", cs.bool("kvm_hyperv", false));
            cpus.put("max_phys_bits", cs.unsigned("max_phys_bits", "u8", 46));
            copyIfPresent(cs, cpus, "affinity");
            cpus.set("features", cs.present("features") ? cs.raw("features") : F.objectNode().put("amx", false));
            cpus.put("nested", cs.bool("nested", true));
        } else {
            cpus.put("boot_vcpus", 1).put("max_vcpus", 1).put("kvm_hyperv", false).put("max_phys_bits", 46);
            cpus.set("features", F.objectNode().put("amx", false));
            cpus.put("nested", true);
        }
        c.set("cpus", cpus);

        ObjectNode mem = F.objectNode();
        JsonNode memIn = s.raw("memory");
        if (memIn != null && !memIn.isNull()) {
            SerdeStruct ms = SerdeStruct.at(doc, "/memory", memIn, "MemoryConfig");
            mem.put("size", ms.requiredUnsigned("size", "u64"));
            Long hs = ms.unsigned("hotplug_size", "u64");
            if (hs != null) mem.put("hotplug_size", hs);
            Long hds = ms.unsigned("hotplugged_size", "u64");
            if (hds != null) mem.put("hotplugged_size", hds);
            mem.put("mergeable", ms.bool("mergeable", false));
            String method = ms.string("hotplug_method");
            mem.put("hotplug_method", method == null ? "Acpi" : method);
            mem.put("shared", ms.bool("shared", false));
            mem.put("hugepages", ms.bool("hugepages", false));
            Long hps = ms.unsigned("hugepage_size", "u64");
            if (hps != null) mem.put("hugepage_size", hps);
            mem.put("prefault", ms.bool("prefault", false));
            copyIfPresent(ms, mem, "zones");
            mem.put("thp", ms.bool("thp", true));
        } else {
            mem.put("size", 512L << 20).put("mergeable", false).put("hotplug_method", "Acpi").put("shared", false)
                    .put("hugepages", false).put("prefault", false).put("thp", true);
        }
        c.set("memory", mem);

        JsonNode payloadIn = s.raw("payload");
        if (payloadIn != null && !payloadIn.isNull()) {
            SerdeStruct ps = SerdeStruct.at(doc, "/payload", payloadIn, "PayloadConfig");
            ObjectNode payload = F.objectNode();
            for (String k : List.of("firmware", "kernel", "cmdline", "initramfs", "igvm", "host_data")) {
                putString(payload, k, ps.string(k));
            }
            c.set("payload", payload);
        }
        copyIfPresent(s, c, "rate_limit_groups");

        JsonNode disks = s.array("disks");
        if (disks != null) {
            ArrayNode out = F.arrayNode();
            for (int i = 0; i < disks.size(); i++) out.add(disk(SerdeStruct.at(doc, "/disks/" + i, disks.get(i), "DiskConfig")));
            c.set("disks", out);
        }
        copyIfPresent(s, c, "net");
        JsonNode rng = s.raw("rng");
        c.set("rng", rng != null && !rng.isNull() ? rng : F.objectNode().put("src", "/dev/urandom").put("iommu", false));
        copyIfPresent(s, c, "balloon");
        JsonNode fs = s.array("fs");
        if (fs != null) {
            ArrayNode out = F.arrayNode();
            for (int i = 0; i < fs.size(); i++) out.add(fs(SerdeStruct.at(doc, "/fs/" + i, fs.get(i), "FsConfig")));
            c.set("fs", out);
        }
        copyIfPresent(s, c, "generic_vhost_user");
        copyIfPresent(s, c, "pmem");
        c.set("serial", console(s, "serial", "Null"));
        c.set("console", console(s, "console", "Tty"));
        copyIfPresent(s, c, "debug_console");
        JsonNode devices = s.array("devices");
        if (devices != null) {
            ArrayNode out = F.arrayNode();
            for (int i = 0; i < devices.size(); i++) out.add(device(SerdeStruct.at(doc, "/devices/" + i, devices.get(i), "DeviceConfig")));
            c.set("devices", out);
        }
        copyIfPresent(s, c, "user_devices");
        copyIfPresent(s, c, "vdpa");
        copyIfPresent(s, c, "vsock");
        copyIfPresent(s, c, "numa");
        c.put("iommu", s.bool("iommu", false));
        c.put("watchdog", s.bool("watchdog", false));
        copyIfPresent(s, c, "rtc");
        c.put("pvpanic", s.bool("pvpanic", false));
        copyIfPresent(s, c, "pci_segments");
        JsonNode platformIn = s.raw("platform");
        if (platformIn != null && !platformIn.isNull()) {
            SerdeStruct ps = SerdeStruct.at(doc, "/platform", platformIn, "PlatformConfig");
            ObjectNode platform = ((ObjectNode) platformIn).deepCopy();
            platform.put("num_pci_segments", ps.unsigned("num_pci_segments", "u16", 1));
            JsonNode iommuSegs = ps.array("iommu_segments");
            if (iommuSegs != null) {
                for (int i = 0; i < iommuSegs.size(); i++) {
                    SerdeStruct.unsignedValue(doc, "/platform/iommu_segments/" + i, iommuSegs.get(i), "u16");
                }
            }
            c.set("platform", platform);
        }
        copyIfPresent(s, c, "tpm");
        c.put("landlock_enable", s.bool("landlock_enable", false));
        copyIfPresent(s, c, "landlock_rules");
        return c;
    }

    private static ObjectNode console(SerdeStruct s, String field, String defaultMode) throws DeserializeException {
        JsonNode in = s.raw(field);
        ObjectNode out = F.objectNode();
        if (in == null || in.isNull()) {
            out.put("mode", defaultMode);
            out.put("iommu", false);
            return out;
        }
        SerdeStruct cs = SerdeStruct.at(s.doc(), s.child(field), in, "ConsoleConfig");
        putString(out, "file", cs.string("file"));
        String mode = cs.enumValue("mode", CONSOLE_MODES);
        if (mode == null) throw cs.missing("mode");
        out.put("mode", mode);
        out.put("iommu", cs.bool("iommu", false));
        putString(out, "socket", cs.string("socket"));
        return out;
    }

    /** The flattened PciDeviceCommonConfig: id, iommu (serialized only when true), segment, device id. */
    private static void pciCommon(SerdeStruct s, ObjectNode d) throws DeserializeException {
        putString(d, "id", s.string("id"));
        if (s.bool("iommu", false)) d.put("iommu", true);
        d.put("pci_segment", s.unsigned("pci_segment", "u16", 0));
        Long pdi = s.unsigned("pci_device_id", "u8");
        if (pdi != null) d.put("pci_device_id", pdi);
    }

    private static ObjectNode rateLimiter(SerdeStruct s) throws DeserializeException {
        s.denyUnknown(List.of("bandwidth", "ops"));
        ObjectNode out = F.objectNode();
        for (String k : List.of("bandwidth", "ops")) {
            JsonNode b = s.raw(k);
            if (b == null || b.isNull()) {
                out.putNull(k);
                continue;
            }
            SerdeStruct bs = SerdeStruct.at(s.doc(), s.child(k), b, "TokenBucketConfig");
            bs.denyUnknown(List.of("size", "one_time_burst", "refill_time"));
            ObjectNode bucket = F.objectNode();
            bucket.put("size", bs.requiredUnsigned("size", "u64"));
            Long otb = bs.unsigned("one_time_burst", "u64");
            if (otb == null) bucket.putNull("one_time_burst");
            else bucket.put("one_time_burst", otb);
            bucket.put("refill_time", bs.requiredUnsigned("refill_time", "u64"));
            out.set(k, bucket);
        }
        return out;
    }

    private static ArrayNode queueAffinity(SerdeStruct s, JsonNode qa) throws DeserializeException {
        ArrayNode out = F.arrayNode();
        for (int i = 0; i < qa.size(); i++) {
            SerdeStruct e = SerdeStruct.at(s.doc(), s.child("queue_affinity") + "/" + i, qa.get(i), "VirtQueueAffinity");
            ObjectNode o = F.objectNode();
            o.put("queue_index", e.requiredUnsigned("queue_index", "u16"));
            JsonNode cpus = e.array("host_cpus");
            if (cpus == null) throw e.missing("host_cpus");
            ArrayNode c = F.arrayNode();
            for (int j = 0; j < cpus.size(); j++) {
                c.add(SerdeStruct.unsignedValue(s.doc(), e.child("host_cpus") + "/" + j, cpus.get(j), "usize"));
            }
            o.set("host_cpus", c);
            out.add(o);
        }
        return out;
    }

    private static void copyIfPresent(SerdeStruct s, ObjectNode out, String field) {
        JsonNode v = s.raw(field);
        if (v != null && !v.isNull()) out.set(field, v.deepCopy());
    }

    private static void putString(ObjectNode o, String field, String value) {
        if (value != null) o.put(field, value);
    }
}
