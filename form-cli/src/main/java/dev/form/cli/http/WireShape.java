package dev.form.cli.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

import java.lang.reflect.RecordComponent;

/**
 * What {@link StreamingJson} needs to know of a wire record's Jackson annotations: whether it can write and read
 * the record itself at all ({@code plain}), whether null fields are left out, and the type property a batch item
 * carries. Reading these annotations at run time costs a dynamic proxy class per annotation type (about 5 ms
 * each, and the AOT cache cannot hold them), so the records the CLI exchanges have theirs generated
 * ({@link GeneratedWireShapes}, by dev.form.cli.model.CommandModelGenerator); {@link #read} is for the generator
 * and for any other record.
 *
 * @param plain        no Jackson annotations but {@code @JsonInclude(NON_NULL|ALWAYS|USE_DEFAULTS)} on the record,
 *                     a {@code @JsonTypeInfo} name on an implemented interface, and none on its components
 * @param skipNulls    {@code @JsonInclude(NON_NULL)}
 * @param typeProperty the type id's property ("kind"), or null
 * @param typeName     the record's type id, or null
 */
public record WireShape(boolean plain, boolean skipNulls, String typeProperty, String typeName) {
    static final WireShape NOT_PLAIN = new WireShape(false, false, null, null);

    /** The shape of {@code type} from its annotations. */
    public static WireShape read(Class<?> type) {
        if (!type.isRecord()) return NOT_PLAIN;
        for (var a : type.getAnnotations()) if (!(a instanceof JsonInclude)) return NOT_PLAIN;
        for (RecordComponent c : type.getRecordComponents()) {
            if (c.getAnnotations().length > 0 || c.getAccessor().getAnnotations().length > 0) return NOT_PLAIN;
        }
        JsonInclude include = type.getAnnotation(JsonInclude.class);
        boolean skipNulls = include != null && include.value() == JsonInclude.Include.NON_NULL;
        if (include != null && !skipNulls && include.value() != JsonInclude.Include.ALWAYS
                && include.value() != JsonInclude.Include.USE_DEFAULTS) return NOT_PLAIN;
        String property = null;
        String name = null;
        for (Class<?> parent : type.getInterfaces()) {
            JsonTypeInfo info = parent.getAnnotation(JsonTypeInfo.class);
            if (info == null) {
                if (parent.getAnnotations().length > 0) return NOT_PLAIN;
                continue;
            }
            if (property != null || info.use() != JsonTypeInfo.Id.NAME || info.include() != JsonTypeInfo.As.PROPERTY
                    || info.property().isEmpty()) return NOT_PLAIN;
            JsonSubTypes subTypes = parent.getAnnotation(JsonSubTypes.class);
            if (subTypes != null) {
                for (JsonSubTypes.Type sub : subTypes.value()) if (sub.value() == type && !sub.name().isEmpty()) name = sub.name();
            }
            if (name == null) return NOT_PLAIN;
            property = info.property();
        }
        return new WireShape(true, skipNulls, property, name);
    }
}
