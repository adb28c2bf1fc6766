package dev.form.testkit.chsim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Hot and cold adds of disks and VFIO devices, ids, PCI slots, removal and ejection, images and their locks. */
class SimHotplugTest {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path dir;
    SimFixture fx;
    CloudHypervisorSimulator sim;

    @BeforeEach
    void setUp() throws IOException {
        fx = new SimFixture(dir);
    }

    @AfterEach
    void tearDown() {
        if (sim != null) sim.close();
    }

    private SimulatedVmm booted(SimulatorOptions o) throws IOException {
        return booted(o, fx.vmConfig());
    }

    private SimulatedVmm booted(SimulatorOptions o, String config) throws IOException {
        sim = CloudHypervisorSimulator.start(o);
        SimulatedVmm vmm = sim.serve(dir.resolve("api.sock"));
        SimFixture.createAndBoot(vmm, config);
        return vmm;
    }

    private static SimulatorOptions v(ApiVersion version) {
        return SimulatorOptions.defaults().withVersion(version);
    }

    private static JsonNode json(RawClient.Response r) throws IOException {
        return JSON.readTree(r.body());
    }

    @Test
    void coldAddIs204WithoutIdAndBootAssignsOne() throws IOException {
        sim = CloudHypervisorSimulator.start(SimulatorOptions.defaults());
        SimulatedVmm vmm = sim.serve(dir.resolve("api.sock"));
        SimFixture.put(vmm, "vm.create", fx.vmConfig());
        RawClient.Response cold = SimFixture.put(vmm, "vm.add-disk", SimFixture.diskJson(null, fx.rawImage("a.raw"), null));
        assertThat(cold.status()).isEqualTo(204);
        assertThat(cold.body()).isEmpty();
        assertThat(vmm.snapshot().config().get("disks").get(0).has("id")).isFalse();
        assertThat(SimFixture.put(vmm, "vm.boot").status()).isEqualTo(204);
        assertThat(vmm.snapshot().configIds("disks")).containsExactly("_disk0");
        assertThat(vmm.snapshot().configEntry("_disk0").get("image_type").asText()).isEqualTo("Raw");
    }

    @Test
    void autoIdCounterIsSharedByAllDeviceKinds() throws IOException {
        Path vfio = Files.createDirectories(dir.resolve("sys/0000:01:00.0"));
        Path vfsd = dir.resolve("vfsd.sock");
        try (FakeVirtiofsd backend = FakeVirtiofsd.listen(vfsd)) {
            SimulatedVmm vmm = booted(SimulatorOptions.defaults());
            assertThat(json(SimFixture.put(vmm, "vm.add-disk", SimFixture.diskJson(null, fx.rawImage("a.raw"), null))).get("id").asText()).isEqualTo("_disk0");
            assertThat(json(SimFixture.put(vmm, "vm.add-fs", "{\"tag\":\"t\",\"socket\":\"" + vfsd + "\"}")).get("id").asText()).isEqualTo("_fs1");
            assertThat(json(SimFixture.put(vmm, "vm.add-device", "{\"path\":\"" + vfio + "\"}")).get("id").asText()).isEqualTo("_vfio2");
            assertThat(json(SimFixture.put(vmm, "vm.add-disk", SimFixture.diskJson(null, fx.rawImage("b.raw"), null))).get("id").asText()).isEqualTo("_disk3");
            // An explicit id does not advance the counter.
            assertThat(SimFixture.put(vmm, "vm.add-disk", SimFixture.diskJson("mine", fx.rawImage("c.raw"), null)).status()).isEqualTo(200);
            assertThat(json(SimFixture.put(vmm, "vm.add-disk", SimFixture.diskJson(null, fx.rawImage("d.raw"), null))).get("id").asText()).isEqualTo("_disk4");
            assertThat(backend.accepted).hasSize(1);
        }
    }

