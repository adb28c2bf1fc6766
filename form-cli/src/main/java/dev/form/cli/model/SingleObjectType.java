package dev.form.cli.model;

import picocli.CommandLine.Model.ITypeInfo;

import java.util.List;

/**
 * The type of an argument group that is one object of a plain class (picocli's own type information class is
 * not public): picocli creates an instance of it when the group matches.
 */
public record SingleObjectType(Class<?> type) implements ITypeInfo {
    @Override
    public boolean isBoolean() {
        return false;
    }

    @Override
    public boolean isMultiValue() {
        return false;
    }

    @Override
    public boolean isOptional() {
        return false;
    }

    @Override
    public boolean isArray() {
        return false;
    }

    @Override
    public boolean isCollection() {
        return false;
    }

    @Override
    public boolean isMap() {
        return false;
    }

    @Override
    public boolean isEnum() {
        return false;
    }

    @Override
    public List<String> getEnumConstantNames() {
        return List.of();
    }

    @Override
    public String getClassName() {
        return type.getName();
    }

    @Override
    public String getClassSimpleName() {
        return type.getSimpleName();
    }

    @Override
    public List<ITypeInfo> getAuxiliaryTypeInfos() {
        return List.of(this);
    }

    @Override
    public List<String> getActualGenericTypeArguments() {
        return List.of();
    }

    @Override
    public Class<?> getType() {
        return type;
    }

    @Override
    public Class<?>[] getAuxiliaryTypes() {
        return new Class<?>[] {type};
    }
}
