package dev.form.cli.model;

import picocli.CommandLine.Model.IGetter;
import picocli.CommandLine.Model.IScope;
import picocli.CommandLine.Model.ISetter;

/**
 * An option's, positional's or group's binding to one field, as picocli's own field binding does it
 * (the setter answers the previous value) but without reflection. The owner comes from a scope because an
 * argument group's owner only exists once the group matches: picocli then creates it and puts it in the
 * scope of the group's arguments.
 */
public final class BoundField implements IGetter, ISetter {
    private final IScope owner;
    private final FieldAccess access;
    private final int field;

    public BoundField(IScope owner, FieldAccess access, int field) {
        this.owner = owner;
        this.access = access;
        this.field = field;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T get() throws Exception {
        Object target = owner.get();
        // A group's arguments have no owner until the group matches; picocli may ask for their values before.
        return target == null ? null : (T) access.get(field, target);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T set(T value) throws Exception {
        Object target = owner.get();
        if (target == null) throw new IllegalStateException("field " + field + " has no owner yet (an argument group that did not match)");
        T previous = (T) access.get(field, target);
        access.set(field, target, value);
        return previous;
    }
}
