package dev.form.cli.model;

import picocli.CommandLine.Model.IScope;

/**
 * The object whose fields a set of options writes: a command, a mixin, or an argument group's object, which
 * picocli puts here when the group matches (picocli's own scope class is not public).
 */
public final class OwnerScope implements IScope {
    private Object owner;

    public OwnerScope(Object owner) {
        this.owner = owner;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T get() {
        return (T) owner;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T set(T value) {
        T previous = (T) owner;
        owner = value;
        return previous;
    }

    @Override
    public String toString() {
        return "OwnerScope(" + owner + ")";
    }
}