    @Test
    void autodetectedRawIsReportedAsRawAndOtherFormatsByMagic() throws IOException {
        SimulatedVmm vmm = booted(SimulatorOptions.defaults());
        SimFixture.put(vmm, "vm.add-disk", SimFixture.diskJson("raw", fx.rawImage("a.raw"), null));
        SimFixture.put(vmm, "vm.add-disk", SimFixture.diskJson("q", fx.qcow2Image("a.qcow2"), null));
        SimFixture.put(vmm, "vm.add-disk", SimFixture.diskJson("x", fx.vhdxImage("a.vhdx"), "\"image_type\":\"Vhdx\""));
        VmmSnapshot s = vmm.snapshot();
        assertThat(s.configEntry("raw").get("image_type").asText()).isEqualTo("Raw");
        assertThat(s.configEntry("q").get("image_type").asText()).isEqualTo("Qcow2");
        assertThat(s.configEntry("x").get("image_type").asText()).isEqualTo("Vhdx");
    }

    @Test
    void fixedVhdAndFlatVmdkAreDetectedToo() throws IOException {
        SimulatedVmm vmm = booted(SimulatorOptions.defaults());
        byte[] vhd = new byte[4096];
        System.arraycopy("conectix".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, vhd, 4096 - 512, 8);
        Path vhdPath = Files.write(dir.resolve("a.vhd"), vhd);
        Path vmdk = Files.writeString(dir.resolve("a.vmdk"), "# Disk DescriptorFile\nversion=1\n");
        assertThat(SimFixture.put(vmm, "vm.add-disk", SimFixture.diskJson("vhd", vhdPath, null)).status()).isEqualTo(200);
        assertThat(SimFixture.put(vmm, "vm.add-disk", SimFixture.diskJson("vmdk", vmdk, "\"image_type\":\"FlatVmdk\"")).status()).isEqualTo(200);
        assertThat(vmm.snapshot().configEntry("vhd").get("image_type").asText()).isEqualTo("FixedVhd");
        assertThat(vmm.snapshot().configEntry("vmdk").get("image_type").asText()).isEqualTo("FlatVmdk");
    }

    @Test
    void hotAddWhilePausedIsAccepted() throws IOException {
        SimulatedVmm vmm = booted(SimulatorOptions.defaults());
        SimFixture.put(vmm, "vm.pause");
        assertThat(SimFixture.put(vmm, "vm.add-disk", SimFixture.diskJson("p", fx.rawImage("p.raw"), null)).status()).isEqualTo(200);
        assertThat(vmm.state()).isEqualTo("Paused");
    }

    @Test
    void imageTypeMismatchIs500() throws IOException {
        SimulatedVmm vmm = booted(SimulatorOptions.defaults());
        RawClient.Response r = SimFixture.put(vmm, "vm.add-disk", SimFixture.diskJson("q", fx.qcow2Image("a.qcow2"), "\"image_type\":\"Raw\""));
        assertThat(r.status()).isEqualTo(500);
        assertThat(r.body()).startsWith("[\"Error from API\",\"The disk could not be added to the VM\",\"Error from device manager\"")
                .contains("specified Raw, detected Qcow2");
        assertThat(vmm.snapshot().inDeviceTree("q")).isFalse();
    }

    @ParameterizedTest
    @EnumSource(ApiVersion.class)
    void missingImageIsOpenErrorChain(ApiVersion version) throws IOException {
        SimulatedVmm vmm = booted(v(version));
        Path nope = dir.resolve("nope.img");
        RawClient.Response r = SimFixture.put(vmm, "vm.add-disk", SimFixture.diskJson("d", nope, null));
        assertThat(r.status()).isEqualTo(500);
        assertThat(r.body()).isEqualTo("[\"Error from API\",\"The disk could not be added to the VM\",\"Error from device manager\","
                + "\"Cannot open disk path\",\"I/O error (path=" + nope + " op=open)\",\"No such file or directory (os error 2)\"]");
    }

