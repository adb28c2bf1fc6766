package dev.form.core.auth;

import dev.form.core.model.AccessLevel;
import org.junit.jupiter.api.Test;

import java.util.EnumMap;
import java.util.Map;

import static dev.form.core.model.AccessLevel.MANAGER;
import static dev.form.core.model.AccessLevel.OPERATOR;
import static dev.form.core.model.AccessLevel.OWNER;
import static dev.form.core.model.AccessLevel.READ_ONLY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PermissionTest {
    @Test
    void requiredLevelsFollowTheIssue() {
        Map<Operation, AccessLevel> expected = new EnumMap<>(Operation.class);
        expected.put(Operation.VIEW, READ_ONLY);
        expected.put(Operation.START, OPERATOR);
        expected.put(Operation.STOP, OPERATOR);
        expected.put(Operation.ADD_RESOURCE, MANAGER);
        expected.put(Operation.REMOVE_RESOURCE, MANAGER);
        expected.put(Operation.RESIZE, MANAGER);
        expected.put(Operation.DELETE, OWNER);
        expected.put(Operation.GRANT, OWNER);
        for (Operation op : Operation.values()) {
            assertThat(op.requiredLevel()).as(op.name()).isEqualTo(expected.get(op));
        }
    }

    @Test
    void everyLevelAllowsExactlyTheOperationsAtOrBelowIt() {
        for (Operation op : Operation.values()) {
            for (AccessLevel held : AccessLevel.values()) {
                assertThat(Permission.allows(held, op)).as(held + " " + op)
                        .isEqualTo(held.ordinal() >= op.requiredLevel().ordinal());
            }
            assertThat(Permission.allows(null, op)).isFalse();
        }
        assertThat(Permission.allows(OPERATOR, Operation.STOP)).isTrue();
        assertThat(Permission.allows(OPERATOR, Operation.ADD_RESOURCE)).isFalse();
        assertThat(Permission.allows(MANAGER, Operation.DELETE)).isFalse();
    }

    @Test
    void denialSaysWhoHasWhatAndWhatIsNeeded() {
        String addr = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
        assertThatThrownBy(() -> Permission.require(OPERATOR, Operation.ADD_RESOURCE, addr, "web-1"))
                .isInstanceOfSatisfying(PermissionDeniedException.class, e -> {
                    assertThat(e.operation()).isEqualTo(Operation.ADD_RESOURCE);
                    assertThat(e.held()).isEqualTo(OPERATOR);
                    assertThat(e.getMessage()).isEqualTo(addr + " has only operator access to instance web-1;"
                            + " adding a disk, filesystem or device needs manager or higher");
                });
        assertThatThrownBy(() -> Permission.require(null, Operation.VIEW, addr, "web-1"))
                .hasMessage(addr + " has no access to instance web-1; viewing the instance needs readonly or higher");
        assertThatThrownBy(() -> Permission.require(MANAGER, Operation.GRANT, addr, "web-1"))
                .hasMessageEndingWith("granting or revoking access needs owner");
        Permission.require(OWNER, Operation.DELETE, addr, "web-1");
    }
}
