package dev.form.hypervisor.cloudhypervisor.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/** Pins the I/O of one virtqueue of a disk to host CPUs. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VirtQueueAffinity(@JsonProperty("queue_index") Integer queueIndex,
                                @JsonProperty("host_cpus") List<Integer> hostCpus) {
}