    @Test
    void readWriteImageCannotBeAttachedTwiceOnTheHost() throws IOException {
        SimulatedVmm first = booted(SimulatorOptions.defaults());
        SimulatedVmm second = sim.serve(dir.resolve("second.sock"));
        SimFixture.createAndBoot(second, fx.vmConfig());
        Path img = fx.rawImage("shared.raw");
        assertThat(SimFixture.put(first, "vm.add-disk", SimFixture.diskJson("a", img, null)).status()).isEqualTo(200);
        RawClient.Response again = SimFixture.put(second, "vm.add-disk", SimFixture.diskJson("b", img, null));
        assertThat(again.status()).isEqualTo(500);
        assertThat(again.body()).contains("\"Cannot lock images of all block devices\"");
        // Through another path to the same file (a hard link): still the same file, still locked.
        Path link = Files.createLink(dir.resolve("link.raw"), img);
        assertThat(SimFixture.put(second, "vm.add-disk", SimFixture.diskJson("c", link, "\"readonly\":true")).status()).isEqualTo(500);
        // Once the first holder removed it and the guest ejected it, the lock is gone.
        assertThat(SimFixture.put(first, "vm.remove-device", "{\"id\":\"a\"}").status()).isEqualTo(204);
        await().atMost(Duration.ofSeconds(5)).until(() -> !first.snapshot().inDeviceTree("a"));
        assertThat(SimFixture.put(second, "vm.add-disk", SimFixture.diskJson("b", img, null)).status()).isEqualTo(200);
    }

    @Test
    void readonlyImagesShareTheLock() throws IOException {
        SimulatedVmm vmm = booted(SimulatorOptions.defaults());
        Path img = fx.rawImage("ro.raw");
        assertThat(SimFixture.put(vmm, "vm.add-disk", SimFixture.diskJson("a", img, "\"readonly\":true")).status()).isEqualTo(200);
        assertThat(SimFixture.put(vmm, "vm.add-disk", SimFixture.diskJson("b", img, "\"readonly\":true")).status()).isEqualTo(200);
        assertThat(SimFixture.put(vmm, "vm.add-disk", SimFixture.diskJson("c", img, null)).status()).isEqualTo(500);
    }

    @ParameterizedTest
    @EnumSource(ApiVersion.class)
    void duplicateIdIsConfigValidationError(ApiVersion version) throws IOException {
        SimulatedVmm vmm = booted(v(version));
        SimFixture.put(vmm, "vm.add-disk", SimFixture.diskJson("data1", fx.rawImage("a.raw"), null));
        RawClient.Response dup = SimFixture.put(vmm, "vm.add-disk", SimFixture.diskJson("data1", fx.rawImage("b.raw"), null));
        assertThat(dup.status()).isEqualTo(version == ApiVersion.V54 ? 409 : 500);
        assertThat(dup.body()).isEqualTo("[\"Error from API\",\"The disk could not be added to the VM\",\"Failed to validate config\",\"Identifier data1 is not unique\"]");
        // Uniqueness spans all kinds of devices.
        Path vfio = Files.createDirectories(dir.resolve("sys/0000:02:00.0"));
        RawClient.Response dev = SimFixture.put(vmm, "vm.add-device", "{\"id\":\"data1\",\"path\":\"" + vfio + "\"}");
        assertThat(dev.status()).isEqualTo(version == ApiVersion.V54 ? 409 : 500);
    }

