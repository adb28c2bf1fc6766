package dev.form.cli.model;

import picocli.CommandLine.Model.OptionSpec;

/**
 * The value of an option that writes no field of form's (picocli's standard --help and --version, whose field
 * lives in a picocli class): held in an {@link OwnerScope}, which is a getter and setter of one value too,
 * starting as that field would.
 */
public final class OptionValue {
    private OptionValue() {
    }

    /** {@code option} bound to a new value holder that starts at {@code initial}. */
    public static OptionSpec.Builder bind(OptionSpec.Builder option, Object initial) {
        OwnerScope holder = new OwnerScope(initial);
        option.getter(holder);
        option.setter(holder);
        return option;
    }
}
