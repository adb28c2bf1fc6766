package dev.form.cli.model;

import picocli.CommandLine.Model.IGetter;
import picocli.CommandLine.Model.ISetter;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The value of an option that writes no field of form's (picocli's standard --help and --version, whose field
 * lives in a picocli class): held here, starting as that field would.
 */
public final class OptionValue implements IGetter, ISetter {
    private Object value;

    private OptionValue(Object initial) {
        this.value = initial;
    }

    /** {@code option} bound to a new value holder that starts at {@code initial}. */
    public static OptionSpec.Builder bind(OptionSpec.Builder option, Object initial) {
        OptionValue holder = new OptionValue(initial);
        option.getter(holder);
        option.setter(holder);
        return option;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T get() {
        return (T) value;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T set(T newValue) {
        T previous = (T) value;
        value = newValue;
        return previous;
    }
}