    @Test
    void reservedIdPrefixIsRefused() throws IOException {
        SimulatedVmm vmm = booted(SimulatorOptions.defaults());
        RawClient.Response r = SimFixture.put(vmm, "vm.add-disk", SimFixture.diskJson("__mine", fx.rawImage("a.raw"), null));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body()).contains("Identifier __mine is not invalid");
    }

    @Test
    void thirtyOneSlotsPerSegmentAndTheFailedAddLeaksItsId() throws IOException {
        SimulatedVmm vmm = booted(SimulatorOptions.defaults());
        Path img = fx.rawImage("ro.raw");
        // Slot 0 is the host bridge, slot 1 holds __rng: 30 more devices fit.
        for (int i = 0; i < 30; i++) {
            RawClient.Response r = SimFixture.put(vmm, "vm.add-disk", SimFixture.diskJson("d" + i, img, "\"readonly\":true"));
            assertThat(r.status()).as("disk %d", i).isEqualTo(200);
            assertThat(json(r).get("bdf").asText()).isEqualTo(String.format("0000:00:%02x.0", i + 2));
        }
        RawClient.Response full = SimFixture.put(vmm, "vm.add-disk", SimFixture.diskJson("d30", img, "\"readonly\":true"));
        assertThat(full.status()).isEqualTo(500);
        assertThat(full.body()).contains("Error from device manager");
        VmmSnapshot s = vmm.snapshot();
        assertThat(s.inDeviceTree("d30")).isTrue();
        assertThat(s.configEntry("d30")).isNull();
        RawClient.Response reuse = SimFixture.put(vmm, "vm.add-disk", SimFixture.diskJson("d30", img, "\"readonly\":true"));
        assertThat(reuse.body()).contains("Invalid identifier as it is not unique");
    }

    @Test
    void explicitPciDeviceIdAndSecondSegment() throws IOException {
        SimulatedVmm vmm = booted(SimulatorOptions.defaults(), fx.vmConfig(2, 2, true, "\"platform\":{\"num_pci_segments\":2}"));
        RawClient.Response r = SimFixture.put(vmm, "vm.add-disk", SimFixture.diskJson("a", fx.rawImage("a.raw"), "\"pci_segment\":1,\"pci_device_id\":7"));
        assertThat(json(r).get("bdf").asText()).isEqualTo("0001:00:07.0");
        RawClient.Response badSeg = SimFixture.put(vmm, "vm.add-disk", SimFixture.diskJson("b", fx.rawImage("b.raw"), "\"pci_segment\":2"));
        assertThat(badSeg.status()).isEqualTo(400);
        assertThat(badSeg.body()).contains("Invalid PCI segment id: 2");
    }

    @ParameterizedTest
    @EnumSource(value = ApiVersion.class, names = {"V53", "V54"})
    void removalIsAsynchronous(ApiVersion version) throws IOException {
        SimulatedVmm vmm = booted(v(version).withEjectDelay(Duration.ofMillis(1500)));
        Path img = fx.rawImage("a.raw");
        SimFixture.put(vmm, "vm.add-disk", SimFixture.diskJson("data1", img, null));
        assertThat(SimFixture.put(vmm, "vm.remove-device", "{\"id\":\"data1\"}").status()).isEqualTo(204);
        VmmSnapshot pending = vmm.snapshot();
        assertThat(pending.configEntry("data1")).isNull();
        assertThat(pending.inDeviceTree("data1")).isTrue();
        assertThat(pending.inDeviceTree("_virtio-pci-data1")).isTrue();

        RawClient.Response readd = SimFixture.put(vmm, "vm.add-disk", SimFixture.diskJson("data1", fx.rawImage("b.raw"), null));
        assertThat(readd.status()).isEqualTo(500);
        assertThat(readd.body()).isEqualTo("[\"Error from API\",\"The disk could not be added to the VM\",\"Error from device manager\","
                + "\"Invalid identifier as it is not unique\"]");
        RawClient.Response again = SimFixture.put(vmm, "vm.remove-device", "{\"id\":\"data1\"}");
        assertThat(again.status()).isEqualTo(version == ApiVersion.V54 ? 204 : 500);

        await().atMost(Duration.ofSeconds(5)).until(() -> !vmm.snapshot().inDeviceTree("data1"));
        assertThat(vmm.snapshot().inDeviceTree("_virtio-pci-data1")).isFalse();
        assertThat(SimFixture.put(vmm, "vm.add-disk", SimFixture.diskJson("data1", img, null)).status()).isEqualTo(200);
    }

    @Test
    void guestThatNeverEjectsKeepsTheDeviceAndItsSlot() throws IOException, InterruptedException {
        SimulatedVmm vmm = booted(SimulatorOptions.defaults().withGuestNeverEjecting().withEjectDelay(Duration.ofMillis(10)));
        SimFixture.put(vmm, "vm.add-disk", SimFixture.diskJson("a", fx.rawImage("a.raw"), null));
        SimFixture.put(vmm, "vm.remove-device", "{\"id\":\"a\"}");
        Thread.sleep(200);
        assertThat(vmm.snapshot().inDeviceTree("a")).isTrue();
        assertThat(vmm.snapshot().configEntry("a")).isNull();
    }

    @Test
    void ejectWaitsWhileThePausedGuestCannotRun() throws IOException, InterruptedException {
        SimulatedVmm vmm = booted(SimulatorOptions.defaults().withEjectDelay(Duration.ofMillis(50)));
        SimFixture.put(vmm, "vm.add-disk", SimFixture.diskJson("a", fx.rawImage("a.raw"), null));
        SimFixture.put(vmm, "vm.pause");
        SimFixture.put(vmm, "vm.remove-device", "{\"id\":\"a\"}");
        Thread.sleep(250);
        assertThat(vmm.snapshot().inDeviceTree("a")).isTrue();
        SimFixture.put(vmm, "vm.resume");
        await().atMost(Duration.ofSeconds(5)).until(() -> !vmm.snapshot().inDeviceTree("a"));
    }

    @ParameterizedTest
    @EnumSource(ApiVersion.class)
    void removingUnknownIds(ApiVersion version) throws IOException {
        SimulatedVmm vmm = booted(v(version));
        RawClient.Response unknown = SimFixture.put(vmm, "vm.remove-device", "{\"id\":\"ghost\"}");
        assertThat(unknown.status()).isEqualTo(version == ApiVersion.V54 ? 404 : 500);
        RawClient.Response rng = SimFixture.put(vmm, "vm.remove-device", "{\"id\":\"__rng\"}");
        if (version == ApiVersion.V54) {
            assertThat(rng.status()).isEqualTo(500);
            assertThat(rng.body()).contains("Not allowed to remove this type of device");
        } else {
            assertThat(rng.status()).isEqualTo(500);
        }
        RawClient.Response noId = SimFixture.put(vmm, "vm.remove-device", "{}");
        assertThat(noId.status()).isEqualTo(400);
        assertThat(noId.body()).isEqualTo("[\"Failed to deserialize JSON\",\"missing field `id` at line 1 column 2\"]");
    }

    @ParameterizedTest
    @EnumSource(ApiVersion.class)
    void coldRemove(ApiVersion version) throws IOException {
        sim = CloudHypervisorSimulator.start(v(version));
        SimulatedVmm vmm = sim.serve(dir.resolve("api.sock"));
        SimFixture.put(vmm, "vm.create", fx.vmConfig());
        SimFixture.put(vmm, "vm.add-disk", SimFixture.diskJson("a", fx.rawImage("a.raw"), null));
        assertThat(SimFixture.put(vmm, "vm.remove-device", "{\"id\":\"a\"}").status()).isEqualTo(204);
        assertThat(vmm.snapshot().configIds("disks")).isEmpty();
        RawClient.Response gone = SimFixture.put(vmm, "vm.remove-device", "{\"id\":\"a\"}");
        assertThat(gone.status()).isEqualTo(version == ApiVersion.V54 ? 404 : 500);
        assertThat(gone.body()).isEqualTo("[\"Error from API\",\"The device could not be removed from the VM\",\"No device with id \\\"a\\\" to remove\"]");
    }

    @ParameterizedTest
    @EnumSource(ApiVersion.class)
    void diskLimits(ApiVersion version) throws IOException {
        SimulatedVmm vmm = booted(v(version));
        int validation = version == ApiVersion.V54 ? 400 : 500;
        RawClient.Response queues = SimFixture.put(vmm, "vm.add-disk", SimFixture.diskJson("q", fx.rawImage("q.raw"), "\"num_queues\":3"));
        assertThat(queues.status()).isEqualTo(validation);
        assertThat(queues.body()).contains("Number of vCPUs is insufficient for number of queues");
        assertThat(SimFixture.put(vmm, "vm.add-disk", SimFixture.diskJson("q2", fx.rawImage("q2.raw"), "\"num_queues\":2")).status()).isEqualTo(200);
        assertThat(SimFixture.put(vmm, "vm.add-disk", SimFixture.diskJson("s", fx.rawImage("s.raw"), "\"queue_size\":2")).status()).isEqualTo(validation);
        RawClient.Response pow = SimFixture.put(vmm, "vm.add-disk", SimFixture.diskJson("p", fx.rawImage("p.raw"), "\"queue_size\":100"));
        assertThat(pow.status()).isEqualTo(500);
        assertThat(pow.body()).contains("not a power of two");
        RawClient.Response serial = SimFixture.put(vmm, "vm.add-disk", SimFixture.diskJson("n", fx.rawImage("n.raw"), "\"serial\":\"123456789012345678901\""));
        assertThat(serial.status()).isEqualTo(validation);
        assertThat(serial.body()).contains("Block device serial length (21) exceeds maximum allowed length (20)");
        assertThat(SimFixture.put(vmm, "vm.add-disk", SimFixture.diskJson("n2", fx.rawImage("n2.raw"), "\"serial\":\"12345678901234567890\"")).status()).isEqualTo(200);
    }

    @Test
    void rateLimiterDeniesUnknownFields() throws IOException {
        SimulatedVmm vmm = booted(SimulatorOptions.defaults());
        RawClient.Response bad = SimFixture.put(vmm, "vm.add-disk", "{\"id\":\"r\",\"path\":\"" + fx.rawImage("r.raw")
                + "\",\"rate_limiter_config\":{\"bandwidth\":{\"size\":1,\"refill_time\":1},\"iops\":null}}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body()).startsWith("[\"Failed to deserialize JSON\",\"unknown field `iops`, expected `bandwidth` or `ops`");
        // Unknown fields elsewhere in DiskConfig are ignored.
        RawClient.Response ok = SimFixture.put(vmm, "vm.add-disk", "{\"id\":\"r\",\"path\":\"" + dir.resolve("r.raw")
                + "\",\"whatever\":1,\"rate_limiter_config\":{\"bandwidth\":{\"size\":1048576,\"one_time_burst\":0,\"refill_time\":100},\"ops\":null}}");
        assertThat(ok.status()).isEqualTo(200);
        assertThat(vmm.snapshot().configEntry("r").get("rate_limiter_config").toString())
                .isEqualTo("{\"bandwidth\":{\"size\":1048576,\"one_time_burst\":0,\"refill_time\":100},\"ops\":null}");
    }

    @Test
    void deserializationErrorsUseSerdeWording() throws IOException {
        SimulatedVmm vmm = booted(SimulatorOptions.defaults());
        RawClient.Response type = SimFixture.put(vmm, "vm.add-disk", "{\"readonly\":\"yes\"}");
        assertThat(type.body()).isEqualTo("[\"Failed to deserialize JSON\",\"invalid type: string \\\"yes\\\", expected a boolean at line 1 column 17\"]");
        RawClient.Response variant = SimFixture.put(vmm, "vm.add-disk", "{\"image_type\":\"Iso\"}");
        assertThat(variant.body()).contains("unknown variant `Iso`, expected one of `FixedVhd`, `Qcow2`, `Raw`, `Vhdx`, `FlatVmdk`, `Unknown`");
        RawClient.Response range = SimFixture.put(vmm, "vm.add-disk", "{\"queue_size\":70000}");
        assertThat(range.body()).contains("invalid value: integer `70000`, expected u16");
        RawClient.Response tag = SimFixture.put(vmm, "vm.add-fs", "{\"socket\":\"/x\"}");
        assertThat(tag.body()).isEqualTo("[\"Failed to deserialize JSON\",\"missing field `tag` at line 1 column 15\"]");
        RawClient.Response garbage = SimFixture.put(vmm, "vm.add-disk", "{\"path\":");
        assertThat(garbage.status()).isEqualTo(400);
        assertThat(garbage.body()).startsWith("[\"Failed to deserialize JSON\",");
    }

    @Test
    void missingDiskPathIs500() throws IOException {
        SimulatedVmm vmm = booted(SimulatorOptions.defaults());
        RawClient.Response r = SimFixture.put(vmm, "vm.add-disk", "{\"id\":\"x\"}");
        assertThat(r.status()).isEqualTo(500);
        assertThat(r.body()).contains("No disk path was specified");
    }

    @Test
    void iommuOnlyOnIommuSegments() throws IOException {
        SimulatedVmm vmm = booted(SimulatorOptions.defaults(),
                fx.vmConfig(2, 2, true, "\"platform\":{\"num_pci_segments\":2,\"iommu_segments\":[1]}"));
        RawClient.Response seg0 = SimFixture.put(vmm, "vm.add-disk", SimFixture.diskJson("a", fx.rawImage("a.raw"), "\"iommu\":true"));
        assertThat(seg0.status()).isEqualTo(500);
        assertThat(seg0.body()).contains("Cannot hotplug device behind vIOMMU");
        assertThat(SimFixture.put(vmm, "vm.add-disk", SimFixture.diskJson("b", fx.rawImage("b.raw"), "\"iommu\":true,\"pci_segment\":1")).status()).isEqualTo(200);
        assertThat(vmm.snapshot().configEntry("b").get("iommu").asBoolean()).isTrue();
        RawClient.Response notBehind = SimFixture.put(vmm, "vm.add-disk", SimFixture.diskJson("c", fx.rawImage("c.raw"), "\"pci_segment\":1"));
        assertThat(notBehind.status()).isEqualTo(400);
        assertThat(notBehind.body()).contains("Device is on an IOMMU PCI segment (1) but not placed behind IOMMU");
    }

    @ParameterizedTest
    @EnumSource(ApiVersion.class)
    void vfioDevices(ApiVersion version) throws IOException {
        SimulatedVmm vmm = booted(v(version));
        Path gpu = Files.createDirectories(dir.resolve("sys/0000:01:00.0"));
        RawClient.Response ok = SimFixture.put(vmm, "vm.add-device", "{\"id\":\"gpu0\",\"path\":\"" + gpu + "\"}");
        assertThat(ok.status()).isEqualTo(200);
        VmmSnapshot s = vmm.snapshot();
        assertThat(s.deviceTree().get("gpu0").get("pci_bdf").asText()).isEqualTo(json(ok).get("bdf").asText());
        assertThat(s.inDeviceTree("_virtio-pci-gpu0")).isFalse();
        assertThat(s.configEntry("gpu0").toString()).isEqualTo("{\"id\":\"gpu0\",\"pci_segment\":0,\"path\":\"" + gpu + "\",\"x_exclude_mmap_bars\":[]}");
        RawClient.Response dupPath = SimFixture.put(vmm, "vm.add-device", "{\"id\":\"gpu1\",\"path\":\"" + gpu + "\"}");
        assertThat(dupPath.status()).isEqualTo(version == ApiVersion.V54 ? 409 : 500);
        assertThat(dupPath.body()).contains("Duplicated device path: " + gpu);
        RawClient.Response noPath = SimFixture.put(vmm, "vm.add-device", "{\"id\":\"gpu2\"}");
        assertThat(noPath.status()).isEqualTo(version == ApiVersion.V54 ? 400 : 500);
        RawClient.Response absent = SimFixture.put(vmm, "vm.add-device", "{\"id\":\"gpu3\",\"path\":\"" + dir.resolve("sys/none") + "\"}");
        assertThat(absent.status()).isEqualTo(500);
        assertThat(absent.body()).contains("Cannot create a VFIO device");
    }

    @Test
    void resize() throws IOException {
        SimulatedVmm vmm = booted(SimulatorOptions.defaults().withEjectDelay(Duration.ofMillis(2000)),
                fx.vmConfig(2, 4, true, null).replace("\"shared\":true", "\"shared\":true,\"hotplug_size\":1073741824"));
        assertThat(SimFixture.put(vmm, "vm.resize", "{\"desired_vcpus\":4,\"desired_ram\":2147483648,\"desired_balloon\":null}").status()).isEqualTo(204);
        assertThat(vmm.snapshot().config().get("cpus").get("boot_vcpus").asInt()).isEqualTo(4);
        assertThat(SimFixture.get(vmm, "vm.info").body()).contains("\"memory_actual_size\":2147483648");
        RawClient.Response tooMany = SimFixture.put(vmm, "vm.resize", "{\"desired_vcpus\":5}");
        assertThat(tooMany.status()).isEqualTo(500);
        assertThat(SimFixture.put(vmm, "vm.resize", "{\"desired_vcpus\":2}").status()).isEqualTo(204);
        RawClient.Response pending = SimFixture.put(vmm, "vm.resize", "{\"desired_vcpus\":3}");
        assertThat(pending.status()).isEqualTo(429);
        await().atMost(Duration.ofSeconds(5)).until(() -> SimFixture.put(vmm, "vm.resize", "{\"desired_vcpus\":3}").status() == 204);
        RawClient.Response ram = SimFixture.put(vmm, "vm.resize", "{\"desired_ram\":4294967296}");
        assertThat(ram.status()).isEqualTo(500);
        RawClient.Response balloon = SimFixture.put(vmm, "vm.resize", "{\"desired_balloon\":1024}");
        assertThat(balloon.status()).isEqualTo(500);
    }
}
