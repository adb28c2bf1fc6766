package dev.form.testkit.chsim;

import java.util.ArrayList;
import java.util.List;

/**
 * An error the VMM reports: the chain of Display strings (top to root cause) that the server sends as
 * a JSON array, and the class of its root cause, which decides the status per release (api-notes §1.4).
 */
final class ApiError extends RuntimeException {

    /** Root-cause classes whose status differs between releases. */
    enum Kind {
        /** VmNotCreated / VmMissingConfig: 500 up to v52, 404 from v53. */
        NOT_CREATED,
        /** NoDeviceToRemove / DeviceManager(UnknownDeviceId): 404 in v54 only. */
        UNKNOWN_DEVICE,
        /** ConfigValidation(IdentifierNotUnique | DuplicateDevicePath): 409 in v54 only. */
        DUPLICATE,
        /** Any other ConfigValidation: 400 in v54 only. */
        VALIDATION,
        /** CpuManager(VcpuPendingRemovedVcpu): 429 everywhere. */
        RESIZE_PENDING,
        /** Everything else: 500 everywhere. */
        INTERNAL
    }

    private final Kind kind;
    private final List<String> chain;

    ApiError(Kind kind, List<String> chain) {
        super(String.join(": ", chain));
        this.kind = kind;
        this.chain = List.copyOf(chain);
    }

    /** "Error from API", the action, then the causes. */
    static ApiError of(Kind kind, String action, String... causes) {
        List<String> chain = new ArrayList<>();
        chain.add("Error from API");
        chain.add(action);
        chain.addAll(List.of(causes));
        return new ApiError(kind, chain);
    }

    Kind kind() {
        return kind;
    }

    List<String> chain() {
        return chain;
    }

    int status(ApiVersion v) {
        return switch (kind) {
            case NOT_CREATED -> v.atLeast(ApiVersion.V53) ? 404 : 500;
            case UNKNOWN_DEVICE -> v.atLeast(ApiVersion.V54) ? 404 : 500;
            case DUPLICATE -> v.atLeast(ApiVersion.V54) ? 409 : 500;
            case VALIDATION -> v.atLeast(ApiVersion.V54) ? 400 : 500;
            case RESIZE_PENDING -> 429;
            case INTERNAL -> 500;
        };
    }

    /** A validation failure wrapped as VmError::ConfigValidation does. */
    static ApiError validation(String action, String message) {
        return of(Kind.VALIDATION, action, "Failed to validate config", message);
    }

    static ApiError deviceManager(String action, String... causes) {
        String[] all = new String[causes.length + 1];
        all[0] = "Error from device manager";
        System.arraycopy(causes, 0, all, 1, causes.length);
        return of(Kind.INTERNAL, action, all);
    }
}
