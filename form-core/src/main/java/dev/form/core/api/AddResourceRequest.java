package dev.form.core.api;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * One add request. In a batch every element names its kind: {@code {"kind":"disk", ...}}.
 * The single-resource routes take the same bodies, where {@code kind} may be left out.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind", defaultImpl = Void.class)
@JsonSubTypes({
        @JsonSubTypes.Type(value = AddDiskRequest.class, name = "disk"),
        @JsonSubTypes.Type(value = AddFsRequest.class, name = "fs"),
        @JsonSubTypes.Type(value = AddDeviceRequest.class, name = "device")
})
public sealed interface AddResourceRequest permits AddDiskRequest, AddFsRequest, AddDeviceRequest {
}
