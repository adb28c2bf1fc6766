package dev.form.core.api;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * {@code POST /v1/instances}. Shared memory defaults to on so that shares can be hot-added later;
 * maxCpus and maxMemoryBytes give the headroom that resize may use.
 *
 * @param disks boot disks: image paths on the service's host
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CreateInstanceRequest(String name, String kernel, String initramfs, String cmdline,
                                    List<String> disks, Integer cpus, Integer maxCpus,
                                    Long memoryBytes, Long maxMemoryBytes,
                                    Boolean sharedMemory, Boolean autostart) {
}
