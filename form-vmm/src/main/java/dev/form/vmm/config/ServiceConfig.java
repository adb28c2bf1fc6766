package dev.form.vmm.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.JsonMappingException;
import dev.form.core.api.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The service's config file (JSON). Every field is optional; command-line options win over it.
 * <pre>
 * {
 *   "admins": ["0xf39F..."],
 *   "listen": "127.0.0.1:3002",
 *   "hypervisor": "cloud-hypervisor" | "qemu",
 *   "cloudHypervisorBin": "/usr/bin/cloud-hypervisor", "qemuBin": "/usr/bin/qemu-system-x86_64",
 *   "virtiofsdBin": "/usr/lib/qemu/virtiofsd",
 *   "removalTimeoutMs": 10000, "stopTimeoutMs": 30000,
 *   "tls": {"keystore": "/etc/form/tls.p12", "passwordFile": "/etc/form/tls.pass"},
 *   "hostPolicy": {"imageDirs": [...], "shareDirs": [...], "socketDir": "...", "pciDevices": ["0000:01:00.0"],
 *                  "sysfsRoot": "/sys", "vfioDevDir": "/dev/vfio"},
 *   "queue": { ... read by the queue }
 * }
 * </pre>
 * Unknown fields are refused, naming the field, so a misspelt setting never passes silently.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ServiceConfig(List<String> admins, String listen, String dataDir, String hypervisor, String cloudHypervisorBin,
                            String qemuBin, String virtiofsdBin, Long removalTimeoutMs, Long stopTimeoutMs, Tls tls,
                            HostPolicyConfig hostPolicy, JsonNode queue) {

    public record Tls(String keystore, String passwordFile) {
    }

    public record HostPolicyConfig(List<String> imageDirs, List<String> shareDirs, String socketDir, List<String> pciDevices,
                                   String sysfsRoot, String vfioDevDir) {
    }

    public static ServiceConfig empty() {
        return new ServiceConfig(null, null, null, null, null, null, null, null, null, null, null, null);
    }

    /** Reads the file; every problem names the file and the field. */
    public static ServiceConfig read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ConfigException("cannot read the config file " + file + ": " + e.getMessage());
        }
        try {
            ServiceConfig c = Json.mapper().readValue(bytes, ServiceConfig.class);
            return c == null ? empty() : c;
        } catch (UnrecognizedPropertyException e) {
            throw new ConfigException("config file " + file + ": unknown field '" + e.getPropertyName() + "' (known: "
                    + e.getKnownPropertyIds().stream().map(String::valueOf).sorted().collect(Collectors.joining(", ")) + ")");
        } catch (JsonMappingException e) {
            String field = e.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining("."));
            throw new ConfigException("config file " + file + ": invalid value for '" + field + "': " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ConfigException("config file " + file + " is not valid JSON: " + e.getMessage());
        }
    }

}
