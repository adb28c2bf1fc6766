package dev.form.vmm.instances;

import dev.form.core.api.ErrorCode;
import dev.form.hypervisor.HypervisorException;
import dev.form.vmm.ApiProblem;

import java.util.Locale;

/** Puts a hypervisor's refusal in the caller's terms, keeping its own message chain. */
public final class HypervisorProblems {
    private HypervisorProblems() {
    }

    public static ApiProblem of(String what, HypervisorException e) {
        ErrorCode code = switch (e.kind()) {
            case CONFLICT -> mentionsSlot(e) ? ErrorCode.NO_FREE_SLOT : ErrorCode.CONFLICT;
            case WRONG_STATE -> ErrorCode.WRONG_STATE;
            case UNAVAILABLE -> ErrorCode.HYPERVISOR_UNAVAILABLE;
            case TIMEOUT -> ErrorCode.TIMEOUT;
            case INVALID -> ErrorCode.INVALID_INPUT;
            case REFUSED, NOT_FOUND, PROTOCOL -> mentionsSlot(e) ? ErrorCode.NO_FREE_SLOT : ErrorCode.HYPERVISOR_REFUSED;
        };
        String hint = code == ErrorCode.NO_FREE_SLOT ? "remove a device first; the VM has no free hot-plug slot left" : null;
        if (code == ErrorCode.INVALID_INPUT) {
            return new ApiProblem(code, what + ": " + e.getMessage(), null, null, null, e);
        }
        return new ApiProblem(code, what + ": the hypervisor " + (code == ErrorCode.HYPERVISOR_UNAVAILABLE ? "is unavailable" : "refused")
                + ": " + e.getMessage(), null, hint, e.chain(), e);
    }

    /** True when the hypervisor's answer does not tell whether the change happened. */
    public static boolean ambiguous(HypervisorException e) {
        return e.kind() == HypervisorException.Kind.TIMEOUT || e.kind() == HypervisorException.Kind.UNAVAILABLE
                || e.kind() == HypervisorException.Kind.PROTOCOL;
    }

    private static boolean mentionsSlot(HypervisorException e) {
        for (String m : e.chain()) {
            String l = m.toLowerCase(Locale.ROOT);
            if (l.contains("no free") || l.contains("slot") || l.contains("no more available pci")) return true;
        }
        return false;
    }
}
