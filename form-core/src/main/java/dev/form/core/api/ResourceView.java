package dev.form.core.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One hot-added resource: its id, kind (disk, fs, device), state (attaching, attached,
 * pending_removal, removed), the guest PCI address, and the fields that describe it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ResourceView(String id, String kind, String state, String pciAddress,
                           String path, String format, Long sizeBytes, Boolean readonly, String serial,
                           String source, String tag, String socket) {
}
