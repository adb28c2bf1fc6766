package dev.form.cli.model;

/**
 * Reads and writes the fields picocli binds, by number, with plain field access: the generated command
 * model binds options to fields through one of these per package (a field that is package-private or
 * protected can only be written from its own package), so a run neither reads annotations nor uses
 * reflection to set a value.
 */
public interface FieldAccess {
    /** The value of field {@code field} of {@code owner}. */
    Object get(int field, Object owner);

    /** Sets field {@code field} of {@code owner} to {@code value}. */
    void set(int field, Object owner, Object value);
}
